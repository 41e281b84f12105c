package oktasim

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseOrgSpecNamesTheField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`[]`, "must be a JSON object"},
		{`{"name": 3}`, "name: must be a string, not a number"},
		{`{"name": "acme", "lifecyclemanagement": true}`, `unknown field "lifecyclemanagement"; known fields are `},
		{`{"rate_limits": {"apps": "many"}}`, `rate_limits: field "apps" must be a whole number, not a string`},
		{`{"rate_limits": {"app": 5}}`, `rate_limits: unknown field "app"`},
		{`{"api_tokens": ["ok", {"token": "x", "scope": []}]}`, `api_tokens[1]: unknown field "scope"`},
		{`{"oauth_clients": [{"client_id": 7}]}`, `oauth_clients[0]: field "client_id" must be a string, not a number`},
		{`{"app_settings": {"0oa1": {"import_groups": "yes"}}}`, `app_settings: app "0oa1": field "import_groups" must be true or false, not a string`},
		{`{"app_settings": {"0oa1": {"import_group": true}}}`, `app_settings: app "0oa1": unknown field "import_group"`},
		{`{"faults": {"error_rate": "high"}}`, `faults: field "error_rate" must be a number, not a string`},
		{`{"apps": {}}`, `apps: must be an array, not an object`},
	} {
		_, err := ParseOrgSpec([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseOrgSpec(%s) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestParseOrgSpecAcceptsBothTokenForms(t *testing.T) {
	t.Parallel()
	spec, err := ParseOrgSpec([]byte(`{"name": "acme", "api_tokens": ["a", {"token": "b", "scopes": ["okta.groups.read"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.APITokens) != 2 || spec.APITokens[0].Token != "a" || spec.APITokens[0].Scopes != nil ||
		spec.APITokens[1].Token != "b" || spec.APITokens[1].Scopes[0] != ScopeGroupsRead {
		t.Errorf("tokens = %+v", spec.APITokens)
	}
}

func TestNewOrgNamesTheAppAndField(t *testing.T) {
	t.Parallel()
	zoom := string(recordedBody(t, "recorded/app_zoomus_no_provisioning.json"))
	withField := func(field, value string) string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(zoom), &m); err != nil {
			t.Fatal(err)
		}
		if value == "" {
			delete(m, field)
		} else {
			m[field] = json.RawMessage(value)
		}
		b, _ := json.Marshal(m)
		return string(b)
	}
	spec := func(apps ...string) OrgSpec {
		s := OrgSpec{Name: "acme", APITokens: []APIToken{{Token: "t"}}}
		for _, a := range apps {
			s.Apps = append(s.Apps, json.RawMessage(a))
		}
		return s
	}
	for _, tc := range []struct {
		name string
		spec OrgSpec
		want string
	}{
		{"status", spec(zoom, withField("status", `"ENABLED"`)), `apps[1] (id "0oaq3bt868bEjtyLd1d7", label "Zoom"): "status" is "ENABLED"; an installed app is "ACTIVE" or "INACTIVE"`},
		{"features type", spec(withField("features", `"IMPORT_NEW_USERS"`)), `apps[0] (id "0oaq3bt868bEjtyLd1d7", label "Zoom"): "features" must be an array of strings, not a string`},
		{"missing id", spec(withField("id", "")), `apps[0] (label "Zoom"): "id" is missing`},
		{"bad id", spec(withField("id", `"12345"`)), `apps[0] (id "12345", label "Zoom"): "id" is "12345"; Okta app ids are "0oa" and 17 letters or digits`},
		{"duplicate id", spec(zoom, zoom), `apps[1] (id "0oaq3bt868bEjtyLd1d7", label "Zoom"): the id is used twice`},
		{"lastUpdated", spec(withField("lastUpdated", `"yesterday"`)), `"lastUpdated" is "yesterday"`},
		{"signOnMode", spec(withField("signOnMode", `7`)), `"signOnMode" must be a string, not a number (or null, as for directory apps)`},
		{"not an object", spec(`[1]`), `apps[0]: must be a JSON object`},
		{"settings for unknown app", func() OrgSpec {
			s := spec(zoom)
			s.AppSettings = map[string]AppSettings{"0oa00000000000000000": {}}
			return s
		}(), `app_settings["0oa00000000000000000"]: no app in apps has this id`},
		{"connection", func() OrgSpec {
			s := spec(zoom)
			s.AppSettings = map[string]AppSettings{"0oaq3bt868bEjtyLd1d7": {Connection: json.RawMessage(`"ON"`)}}
			return s
		}(), `app_settings["0oaq3bt868bEjtyLd1d7"] (label "Zoom"): connection is "ON"; use "ENABLED", "DISABLED" or "UNKNOWN"`},
		{"group", func() OrgSpec {
			s := spec(zoom)
			s.AppSettings = map[string]AppSettings{"0oaq3bt868bEjtyLd1d7": {Groups: []json.RawMessage{json.RawMessage(`{"profile": {}}`)}}}
			return s
		}(), `app_settings["0oaq3bt868bEjtyLd1d7"] (label "Zoom"): groups[0]: "profile" with a "name" is required`},
		{"no credentials", OrgSpec{Name: "acme"}, "the org has no credentials"},
		{"org name", OrgSpec{Name: "Acme Corp", APITokens: []APIToken{{Token: "t"}}}, `name "Acme Corp" is not a valid org name`},
		{"rate limit", func() OrgSpec {
			s := spec()
			n := -5
			s.RateLimits.Apps = &n
			return s
		}(), `rate_limits: rate limit "apps" is -5; it must be 0 or more`},
		{"faults", func() OrgSpec {
			s := spec()
			s.Faults = &Faults{ErrorRate: 1.5}
			return s
		}(), "faults: error_rate is 1.5; it must be between 0 and 1"},
		{"fault endpoint", func() OrgSpec {
			s := spec()
			s.Faults = &Faults{Endpoints: []string{"GET /api/v1/users"}}
			return s
		}(), `faults: endpoint "GET /api/v1/users" is not one the sandbox serves`},
		{"oauth key", func() OrgSpec {
			s := spec()
			s.OAuthClients = []OAuthClient{{ClientID: "0oaclient", PublicKey: "not a key", Scopes: []string{ScopeAppsRead}}}
			return s
		}(), `oauth_clients[0] (client_id "0oaclient"): public_key: not a PEM block`},
		{"apps_file", func() OrgSpec {
			s := spec()
			s.AppsFile = "apps.json"
			return s
		}(), `apps_file "apps.json" was not read`},
	} {
		_, err := NewOrg(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: NewOrg = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

func TestNewOrgLoadsARecordedAppListUnchanged(t *testing.T) {
	t.Parallel()
	var apps []json.RawMessage
	for _, name := range []string{
		"recorded/app_get_oidc_client.json",
		"recorded/app_okta_flow_sso_scim_provisioning.json",
		"recorded/app_okta_org2org_import_features.json",
		"recorded/app_okta_org2org_push_and_import_features.json",
		"recorded/app_zoomus_no_provisioning.json",
	} {
		apps = append(apps, recordedBody(t, name))
	}
	o, err := NewOrg(OrgSpec{Name: "classic", APITokens: []APIToken{{Token: "t"}}, Apps: apps})
	if err != nil {
		t.Fatal(err)
	}
	for _, raw := range apps {
		var m struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &m)
		got, ok := o.App(m.ID)
		if !ok {
			t.Fatalf("app %s missing", m.ID)
		}
		if !jsonEqual(t, got, raw) {
			t.Errorf("app %s changed on load:\n got %s\nwant %s", m.ID, got, raw)
		}
	}
	// Derived state: the connection API manages org2org and zoomus; the rest answer UNKNOWN.
	want := map[string]string{
		"0oauj97zc4ldTT2wa1d7": ConnectionUnknown, "0oar91bkkquL621Ni1d7": ConnectionUnknown,
		"0oarbl93dtmzq0jjl1d7": ConnectionEnabled, "0oardqt3r8Cet4BEh1d7": ConnectionEnabled,
		"0oaq3bt868bEjtyLd1d7": ConnectionDisabled,
	}
	for _, st := range o.Instances() {
		if st.Connection != want[st.ID] {
			t.Errorf("%s (%s): connection %s, want %s", st.ID, st.Name, st.Connection, want[st.ID])
		}
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}
