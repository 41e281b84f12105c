package okta

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// inMemory sends requests straight to the simulator's handler, so a test
// can run in a synctest bubble (a loopback socket would keep the bubble's
// clock from advancing). Each way takes latency of the bubble's time, as
// a network does: requests of several processes overlap, and an answer's
// X-Rate-Limit-Remaining is already stale when it arrives.
type inMemory struct {
	sim     *oktasim.Org
	latency time.Duration
}

func (m inMemory) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := m.wait(req.Context()); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	m.sim.ServeHTTP(rec, req)
	if err := m.wait(req.Context()); err != nil {
		return nil, err
	}
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func (m inMemory) wait(ctx context.Context) error {
	select {
	case <-time.After(m.latency):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// simAt is a 1,000-app simulated org, started on loopback so that its
// links name its URL (the tests reach it in memory), with its clock the
// caller's (a bubble's) time.Now, its apps bucket at apps a minute, and the other
// limits in Okta's Enterprise proportions (app-by-id and groups 6 times as
// large, concurrency three quarters).
func simAt(t *testing.T, apps int) *oktasim.Org {
	t.Helper()
	byID, groups, conc := 6*apps, 6*apps, max(3*apps/4, 7)
	return serveSim(t, oktasim.OrgSpec{
		Name:          "acme",
		APITokens:     []oktasim.APIToken{{Token: "sandbox-token"}},
		RateLimits:    oktasim.RateLimitsSpec{Apps: &apps, AppGet: &byID, Groups: &groups, Concurrency: &conc},
		SyntheticApps: &oktasim.SyntheticApps{Count: 1000, Seed: 42},
	}, func() time.Time { return time.Now() })
}

// scimApps picks the n SCIM-capable apps with the most instances, as
// data sources without instance_ids ask about them: every instance.
func scimApps(sim *oktasim.Org, n int) []AppQuery {
	byApp := map[string][]string{}
	for _, in := range sim.Instances() {
		if in.Connection != "" && in.Name != "bookmark" && in.Name != "oidc_client" {
			byApp[in.Name] = append(byApp[in.Name], in.ID)
		}
	}
	var out []AppQuery
	for name := range byApp {
		out = append(out, AppQuery{App: name})
	}
	slices.SortFunc(out, func(a, b AppQuery) int {
		if d := len(byApp[b.App]) - len(byApp[a.App]); d != 0 {
			return d
		}
		return strings.Compare(a.App, b.App)
	})
	return out[:min(n, len(out))]
}

// lookup asks each org (round robin) about each app at once, as the data
// sources of a plan do, and returns the facts by instance id.
func lookup(t *testing.T, orgs []*Org, queries []AppQuery) map[string]eligibility.OktaInstanceFacts {
	t.Helper()
	var (
		mu  sync.Mutex
		out = map[string]eligibility.OktaInstanceFacts{}
		wg  sync.WaitGroup
	)
	for i, q := range queries {
		o := orgs[i%len(orgs)]
		wg.Go(func() {
			facts, err := o.AppFacts(context.Background(), q)
			if err != nil {
				t.Errorf("%s: %v", q.App, err)
				return
			}
			if facts.Reason != "" {
				t.Errorf("%s: the listing failed: %s", q.App, facts.Reason)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, f := range facts.Instances {
				if _, dup := out[f.ID]; dup {
					t.Errorf("%s asked about twice", f.ID)
				}
				out[f.ID] = f
			}
		})
	}
	wg.Wait()
	return out
}

// askedOnce checks that every instance got an answer (none unverified
// for a failure) and that no request was sent twice: the simulator saw
// exactly the listing pages of each process and one provisioning call per
// answer. queries is how many apps were asked about, round robin over the
// processes.
func askedOnce(t *testing.T, sim *oktasim.Org, processes, queries int, facts map[string]eligibility.OktaInstanceFacts) {
	t.Helper()
	// Each process reads the whole listing's first page (which tells it
	// the org is large), then lists its first filteredAppsMax apps by name
	// (one page each: no app of the org has 200 instances), and the other
	// four pages of the whole listing once it asks about more apps.
	pages := 0
	for i := range processes {
		apps := queries / processes
		if i < queries%processes {
			apps++
		}
		pages += 1 + min(apps, filteredAppsMax)
		if apps > filteredAppsMax {
			pages += 4
		}
	}
	conn, feat := 0, 0
	for id, f := range facts {
		p := f.Provisioning
		if p.Connection == eligibility.ConnectionError || p.Features == eligibility.FeaturesError {
			t.Errorf("%s is unverified: %s", id, p.Reason)
		}
		// An app outside Okta's connection API asks /features alone.
		if p.Connection != eligibility.ConnectionNotFetched && p.Connection != eligibility.ConnectionNotAsked {
			conn++
		}
		if p.Features != eligibility.FeaturesNotFetched {
			feat++
		}
	}
	if conn == 0 {
		t.Fatal("no instance needed a provisioning call; the test proves nothing")
	}
	counts := sim.RequestCounts()
	want := map[string]int{
		"GET /api/v1/apps":                          pages,
		"GET /api/v1/apps/{id}/connections/default": conn,
		"GET /api/v1/apps/{id}/features":            feat,
	}
	for ep, n := range want {
		if got := int(counts[ep].Requests); got != n {
			t.Errorf("%s: %d requests, want %d (one per answer)", ep, got, n)
		}
	}
	for ep, c := range counts {
		if c.RateLimited != 0 {
			t.Errorf("%s: %d answers were 429", ep, c.RateLimited)
		}
	}
}

// TestPacingWaitIsNotATimeout is BENCHMARKS.md finding 1: at a tenth of
// the limits the pacer holds requests for minutes of (bubble) time, far
// beyond the 30 s per-attempt timeout. Waiting must not fail an attempt:
// ten concurrent lookups all get answers, and nothing is sent twice.
func TestPacingWaitIsNotATimeout(t *testing.T) {
	sim, orgs := processes(t, 1, 10)
	synctest.Test(t, func(t *testing.T) {
		inBubble(orgs)
		began := time.Now()
		queries := scimApps(sim, 10)
		facts := lookup(t, orgs, queries)
		askedOnce(t, sim, 1, len(queries), facts)
		t.Logf("bubble time %s, %+v", time.Since(began), orgs[0].Stats())
		if waited := time.Since(began); waited < 2*time.Minute || orgs[0].Stats().PacingWaits == 0 {
			t.Errorf("the lookups took %s of bubble time with %d pacing waits; the test needs waits longer than the 30 s timeout", waited, orgs[0].Stats().PacingWaits)
		}
	})
}

// processes builds the simulator and k Orgs reaching it, each with its own
// pacer as a provider process has. They are built outside the synctest
// bubble: the simulator's listener and the SDK's cache janitor run for
// the whole test, which a bubble does not allow.
func processes(t *testing.T, k, apps int) (*oktasim.Org, []*Org) {
	t.Helper()
	sim := simAt(t, apps)
	orgs := make([]*Org, k)
	for i := range orgs {
		o, err := New(Config{OrgURL: sim.URL(), APIToken: sim.APIToken(), Transport: inMemory{sim, 150 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		orgs[i] = o
	}
	return sim, orgs
}

// inBubble gives the orgs' pacers channels of the running bubble: a
// goroutine waiting on a channel made outside it does not count as
// blocked, and the bubble's clock would never advance.
func inBubble(orgs []*Org) {
	for _, o := range orgs {
		o.pacer.slots = make(chan struct{}, cap(o.pacer.slots))
		o.pacer.changed = make(chan struct{})
	}
}

// TestConcurrentProcessesShareTheBucket runs K pacers, as K provider
// processes of parallel terraform plans would, against one org at a tenth
// of Okta's limits: together they must meet no 429, and every lookup must
// get its answer.
func TestConcurrentProcessesShareTheBucket(t *testing.T) {
	for _, tc := range []struct{ k, apps int }{{2, 10}, {4, 10}, {4, 100}, {8, 100}} {
		t.Run(fmt.Sprintf("K=%d,apps=%d", tc.k, tc.apps), func(t *testing.T) {
			sim, orgs := processes(t, tc.k, tc.apps)
			synctest.Test(t, func(t *testing.T) {
				inBubble(orgs)
				began := time.Now()
				queries := scimApps(sim, 3*tc.k)
				askedOnce(t, sim, tc.k, len(queries), lookup(t, orgs, queries))
				c := sim.RequestCounts()
				t.Logf("%d processes: %s of bubble time; apps bucket %d requests", tc.k, time.Since(began),
					c["GET /api/v1/apps"].Requests+c["GET /api/v1/apps/{id}/connections/default"].Requests+c["GET /api/v1/apps/{id}/features"].Requests)
			})
		})
	}
}

// TestPacerSharesWithTrafficThatDoesNotPace: the org's own traffic spends
// 30 of the apps bucket's 100 at the start of every window and does not
// pace itself. The provider's lookups still go on within each window,
// while the headroom above okta_max_api_capacity lasts, instead of
// sending one request a window (a share of the headroom under one
// request): they finish in a few windows, and meet no 429.
func TestPacerSharesWithTrafficThatDoesNotPace(t *testing.T) {
	sim, orgs := processes(t, 1, 100)
	synctest.Test(t, func(t *testing.T) {
		inBubble(orgs)
		ctx, stop := context.WithCancel(context.Background())
		var foreign sync.WaitGroup
		firstBurst := make(chan struct{})
		foreign.Go(func() {
			c := &http.Client{Transport: inMemory{sim, 150 * time.Millisecond}}
			for burst := 0; ctx.Err() == nil; burst++ {
				var b sync.WaitGroup
				for range 30 {
					b.Go(func() {
						req, _ := http.NewRequestWithContext(ctx, http.MethodGet, sim.URL()+"/api/v1/apps?limit=1", nil)
						req.Header.Set("Authorization", "SSWS "+sim.APIToken())
						if resp, err := c.Do(req); err == nil {
							_ = resp.Body.Close()
						}
					})
				}
				b.Wait()
				if burst == 0 {
					close(firstBurst)
				}
				select {
				case <-time.After(time.Minute):
				case <-ctx.Done():
				}
			}
		})
		<-firstBurst
		began := time.Now()
		queries := scimApps(sim, 10)
		facts := lookup(t, orgs, queries)
		took := time.Since(began)
		stop()
		foreign.Wait()
		st := orgs[0].Stats()
		t.Logf("bubble time %s, %d requests, %d pacing waits", took, st.Total(), st.PacingWaits)
		if len(facts) == 0 {
			t.Fatal("no instance was judged")
		}
		// The lookups need about 60 apps-bucket requests: with 20 a window
		// (headroom 70 - 50) they take three or four windows; held to one
		// request a window by a share under one, they took 57.
		if took > 5*time.Minute {
			t.Errorf("the lookups took %s of bubble time (%d requests): the pacer waits for a new window while the bucket has headroom", took, st.Total())
		}
		if st.RateLimited != 0 {
			t.Errorf("%d answers were 429", st.RateLimited)
		}
	})
}
