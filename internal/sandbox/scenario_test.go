package sandbox_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// recordedApps reads the recorded app objects the oktasim tests keep (copies
// of the team's Okta reference recordings).
func recordedApps(t *testing.T) []json.RawMessage {
	t.Helper()
	var out []json.RawMessage
	for _, name := range []string{"app_okta_org2org_import_features.json", "app_zoomus_no_provisioning.json", "app_get_oidc_client.json"} {
		data, err := os.ReadFile(filepath.Join("oktasim", "testdata", "okta-reference", "recorded", name))
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Response struct {
				Body json.RawMessage `json:"body"`
			} `json:"response"`
		}
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		out = append(out, f.Response.Body)
	}
	return out
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadScenarioTakesARecordedAppListUnchanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	apps := recordedApps(t)
	list, _ := json.MarshalIndent(apps, "", "  ")
	writeFile(t, filepath.Join(dir), "recorded-apps.json", string(list))
	p := writeFile(t, dir, "scenario.json", `{
  "description": "a recorded org",
  "okta_orgs": [{
    "name": "classic",
    "api_tokens": ["sandbox-classic-token"],
    "apps_file": "recorded-apps.json",
    "app_settings": {"0oarbl93dtmzq0jjl1d7": {"import_groups": true, "groups": [{"profile": {"name": "Imported"}}]}}
  }]
}`)
	sc, err := sandbox.LoadScenario(p)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Description != "a recorded org" || len(sc.OktaOrgs[0].Apps) != 3 || sc.OktaOrgs[0].AppsFile != "" {
		t.Fatalf("scenario: %+v", sc)
	}
	sb := start(t, sc)
	org := sb.Org("classic")
	for _, raw := range apps {
		var m struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &m)
		req, _ := http.NewRequest(http.MethodGet, org.URL()+"/api/v1/apps/"+m.ID, nil)
		req.Header.Set("Authorization", "SSWS sandbox-classic-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var got, want any
		_ = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		_ = json.Unmarshal(raw, &want)
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("app %s is not served as recorded", m.ID)
		}
	}
	if st, _ := org.Instance("0oarbl93dtmzq0jjl1d7"); !st.ImportGroups || st.AppGroups != 1 {
		t.Errorf("settings: %+v", st)
	}
}

func TestLoadScenarioErrorsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zoom := string(recordedApps(t)[1])
	badStatus := strings.Replace(zoom, `"status": "ACTIVE"`, `"status": "ENABLED"`, 1)
	if badStatus == zoom {
		t.Fatal("the fixture changed; adjust the test")
	}
	writeFile(t, dir, "not-a-list.json", `{"apps": []}`)
	for _, tc := range []struct {
		name, content string
		want          []string
	}{
		{"syntax.json", "{\n  \"okta_orgs\": [\n    {\"name\": \"acme\",}\n  ]\n}", []string{"syntax.json", "invalid JSON at line 3, column 22"}},
		{"top.json", `{"okta_org": []}`, []string{`unknown top-level field "okta_org"`, "okta_orgs"}},
		{"empty.json", `{"okta_orgs": []}`, []string{"okta_orgs is empty"}},
		{"field.json", `{"okta_orgs": [{"name": "acme", "api_tokens": ["t"], "lifecycle": true}]}`, []string{`okta_orgs[0] ("acme"): unknown field "lifecycle"`}},
		{"type.json", `{"okta_orgs": [{"name": "acme", "api_tokens": ["t"], "rate_limits": {"apps": "100"}}]}`, []string{`okta_orgs[0] ("acme"): rate_limits: field "apps" must be a whole number, not a string`}},
		{"app.json", `{"okta_orgs": [{"name": "acme", "api_tokens": ["t"], "apps": [` + zoom + `, ` + badStatus + `]}]}`, []string{`okta_orgs[0] ("acme"): apps[1] (id "0oaq3bt868bEjtyLd1d7", label "Zoom"): "status" is "ENABLED"`}},
		{"settings.json", `{"okta_orgs": [{"name": "acme", "api_tokens": ["t"], "apps": [` + zoom + `], "app_settings": {"0oaq3bt868bEjtyLd1d7": {"connection": "ON"}}}]}`, []string{`app_settings["0oaq3bt868bEjtyLd1d7"] (label "Zoom"): connection is "ON"`}},
		{"dup.json", `{"okta_orgs": [{"name": "acme", "api_tokens": ["t"]}, {"name": "acme", "api_tokens": ["u"]}]}`, []string{`okta_orgs[1]: the org name "acme" is used twice`}},
		{"nofile.json", `{"okta_orgs": [{"name": "acme", "api_tokens": ["t"], "apps_file": "missing.json"}]}`, []string{`apps_file "missing.json": cannot read it`}},
		{"notlist.json", `{"okta_orgs": [{"name": "acme", "api_tokens": ["t"], "apps_file": "not-a-list.json"}]}`, []string{`apps_file "not-a-list.json": must hold a JSON array`}},
	} {
		_, err := sandbox.LoadScenario(writeFile(t, dir, tc.name, tc.content))
		if err == nil {
			t.Errorf("%s loaded", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nwant it to mention %q", tc.name, err, w)
			}
		}
		if !strings.Contains(err.Error(), filepath.Join(dir, tc.name)) {
			t.Errorf("%s: the error does not name the file: %v", tc.name, err)
		}
	}
	if _, err := sandbox.LoadScenario(filepath.Join(dir, "absent.json")); err == nil || !strings.Contains(err.Error(), "cannot read the scenario") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := sandbox.ParseScenario([]byte(`{"okta_orgs": [{"name": "acme", "api_tokens": ["t"], "apps_file": "x.json"}]}`)); err == nil || !strings.Contains(err.Error(), "LoadScenario") {
		t.Errorf("apps_file in memory: %v", err)
	}
}

func TestDefaultScenarioFileIsValid(t *testing.T) {
	t.Parallel()
	sc, err := sandbox.LoadScenario(filepath.Join("scenarios", "default.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The file on disk is the one embedded.
	a, _ := json.Marshal(sc)
	b, _ := json.Marshal(sandbox.DefaultScenario())
	if string(a) != string(b) {
		t.Error("scenarios/default.json differs from the embedded default scenario")
	}
	// Its tokens are obviously fake.
	for _, org := range sc.OktaOrgs {
		for _, tok := range org.APITokens {
			if !strings.HasPrefix(tok.Token, "sandbox-") {
				t.Errorf("org %s: token %q does not look like a sandbox value", org.Name, tok.Token)
			}
		}
	}
}

// The README's table of the default scenario must match the file.
func TestREADMEDescribesTheDefaultScenario(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| (.+?) \\| `(\\w+)` \\| `(0oa\\w{17})` \\|")
	documented := map[string][2]string{}
	for _, m := range row.FindAllStringSubmatch(string(readme), -1) {
		documented[m[1]] = [2]string{m[2], m[3]}
	}
	sb, err := sandbox.New(sandbox.DefaultScenario())
	if err != nil {
		t.Fatal(err)
	}
	apps := sb.Org("acme").Instances()
	if len(documented) != len(apps) {
		t.Errorf("the README documents %d apps, the scenario has %d", len(documented), len(apps))
	}
	for _, st := range apps {
		if d := documented[st.Label]; d != [2]string{st.Name, st.ID} {
			t.Errorf("README row for %q says %v; the scenario has %s %s", st.Label, d, st.Name, st.ID)
		}
	}
}
