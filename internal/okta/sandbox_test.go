package okta

import (
	"context"
	"sync"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// TestAgainstTheSandbox runs the adapter against the project's Okta
// simulator: a 1,000-app org in mixed states, its apps bucket cut to 20 a
// minute, every SCIM app asked about by its own concurrent caller as a plan
// with one resource per instance would. The simulator, not the adapter,
// decides the truth; the adapter must agree with it and never meet a 429.
func TestAgainstTheSandbox(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	apps := 20
	sim, err := oktasim.NewOrg(oktasim.OrgSpec{
		Name:          "acme",
		APITokens:     []oktasim.APIToken{{Token: "sandbox-token"}},
		RateLimits:    oktasim.RateLimitsSpec{Apps: &apps},
		SyntheticApps: &oktasim.SyntheticApps{Count: 1000, Seed: 42},
	}, oktasim.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })

	o, err := New(Config{OrgURL: sim.URL(), APIToken: sim.APIToken(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	truth := map[string]oktasim.InstanceState{}
	for _, in := range sim.Instances() {
		truth[in.ID] = in
	}

	type result struct {
		facts eligibility.OktaInstanceFacts
		lcm   eligibility.LifecycleFacts
	}
	var (
		mu      sync.Mutex
		results = map[string]result{}
		wg      sync.WaitGroup
	)
	for id, in := range truth {
		if in.Name == "bookmark" || in.Name == "oidc_client" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			facts, err := o.AppFacts(context.Background(), AppQuery{App: in.Name, InstanceIDs: []string{id}})
			if err != nil {
				t.Errorf("%s: %v", id, err)
				return
			}
			mu.Lock()
			results[id] = result{facts.Instances[0], facts.Lifecycle}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(results) < 500 {
		t.Fatalf("only %d instances asked about", len(results))
	}

	counts := sim.RequestCounts()
	for ep, c := range counts {
		if c.RateLimited != 0 {
			t.Errorf("%s: %d answers were 429", ep, c.RateLimited)
		}
	}
	// The first few app names get a filtered listing (one page each: no
	// name has 200 instances), every later one the whole listing.
	if got := counts["GET /api/v1/apps"].Requests; got != 5+filteredAppsMax {
		t.Errorf("listing pages requested %d times, want %d (1,000 apps, 200 a page, plus %d filtered listings)", got, 5+filteredAppsMax, filteredAppsMax)
	}
	// One provisioning request per instance whose app object shows no
	// provisioning feature: /features for an app outside Okta's connection
	// API; for an app of it the connection, or /features when the
	// connection says UNKNOWN, which costs one connection request per app.
	wantConn, wantFeat := 0, 0
	unknownApps := map[string]bool{}
	for id, r := range results {
		in := truth[id]
		if len(eligibility.ProvisioningFeatures(r.facts.App)) > 0 {
			if !in.ProvisioningEnabled {
				t.Errorf("%s: features %v show provisioning, the simulator says it is off", id, r.facts.App.Features)
			}
			continue
		}
		switch {
		case !eligibility.ConnectionAPIApps[in.Name]:
			wantFeat++
			if r.facts.Provisioning.Connection != eligibility.ConnectionNotAsked {
				t.Errorf("%s (%s): connection %q, want it not asked", id, in.Name, r.facts.Provisioning.Connection)
			}
		case in.Connection == "UNKNOWN":
			wantFeat++
			if !unknownApps[in.Name] {
				unknownApps[in.Name] = true
				wantConn++
			}
		default:
			wantConn++
		}
		if enabled := r.facts.Provisioning.Enabled(); enabled != in.ProvisioningEnabled {
			t.Errorf("%s (%s): provisioning %+v, the simulator says enabled=%v", id, in.Name, r.facts.Provisioning, in.ProvisioningEnabled)
		}
	}
	if got := counts["GET /api/v1/apps/{id}/connections/default"].Requests; int(got) != wantConn {
		t.Errorf("connection requests %d, want %d", got, wantConn)
	}
	if got := counts["GET /api/v1/apps/{id}/features"].Requests; int(got) != wantFeat {
		t.Errorf("features requests %d, want %d", got, wantFeat)
	}
	if got := counts["GET /api/v1/groups"].Requests; got == 0 || got > 2 {
		t.Errorf("group search pages %d, want one search", got)
	}
	t.Logf("%d callers; requests %v; pacing %+v", len(results), o.Stats().Requests, o.Stats())
	for id, r := range results {
		in := truth[id]
		v := eligibility.Evaluate(eligibility.Input{OrgURL: o.URL(), App: in.Name, InstanceIDs: []string{id},
			Okta: eligibility.OktaAppFacts{Credentials: true, Lifecycle: r.lcm, Instances: []eligibility.OktaInstanceFacts{r.facts}},
			ISPM: eligibility.ISPMAppFacts{OrgConnected: eligibility.Yes}})
		iv := v.Instances[0]
		checks := map[eligibility.CheckID]bool{
			eligibility.P4Active:       in.Status == "ACTIVE",
			eligibility.P5Provisioning: in.ProvisioningEnabled,
			eligibility.P6ImportUsers:  in.ImportNewUsers,
		}
		for cid, want := range checks {
			if got := iv.Check(cid).Result; (got == eligibility.Pass) != want || got == eligibility.Unverified {
				t.Errorf("%s (%s): %s is %s, the simulator says %v", id, in.Name, cid, got, want)
			}
		}
		// Imported groups are evidence for Import Groups, never against it.
		if p7 := iv.Check(eligibility.P7ImportGroups); p7.Result == eligibility.Pass && in.AppGroups == 0 {
			t.Errorf("%s: P7 passes with no imported groups", id)
		}
	}
}
