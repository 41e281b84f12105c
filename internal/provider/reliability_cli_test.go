package provider

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
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
// waiting when Terraform cancels it, rather than when the slow create is
// answered — and the next apply must converge with no duplicate and no
// orphan.
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

	// A stuck create is answered after stuck; the command's deadline, a
	// safety net, is well short of it, so a terraform that ends before the
	// deadline did not wait for that answer.
	const stuck = 10 * time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd, stdout, stderr := d.command(ctx, "apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=2")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Mid-way: some connections made, then a create that would hang for
	// minutes is in flight.
	waitFor(t, time.Minute, "the first connections", func() bool { return len(env.acmeSources()) >= 2 })
	slowCreates(stuck)
	// ISPM counts a request and picks its faults in one step, so every
	// create it counts from now on has the slow latency: one more create
	// than now is one stuck behind the slow ISPM. (The fast creates in
	// flight finish, and terraform sends the next.)
	switched := env.creates()
	waitFor(t, time.Minute, "a create stuck behind the slow ISPM", func() bool { return env.creates() > switched })

	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	made, sent := len(env.acmeSources()), env.creates()
	t.Logf("terraform returned %v after the interrupt, with %d of %d connections made from %d creates sent", err, made, len(apps), sent)
	if ctx.Err() != nil {
		t.Fatalf("the interrupt did not stop terraform: it was still running at the deadline\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if err == nil {
		t.Fatalf("the interrupted apply succeeded; it should have been cut short\nstdout:\n%s", stdout)
	}
	// The stuck creates were given up, not answered: ISPM made no source
	// for them (a create it answers makes exactly one).
	if made > switched || made >= sent {
		t.Fatalf("ISPM made %d sources from %d creates, %d of them sent before the switch; want the creates sent after it unanswered\nstdout:\n%s", made, sent, switched, stdout)
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

// sandboxClock is the sandbox's clock: Okta's (and ISPM's) idea of now. A
// test sets it to a little before a rate-limit window's end and holds it
// there until Okta has answered the provider's first 429, so however long
// terraform takes to start, the provider meets the empty bucket and the
// reset comes the chosen time after that 429, in real time.
type sandboxClock struct {
	mu sync.Mutex
	// at is the reading at the real instant since; while frozen the clock
	// reads at.
	at, since time.Time
	frozen    bool
	// thawOn429 starts a frozen clock at the next 429 Okta serves.
	thawOn429 bool
}

func newSandboxClock() *sandboxClock { return &sandboxClock{at: time.Now(), since: time.Now()} }

func (c *sandboxClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *sandboxClock) nowLocked() time.Time {
	if c.frozen {
		return c.at
	}
	return c.at.Add(time.Since(c.since))
}

// holdUntil429 stops the clock at t until Okta serves its next 429.
func (c *sandboxClock) holdUntil429(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.since, c.frozen, c.thawOn429 = t, time.Now(), true, true
}

// advance moves the clock forward by d, and lets it run.
func (c *sandboxClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at, c.since, c.frozen, c.thawOn429 = c.nowLocked().Add(d), time.Now(), false, false
}

// served is told of every answer an Okta org of the sandbox sends.
func (c *sandboxClock) served(status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if status == http.StatusTooManyRequests && c.thawOn429 {
		c.since, c.frozen, c.thawOn429 = time.Now(), false, false
	}
}

// servedHandler is the sandbox's request log, read for the 429s that start
// the clock. The sandbox logs each answer before it is flushed to the
// client, so the clock runs before the provider can read the 429.
type servedHandler struct{ clock *sandboxClock }

func (h servedHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h servedHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h servedHandler) WithGroup(string) slog.Handler            { return h }
func (h servedHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "okta request" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "status" && a.Value.Kind() == slog.KindInt64 {
			h.clock.served(int(a.Value.Int64()))
			return false
		}
		return true
	})
	return nil
}

// exhaustApps spends what is left of acme's apps bucket, then holds Okta's
// clock at `left` before the window's end until the provider meets the
// empty bucket: its first 429 starts the clock, and the reset follows
// `left` later in real time.
func exhaustApps(t *testing.T, env *accEnv, clock *sandboxClock, left time.Duration) {
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
	clock.holdUntil429(reset.Add(-left))
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
	clock := newSandboxClock()
	opts := []sandbox.Option{sandbox.WithClock(clock.Now), sandbox.WithLogger(slog.New(servedHandler{clock}))}
	env := newAccEnvWithOptions(t, opts, withoutSources, func(sc *sandbox.Scenario) {
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

	// Waited, not hammered: the listing meets the empty bucket once, waits
	// for the reset the 429 names and is then answered; the sandbox's clock
	// turns the window no sooner than `wait` after that 429, so a retry
	// sent sooner would meet a second 429. Each provider process lists the
	// apps once: terraform apply starts one to plan (it meets the 429) and
	// one to apply (the window has turned by then); terraform plan starts
	// one. How fast the machine is changes none of these counts.
	waited := func(what string, res tfResult, wantOK int64) {
		t.Helper()
		limited, ok := oktaAppsAnswers(env)
		t.Logf("%s: %d 429s and %d answers from the listing in %s", what, limited, ok, res.elapsed.Round(time.Millisecond))
		if limited != 1 || ok != wantOK || res.elapsed < wait {
			t.Fatalf("%s: %d 429s and %d answers from the listing in %s; want 1 and %d: it meets the empty bucket once and waits for the reset, %s away on Okta's clock, rather than retry into it\n%s", what, limited, ok, res.elapsed, wantOK, wait, res)
		}
	}

	exhaustApps(t, env, clock, wait)
	waited("apply", d.must(0, "apply", "-auto-approve", "-input=false", "-no-color"), 2)
	if err := env.sourcesMatch(apps); err != nil {
		t.Fatal(err)
	}

	exhaustApps(t, env, clock, wait)
	waited("plan", d.must(0, "plan", "-detailed-exitcode", "-input=false", "-no-color"), 1)

	// No retries: a plan that needs Okta's word (an instance ISPM has not
	// seen yet) reports the 429 on every check it leaves unverified,
	// naming Okta, the bucket and the moment it resets. The reset is put
	// four minutes away (twice the command's deadline, and near enough
	// that the provider trusts Okta's Date): a plan that waited it out
	// would be killed before any answer, so a plan that ends with the
	// message and no listing answered gave up at the 429.
	workday := env.installReady(t, "acme", "workday", "Workday")
	d.write(config + connectionConfig("workday", env.Domain("acme"), "workday", []string{workday}))
	const farReset = 4 * time.Minute
	exhaustApps(t, env, clock, farReset)
	reset := time.Unix(env.SB.Org("acme").RateLimitUsage()[oktasim.BucketApps].Reset, 0).UTC().Format(time.RFC3339)
	res := d.run("plan", "-input=false", "-no-color", "-var", "max_retries=0")
	out := regexp.MustCompile(`\s+`).ReplaceAllString(res.stdout+res.stderr, " ")
	want := fmt.Sprintf("GET /api/v1/apps on the Okta org %s was rate limited (429 E0000047) in Okta's apps (GET /api/v1/apps and /api/v1/apps/{id}/*) bucket (limit 2 per minute, 0 remaining, resets at %s)",
		env.Domain("acme"), reset)
	if !strings.Contains(out, want) {
		t.Fatalf("the plan does not say %q\n%s", want, res)
	}
	if limited, ok := oktaAppsAnswers(env); limited != 1 || ok != 0 {
		t.Fatalf("with no retries: %d 429s and %d answers from the listing; want the one 429 and no answer\n%s", limited, ok, res)
	}
	// Past the reset the bucket is full again.
	clock.advance(farReset + time.Second)
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
	if res.code == 0 || !regexp.MustCompile(`ISPM API GET /api/v1/\S+ answered 429 Too Many Requests: .*ISPM is rate limiting this token\. Each of 2 attempts failed: the one retry allowed \(max_retries\) was made\. Try again in 1s`).MatchString(out) {
		t.Fatalf("want a failed plan naming ISPM's 429 and when to retry, got %s", res)
	}
	env.SB.ISPM().ClearFaults()
	d.must(0, "destroy", "-auto-approve", "-input=false", "-no-color")
}
