package oktasim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseOrgSpec feeds arbitrary org specs through parsing and org
// construction: either may refuse the input, neither may panic.
func FuzzParseOrgSpec(f *testing.F) {
	f.Add([]byte(`{"name": "acme", "api_tokens": ["t", {"token": "u", "scopes": ["okta.apps.read"]}], "rate_limits": {"apps": 1}}`))
	f.Add([]byte(`{"name": "acme", "api_tokens": ["t"], "apps": [{"id": "0oa1b2c3d4e5f6g7h8i9", "name": "slack", "label": "S", "status": "ACTIVE", "features": []}], "app_settings": {"0oa1b2c3d4e5f6g7h8i9": {"connection": "ENABLED", "groups": [{"profile": {"name": "g"}}]}}}`))
	f.Add([]byte(`{"name": "acme", "api_tokens": ["t"], "synthetic_apps": {"count": 3, "seed": 2}, "faults": {"error_rate": 0.5}}`))
	for _, name := range []string{"app_zoomus_no_provisioning.json", "app_okta_org2org_import_features.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "okta-reference", "recorded", name))
		if err != nil {
			f.Fatal(err)
		}
		var fx struct {
			Response struct {
				Body json.RawMessage `json:"body"`
			} `json:"response"`
		}
		if err := json.Unmarshal(data, &fx); err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(`{"name": "acme", "api_tokens": ["t"], "apps": [` + string(fx.Response.Body) + `]}`))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := ParseOrgSpec(data)
		if err != nil {
			return
		}
		if spec.SyntheticApps != nil && spec.SyntheticApps.Count > 50 {
			return
		}
		org, err := NewOrg(spec)
		if err != nil {
			return
		}
		for _, st := range org.Instances() {
			if raw, ok := org.App(st.ID); !ok || !json.Valid(raw) {
				t.Fatalf("app %s is served as invalid JSON: %s", st.ID, raw)
			}
		}
	})
}

// FuzzParseObject checks the member splitter against encoding/json.
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":"x\"}y","b":[1,{"c":"]"}],"d":null}`, `{"\u0061":true}`, ` { "a" : [ ] } `, `[1]`, `{"a":1,}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := parseObject(data)
		var want map[string]json.RawMessage
		werr := json.Unmarshal(data, &want)
		if err != nil {
			return
		}
		if werr != nil {
			t.Fatalf("parseObject accepted what encoding/json refuses (%v): %s", werr, data)
		}
		if len(obj.keys) != len(want) {
			t.Fatalf("%d members, encoding/json sees %d: %s", len(obj.keys), len(want), data)
		}
		for i, k := range obj.keys {
			var a, b any
			_ = json.Unmarshal(obj.vals[i], &a)
			_ = json.Unmarshal(want[k], &b)
			x, _ := json.Marshal(a)
			y, _ := json.Marshal(b)
			if string(x) != string(y) {
				t.Fatalf("member %q: %s, encoding/json reads %s", k, obj.vals[i], want[k])
			}
		}
		if !json.Valid(obj.marshal()) {
			t.Fatalf("marshal produced invalid JSON from %s", data)
		}
	})
}
