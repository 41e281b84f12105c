package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// TestAccReliabilityInterruptedApply interrupts an apply (Ctrl-C: SIGINT to
// terraform and its plugins) while creates are in flight, some of them
// stuck behind a slow ISPM. It must return promptly — the provider stops
// waiting when Terraform cancels it — and the next apply must converge
// with no duplicate and no orphan.
func TestAccReliabilityInterruptedApply(t *testing.T) {
	t.Parallel()
	d := newTFDir(t)
	env := newAccEnv(t, withoutSources)
	apps := env.installSpare(t, 8)
	d.write(cliProviderBlock(env) + connectionsHCL(env.Domain("acme"), apps))
	slowCreates := func(latency time.Duration) {
		if err := env.SB.ISPM().SetFaults(ispmsim.Faults{Methods: []string{"POST"}, PathPrefix: "/api/v1/sources", Latency: ispmsim.Duration(latency)}); err != nil {
			t.Fatal(err)
		}
	}
	slowCreates(700 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd, stdout, stderr := d.command(ctx, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Mid-way: some connections made, then a create that would hang for
	// minutes is in flight.
	waitFor(t, time.Minute, "the first connections", func() bool { return len(env.acmeSources()) >= 2 })
	slowCreates(10 * time.Minute)
	switched := time.Now()
	// Once the fast creates sent before the switch are done, a create
	// still unanswered is one of the slow ones.
	waitFor(t, time.Minute, "a create stuck behind the slow ISPM", func() bool {
		return time.Since(switched) > time.Second && env.creates() > len(env.acmeSources())
	})

	interrupted := time.Now()
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	took := time.Since(interrupted)
	t.Logf("terraform returned %v %s after the interrupt, with %d of %d connections made", err, took.Round(time.Millisecond), len(env.acmeSources()), len(apps))
	if took > 30*time.Second {
		t.Fatalf("terraform took %s to stop after the interrupt\nstdout:\n%s\nstderr:\n%s", took, stdout, stderr)
	}
	if err == nil {
		t.Fatalf("the interrupted apply succeeded; it should have been cut short\nstdout:\n%s", stdout)
	}

	env.SB.ISPM().ClearFaults()
	d.must(0, "apply", "-auto-approve", "-input=false", "-no-color")
	if err := env.sourcesMatch(apps); err != nil {
		t.Fatal(err)
	}
	list := d.must(0, "state", "list")
	for _, a := range apps {
		if !strings.Contains(list.stdout, "ispm_source_connection."+a.Key+"\n") {
			t.Fatalf("the state lacks %s:\n%s", a.Key, list.stdout)
		}
		src := env.acmeSources()[a.Key][0]
		show := d.must(0, "state", "show", "-no-color", "ispm_source_connection."+a.Key)
		if !strings.Contains(show.stdout, fmt.Sprintf("%q", src.ID)) {
			t.Fatalf("the state of %s does not name ISPM's source %s:\n%s", a.Key, src.ID, show.stdout)
		}
	}
	d.must(0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	d.must(0, "destroy", "-auto-approve", "-input=false", "-no-color")
	if left := env.acmeSources(); len(left) != 0 {
		t.Fatalf("destroy left %d sources", len(left))
	}
}

// skewedClock is the sandbox's clock: Okta's (and ISPM's) idea of now,
// which a test moves forward to play a rate-limit window to its end.
type skewedClock struct{ offset atomic.Int64 }

func (c *skewedClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// exhaustApps spends what is left of acme's apps bucket, then moves Okta's
// clock to a little before the window's end: the provider meets an empty
// bucket that resets in a few seconds.
func exhaustApps(t *testing.T, env *accEnv, clock *skewedClock, left time.Duration) {
	t.Helper()
	org := env.SB.Org("acme")
	for i := 0; ; i++ {
		if i == 20 {
			t.Fatal("the apps bucket did not run out")
		}
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, org.URL()+"/api/v1/apps?limit=1", nil)
		req.Header.Set("Authorization", "SSWS "+org.APIToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	reset := time.Unix(org.RateLimitUsage()[oktasim.BucketApps].Reset, 0)
	clock.offset.Add(int64(reset.Add(-left).Sub(clock.Now())))
	org.ResetRequestCounts()
}

// oktaAppsAnswers counts acme's answers on the app listing: 429s and 200s.
func oktaAppsAnswers(env *accEnv) (limited, ok int64) {
	c := env.SB.Org("acme").RequestCounts()[oktasim.EndpointListApps]
	return c.RateLimited, c.Statuses[http.StatusOK]
}

// TestAccReliabilityOktaRateLimitStorm: acme's apps bucket allows two
// requests a minute and is empty when each command starts. Applies and
// plans wait for the reset instead of failing; with no retries left, the
// diagnostic names the API, the bucket and when it resets.
func TestAccReliabilityOktaRateLimitStorm(t *testing.T) {
	t.Parallel()
	d := newTFDir(t)
	clock := &skewedClock{}
	env := newAccEnvWithOptions(t, []sandbox.Option{sandbox.WithClock(clock.Now)}, withoutSources, func(sc *sandbox.Scenario) {
		two := 2
		for i := range sc.OktaOrgs {
			if sc.OktaOrgs[i].Name == "acme" {
				sc.OktaOrgs[i].RateLimits.Apps = &two
			}
		}
	})
	apps := env.installSpare(t, 2)
	config := "variable \"max_retries\" {\n  type    = number\n  default = 5\n}\n" +
		cliProviderBlock(env, "max_retries = var.max_retries") + connectionsHCL(env.Domain("acme"), apps)
	d.write(config)
	const wait = 2500 * time.Millisecond

	exhaustApps(t, env, clock, wait)
	res := d.must(0, "apply", "-auto-approve", "-input=false", "-no-color")
	if limited, ok := oktaAppsAnswers(env); limited == 0 || ok == 0 || res.elapsed < wait-time.Second || res.elapsed > 30*time.Second {
		t.Fatalf("apply: %d 429s and %d answers from the listing in %s; want it to meet the empty bucket and wait for the reset, %s away on Okta's clock\n%s", limited, ok, res.elapsed, wait, res)
	}
	if err := env.sourcesMatch(apps); err != nil {
		t.Fatal(err)
	}

	exhaustApps(t, env, clock, wait)
	res = d.must(0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if limited, ok := oktaAppsAnswers(env); limited == 0 || ok == 0 || res.elapsed < wait-time.Second || res.elapsed > 30*time.Second {
		t.Fatalf("plan: %d 429s and %d answers from the listing in %s; want it to wait for the reset, %s away on Okta's clock\n%s", limited, ok, res.elapsed, wait, res)
	}

	// No retries: a plan that needs Okta's word (an instance ISPM has not
	// seen yet) reports the 429 on every check it leaves unverified,
	// naming Okta, the bucket and the moment it resets.
	workday := env.installReady(t, "acme", "workday", "Workday")
	d.write(config + connectionConfig("workday", env.Domain("acme"), "workday", []string{workday}))
	exhaustApps(t, env, clock, 40*time.Second)
	reset := time.Unix(env.SB.Org("acme").RateLimitUsage()[oktasim.BucketApps].Reset, 0).UTC().Format(time.RFC3339)
	res = d.run("plan", "-input=false", "-no-color", "-var", "max_retries=0")
	out := regexp.MustCompile(`\s+`).ReplaceAllString(res.stdout+res.stderr, " ")
	want := fmt.Sprintf("GET /api/v1/apps on the Okta org %s was rate limited (429 E0000047) in Okta's apps (GET /api/v1/apps and /api/v1/apps/{id}/*) bucket (limit 2 per minute, 0 remaining, resets at %s)",
		env.Domain("acme"), reset)
	if !strings.Contains(out, want) {
		t.Fatalf("the plan does not say %q\n%s", want, res)
	}
	if res.elapsed > 20*time.Second {
		t.Fatalf("with no retries the plan still took %s", res.elapsed)
	}
	// A minute later the bucket is full again.
	clock.offset.Add(int64(time.Minute))
	d.write(config)
	d.must(0, "destroy", "-auto-approve", "-input=false", "-no-color")
}

// TestAccReliabilityISPMRateLimitStorm: ISPM answers 429 with Retry-After.
// The apply slows down and succeeds; with the retries spent, the error
// names the API, the request and when to try again.
func TestAccReliabilityISPMRateLimitStorm(t *testing.T) {
	t.Parallel()
	d := newTFDir(t)
	env := newAccEnv(t, withoutSources)
	apps := env.installSpare(t, 3)
	d.write("variable \"max_retries\" {\n  type    = number\n  default = 5\n}\n" +
		cliProviderBlock(env, "max_retries = var.max_retries") + connectionsHCL(env.Domain("acme"), apps))
	storm := func(n int) {
		if err := env.SB.ISPM().SetFaults(ispmsim.Faults{RateLimitNext: n, RetryAfter: ispmsim.Duration(time.Second)}); err != nil {
			t.Fatal(err)
		}
	}

	storm(4)
	res := d.must(0, "apply", "-auto-approve", "-input=false", "-no-color")
	if f := env.SB.ISPM().CurrentFaults(); f.RateLimitNext != 0 || res.elapsed < time.Second {
		t.Fatalf("%d 429s left unserved, apply took %s; want every 429 met and waited out\n%s", f.RateLimitNext, res.elapsed, res)
	}
	if err := env.sourcesMatch(apps); err != nil {
		t.Fatal(err)
	}

	storm(100)
	res = d.run("plan", "-input=false", "-no-color", "-var", "max_retries=1")
	out := regexp.MustCompile(`\s+`).ReplaceAllString(res.stdout+res.stderr, " ")
	if res.code == 0 || !regexp.MustCompile(`ISPM API GET /api/v1/\S+ answered 429 Too Many Requests: .*ISPM is rate limiting this token\. The answer stayed the same over 2 attempts: the one retry allowed \(max_retries\) was made\. Try again in 1s`).MatchString(out) {
		t.Fatalf("want a failed plan naming ISPM's 429 and when to retry, got %s", res)
	}
	env.SB.ISPM().ClearFaults()
	d.must(0, "destroy", "-auto-approve", "-input=false", "-no-color")
}
