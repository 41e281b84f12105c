package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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

// TestAccReliabilityFaultsTwentyConnections applies 20 connections while
// both APIs answer about one request in five with a 5xx, add latency, and
// drop connections, some after the work was done. It must converge to
// exactly 20 sources matching the state, plan empty, and destroy to
// nothing.
func TestAccReliabilityFaultsTwentyConnections(t *testing.T) {
	t.Parallel()
	// A few hundred more apps make the listing a few pages, so that Okta
	// sees enough requests in each run for its faults to bite.
	env := newAccEnv(t, withoutSources, func(sc *sandbox.Scenario) {
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
	env := newAccEnv(t, withoutSources)
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
// user to raise timeouts that never ran out. (settle keeps the connection
// untainted for it; TestSettleInterruptedKeepsTheConnectionUntainted.)
func TestReliabilityInterruptedWaitSaysSo(t *testing.T) {
	t.Parallel()
	src := &ispm.Source{ID: "src_1", Status: ispm.SourceConnecting}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := waitConnected(ctx, stillConnecting{src: src}, src, time.Millisecond, 5*time.Minute, "create")
	var stopped *interruptedError
	if !errors.As(err, &stopped) || strings.Contains(err.Error(), "timeout") || !strings.Contains(err.Error(), "interrupted") ||
		!strings.Contains(err.Error(), "src_1") {
		t.Fatalf("an interrupted wait says: %v", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = waitConnected(ctx, stillConnecting{src: src}, src, time.Millisecond, 20*time.Millisecond, "create")
	if err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("a wait that ran out of time says: %v", err)
	}
}

// TestAccReliabilityLostReadAfterCreateKeepsTheConnection: with no
// retries, the first read of a connection ISPM has just made answers 500.
// The connection is kept in state, not tainted, with a warning that says
// what is not known; the next plan refreshes it and plans nothing, and ISPM
// holds exactly the one connection.
func TestAccReliabilityLostReadAfterCreateKeepsTheConnection(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, withoutSources)
	acme := env.Domain("acme")
	rec := &diagRecorder{}
	config := env.ProviderConfig(nil, "max_retries = 0") + connectionConfig("slack", acme, "slack", []string{acmeSlack})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.RecordingFactories(rec),
		CheckDestroy:             env.noAcmeSources,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if err := env.SB.ISPM().SetFaults(ispmsim.Faults{Methods: []string{"GET"}, PathPrefix: "/api/v1/sources/", FailNext: 1, ErrorStatus: 500}); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				func(s *terraform.State) error {
					rs := s.RootModule().Resources["ispm_source_connection.slack"]
					if rs == nil || rs.Primary.Tainted {
						return fmt.Errorf("the connection is missing or tainted after a lost read: %+v", rs)
					}
					return nil
				},
			),
		}, {
			Config:           config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
	wantWarning(t, rec, `ISPM connection status not known yet`, `(?s)reading it back failed.*500.*not tainted`)
	if n := env.creates(); n != 1 {
		t.Fatalf("%d creates, want 1", n)
	}
}
