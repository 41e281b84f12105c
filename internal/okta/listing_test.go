package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// startSim starts an Okta simulator for spec with generous limits, so that
// counts, not pacing, are what a test sees.
func startSim(t *testing.T, spec oktasim.OrgSpec) *oktasim.Org {
	t.Helper()
	lots := 1_000_000
	spec.Name = "acme"
	spec.APITokens = []oktasim.APIToken{{Token: "sandbox-token"}}
	spec.RateLimits = oktasim.RateLimitsSpec{Apps: &lots, AppGet: &lots, Groups: &lots, Concurrency: &lots}
	return serveSim(t, spec, newFakeClock().Now)
}

// serveSim serves an Okta simulator for spec on loopback, on clock, for
// the test's lifetime.
func serveSim(t *testing.T, spec oktasim.OrgSpec, clock func() time.Time) *oktasim.Org {
	t.Helper()
	sim, err := oktasim.NewOrg(spec, oktasim.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

func simOrg(t *testing.T, sim *oktasim.Org) *Org {
	t.Helper()
	o, err := New(Config{OrgURL: sim.URL(), APIToken: sim.APIToken(), Clock: newFakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// appsBucket counts the requests of Okta's apps bucket: the listing and
// every /api/v1/apps/{id}/* call.
func appsBucket(c map[string]oktasim.EndpointCount) int64 {
	return c[oktasim.EndpointListApps].Requests + c[oktasim.EndpointConnection].Requests +
		c[oktasim.EndpointFeatures].Requests + c[oktasim.EndpointFeature].Requests
}

// rawApps returns n app objects named name whose features show no
// provisioning, so the listing cannot answer P5 for them.
func rawApps(name string, n int) []json.RawMessage {
	out := make([]json.RawMessage, n)
	for i := range n {
		out[i] = json.RawMessage(fmt.Sprintf(`{"id":"0oa%s%013d","name":%q,"label":"%s %d","status":"ACTIVE","signOnMode":"SAML_2_0","lastUpdated":%q,"features":[],"_links":{}}`,
			name[:4], i, name, name, i, t1))
	}
	return out
}

// TestDataSourcePlansMeetTheBound checks what a data source of every
// instance of one app costs when no app object shows provisioning: the
// listing (one page here) and one provisioning call per instance, nothing
// more. For an app outside Okta's connection API (zendesk) that call is
// GET /features: its connection, which could only answer UNKNOWN, is not
// asked, not even for the app's first instance.
func TestDataSourcePlansMeetTheBound(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 10, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			apps := append(rawApps("zendesk", n), rawApps("slack", n)...)
			sim := startSim(t, oktasim.OrgSpec{Apps: apps})
			o := simOrg(t, sim)

			facts, err := o.AppFacts(context.Background(), AppQuery{App: "zendesk"})
			if err != nil {
				t.Fatal(err)
			}
			c := sim.RequestCounts()
			if got := c[oktasim.EndpointConnection].Requests; got != 0 {
				t.Errorf("zendesk: %d connection requests, want none (Okta's connection API does not cover zendesk)", got)
			}
			if got := c[oktasim.EndpointFeatures].Requests; got != int64(n) {
				t.Errorf("zendesk: %d features requests, want one per instance (%d)", got, n)
			}
			// Listing page + one call per instance.
			if got, bound := appsBucket(c), int64(1+n); got != bound {
				t.Errorf("zendesk: %d apps-bucket requests, want %d", got, bound)
			}
			if len(facts.Instances) != n {
				t.Fatalf("%d instances judged, want %d", len(facts.Instances), n)
			}
			for _, in := range facts.Instances {
				if in.Provisioning.Connection != eligibility.ConnectionNotAsked || in.Provisioning.Features != eligibility.FeaturesNotEnabled {
					t.Errorf("%s: provisioning %+v, want the connection not asked and 400 E0000001", in.ID, in.Provisioning)
				}
			}

			sim.ResetRequestCounts()
			facts, err = o.AppFacts(context.Background(), AppQuery{App: "slack"})
			if err != nil {
				t.Fatal(err)
			}
			c = sim.RequestCounts()
			if got := c[oktasim.EndpointFeatures].Requests; got != 0 {
				t.Errorf("slack: %d features requests; its connection API answers", got)
			}
			if got, bound := appsBucket(c), int64(n); got != bound {
				t.Errorf("slack: %d apps-bucket requests, want %d (the listing already read, one connection call per instance)", got, bound)
			}
			for _, in := range facts.Instances {
				if in.Provisioning.Connection != eligibility.ConnectionDisabled {
					t.Errorf("%s: provisioning %+v, want DISABLED", in.ID, in.Provisioning)
				}
			}
		})
	}
}

// TestUnknownConnectionIsAskedOncePerApp: for an app of Okta's connection
// API whose connection answers UNKNOWN, the instances asked about at once
// cost one connection request between them, then one /features request
// each (/features is exact). Only the instance asked carries Okta's
// UNKNOWN; the others say their connection was not asked.
func TestUnknownConnectionIsAskedOncePerApp(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	const n = 30
	for i := range n {
		id := fmt.Sprintf("0oaZOOM%05d", i)
		f.addApp(app(id, "zoomus", "ACTIVE", t1))
		f.connections[id] = answer{200, `{"status":"UNKNOWN"}`}
	}
	facts, err := f.org().AppFacts(context.Background(), AppQuery{App: "zoomus", ISPM: &eligibility.ISPMAppFacts{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.count(epConn); got != 1 {
		t.Errorf("%d connection requests, want 1 for the app", got)
	}
	if got := f.count(epFeat); got != n {
		t.Errorf("%d features requests, want one per instance (%d)", got, n)
	}
	asked := 0
	for _, in := range facts.Instances {
		p := in.Provisioning
		if p.Connection == eligibility.ConnectionStatusUnknown {
			asked++
		} else if p.Connection != eligibility.ConnectionSiblingUnknown {
			t.Errorf("%s: connection %q, want UNKNOWN (asked) or not asked", in.ID, p.Connection)
		}
		if p.Features != eligibility.FeaturesNotEnabled {
			t.Errorf("%s: provisioning %+v, want 400 E0000001 from /features", in.ID, p)
		}
	}
	if asked != 1 {
		t.Errorf("%d instances carry Okta's UNKNOWN, want only the one asked", asked)
	}
}

// synthetic5000 is a 5,000-app org: 25 pages of the whole listing.
func synthetic5000(t *testing.T) (*oktasim.Org, []string) {
	t.Helper()
	sim := startSim(t, oktasim.OrgSpec{SyntheticApps: &oktasim.SyntheticApps{Count: 5000, Seed: 7}})
	count := map[string]int{}
	for _, in := range sim.Instances() {
		count[in.Name]++
	}
	var names []string
	for name, n := range count {
		if n <= appsPageSize && filterable(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	if len(names) < 12 {
		t.Fatalf("only %d app names of at most %d instances", len(names), appsPageSize)
	}
	return sim, names
}

// TestSmallPlansPayForWhatTheyAsk: a plan about N apps of a 5,000-app org
// lists the first few by name and shares the whole listing among the rest,
// so it never costs much more than the cheaper of the two; and every app's
// facts are the same whichever listing answered them.
func TestSmallPlansPayForWhatTheyAsk(t *testing.T) {
	t.Parallel()
	sim, names := synthetic5000(t)
	const whole = 25

	// The facts of every name, from the whole listing.
	ref := simOrg(t, sim)
	if _, err := ref.AppNames(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := map[string]eligibility.OktaAppFacts{}
	for _, name := range names {
		f, err := ref.AppFacts(context.Background(), AppQuery{App: name})
		if err != nil {
			t.Fatal(err)
		}
		want[name] = f
	}
	if got := sim.RequestCounts()[oktasim.EndpointListApps].Requests; got != whole {
		t.Fatalf("the whole listing took %d pages, want %d", got, whole)
	}

	for _, tc := range []struct {
		apps, pages int
	}{
		// The whole listing's first page, then a filtered listing per app;
		// past filteredAppsMax apps, the rest of the whole listing.
		{1, 2}, {filteredAppsMax, 1 + filteredAppsMax}, {filteredAppsMax + 1, filteredAppsMax + whole}, {len(names), filteredAppsMax + whole},
	} {
		sim.ResetRequestCounts()
		o := simOrg(t, sim)
		for _, name := range names[:tc.apps] {
			got, err := o.AppFacts(context.Background(), AppQuery{App: name})
			if err != nil {
				t.Fatal(err)
			}
			w := want[name]
			if !reflect.DeepEqual(got.AllInstances, w.AllInstances) || !reflect.DeepEqual(got.Instances, w.Instances) {
				t.Errorf("%d apps, %s: facts differ from the whole listing's:\n got %+v\nwant %+v", tc.apps, name, got.Instances, w.Instances)
			}
		}
		if got := sim.RequestCounts()[oktasim.EndpointListApps].Requests; got != int64(tc.pages) {
			t.Errorf("%d apps: %d listing requests, want %d", tc.apps, got, tc.pages)
		}
	}
}

// TestOneAppCostsAtMostThreeRequests: one connection of a ready instance
// in the 5,000-app org, as a resource plan asks for it.
func TestOneAppCostsAtMostThreeRequests(t *testing.T) {
	t.Parallel()
	sim, _ := synthetic5000(t)
	var ready oktasim.InstanceState
	for _, in := range sim.Instances() {
		raw, _ := sim.App(in.ID)
		var a struct{ Features []string }
		_ = json.Unmarshal(raw, &a)
		if in.Status == "ACTIVE" && in.ProvisioningEnabled && in.ImportNewUsers && len(eligibility.ProvisioningFeatures(eligibility.AppObject{Features: a.Features})) > 0 && filterable(in.Name) {
			ready = in
			break
		}
	}
	if ready.ID == "" {
		t.Fatal("no ready instance in the synthetic org")
	}
	o := simOrg(t, sim)
	facts, err := o.AppFacts(context.Background(), AppQuery{App: ready.Name, InstanceIDs: []string{ready.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if got := appsBucket(sim.RequestCounts()); got > 3 {
		t.Errorf("%d apps-bucket requests for one instance, want at most 3", got)
	}
	if len(facts.Instances) != 1 || facts.Instances[0].State != eligibility.AppFound {
		t.Errorf("facts %+v", facts.Instances)
	}

	// An id of another app is judged from the whole listing, as before.
	sim.ResetRequestCounts()
	var other string
	for _, in := range sim.Instances() {
		if in.Name != ready.Name {
			other = in.ID
			break
		}
	}
	facts, err = simOrg(t, sim).AppFacts(context.Background(), AppQuery{App: ready.Name, InstanceIDs: []string{other}})
	if err != nil {
		t.Fatal(err)
	}
	if got := sim.RequestCounts()[oktasim.EndpointListApps].Requests; got != 1+25 {
		t.Errorf("%d listing requests, want the filtered one and the whole listing's 25 pages", got)
	}
	if in := facts.Instances[0]; in.State != eligibility.AppFound || in.App.Name == ready.Name {
		t.Errorf("another app's instance: %+v", in)
	}
}

// TestConcurrentLookupsListOnce: many lookups of distinct apps at once (as
// Terraform's parallel walk makes them) read the whole listing once, and at
// most filteredAppsMax filtered listings.
func TestConcurrentLookupsListOnce(t *testing.T) {
	t.Parallel()
	sim, names := synthetic5000(t)
	o := simOrg(t, sim)
	var wg sync.WaitGroup
	for _, name := range names[:12] {
		for range 3 {
			wg.Go(func() {
				if _, err := o.AppFacts(context.Background(), AppQuery{App: name}); err != nil {
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if got := sim.RequestCounts()[oktasim.EndpointListApps].Requests; got != filteredAppsMax+25 {
		t.Errorf("%d listing requests, want %d filtered and the whole listing's 25", got, filteredAppsMax)
	}
}

// TestRefusedFilterFallsBackToTheWholeListing: an Okta that refuses the
// name filter (400 E0000031) still answers from the whole listing.
func TestRefusedFilterFallsBackToTheWholeListing(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	fillApps(f, 250)
	f.addApp(app("0oaSLACK1", "slack", "ACTIVE", t1, importing...))
	f.fault = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("filter") == "" {
			return false
		}
		f.write(w, oktaError(400, "E0000031", "Invalid search criteria."))
		return true
	}
	facts, err := f.org().AppFacts(context.Background(), AppQuery{App: "slack", ISPM: &eligibility.ISPMAppFacts{ConnectedInstanceIDs: []string{"0oaSLACK1"}}})
	if err != nil {
		t.Fatal(err)
	}
	if facts.Reason != "" || len(facts.Instances) != 1 || facts.Instances[0].State != eligibility.AppFound {
		t.Errorf("facts %+v", facts)
	}
	// The first page, the refused filter, the second page.
	if got := f.count(epList); got != 3 {
		t.Errorf("%d listing requests, want 3", got)
	}
}
