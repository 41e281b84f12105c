package sandbox

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseScenario feeds arbitrary scenario files to the loader: it may
// refuse them, with a message, but never panic; a scenario it accepts
// builds a sandbox (or is refused with a message), and its JSON form loads
// again. The committed corpus (testdata/fuzz/FuzzParseScenario) holds a
// cut-down default scenario and small variants of each section.
func FuzzParseScenario(f *testing.F) {
	f.Add(trimmedDefaultScenario(f))
	f.Add([]byte(`{"okta_orgs":[{"name":"acme","api_tokens":["t"]}]}`))
	f.Add([]byte(`{"okta_orgs":[{"name":"acme","api_tokens":["t"],"synthetic_apps":{"count":3,"seed":7},"rate_limits":{"apps":1},"faults":{"error_rate":0.5,"seed":1}}],"ispm":{"api_token":"x","orgs":[{"okta_org":"acme"}],"connect_delay":"1s"}}`))
	f.Add([]byte(`{"okta_orgs":[{"name":"acme","api_tokens":["t"]}],"ispm":{"api_token":"x","sources":[{"okta_org":"acme","app":"slack","instances":["nope"]}]}}`))
	f.Add([]byte(`{"okta_orgs":[{"name":"Acme Corp"}],"extra":1}`))
	f.Add([]byte(`{"okta_orgs":[{"name":"acme","apps":[{"id":"0oa1","name":"x"}]}]}`))
	f.Add([]byte(`{"okta_orgs":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := ParseScenario(data)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "scenario:" {
				t.Fatalf("a refusal without a reason for %q", data)
			}
			return
		}
		for _, o := range sc.OktaOrgs {
			if o.SyntheticApps != nil && o.SyntheticApps.Count > 50 {
				return // valid, but slow to build on every fuzz input
			}
		}
		if sb, err := New(sc); err == nil {
			_ = sb.Close()
		} else if err.Error() == "" {
			t.Fatal("New refused a scenario without a reason")
		}
		again, err := json.Marshal(sc)
		if err != nil {
			t.Fatalf("an accepted scenario does not encode: %v", err)
		}
		if _, err := ParseScenario(again); err != nil {
			t.Fatalf("an accepted scenario does not load again from its own JSON: %v\n%s", err, again)
		}
	})
}

// trimmedDefaultScenario is the default scenario with two apps per org: the
// same sections and shapes, small enough for the fuzzer to mutate quickly.
func trimmedDefaultScenario(f *testing.F) []byte {
	var sc map[string]any
	if err := json.Unmarshal(defaultScenarioJSON, &sc); err != nil {
		f.Fatal(err)
	}
	orgs, _ := sc["okta_orgs"].([]any)
	for _, o := range orgs {
		org, _ := o.(map[string]any)
		if apps, ok := org["apps"].([]any); ok && len(apps) > 2 {
			org["apps"] = apps[:2]
		}
		delete(org, "app_settings")
		delete(org, "groups")
	}
	if ispm, ok := sc["ispm"].(map[string]any); ok {
		delete(ispm, "sources")
	}
	out, err := json.Marshal(sc)
	if err != nil {
		f.Fatal(err)
	}
	return out
}
