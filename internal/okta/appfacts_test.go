package okta

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

const (
	epList  = "GET /api/v1/apps"
	epConn  = "GET /api/v1/apps/{id}/connections/default"
	epFeat  = "GET /api/v1/apps/{id}/features"
	epGroup = "GET /api/v1/groups"
	t1      = "2026-01-01T00:00:00.000Z"
	t2      = "2026-02-01T00:00:00.000Z"
)

var importing = []string{"IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "PUSH_NEW_USERS"}

// fillApps adds n filler apps that no test asks about.
func fillApps(f *fakeOkta, n int) {
	for i := range n {
		f.addApp(app(fmt.Sprintf("0oaFILL%05d", i), "bookmark", "ACTIVE", t1))
	}
}

func TestListingAcrossPagesIsReadOnce(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	fillApps(f, 190)
	f.addApp(app("0oaSLACK1", "slack", "ACTIVE", t1, importing...))
	fillApps(f, 0)
	for i := range 250 {
		f.addApp(app(fmt.Sprintf("0oaMORE%05d", i), "box", "INACTIVE", t1))
	}
	f.addApp(app("0oaSLACK2", "Slack", "INACTIVE", t1, importing...))
	o := f.org()

	// The gallery's question needs the whole listing; every later caller
	// shares it.
	if _, err := o.AppNames(context.Background()); err != nil {
		t.Fatal(err)
	}
	facts, err := o.AppFacts(context.Background(), AppQuery{App: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.count(epList); got != 3 {
		t.Errorf("listing pages requested: %d, want 3 (442 apps, 200 a page)", got)
	}
	if len(facts.AllInstances) != 2 || facts.AllInstances[0].ID != "0oaSLACK1" || facts.AllInstances[1].Status != "INACTIVE" {
		t.Errorf("AllInstances = %+v", facts.AllInstances)
	}
	if len(facts.Instances) != 2 || facts.Instances[0].State != eligibility.AppFound || !facts.Instances[0].App.FeaturesKnown {
		t.Errorf("Instances = %+v", facts.Instances)
	}
	for _, ua := range f.userAgents {
		if !strings.Contains(ua, "terraform-provider-ispm/test") || !strings.Contains(ua, "okta-sdk-golang") {
			t.Errorf("User-Agent %q", ua)
		}
	}
	// Other apps and instances come from the same snapshot.
	if _, err := o.AppFacts(context.Background(), AppQuery{App: "box", InstanceIDs: []string{"0oaMORE00007", "0oaNOPE"}}); err != nil {
		t.Fatal(err)
	}
	if got := f.count(epList); got != 3 {
		t.Errorf("listing read again: %d pages in all", got)
	}
	st := o.Stats()
	if st.Requests[epList] != 3 {
		t.Errorf("Stats.Requests = %v", st.Requests)
	}
}

func TestConcurrentCallersShareOneListing(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.pageSize = 50
	fillApps(f, 120)
	for i := range 20 {
		id := fmt.Sprintf("0oaZOOM%05d", i)
		f.addApp(app(id, "zoomus", "ACTIVE", t1))
		f.connections[id] = connection("ENABLED")
	}
	o := f.org()

	const callers = 64
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Every caller asks about a few instances, overlapping others.
			ids := []string{fmt.Sprintf("0oaZOOM%05d", i%20), fmt.Sprintf("0oaZOOM%05d", (i+1)%20)}
			facts, err := o.AppFacts(context.Background(), AppQuery{App: "zoomus", InstanceIDs: ids})
			if err != nil {
				errs <- err
				return
			}
			for _, in := range facts.Instances {
				if in.Provisioning.Connection != eligibility.ConnectionEnabled {
					errs <- fmt.Errorf("%s: connection %q (%s)", in.ID, in.Provisioning.Connection, in.Provisioning.Reason)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := f.count(epList); got != 2 {
		t.Errorf("listing pages requested %d times, want 2 (the whole listing's first page, then one filtered listing of 20 zoomus apps shared by every caller)", got)
	}
	if got := f.count(epConn); got != 20 {
		t.Errorf("connection requests: %d, want one per instance (20)", got)
	}
}

// TestMinimalCalls pins down which instance costs which request.
func TestMinimalCalls(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	// slack is an app Okta's connection API covers: its connection is asked.
	f.addApp(app("0oaREADY", "slack", "ACTIVE", t1, importing...))                                               // features answer: no call
	f.addApp(app("0oaENABLED", "slack", "ACTIVE", t1))                                                           // connection ENABLED: 1 call
	f.addApp(app("0oaINACTIVE", "slack", "INACTIVE", t1))                                                        // no features: 1 call
	f.addApp(app("0oaOTHER", "box", "ACTIVE", t1))                                                               // another app: no call
	f.addApp(`{"id":"0oaNOFEAT","name":"slack","status":"ACTIVE","signOnMode":null,"lastUpdated":"` + t1 + `"}`) // no features array: 1 call
	f.connections["0oaENABLED"] = connection("ENABLED")
	f.connections["0oaINACTIVE"] = connection("DISABLED")
	f.connections["0oaNOFEAT"] = connection("ENABLED")
	o := f.org()

	// An app of the connection API whose connection answers UNKNOWN: the
	// first instance asks the connection and /features, the others
	// /features only.
	f.addApp(app("0oaUNKNOWN", "zoomus", "ACTIVE", t1)) // UNKNOWN then /features 400: 2 calls
	f.addApp(app("0oaUNKLIST", "zoomus", "ACTIVE", t1)) // /features list: 1 call
	f.connections["0oaUNKNOWN"] = answer{200, `{"profile":{"authScheme":"UNKNOWN"},"status":"UNKNOWN"}`}
	f.connections["0oaUNKLIST"] = answer{200, `{"profile":{"authScheme":"UNKNOWN"},"status":"UNKNOWN"}`}
	f.features["0oaUNKLIST"] = answer{200, `[{"name":"USER_PROVISIONING","status":"ENABLED","_links":{}},{"name":"INBOUND_PROVISIONING","status":"DISABLED"}]`}
	// An app outside the connection API: /features only, even for its
	// first instance, and even when a connection answer is on offer.
	f.addApp(app("0oaZOFF", "zendesk", "ACTIVE", t1))  // /features 400: 1 call
	f.addApp(app("0oaZLIST", "zendesk", "ACTIVE", t1)) // /features list: 1 call
	f.connections["0oaZOFF"] = connection("ENABLED")
	f.connections["0oaZLIST"] = connection("ENABLED")
	f.features["0oaZLIST"] = answer{200, `[{"name":"USER_PROVISIONING","status":"ENABLED"}]`}

	ids := []string{"0oaREADY", "0oaENABLED", "0oaINACTIVE", "0oaOTHER", "0oaMISSING", "0oaNOFEAT"}
	ispm := eligibility.ISPMAppFacts{OrgConnected: eligibility.Yes}
	for _, id := range ids {
		ispm.Instances = append(ispm.Instances, eligibility.ISPMInstanceFacts{ID: id, Eligible: eligibility.Yes})
	}
	q := AppQuery{App: "slack", InstanceIDs: ids, ISPM: &ispm}
	facts, err := o.AppFacts(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	// The org's listing is one page: its first page answers everything,
	// no filtered listing is asked for.
	for _, id := range []string{"0oaUNKNOWN", "0oaUNKLIST", "0oaZOFF", "0oaZLIST"} {
		ispm.Instances = append(ispm.Instances, eligibility.ISPMInstanceFacts{ID: id, Eligible: eligibility.Yes})
	}
	zq := AppQuery{App: "zoomus", InstanceIDs: []string{"0oaUNKNOWN"}, ISPM: &ispm}
	zfacts, err := o.AppFacts(context.Background(), zq)
	if err != nil {
		t.Fatal(err)
	}
	zq.InstanceIDs = []string{"0oaUNKLIST"}
	zfacts2, err := o.AppFacts(context.Background(), zq)
	if err != nil {
		t.Fatal(err)
	}
	zdq := AppQuery{App: "zendesk", ISPM: &ispm}
	zdfacts, err := o.AppFacts(context.Background(), zdq)
	if err != nil {
		t.Fatal(err)
	}
	// Connections: ENABLED, INACTIVE, NOFEAT and the first zoomus one;
	// /features: both zoomus and both zendesk instances.
	want := map[string]int{epList: 1, epConn: 4, epFeat: 4, epGroup: 0}
	for ep, n := range want {
		if got := f.count(ep); got != n {
			t.Errorf("%s: %d requests, want %d", ep, got, n)
		}
	}
	if got := f.total(); got != 9 {
		t.Errorf("%d requests in all, want 9", got)
	}
	byID := map[string]eligibility.OktaInstanceFacts{}
	for _, in := range slices.Concat(facts.Instances, zfacts.Instances, zfacts2.Instances, zdfacts.Instances) {
		byID[in.ID] = in
	}
	checks := []struct {
		id    string
		state eligibility.AppObjectState
		conn  eligibility.ConnectionAnswer
		feat  eligibility.FeaturesAnswer
	}{
		{"0oaREADY", eligibility.AppFound, "", ""},
		{"0oaENABLED", eligibility.AppFound, eligibility.ConnectionEnabled, ""},
		{"0oaUNKNOWN", eligibility.AppFound, eligibility.ConnectionStatusUnknown, eligibility.FeaturesNotEnabled},
		{"0oaUNKLIST", eligibility.AppFound, eligibility.ConnectionSiblingUnknown, eligibility.FeaturesListed},
		{"0oaINACTIVE", eligibility.AppFound, eligibility.ConnectionDisabled, ""},
		{"0oaOTHER", eligibility.AppFound, "", ""},
		{"0oaMISSING", eligibility.AppNotFound, "", ""},
		{"0oaNOFEAT", eligibility.AppFound, eligibility.ConnectionEnabled, ""},
		{"0oaZOFF", eligibility.AppFound, eligibility.ConnectionNotAsked, eligibility.FeaturesNotEnabled},
		{"0oaZLIST", eligibility.AppFound, eligibility.ConnectionNotAsked, eligibility.FeaturesListed},
	}
	for _, c := range checks {
		got := byID[c.id]
		if got.State != c.state || got.Provisioning.Connection != c.conn || got.Provisioning.Features != c.feat {
			t.Errorf("%s: state %q connection %q features %q, want %q %q %q", c.id, got.State, got.Provisioning.Connection, got.Provisioning.Features, c.state, c.conn, c.feat)
		}
	}
	if l := byID["0oaUNKLIST"].Provisioning.Listed; len(l) != 2 || l[0].Name != "USER_PROVISIONING" || l[0].Status != "ENABLED" {
		t.Errorf("listed features %+v", l)
	}
	if nf := byID["0oaNOFEAT"].App; nf.FeaturesKnown || nf.SignOnMode != "" {
		t.Errorf("app without features: %+v", nf)
	}
	if facts.Lifecycle.State != eligibility.LifecycleSubscribed {
		t.Errorf("lifecycle %+v", facts.Lifecycle)
	}

	// Asking again, in any shape, costs nothing more.
	before := f.total()
	if _, err := o.AppFacts(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if _, err := o.AppFacts(context.Background(), AppQuery{App: "slack", ISPM: &ispm}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.AppFacts(context.Background(), zdq); err != nil {
		t.Fatal(err)
	}
	if got := f.total(); got != before {
		t.Errorf("repeated calls sent %d more requests", got-before)
	}

	v := eligibility.Evaluate(eligibility.Input{OrgURL: o.URL(), App: "slack", InstanceIDs: ids, Okta: facts, ISPM: ispm})
	zfacts.Instances = append(zfacts.Instances, zfacts2.Instances...)
	zv := eligibility.Evaluate(eligibility.Input{OrgURL: o.URL(), App: "zoomus", InstanceIDs: []string{"0oaUNKNOWN", "0oaUNKLIST"}, Okta: zfacts, ISPM: ispm})
	zdv := eligibility.Evaluate(eligibility.Input{OrgURL: o.URL(), App: "zendesk", Okta: zdfacts, ISPM: ispm})
	want5 := map[string]eligibility.Result{"0oaREADY": eligibility.Pass, "0oaENABLED": eligibility.Pass, "0oaUNKNOWN": eligibility.Fail,
		"0oaUNKLIST": eligibility.Pass, "0oaINACTIVE": eligibility.Fail, "0oaNOFEAT": eligibility.Pass,
		"0oaZOFF": eligibility.Fail, "0oaZLIST": eligibility.Pass}
	for id, r := range want5 {
		iv, ok := v.Instance(id)
		if !ok {
			iv, ok = zv.Instance(id)
		}
		if !ok {
			iv, ok = zdv.Instance(id)
		}
		if !ok {
			t.Errorf("%s: no verdict", id)
			continue
		}
		if got := iv.Check(eligibility.P5Provisioning).Result; got != r {
			t.Errorf("%s: P5 %s, want %s", id, got, r)
		}
	}
	if iv, _ := v.Instance("0oaREADY"); !iv.Eligible {
		t.Errorf("0oaREADY not eligible: %+v", iv.Checks)
	}
}

func TestTrustedFactsSkipCalls(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.addApp(app("0oaSAME", "slack", "ACTIVE", t2))
	f.addApp(app("0oaCHANGED", "slack", "ACTIVE", t2))
	f.addApp(app("0oaWASOFF", "slack", "ACTIVE", t2))
	for _, id := range []string{"0oaSAME", "0oaCHANGED", "0oaWASOFF"} {
		f.connections[id] = connection("ENABLED")
	}
	o := f.org()
	trusted := map[string]eligibility.Trusted{
		"0oaSAME":    {LastUpdated: t2, Provisioning: eligibility.ProvisioningFacts{Connection: eligibility.ConnectionEnabled}},
		"0oaCHANGED": {LastUpdated: t1, Provisioning: eligibility.ProvisioningFacts{Connection: eligibility.ConnectionEnabled}},
		"0oaWASOFF":  {LastUpdated: t2, Provisioning: eligibility.ProvisioningFacts{Connection: eligibility.ConnectionDisabled}},
	}
	facts, err := o.AppFacts(context.Background(), AppQuery{App: "slack", Trusted: trusted,
		ISPM: &eligibility.ISPMAppFacts{ConnectedInstanceIDs: []string{"0oaSAME", "0oaCHANGED", "0oaWASOFF"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.count(epConn); got != 2 {
		t.Errorf("connection requests %d, want 2 (changed app, and a negative answer is asked again)", got)
	}
	same, _ := facts.Instance("0oaSAME")
	if !same.Provisioning.Trusted || same.Provisioning.TrustedAt != t2 || same.Provisioning.Connection != eligibility.ConnectionEnabled {
		t.Errorf("trusted instance %+v", same.Provisioning)
	}
	changed, _ := facts.Instance("0oaCHANGED")
	if changed.Provisioning.Trusted {
		t.Errorf("a changed app was trusted")
	}
	// What to remember for next time.
	for _, in := range facts.Instances {
		tr, ok := in.Trust()
		if !ok || tr.LastUpdated != t2 || tr.Provisioning.Trusted {
			t.Errorf("%s: Trust() = %+v, %v", in.ID, tr, ok)
		}
	}
	// With everything trusted, a plan costs the listing alone.
	g := newFakeOkta(t)
	g.addApp(app("0oaSAME", "slack", "ACTIVE", t2))
	if _, err := g.org().AppFacts(context.Background(), AppQuery{App: "slack", Trusted: trusted,
		ISPM: &eligibility.ISPMAppFacts{ConnectedInstanceIDs: []string{"0oaSAME"}}}); err != nil {
		t.Fatal(err)
	}
	if g.total() != 1 {
		t.Errorf("trusted plan sent %d requests, want the single listing page", g.total())
	}
}

func TestGroupEvidenceIsLazyAndShared(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.groupPage = 2
	f.addApp(app("0oaA", "box", "ACTIVE", t1, importing...))
	f.addApp(app("0oaB", "box", "ACTIVE", t1, importing...))
	f.addApp(app("0oaC", "slack", "ACTIVE", t1, importing...))
	f.groups = append(f.groups, appGroup("00g1", "0oaA"), appGroup("00g2", "0oaA"), appGroup("00g3", "0oaC"),
		json_(`{"id":"00g4","type":"APP_GROUP","source":{"id":"0oaA"}}`), json_(`{"id":"00g5","type":"OKTA_GROUP"}`))
	o := f.org()

	vouched := &eligibility.ISPMAppFacts{Instances: []eligibility.ISPMInstanceFacts{{ID: "0oaA", Eligible: eligibility.Yes}, {ID: "0oaB", Eligible: eligibility.Yes}}}
	if _, err := o.AppFacts(context.Background(), AppQuery{App: "box", ISPM: vouched}); err != nil {
		t.Fatal(err)
	}
	if got := f.count(epGroup); got != 0 {
		t.Errorf("groups searched %d times though ISPM vouched for every instance", got)
	}

	var wg sync.WaitGroup
	results := make([]eligibility.OktaAppFacts, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			app := []string{"box", "slack"}[i%2]
			facts, err := o.AppFacts(context.Background(), AppQuery{App: app})
			if err != nil {
				t.Error(err)
			}
			results[i] = facts
		}()
	}
	wg.Wait()
	if got := f.count(epGroup); got != 3 {
		t.Errorf("group search pages requested %d, want 3 (5 groups, 2 a page), once", got)
	}
	a, _ := results[0].Instance("0oaA")
	b, _ := results[0].Instance("0oaB")
	c, _ := results[1].Instance("0oaC")
	if !a.Groups.Known || a.Groups.Count != 3 || !b.Groups.Known || b.Groups.Count != 0 || c.Groups.Count != 1 {
		t.Errorf("group counts A %+v B %+v C %+v", a.Groups, b.Groups, c.Groups)
	}
}

func json_(s string) []byte { return []byte(s) }

func TestPacingWaitsBeforeA429(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		capacity, concurrent int
	}{{50, 1}, {100, 1}, {10, 1}, {50, 10}, {100, 10}} {
		t.Run(fmt.Sprintf("capacity %d%% concurrency %d", tc.capacity, tc.concurrent), func(t *testing.T) {
			t.Parallel()
			f := newFakeOkta(t)
			f.limits["apps"] = 10
			const n = 25
			for i := range n {
				id := fmt.Sprintf("0oaP%03d", i)
				f.addApp(app(id, "slack", "ACTIVE", t1))
				f.connections[id] = connection("ENABLED")
			}
			o := f.org(func(c *Config) {
				c.MaxAPICapacity, c.MaxConcurrentRequests, c.MaxRetries = tc.capacity, tc.concurrent, -1
			})
			start := f.clock.Now()
			facts, err := o.AppFacts(context.Background(), AppQuery{App: "slack", ISPM: &eligibility.ISPMAppFacts{ConnectedInstanceIDs: ids(n)}})
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range facts.Instances {
				if in.Provisioning.Connection != eligibility.ConnectionEnabled {
					t.Fatalf("%s: %q %s", in.ID, in.Provisioning.Connection, in.Provisioning.Reason)
				}
			}
			if f.tooMany != 0 {
				t.Errorf("the server answered 429 %d times", f.tooMany)
			}
			// 26 requests at capacity% of 10 a window (at least one) take
			// ceil(26/perWindow) windows; each turn is the minute plus the
			// second Okta's whole-second reset may hide.
			perWindow := max(10*tc.capacity/100, 1)
			turns := (n+1+perWindow-1)/perWindow - 1
			elapsed := f.clock.Now().Sub(start)
			st := o.Stats()
			switch {
			case tc.concurrent == 1 && elapsed != time.Duration(turns)*61*time.Second:
				t.Errorf("took %s of the clock, want %d window turns of 61s", elapsed, turns)
			case elapsed < time.Duration(turns)*61*time.Second || elapsed > time.Duration(n+1)*61*time.Second:
				// In parallel, requests in flight when a window turns are
				// counted against the new one too (the test clock turns
				// windows while they are in flight): slower, never over
				// the share and never a 429.
				t.Errorf("took %s of the clock, want %d to %d window turns of 61s", elapsed, turns, n+1)
			case int(st.PacingWaits) < turns:
				t.Errorf("paced %d times, want at least %d", st.PacingWaits, turns)
			}
			for _, d := range f.clock.slept() {
				if d > 61*time.Second {
					t.Errorf("a wait of %s; the window is a minute", d)
				}
			}
			if st.RateLimited != 0 {
				t.Errorf("Stats.RateLimited = %d", st.RateLimited)
			}
		})
	}
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("0oaP%03d", i)
	}
	return out
}

// waitingClock never lets a wait end before its context does, and says
// when the first wait starts.
type waitingClock struct {
	*fakeClock
	waiting chan struct{}
	once    sync.Once
}

func (c *waitingClock) SleepUntil(ctx context.Context, _ time.Time) error {
	c.once.Do(func() { close(c.waiting) })
	<-ctx.Done()
	return ctx.Err()
}

func TestCancelWhileWaitingForTheBucket(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.limits["apps"] = 4
	for i := range 10 {
		id := fmt.Sprintf("0oaP%03d", i)
		f.addApp(app(id, "slack", "ACTIVE", t1))
		f.connections[id] = connection("ENABLED")
	}
	clock := &waitingClock{fakeClock: f.clock, waiting: make(chan struct{})}
	o := f.org(func(c *Config) { c.Clock = clock })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := o.AppFacts(ctx, AppQuery{App: "slack", ISPM: &eligibility.ISPMAppFacts{ConnectedInstanceIDs: ids(10)}})
		done <- err
	}()
	<-clock.waiting // the pacer is waiting for the bucket's reset
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("AppFacts returned %v, want context.Canceled", err)
	}
	if f.tooMany != 0 {
		t.Errorf("the server answered 429 %d times", f.tooMany)
	}
	// The abandoned calls are not remembered: a new caller asks again.
	before := f.count(epConn)
	f.clock.advance(2 * time.Minute)
	facts, err := o.AppFacts(context.Background(), AppQuery{App: "slack", InstanceIDs: []string{"0oaP009"}})
	if err != nil {
		t.Fatal(err)
	}
	if facts.Instances[0].Provisioning.Connection != eligibility.ConnectionEnabled || f.count(epConn) <= before {
		t.Errorf("after cancellation: %+v (%d connection requests before, %d after)", facts.Instances[0].Provisioning, before, f.count(epConn))
	}
}
