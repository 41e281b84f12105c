package oktasim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// appTemplate holds what an app object built by the simulator varies in.
type appTemplate struct {
	orgID, id, name, label, signOnMode, status string
	created                                    time.Time
	features                                   []string
}

// Members every built app shares, marshalled once.
var (
	accessibilityJSON   = mustJSON(map[string]any{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil})
	universalLogoutJSON = mustJSON(map[string]any{"status": "UNSUPPORTED"})
	userNameTemplate    = mustJSON(map[string]any{"template": "${source.login}", "type": "BUILT_IN"})
	commonSettings      = string(mustJSON(map[string]any{
		"notifications": map[string]any{"vpn": map[string]any{
			"network": map[string]any{"connection": "DISABLED"}, "message": nil, "helpUrl": nil,
		}},
		"manualProvisioning": false,
		"implicitAssignment": false,
		"emOptInStatus":      "NONE",
		"notes":              map[string]any{"admin": nil, "enduser": nil},
	}))
	samlSignOn = mustJSON(map[string]any{
		"defaultRelayState": nil, "ssoAcsUrlOverride": nil, "audienceOverride": nil,
		"recipientOverride": nil, "destinationOverride": nil, "attributeStatements": []any{},
	})
)

// buildApp writes an Application object in the shape Okta returns (member
// order and nesting follow the recorded objects in testdata). Links use the
// org URL token, localized when the org serves them.
func buildApp(t appTemplate) json.RawMessage {
	entry := catalog[t.name]
	if t.label == "" {
		t.label = entry.label
		if t.label == "" {
			t.label = t.name
		}
	}
	if t.signOnMode == "" {
		t.signOnMode = entry.signOnMode
		if t.signOnMode == "" {
			t.signOnMode = "SAML_2_0"
		}
	}
	if t.features == nil {
		t.features = []string{}
	}
	appURL := orgURLToken + "/api/v1/apps/" + t.id
	created := t.created.UTC().Format(oktaTime)
	lifecycle := "deactivate"
	if t.status == StatusInactive {
		lifecycle = "activate"
	}
	kid := `{"kid":` + string(mustJSON(hashChars(errorIDAlphabet, 43, t.id, "kid"))) + `}`
	appLink, hidden := "login", "false"
	credentials := `{"userNameTemplate":` + string(userNameTemplate)
	settings := `{"app":{},` + commonSettings[1:]
	links := &object{}
	switch t.signOnMode {
	case "BOOKMARK":
		app := mustJSON(map[string]any{"requestIntegration": false, "url": "https://intranet.example.com/" + strings.ToLower(strings.ReplaceAll(t.label, " ", "-"))})
		settings = `{"app":` + string(app) + "," + commonSettings[1:]
	case "SAML_2_0", "SAML_1_1", "WS_FEDERATION":
		credentials += `,"signing":` + kid
		settings = settings[:len(settings)-1] + `,"signOn":` + string(samlSignOn) + "}"
		links.set("metadata", json.RawMessage(`{"href":"`+appURL+`/sso/saml/metadata","type":"application/xml"}`))
	case "OPENID_CONNECT":
		credentials += `,"signing":` + kid + `,"oauthClient":{"autoKeyRotation":true,"client_id":"` + t.id + `","token_endpoint_auth_method":"client_secret_basic","pkce_required":false}`
		oauth := mustJSON(map[string]any{
			"client_uri": nil, "logo_uri": nil, "redirect_uris": []string{"https://apps.example.com/" + t.id + "/callback"},
			"response_types": []string{"code"}, "grant_types": []string{"authorization_code"}, "application_type": "web",
			"consent_method": "TRUSTED", "issuer_mode": "ORG_URL", "wildcard_redirect": "DISABLED",
			"idp_initiated_login":      map[string]any{"mode": "DISABLED", "default_scope": []string{}},
			"dpop_bound_access_tokens": false, "participate_slo": false,
		})
		settings = settings[:len(settings)-1] + `,"oauthClient":` + string(oauth) + "}"
		appLink, hidden = "oidc_client_link", "true"
	}
	credentials += "}"
	href := func(h string) json.RawMessage { return json.RawMessage(`{"href":"` + h + `"}`) }
	allow := func(h, method string) json.RawMessage {
		return json.RawMessage(`{"href":"` + h + `","hints":{"allow":["` + method + `"]}}`)
	}
	links.set("uploadLogo", allow(appURL+"/logo", "POST"))
	links.set("appLinks", json.RawMessage(`[{"name":"`+appLink+`","href":"`+orgURLToken+"/home/"+t.name+"/"+t.id+"/"+hashChars(idAlphabet, 20, t.id, "applink")+`","type":"text/html"}]`))
	links.set("policies", allow(appURL+"/policies", "PUT"))
	links.set("groups", href(appURL+"/groups"))
	links.set("logo", json.RawMessage(`[{"name":"medium","href":"https://op3static2.oktacdn.com/assets/img/logos/`+t.name+`.png","type":"image/png"}]`))
	links.set("users", href(appURL+"/users"))
	links.set(lifecycle, href(appURL+"/lifecycle/"+lifecycle))

	o := &object{}
	o.set("id", mustJSON(t.id))
	o.set("orn", mustJSON("orn:okta:idp:"+t.orgID+":apps:"+t.name+":"+t.id))
	o.set("name", mustJSON(t.name))
	o.set("label", mustJSON(t.label))
	o.set("status", mustJSON(t.status))
	o.set("lastUpdated", mustJSON(created))
	o.set("created", mustJSON(created))
	o.set("accessibility", accessibilityJSON)
	o.set("visibility", json.RawMessage(`{"autoLaunch":false,"autoSubmitToolbar":false,"hide":{"iOS":`+hidden+`,"web":`+hidden+`},"appLinks":{"`+appLink+`":true}}`))
	o.set("features", mustJSON(t.features))
	o.set("signOnMode", mustJSON(t.signOnMode))
	o.set("credentials", json.RawMessage(credentials))
	o.set("universalLogout", universalLogoutJSON)
	o.set("settings", json.RawMessage(settings))
	o.set("_links", links.marshal())
	return o.marshal()
}

var fullSCIMFeatures = []string{
	"IMPORT_PROFILE_UPDATES", "PUSH_NEW_USERS", "PUSH_USER_DEACTIVATION", "GROUP_PUSH",
	"REACTIVATE_USERS", "IMPORT_NEW_USERS", "PUSH_PROFILE_UPDATES",
}

// syntheticApps generates count app instances in mixed readiness states:
// deterministic for a given org and seed.
func (o *Org) syntheticApps(s SyntheticApps) error {
	if s.Count < 0 || s.Count > 100000 {
		return fmt.Errorf("synthetic_apps.count is %d; use 0 to 100000", s.Count)
	}
	rng := rand.New(rand.NewPCG(uint64(s.Seed), 0x73796e7468))
	base := time.Date(2024, 1, 8, 9, 0, 0, 0, time.UTC)
	for i := range s.Count {
		created := base.Add(time.Duration(i)*37*time.Minute + time.Duration(rng.IntN(3600))*time.Second)
		id := deterministicID("0oa", o.name, "synthetic", fmt.Sprint(s.Seed), fmt.Sprint(i))
		t := appTemplate{orgID: o.orgID, id: id, status: StatusActive, created: created}
		set := AppSettings{}
		no := false
		var groups []string
		switch x := rng.IntN(100); {
		case x < 25: // not a provisioning app
			switch rng.IntN(3) {
			case 0:
				t.name, t.label, t.signOnMode = "bookmark", fmt.Sprintf("Bookmark %d", i), "BOOKMARK"
			case 1:
				t.name, t.label, t.signOnMode = "oidc_client", fmt.Sprintf("Internal tool %d", i), "OPENID_CONNECT"
			default:
				t.name, t.label = fmt.Sprintf("%s_samlapp%d_1", o.name, i), fmt.Sprintf("SAML app %d", i)
			}
			set.ProvisioningSupported = &no
		case x < 35: // custom SCIM app
			t.name, t.label = fmt.Sprintf("%s_scimapp%d_1", o.name, i), fmt.Sprintf("SCIM app %d", i)
			t.features = append([]string{"SCIM_PROVISIONING"}, fullSCIMFeatures...)
			groups = []string{"Team " + fmt.Sprint(i)}
		default:
			key := scimCatalogKeys[rng.IntN(len(scimCatalogKeys))]
			t.name, t.label = key, fmt.Sprintf("%s (%d)", catalog[key].label, i)
			t.features = append([]string(nil), fullSCIMFeatures...)
			switch y := rng.IntN(100); {
			case y < 45: // ready, with imported groups
				groups = []string{"Engineering " + fmt.Sprint(i), "Sales " + fmt.Sprint(i)}
			case y < 60: // import unchecked
				t.features = []string{"PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION"}
			case y < 75: // provisioning disabled
				t.features = []string{}
				if connectionScheme(key) == "" {
					set.Connection = json.RawMessage(`"UNKNOWN"`)
				}
			case y < 88: // inactive
				t.status = StatusInactive
			default: // ready, but Import Groups off
				set.ImportGroups = &no
			}
		}
		a, err := loadApp(buildApp(t))
		if err != nil {
			return fmt.Errorf("synthetic app %d: %w", i, err)
		}
		if o.appsByID[a.id] != nil {
			return fmt.Errorf("synthetic app %d: id %q is already used by another app", i, a.id)
		}
		if set.ImportGroups == nil {
			// Generated apps are the sandbox's own: their setting is known,
			// on exactly when they have imported groups.
			on := len(groups) > 0
			set.ImportGroups = &on
		}
		for _, g := range groups {
			set.Groups = append(set.Groups, mustJSON(map[string]any{"profile": map[string]string{"name": g, "description": "Imported from " + t.label}}))
		}
		o.insertApp(a)
		if err := o.applySettings(a, set); err != nil {
			return fmt.Errorf("synthetic app %d: %w", i, err)
		}
	}
	return nil
}
