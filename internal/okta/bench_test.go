package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// benchOrg is an org of total apps, scim of them instances of "scimapp" in
// mixed states; the other apps are full-size copies of a recorded app
// object, so a listing page weighs what Okta's do.
func benchOrg(b *testing.B, total, scim int) (*fakeOkta, []string) {
	f := newFakeOkta(b)
	var tmpl map[string]any
	if err := json.Unmarshal([]byte(fixture(b, "recorded_app_okta_org2org_import_features").body), &tmpl); err != nil {
		b.Fatal(err)
	}
	var ids []string
	for i := range total {
		id := fmt.Sprintf("0oaBENCH%012d", i)
		tmpl["id"], tmpl["label"] = id, fmt.Sprintf("App %d", i)
		tmpl["name"], tmpl["status"], tmpl["features"] = "bookmark", "ACTIVE", []string{}
		if i%(total/scim) == 0 && len(ids) < scim {
			ids = append(ids, id)
			tmpl["name"] = "scimapp"
			switch len(ids) % 10 {
			case 0, 1, 2, 3, 4, 5: // the app object shows provisioning
				tmpl["features"] = importing
			case 6, 7, 8: // enabled, import off: one /features call (a
				// custom app is outside Okta's connection API)
				f.features[id] = answer{200, `[{"name":"USER_PROVISIONING","status":"ENABLED"}]`}
			default: // disabled: one /features call, answered 400
			}
		}
		raw, _ := json.Marshal(tmpl)
		f.addApp(string(raw))
	}
	return f, ids
}

// BenchmarkSnapshot reads and indexes a 5,000-app listing (25 pages).
func BenchmarkSnapshot(b *testing.B) {
	f, _ := benchOrg(b, 5000, 500)
	b.ReportAllocs()
	for b.Loop() {
		o, err := New(Config{OrgURL: f.srv.URL, APIToken: f.token})
		if err != nil {
			b.Fatal(err)
		}
		if s, err := o.wholeListing(context.Background()); err != nil || len(s.apps) != 5000 {
			b.Fatalf("%v", err)
		}
	}
}

// BenchmarkAppFacts gathers the facts for 500 instances in a 5,000-app
// org on a fresh snapshot: the listing plus the provisioning calls the app
// objects cannot spare, and the group search.
func BenchmarkAppFacts(b *testing.B) {
	f, ids := benchOrg(b, 5000, 500)
	b.ReportAllocs()
	var requests int64
	for b.Loop() {
		o, err := New(Config{OrgURL: f.srv.URL, APIToken: f.token})
		if err != nil {
			b.Fatal(err)
		}
		facts, err := o.AppFacts(context.Background(), AppQuery{App: "scimapp", InstanceIDs: ids})
		if err != nil || len(facts.Instances) != len(ids) || facts.Reason != "" {
			b.Fatalf("%v %s", err, facts.Reason)
		}
		requests = o.Stats().Total()
	}
	b.ReportMetric(float64(requests), "requests/op")
}

// BenchmarkAppFactsPerConnection is 500 resources each asking about its
// own instance against a warm snapshot: the cost a plan adds per resource.
func BenchmarkAppFactsPerConnection(b *testing.B) {
	f, ids := benchOrg(b, 5000, 500)
	o, err := New(Config{OrgURL: f.srv.URL, APIToken: f.token})
	if err != nil {
		b.Fatal(err)
	}
	ispm := &eligibility.ISPMAppFacts{ConnectedInstanceIDs: ids}
	if _, err := o.AppFacts(context.Background(), AppQuery{App: "scimapp", InstanceIDs: ids, ISPM: ispm}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, id := range ids {
			if _, err := o.AppFacts(context.Background(), AppQuery{App: "scimapp", InstanceIDs: []string{id}, ISPM: ispm}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
