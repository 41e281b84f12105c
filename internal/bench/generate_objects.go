package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// gen holds the generator's random source and what it has handed out.
type gen struct {
	p      OrgParams
	rng    *rand.Rand
	ids    map[string]bool
	labels map[string]bool
	names  map[string]bool
	orgID  string
}

func (g *gen) id(prefix string) string {
	for {
		b := make([]byte, 17)
		for i := range b {
			b[i] = idChars[g.rng.IntN(len(idChars))]
		}
		id := prefix + string(b)
		if !g.ids[id] {
			g.ids[id] = true
			return id
		}
	}
}

func (g *gen) chars(n int) string {
	const alphabet = idChars + "-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// label is a fresh, realistic label for an in-house app.
func (g *gen) label() string {
	for range 100 {
		l := labelWords1[g.rng.IntN(len(labelWords1))] + " " + labelWords2[g.rng.IntN(len(labelWords2))] +
			labelRegions[g.rng.IntN(len(labelRegions))]
		if !g.labels[l] {
			g.labels[l] = true
			return l
		}
	}
	for n := 2; ; n++ {
		l := fmt.Sprintf("%s %s %d", labelWords1[g.rng.IntN(len(labelWords1))], labelWords2[g.rng.IntN(len(labelWords2))], n)
		if !g.labels[l] {
			g.labels[l] = true
			return l
		}
	}
}

// customName is the name Okta generates for a custom app:
// <org>_<label slug>_<n>, n counting apps with the same slug.
func (g *gen) customName(label string) string {
	var slug strings.Builder
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			slug.WriteRune(r)
		}
	}
	for n := 1; ; n++ {
		name := fmt.Sprintf("%s_%s_%d", g.p.Name, slug.String(), n)
		if !g.names[name] {
			g.names[name] = true
			return name
		}
	}
}

var genEpoch = time.Date(2019, 3, 4, 8, 0, 0, 0, time.UTC)

func (g *gen) times() (created, updated string) {
	const oktaTime = "2006-01-02T15:04:05.000Z"
	c := genEpoch.Add(time.Duration(g.rng.Int64N(int64(6 * 365 * 24 * time.Hour)))).Truncate(time.Second)
	u := c.Add(time.Duration(g.rng.Int64N(int64(400 * 24 * time.Hour)))).Truncate(time.Second)
	return c.Format(oktaTime), u.Format(oktaTime)
}

// appSpec is what varies between generated app objects.
type appSpec struct {
	id, name, label, status, signOnMode string
	features                            []string
}

const orgURL = "https://{yourOktaDomain}"

type link struct {
	Href  string         `json:"href"`
	Name  string         `json:"name,omitempty"`
	Type  string         `json:"type,omitempty"`
	Hints map[string]any `json:"hints,omitempty"`
}

// appObject is an Okta Application object, members in the order Okta
// sends them.
type appObject struct {
	ID              string         `json:"id"`
	ORN             string         `json:"orn"`
	Name            string         `json:"name"`
	Label           string         `json:"label"`
	Status          string         `json:"status"`
	LastUpdated     string         `json:"lastUpdated"`
	Created         string         `json:"created"`
	Accessibility   map[string]any `json:"accessibility"`
	Visibility      map[string]any `json:"visibility"`
	Features        []string       `json:"features"`
	SignOnMode      *string        `json:"signOnMode"`
	Credentials     map[string]any `json:"credentials"`
	UniversalLogout map[string]any `json:"universalLogout"`
	Settings        map[string]any `json:"settings"`
	Links           map[string]any `json:"_links"`
}

// app builds an app object of the size and shape Okta returns (2–3 KB).
func (g *gen) app(s appSpec) json.RawMessage {
	created, updated := g.times()
	self := orgURL + "/api/v1/apps/" + s.id
	linkName := "login"
	o := appObject{
		ID: s.id, ORN: "orn:okta:idp:" + g.orgID + ":apps:" + s.name + ":" + s.id,
		Name: s.name, Label: s.label, Status: s.status, LastUpdated: updated, Created: created,
		Accessibility:   map[string]any{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
		Features:        s.features,
		Credentials:     map[string]any{"userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"}},
		UniversalLogout: map[string]any{"status": "UNSUPPORTED"},
		Settings: map[string]any{
			"app":                map[string]any{},
			"notifications":      map[string]any{"vpn": map[string]any{"network": map[string]any{"connection": "DISABLED"}, "message": nil, "helpUrl": nil}},
			"manualProvisioning": false,
			"implicitAssignment": false,
			"emOptInStatus":      "NONE",
			"notes":              map[string]any{"admin": nil, "enduser": nil},
		},
		Links: map[string]any{
			"uploadLogo": link{Href: self + "/logo", Hints: map[string]any{"allow": []string{"POST"}}},
			"policies":   link{Href: self + "/policies", Hints: map[string]any{"allow": []string{"PUT"}}},
			"groups":     link{Href: self + "/groups"},
			"users":      link{Href: self + "/users"},
			"logo":       []link{{Name: "medium", Href: "https://ok12static.oktacdn.com/assets/img/logos/" + s.name + ".png", Type: "image/png"}},
		},
	}
	if s.signOnMode != "" {
		mode := s.signOnMode
		o.SignOnMode = &mode
	}
	switch s.signOnMode {
	case "SAML_2_0", "SAML_1_1", "WS_FEDERATION":
		o.Credentials["signing"] = map[string]any{"kid": g.chars(43)}
		o.Settings["signOn"] = map[string]any{
			"defaultRelayState": nil, "ssoAcsUrlOverride": nil, "audienceOverride": nil,
			"recipientOverride": nil, "destinationOverride": nil, "attributeStatements": []any{},
		}
		o.Settings["app"] = map[string]any{"baseUrl": "https://" + strings.ReplaceAll(s.name, "_", "-") + ".example.com", "acsUrl": nil, "audRestriction": nil}
		o.Links["metadata"] = link{Href: self + "/sso/saml/metadata", Type: "application/xml"}
	case "OPENID_CONNECT":
		linkName = "oidc_client_link"
		o.Credentials["oauthClient"] = map[string]any{"autoKeyRotation": true, "client_id": s.id, "token_endpoint_auth_method": "client_secret_basic", "pkce_required": false}
		o.Settings["oauthClient"] = map[string]any{
			"redirect_uris": []string{"https://apps.example.com/" + strings.ToLower(s.id) + "/callback"}, "response_types": []string{"code"},
			"grant_types": []string{"authorization_code", "refresh_token"}, "application_type": "web", "consent_method": "TRUSTED",
			"issuer_mode": "ORG_URL", "wildcard_redirect": "DISABLED", "idp_initiated_login": map[string]any{"mode": "DISABLED", "default_scope": []string{}},
		}
	case "BOOKMARK":
		o.Settings["app"] = map[string]any{"requestIntegration": false, "url": "https://intranet.example.com/" + strings.ToLower(strings.ReplaceAll(s.label, " ", "-"))}
	case "AUTO_LOGIN", "BROWSER_PLUGIN":
		o.Credentials["scheme"] = "EDIT_USERNAME_AND_PASSWORD"
		o.Settings["app"] = map[string]any{"loginUrl": "https://login.example.com/" + strings.ToLower(s.id), "redirectUrl": nil}
	}
	o.Visibility = map[string]any{"autoLaunch": false, "autoSubmitToolbar": false,
		"hide": map[string]any{"iOS": false, "web": false}, "appLinks": map[string]any{linkName: true}}
	o.Links["appLinks"] = []link{{Name: linkName, Href: orgURL + "/home/" + s.name + "/" + s.id + "/" + fmt.Sprint(10000+g.rng.IntN(90000)), Type: "text/html"}}
	if s.status == "ACTIVE" {
		o.Links["deactivate"] = link{Href: self + "/lifecycle/deactivate"}
	} else {
		o.Links["activate"] = link{Href: self + "/lifecycle/activate"}
	}
	raw, err := json.Marshal(o)
	if err != nil {
		panic("bench: an app object does not marshal: " + err.Error())
	}
	return raw
}

// scimFeatures are the features of an app with provisioning and imports on.
func (g *gen) scimFeatures(custom bool) []string {
	f := []string{"IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS"}
	if g.rng.IntN(3) > 0 {
		f = append(f, "GROUP_PUSH")
	}
	if g.rng.IntN(4) == 0 {
		f = append(f, "IMPORT_USER_SCHEMA")
	}
	if custom {
		f = append([]string{"SCIM_PROVISIONING"}, f...)
	}
	return f
}

// appSettings is a scenario's app_settings entry.
type appSettings struct {
	Connection   string            `json:"connection,omitempty"`
	ImportGroups *bool             `json:"import_groups,omitempty"`
	Groups       []json.RawMessage `json:"groups,omitempty"`
}

// scimInstance builds a SCIM instance in state st: its app object, its
// settings and what the benchmark records about it.
func (g *gen) scimInstance(name, label, signOn string, custom bool, st State) (json.RawMessage, *appSettings, Instance) {
	s := appSpec{id: g.id("0oa"), name: name, label: label, status: "ACTIVE", signOnMode: signOn}
	set := &appSettings{}
	yes, no := true, false
	switch st {
	case StateReady:
		s.features = g.scimFeatures(custom)
		set.ImportGroups = &yes
		for k := range 1 + g.rng.IntN(3) {
			n := groupNames[(g.rng.IntN(len(groupNames))+k)%len(groupNames)]
			set.Groups = append(set.Groups, mustJSON(map[string]any{"profile": map[string]string{"name": label + " " + n, "description": "Imported from " + label}}))
		}
	case StateReadyNoGroups:
		s.features = g.scimFeatures(custom)
		set.ImportGroups = &yes
	case StateImportUnchecked:
		s.features = []string{"PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION"}
		if custom {
			s.features = append([]string{"SCIM_PROVISIONING"}, s.features...)
		}
		set.ImportGroups = &no
	case StateProvisioningDisabled:
		s.features = []string{}
		set.ImportGroups = &no
	case StateFeaturesHidden:
		s.features = []string{}
		set.Connection = "ENABLED"
		set.ImportGroups = &no
	case StateInactive:
		s.status = "INACTIVE"
		s.features = g.scimFeatures(custom)
		set.ImportGroups = &yes
	case StateImportGroupsOff:
		s.features = g.scimFeatures(custom)
		set.ImportGroups = &no
	}
	in := Instance{ID: s.id, Name: name, Label: label, State: st, ListingAnswers: len(provisioningFeatures(s.features)) > 0}
	if !in.ListingAnswers {
		in.ProvisioningCalls = 1
	}
	if set.Connection == "" && set.ImportGroups == nil && len(set.Groups) == 0 {
		set = nil
	}
	return g.app(s), set, in
}

// provisioningFeatures are the features that show provisioning on, as the
// sandbox and the adapter read them.
func provisioningFeatures(fs []string) []string {
	var out []string
	for _, f := range fs {
		if f == "SCIM_PROVISIONING" || strings.HasPrefix(f, "IMPORT_") || strings.HasPrefix(f, "PUSH_") {
			out = append(out, f)
		}
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		panic("bench: " + err.Error())
	}
	return raw
}

// spread returns n states in the given proportions (largest remainder),
// shuffled.
func (g *gen) spread(n int, mix []struct {
	state State
	pct   int
},
) []State {
	out := make([]State, 0, n)
	type rem struct {
		i    int
		frac float64
	}
	var rems []rem
	for i, m := range mix {
		exact := float64(n*m.pct) / 100
		k := int(math.Floor(exact))
		for range k {
			out = append(out, m.state)
		}
		rems = append(rems, rem{i, exact - float64(k)})
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		switch {
		case a.frac > b.frac:
			return -1
		case a.frac < b.frac:
			return 1
		}
		return 0
	})
	for k := 0; len(out) < n; k++ {
		out = append(out, mix[rems[k%len(rems)].i].state)
	}
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func (g *gen) group(typ, name, desc string) json.RawMessage {
	id := g.id("00g")
	created, updated := g.times()
	class := "okta:user_group"
	base := orgURL + "/api/v1/groups/" + id
	return mustJSON(map[string]any{
		"id": id, "created": created, "lastUpdated": updated, "lastMembershipUpdated": updated,
		"objectClass": []string{class}, "type": typ,
		"profile": map[string]string{"name": name, "description": desc},
		"_links": map[string]any{
			"logo": []link{
				{Name: "medium", Href: orgURL + "/img/logos/groups/okta-medium.png", Type: "image/png"},
				{Name: "large", Href: orgURL + "/img/logos/groups/okta-large.png", Type: "image/png"},
			},
			"users": link{Href: base + "/users"},
			"apps":  link{Href: base + "/apps"},
		},
	})
}
