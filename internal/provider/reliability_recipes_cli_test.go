package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// The drift guide's scheduled check and Ctrl-C, run as a user runs them:
// the real terraform binary against the built provider.

// oneLine is terraform's output with its line wrapping undone.
func oneLine(r tfResult) string {
	return regexp.MustCompile(`[\s│]+`).ReplaceAllString(r.stdout+r.stderr, " ")
}

// changedRe finds the connections a refresh-only plan says changed.
var changedRe = regexp.MustCompile(`# ispm_source_connection\.\S+ has changed`)

// TestAccReliabilityDriftRecipeFindsOktaRegressions runs the drift guide's
// recipe as written — terraform plan -refresh-only -detailed-exitcode —
// after each kind of Okta-side regression of a connected instance
// (deactivated, provisioning off, imports off, removed). Each exits 2 with
// the regression's warning; once the change is accepted (terraform apply
// -refresh-only), the recipe exits 0 again. Before any regression it exits
// 0 and warns of nothing.
func TestAccReliabilityDriftRecipeFindsOktaRegressions(t *testing.T) {
	t.Parallel()
	d := newTFDir(t)
	env := newAccEnv(t, withoutSources)
	apps := env.installSpare(t, 4)
	d.write(cliProviderBlock(env) + connectionsHCL(env.Domain("acme"), apps))
	d.must(0, "apply", "-auto-approve", "-input=false", "-no-color")
	recipe := []string{"plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color"}
	if out := oneLine(d.must(0, recipe...)); strings.Contains(out, "no longer meets") || changedRe.MatchString(out) {
		t.Fatalf("with nothing changed the recipe says: %s", out)
	}

	org := env.SB.Org("acme")
	off := false
	update := func(u oktasim.AppUpdate) func(string) error {
		return func(id string) error { _, err := org.UpdateApp(id, u); return err }
	}
	for i, rg := range []struct {
		what  string
		do    func(id string) error
		check string
	}{
		{"deactivated", org.Deactivate, "P4"},
		{"provisioning turned off", update(oktasim.AppUpdate{Provisioning: &off}), "P5"},
		{"imports turned off", update(oktasim.AppUpdate{ImportNewUsers: &off}), "P6"},
		{"removed", org.Remove, "P3"},
	} {
		a := apps[i]
		if err := rg.do(a.ID); err != nil {
			t.Fatalf("%s: %v", rg.what, err)
		}
		res := d.must(2, recipe...)
		out := oneLine(res)
		for _, want := range []string{
			fmt.Sprintf("ispm_source_connection.%s has changed", a.Key),
			`status = "ready" -> "failing"`,
			fmt.Sprintf("Warning: Instance %s", a.ID),
			"no longer meets " + rg.check,
		} {
			if !strings.Contains(out, want) {
				t.Fatalf("instance %s: the recipe does not say %q\n%s", rg.what, want, res)
			}
		}
		if n := len(changedRe.FindAllString(out, -1)); n != 1 {
			t.Fatalf("instance %s: %d connections changed, want 1\n%s", rg.what, n, res)
		}
		// Accepted into the state, it is no longer a change (the
		// warning stays while the prerequisite fails).
		d.must(0, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
		if out := oneLine(d.must(0, recipe...)); changedRe.MatchString(out) || !strings.Contains(out, "no longer meets "+rg.check) {
			t.Fatalf("after accepting instance %s: %s", rg.what, out)
		}
	}
	// A normal plan proposes nothing for any of it.
	d.must(0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
}

// stateResources reads terraform show -json: each ispm_source_connection's
// id and whether it is tainted, by name.
func stateResources(t *testing.T, d *tfDir) map[string]struct {
	ID      string
	Tainted bool
} {
	t.Helper()
	res := d.must(0, "show", "-json", "-no-color")
	var doc struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Type    string `json:"type"`
					Name    string `json:"name"`
					Tainted bool   `json:"tainted"`
					Values  struct {
						ID string `json:"id"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("terraform show -json: %v\n%s", err, res)
	}
	out := map[string]struct {
		ID      string
		Tainted bool
	}{}
	for _, r := range doc.Values.RootModule.Resources {
		if r.Type == "ispm_source_connection" {
			out[r.Name] = struct {
				ID      string
				Tainted bool
			}{r.Values.ID, r.Tainted}
		}
	}
	return out
}

// stateAgreesWithISPM checks that every connection in the state is ISPM's
// one source for its app, untainted, and that ISPM has no other source in
// acme: 0 duplicates, 0 orphans.
func stateAgreesWithISPM(t *testing.T, d *tfDir, env *accEnv, apps []spareApp) {
	t.Helper()
	state := stateResources(t, d)
	sources := env.acmeSources()
	for _, a := range apps {
		r, inState := state[a.Key]
		ss := sources[a.Key]
		switch {
		case len(ss) > 1:
			t.Errorf("duplicate: ISPM has %d sources for %s", len(ss), a.Key)
		case len(ss) == 1 && !inState:
			t.Errorf("orphan: ISPM's source %s for %s is not in the state", ss[0].ID, a.Key)
		case len(ss) == 0 && inState:
			t.Errorf("the state holds %s (%s), which ISPM does not have", a.Key, r.ID)
		case inState && r.ID != ss[0].ID:
			t.Errorf("the state's %s is %s; ISPM's source is %s", a.Key, r.ID, ss[0].ID)
		case inState && r.Tainted:
			t.Errorf("%s (%s) is tainted", a.Key, r.ID)
		}
		delete(sources, a.Key)
	}
	for app, ss := range sources {
		t.Errorf("orphan: ISPM has %d source(s) for %s, which the configuration does not declare", len(ss), app)
	}
}

// interrupt sends Ctrl-C (SIGINT to terraform and its plugins) once ready
// holds, and waits for terraform to stop.
func interrupt(t *testing.T, d *tfDir, ready func() bool, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd, stdout, stderr := d.command(ctx, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "the moment to interrupt terraform "+args[0], ready)
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	t.Logf("interrupted terraform %s returned %v\nstdout:\n%s\nstderr:\n%s", args[0], err, stdout, stderr)
}

// TestAccReliabilityInterruptedWaitKeepsConnections: Ctrl-C while every
// create waits for ISPM to report CONNECTED. The connections stay in the
// state untainted; the next plan replaces nothing and gives no "made in the
// ISPM console" warning; ISPM holds no duplicate and no orphan. Then
// Ctrl-C mid-destroy, while ISPM is slow to delete: state and ISPM still
// agree, and the next destroy leaves nothing.
func TestAccReliabilityInterruptedWaitKeepsConnections(t *testing.T) {
	t.Parallel()
	d := newTFDir(t)
	env := newAccEnv(t, withoutSources, func(sc *sandbox.Scenario) {
		never := 1 << 30 // reads that show a new source CONNECTING
		sc.ISPM.ConnectAfterReads = &never
	})
	apps := env.installSpare(t, 3)
	d.write(cliProviderBlock(env) + connectionsHCL(env.Domain("acme"), apps))

	// Every create answered and each source read back at least once: all
	// three are in the wait.
	interrupt(t, d, func() bool {
		n := 0
		for _, ss := range env.acmeSources() {
			n += len(ss)
		}
		return n == len(apps) && env.SB.ISPM().RequestCounts()["GET /api/v1/sources/{sourceId}"] >= 2*len(apps)
	}, "apply", "-auto-approve", "-input=false", "-no-color")
	stateAgreesWithISPM(t, d, env, apps)
	if t.Failed() {
		t.FailNow()
	}

	// Still CONNECTING: the next plan says so for each, since nothing
	// else (no taint, no diff) would show it.
	out := oneLine(d.must(0, "plan", "-input=false", "-no-color"))
	for _, ss := range env.acmeSources() {
		if want := fmt.Sprintf("ISPM connection %s is CONNECTING", ss[0].ID); !strings.Contains(out, want) {
			t.Fatalf("the plan after the interrupted apply does not say %q: %s", want, out)
		}
	}

	// ISPM finishes connecting; the next plan reads it and changes nothing.
	for _, ss := range env.acmeSources() {
		connected := ispm.SourceConnected
		if _, err := env.SB.ISPM().EditSource(ss[0].ID, ispmsim.SourceEdit{Status: &connected}); err != nil {
			t.Fatal(err)
		}
	}
	res := d.must(0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if out := oneLine(res); strings.Contains(out, "ISPM console") || strings.Contains(out, "replaced") || strings.Contains(out, "already has a connection") ||
		strings.Contains(out, "CONNECTING") {
		t.Fatalf("the plan after the interrupted apply: %s", res)
	}
	if n := env.creates(); n != len(apps) {
		t.Fatalf("ISPM received %d creates for %d connections", n, len(apps))
	}

	// Ctrl-C while the deletes are slow.
	if err := env.SB.ISPM().SetFaults(ispmsim.Faults{Methods: []string{"DELETE"}, PathPrefix: "/api/v1/sources", Latency: ispmsim.Duration(10 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	interrupt(t, d, func() bool { return env.SB.ISPM().RequestCounts()["DELETE /api/v1/sources/{sourceId}"] > 0 },
		"destroy", "-auto-approve", "-input=false", "-no-color", "-parallelism=1")
	env.SB.ISPM().ClearFaults()
	stateAgreesWithISPM(t, d, env, apps)
	d.must(0, "destroy", "-auto-approve", "-input=false", "-no-color")
	if left := env.acmeSources(); len(left) != 0 {
		t.Fatalf("destroy left %d sources", len(left))
	}
}

// TestAccReliabilityFaultedAppliesConverge: with about 45 % of ISPM's
// answers faulted (errors, dropped connections, answers lost after the
// work was done) and 25 % of Okta's (seeded), applies of eight connections
// converge within a few runs of the real CLI, with 0 duplicate and 0
// orphan sources, a plan with nothing to do, and destroys that leave
// nothing.
func TestAccReliabilityFaultedAppliesConverge(t *testing.T) {
	t.Parallel()
	d := newTFDir(t)
	// A few hundred more apps make Okta's listing a few pages, so that
	// Okta sees enough requests in each run for its faults to bite.
	env := newAccEnv(t, withoutSources, func(sc *sandbox.Scenario) {
		for i := range sc.OktaOrgs {
			if sc.OktaOrgs[i].Name == "acme" {
				sc.OktaOrgs[i].SyntheticApps = &oktasim.SyntheticApps{Count: 800, Seed: 3}
				budget := 1000
				sc.OktaOrgs[i].RateLimits.Apps = &budget
			}
		}
	})
	apps := env.installSpare(t, 8)
	d.write(cliProviderBlock(env, "max_retries = 4") + connectionsHCL(env.Domain("acme"), apps))
	if err := env.SB.ISPM().SetFaults(ispmsim.Faults{ErrorRate: 0.3, DropRate: 0.05, DropResponseRate: 0.1, ErrorStatus: 503, FailNext: 2, DropResponseNext: 1}); err != nil {
		t.Fatal(err)
	}
	if err := env.SB.SetOktaFaults(oktasim.Faults{ErrorRate: 0.2, DropRate: 0.05, Seed: 14}); err != nil {
		t.Fatal(err)
	}
	// until runs args until it exits 0, at most four times.
	until := func(args ...string) int {
		for run := 1; run <= 4; run++ {
			res := d.run(args...)
			t.Logf("terraform %s, run %d: exit %d", args[0], run, res.code)
			if res.code == 0 {
				return run
			}
		}
		t.Fatalf("terraform %s did not converge in four runs", args[0])
		return 0
	}
	runs := until("apply", "-auto-approve", "-input=false", "-no-color")
	stateAgreesWithISPM(t, d, env, apps)
	if err := env.sourcesMatch(apps); err != nil {
		t.Fatal(err)
	}
	// ISPM's rates are not seeded; its counted faults prove each kind
	// was served. Okta's are.
	f := env.SB.ISPM().CurrentFaults()
	if errs, dropped := env.oktaFaultCounts(); f.FailNext+f.DropResponseNext > 0 || errs+dropped == 0 {
		t.Fatalf("faults were not served: ISPM's counted faults left %+v; Okta %d errors, %d drops", f, errs, dropped)
	}
	t.Logf("converged in %d apply runs with %d creates", runs, env.creates())
	until("plan", "-detailed-exitcode", "-input=false", "-no-color")
	until("destroy", "-auto-approve", "-input=false", "-no-color")
	if left := env.acmeSources(); len(left) != 0 {
		t.Fatalf("destroy left %d sources", len(left))
	}
}

// TestAccReliabilityFailedRefreshCheckHidesNoRegression: when the
// refresh cannot check a connection's instances (ISPM's gallery answers
// 503 to its read and to the catalog read it falls back on, and
// max_retries = 0 sends each once), the plan that follows in
// the same run checks them again and reports the regression it finds. The
// refresh said only "cannot check"; the plan must not treat the regression
// as already reported.
func TestAccReliabilityFailedRefreshCheckHidesNoRegression(t *testing.T) {
	t.Parallel()
	d := newTFDir(t)
	env := newAccEnv(t, withoutSources)
	apps := env.installSpare(t, 1)
	d.write(cliProviderBlock(env, "max_retries = 0") + connectionsHCL(env.Domain("acme"), apps))
	d.must(0, "apply", "-auto-approve", "-input=false", "-no-color")
	if err := env.SB.Org("acme").Deactivate(apps[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := env.SB.ISPM().SetFaults(ispmsim.Faults{Methods: []string{"GET"}, PathPrefix: "/api/v1/catalog", FailNext: 2}); err != nil {
		t.Fatal(err)
	}
	res := d.must(0, "plan", "-input=false", "-no-color")
	out := oneLine(res)
	for _, want := range []string{
		"Cannot check the connected instances' prerequisites",
		fmt.Sprintf("Warning: Instance %s", apps[0].ID),
		"no longer meets P4",
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("the plan does not say %q\n%s", want, res)
		}
	}
}

// TestAccReliabilityModeChangeKeepsReadinessTrue: turning
// prerequisite_checks off empties readiness, turning it back on fills it
// at apply, and after each apply the drift recipe (plan -refresh-only
// -detailed-exitcode) sees no change: readiness is what a refresh would
// record, not the value from before the switch.
func TestAccReliabilityModeChangeKeepsReadinessTrue(t *testing.T) {
	t.Parallel()
	d := newTFDir(t)
	env := newAccEnv(t, withoutSources)
	a := env.installSpare(t, 1)[0]
	acme := env.Domain("acme")
	readiness := func() string {
		res := d.must(0, "show", "-json", "-no-color")
		var doc struct {
			Values struct {
				RootModule struct {
					Resources []struct {
						Values struct {
							Readiness []struct {
								Status string `json:"status"`
							} `json:"readiness"`
						} `json:"values"`
					} `json:"resources"`
				} `json:"root_module"`
			} `json:"values"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || len(doc.Values.RootModule.Resources) != 1 {
			t.Fatalf("terraform show -json: %v\n%s", err, res)
		}
		var out []string
		for _, r := range doc.Values.RootModule.Resources[0].Values.Readiness {
			out = append(out, r.Status)
		}
		return strings.Join(out, ",")
	}
	recipe := []string{"plan", "-refresh-only", "-detailed-exitcode", "-input=false", "-no-color"}
	for _, step := range []struct{ mode, want string }{{"enforce", "ready"}, {"off", ""}, {"enforce", "ready"}} {
		d.write(cliProviderBlock(env) + connectionConfig(a.Key, acme, a.Key, []string{a.ID}, fmt.Sprintf("prerequisite_checks = %q", step.mode)))
		d.must(0, "apply", "-auto-approve", "-input=false", "-no-color")
		if got := readiness(); got != step.want {
			t.Fatalf("prerequisite_checks = %q: readiness %q after apply, want %q", step.mode, got, step.want)
		}
		if out := oneLine(d.must(0, recipe...)); changedRe.MatchString(out) {
			t.Fatalf("prerequisite_checks = %q: the recipe reports a change right after apply: %s", step.mode, out)
		}
	}
}
