package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// The reliability tests: the provider under injected faults, lost answers,
// cancellation, rate-limit storms and hostile answers, and what it writes
// where (logs, diagnostics, state, plans). The tests that drive the
// terraform binary directly are in reliability_cli_test.go.

// spareApps are gallery apps the default scenario's org acme has no
// instance of, with their labels: room for many connections at once.
var spareApps = [][2]string{
	{"google", "Google Workspace"}, {"zscalerbyz", "Zscaler 2.0"}, {"workday", "Workday"}, {"zendesk", "Zendesk"},
	{"cornerstone", "Cornerstone OnDemand"}, {"servicenow_app2", "ServiceNow UD"}, {"dropbox_for_business", "Dropbox Business"},
	{"docusign", "DocuSign"}, {"netsuite", "NetSuite"}, {"pagerduty", "PagerDuty"}, {"atlassian", "Atlassian Cloud"},
	{"amazon_aws", "AWS Account Federation"}, {"amazon_aws_sso", "AWS IAM Identity Center"}, {"segment", "Segment"},
	{"smartsheet", "Smartsheet"}, {"deelhr", "Deel HR"}, {"asana", "Asana"}, {"bamboohr", "BambooHR"}, {"figma", "Figma"},
	{"lucidchart", "Lucidchart"}, {"miro", "Miro"}, {"webex", "Webex"},
}

// relApp is one app instance a reliability test connects.
type relApp struct{ Key, ID string }

// newRelEnv is newAccEnv with sandbox options (a clock, say).
func newRelEnv(t *testing.T, opts []sandbox.Option, mutate ...func(*sandbox.Scenario)) *accEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	sc := sandbox.DefaultScenario()
	for _, m := range mutate {
		m(&sc)
	}
	sb, err := sandbox.New(sc, opts...)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("sandbox start: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return &accEnv{SB: sb, Info: sb.Info()}
}

// withoutSources drops the scenario's existing ISPM sources, so that the
// sandbox's sources are exactly what the test's configuration makes.
func withoutSources(sc *sandbox.Scenario) {
	if sc.ISPM != nil {
		sc.ISPM.Sources = nil
	}
}

// installSpare installs n ready instances of distinct gallery apps in acme
// and has ISPM's gallery read them, as an admin would before connecting.
func (e *accEnv) installSpare(t *testing.T, n int) []relApp {
	t.Helper()
	if n > len(spareApps) {
		t.Fatalf("only %d spare apps", len(spareApps))
	}
	apps := make([]relApp, 0, n)
	for _, a := range spareApps[:n] {
		st, err := e.SB.Org("acme").Install(oktasim.NewApp{Name: a[0], Label: a[1], Provisioning: true, ImportNewUsers: true, ImportGroups: true})
		if err != nil {
			t.Fatalf("installing %s: %v", a[0], err)
		}
		apps = append(apps, relApp{Key: a[0], ID: st.ID})
	}
	if err := e.SB.ISPM().Refresh(acmeOrgID); err != nil {
		t.Fatal(err)
	}
	return apps
}

// connectionsHCL declares one ispm_source_connection per app, named by key.
func connectionsHCL(org string, apps []relApp) string {
	var b strings.Builder
	for _, a := range apps {
		b.WriteString(connectionConfig(a.Key, org, a.Key, []string{a.ID}))
	}
	return b.String()
}

// acmeSources returns the sandbox's sources in acme, by app.
func (e *accEnv) acmeSources() map[string][]ispm.Source {
	out := map[string][]ispm.Source{}
	for _, s := range e.SB.ISPM().Sources() {
		if s.OktaOrgID == acmeOrgID {
			out[s.App] = append(out[s.App], s)
		}
	}
	return out
}

// sourcesMatch checks that the sandbox holds exactly one source per app,
// with exactly the app's instance, and nothing else.
func (e *accEnv) sourcesMatch(apps []relApp) error {
	got := e.acmeSources()
	var problems []string
	for _, a := range apps {
		ss := got[a.Key]
		switch {
		case len(ss) != 1:
			problems = append(problems, fmt.Sprintf("%s has %d sources", a.Key, len(ss)))
		case !slices.Equal(ss[0].InstanceIDs(), []string{a.ID}):
			problems = append(problems, fmt.Sprintf("%s's source %s has instances %v, want [%s]", a.Key, ss[0].ID, ss[0].InstanceIDs(), a.ID))
		}
		delete(got, a.Key)
	}
	for app, ss := range got {
		problems = append(problems, fmt.Sprintf("orphan: %d source(s) for %s (%s)", len(ss), app, ss[0].ID))
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("the sandbox's sources do not match the configuration:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// stateMatches checks that every connection in the state names the
// sandbox's source for its app with the same instances.
func (e *accEnv) stateMatches(apps []relApp) func(*terraform.State) error {
	return func(s *terraform.State) error {
		if err := e.sourcesMatch(apps); err != nil {
			return err
		}
		sources := e.acmeSources()
		n := 0
		for addr, rs := range s.RootModule().Resources {
			if rs.Type == "ispm_source_connection" {
				n++
				app := strings.TrimPrefix(addr, "ispm_source_connection.")
				if src := sources[app]; len(src) != 1 || src[0].ID != rs.Primary.ID {
					return fmt.Errorf("%s has id %s; the sandbox's source for %s is %v", addr, rs.Primary.ID, app, src)
				}
				var ids []string
				for k, v := range rs.Primary.Attributes {
					if strings.HasPrefix(k, "instance_ids.") && k != "instance_ids.#" {
						ids = append(ids, v)
					}
				}
				if want := sources[app][0].InstanceIDs(); !slices.Equal(ids, want) {
					return fmt.Errorf("%s has instance_ids %v; the sandbox's source has %v", addr, ids, want)
				}
				if rs.Primary.Attributes["status"] != "CONNECTED" {
					return fmt.Errorf("%s is %s", addr, rs.Primary.Attributes["status"])
				}
			}
		}
		if n != len(apps) {
			return fmt.Errorf("the state holds %d connections, want %d", n, len(apps))
		}
		return nil
	}
}

// noAcmeSources is a CheckDestroy: nothing is left in acme.
func (e *accEnv) noAcmeSources(*terraform.State) error {
	if left := e.acmeSources(); len(left) > 0 {
		var apps []string
		for app := range left {
			apps = append(apps, app)
		}
		sort.Strings(apps)
		return fmt.Errorf("destroy left sources for %s", strings.Join(apps, ", "))
	}
	return nil
}

// faultCounts sums the 5xx answers and dropped connections every Okta org
// of the sandbox served.
func (e *accEnv) oktaFaultCounts() (serverErrors, dropped int64) {
	for _, o := range e.SB.Orgs() {
		for _, c := range o.RequestCounts() {
			serverErrors += c.ServerErrors
			dropped += c.Dropped
		}
	}
	return serverErrors, dropped
}

// TestAccReliabilityFaultsTwentyConnections applies 20 connections while
// both APIs answer about one request in five with a 5xx, add latency, and
// drop connections, some after the work was done. It must converge to
// exactly 20 sources matching the state, plan empty, and destroy to
// nothing.
func TestAccReliabilityFaultsTwentyConnections(t *testing.T) {
	t.Parallel()
	// A few hundred more apps make the listing a few pages, so that Okta
	// sees enough requests in each run for its faults to bite.
	env := newRelEnv(t, nil, withoutSources, func(sc *sandbox.Scenario) {
		for i := range sc.OktaOrgs {
			if sc.OktaOrgs[i].Name == "acme" {
				sc.OktaOrgs[i].SyntheticApps = &oktasim.SyntheticApps{Count: 500, Seed: 9}
				apps := 1000
				sc.OktaOrgs[i].RateLimits.Apps = &apps
			}
		}
	})
	apps := env.installSpare(t, 20)
	acme := env.Domain("acme")
	// About one attempt in three meets a fault; thirteen attempts make a
	// request that never gets through vanishingly rare.
	config := env.ProviderConfig(nil, "max_retries = 12") + connectionsHCL(acme, apps)

	// A few counted faults prove that each kind was served; the rates
	// spread the rest over the whole run.
	ispmFaults := ispmsim.Faults{
		Latency: ispmsim.Duration(3 * time.Millisecond), ErrorRate: 0.2, DropRate: 0.05, DropResponseRate: 0.1,
		FailNext: 2, DropNext: 1, DropResponseNext: 1,
	}
	// Okta's choices are seeded: with seed 35 the first requests draw an
	// error, then a dropped connection, then the rates play out.
	oktaFaults := oktasim.Faults{LatencyMS: 3, ErrorRate: 0.2, DropRate: 0.05, Seed: 35}
	if err := env.SB.SetOktaFaults(oktaFaults); err != nil {
		t.Fatal(err)
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.noAcmeSources(s); err != nil {
				return err
			}
			if f := env.SB.ISPM().CurrentFaults(); f.FailNext+f.DropNext+f.DropResponseNext > 0 {
				return fmt.Errorf("not every counted fault was served: %+v", f)
			}
			if errs, dropped := env.oktaFaultCounts(); errs == 0 || dropped == 0 {
				return fmt.Errorf("Okta served %d 5xx answers and dropped %d connections; the faults were not injected", errs, dropped)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// Some creates are done and their answers lost: the retry
				// (same idempotency key) adopts each, never makes another.
				PreConfig: func() {
					if err := env.SB.ISPM().SetFaults(ispmFaults); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(env.stateMatches(apps), func(*terraform.State) error {
					if n := env.creates(); n <= len(apps) {
						return fmt.Errorf("ISPM received %d creates for %d connections: no create met a fault", n, len(apps))
					}
					return nil
				}),
			},
			{
				// Under the full mix of faults, refresh and plan stay empty.
				PreConfig: func() {
					if err := env.SB.ISPM().SetFaults(ispmFaults); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: env.stateMatches(apps),
			},
		},
	})
}

// TestAccReliabilityLostCreateAnswerIsAdopted: the server made the source
// but its answer was lost. Within one apply the retry (same idempotency
// key) adopts it; when the retries are spent the apply fails, and the next
// apply adopts the source instead of making a second one.
func TestAccReliabilityLostCreateAnswerIsAdopted(t *testing.T) {
	t.Parallel()
	env := newRelEnv(t, nil, withoutSources)
	apps := env.installSpare(t, 2)
	acme := env.Domain("acme")
	rec := &diagRecorder{}
	loseCreateAnswers := func(n int) {
		if err := env.SB.ISPM().SetFaults(ispmsim.Faults{Methods: []string{"POST"}, PathPrefix: "/api/v1/sources", DropResponseNext: n}); err != nil {
			t.Fatal(err)
		}
	}
	var firstID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.RecordingFactories(rec),
		CheckDestroy:             env.noAcmeSources,
		Steps: []resource.TestStep{
			{
				// The retry carries the same key: ISPM replays the source
				// it made.
				PreConfig: func() { loseCreateAnswers(1) },
				Config:    env.Config(connectionsHCL(acme, apps[:1])),
				Check: resource.ComposeAggregateTestCheckFunc(env.stateMatches(apps[:1]), func(*terraform.State) error {
					if n := env.creates(); n != 2 {
						return fmt.Errorf("ISPM received %d creates, want the lost one and its retry", n)
					}
					return nil
				}),
			},
			{
				// With no retries left, the apply fails and says the next
				// one adopts the source. (Go's transport resends a request
				// with an Idempotency-Key once by itself when a reused
				// connection drops: lose two answers.)
				PreConfig:   func() { loseCreateAnswers(2) },
				Config:      env.ProviderConfig(nil, "max_retries = 0") + connectionsHCL(acme, apps),
				ExpectError: regexp.MustCompile(`(?s)Cannot create the ISPM connection.*next terraform apply adopts it`),
			},
			{
				PreConfig: func() {
					ss := env.acmeSources()[apps[1].Key]
					if len(ss) != 1 {
						t.Fatalf("after the lost answer the sandbox has %d sources for %s, want the one made", len(ss), apps[1].Key)
					}
					firstID = ss[0].ID
					env.SB.ISPM().ClearFaults()
					rec.Reset()
				},
				Config: env.Config(connectionsHCL(acme, apps)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("ispm_source_connection."+apps[1].Key, plancheck.ResourceActionCreate),
					expectWarnings(rec, `(?s)^ISPM already has a connection for this app\n.*with the same instances.*apply adopts it`),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(env.stateMatches(apps),
					resource.TestCheckResourceAttrPtr("ispm_source_connection."+apps[1].Key, "id", &firstID)),
			},
		},
	})
}

// stillConnecting is an ISPM whose sources never finish connecting.
type stillConnecting struct {
	ispm.Client
	src *ispm.Source
}

func (s stillConnecting) GetSource(ctx context.Context, _ string) (*ispm.Source, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.src, nil
}

// An interrupted wait (Ctrl-C) says so: blaming a timeout would send the
// user to raise timeouts that never ran out.
func TestReliabilityInterruptedWaitSaysSo(t *testing.T) {
	t.Parallel()
	src := &ispm.Source{ID: "src_1", Status: ispm.SourceConnecting}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := waitConnected(ctx, stillConnecting{src: src}, src, time.Millisecond, 5*time.Minute, "create")
	if err == nil || strings.Contains(err.Error(), "timeout") || !strings.Contains(err.Error(), "interrupted") ||
		!strings.Contains(err.Error(), "tainted") || !strings.Contains(err.Error(), "src_1") {
		t.Fatalf("an interrupted wait says: %v", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = waitConnected(ctx, stillConnecting{src: src}, src, time.Millisecond, 20*time.Millisecond, "create")
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("a wait that ran out of time says: %v", err)
	}
}
