package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The acme org's instances that examples/readiness-only must find not
// ready, and the check each fails (see internal/sandbox/README.md, "The
// default scenario").
var notReady = map[string]string{
	"0oaLATg5EewIMeVcOxuf": "P5_PROVISIONING", // Slack (Sandbox workspace)
	"0oanmMaYeApl2IxgQlZP": "P4_ACTIVE",       // Slack (Legacy)
}

// fixes is the to_fix output of examples/readiness-only: per app and
// instance, the failing checks with their fix and Admin Console page.
type fixes map[string]map[string]struct {
	Label   string `json:"label"`
	Failing map[string]struct {
		Fix     []string `json:"fix"`
		Console string   `json:"console"`
	} `json:"failing"`
}

// readinessOnly runs examples/readiness-only against the acme org with only
// its OKTA_* variables set, and checks that the sandbox's ISPM was not
// asked anything.
func (d *demo) readinessOnly(ctx context.Context) error {
	tf := d.okta
	var vars []string
	for _, kv := range tf.env {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ISPM_") {
			return fmt.Errorf("the environment of this step must not set ISPM's %s", k)
		}
		if strings.HasPrefix(k, "OKTA_") {
			vars = append(vars, k)
		}
	}
	fmt.Fprintf(d.out, "    provider \"ispm\" {} with %s in the environment, and no ISPM_* variable.\n", strings.Join(vars, ", "))
	fmt.Fprintf(d.out, "    okta_org = \"acme\", apps = [\"slack\"], must_stay_ready = { slack = [%q] }\n", slackReady)
	before := d.ispmRequests()

	fmt.Fprintln(d.out, "    $ terraform apply -refresh-only -auto-approve -input=false -no-color   (output hidden: the values follow)")
	out, err := tf.quiet(ctx, "apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		return err
	}
	if !strings.Contains(out, "Apply complete!") {
		return fmt.Errorf("terraform apply -refresh-only did not complete:\n%s", out)
	}
	if strings.Contains(out, "Check block assertion failed") {
		return fmt.Errorf("the instances_stay_ready check failed, but %s is ready:\n%s", slackReady, out)
	}
	// The output is hidden: a warning (an instance not judged from Okta,
	// say) would mean the story below is not what happened.
	if strings.Count(out, "Warning:") > strings.Count(out, overrideWarningStart) {
		return fmt.Errorf("terraform apply -refresh-only warned:\n%s", out)
	}
	fmt.Fprintln(d.out, "    $ terraform output -json ready; terraform output -json to_fix; terraform output -json unverified")
	var ready map[string][]string
	if err := tf.output(ctx, "ready", &ready); err != nil {
		return err
	}
	var toFix fixes
	if err := tf.output(ctx, "to_fix", &toFix); err != nil {
		return err
	}
	// Per app and instance, the checks Okta cannot decide, with why.
	var unverified map[string]map[string]map[string]string
	if err := tf.output(ctx, "unverified", &unverified); err != nil {
		return err
	}
	if n, diff := requestsSince(before, d.ispmRequests()); n != 0 {
		return fmt.Errorf("ISPM is not configured, yet the sandbox's ISPM received %d request(s): %v", n, diff)
	}
	p1, err := checkVerdicts(ready, toFix, unverified)
	if err != nil {
		return err
	}
	for _, app := range slices.Sorted(maps.Keys(unverified)) {
		for _, id := range ready[app] {
			fmt.Fprintf(d.out, "    %s %s: okta_ready = true%s\n", app, id, unverifiedNote(unverified[app][id]))
		}
		for _, id := range slices.Sorted(maps.Keys(toFix[app])) {
			inst := toFix[app][id]
			fmt.Fprintf(d.out, "    %s %s %q: okta_ready = false%s\n", app, id, inst.Label, unverifiedNote(unverified[app][id]))
			for _, check := range slices.Sorted(maps.Keys(inst.Failing)) {
				c := inst.Failing[check]
				fmt.Fprintf(d.out, "      %s fails. Admin Console: %s\n", check, c.Console)
				for i, step := range c.Fix {
					fmt.Fprintf(d.out, "        %d. %s\n", i+1, step)
				}
			}
		}
	}
	fmt.Fprintf(d.out, "    P1_ORG_CONNECTED, everywhere: %q\n", p1)
	fmt.Fprintf(d.out, "    The instances_stay_ready check holds: %s is ready.\n", slackReady)
	fmt.Fprintf(d.out, "    The sandbox's ISPM received 0 requests during this step (its counters: GET %s/requests);\n", d.info.ISPM.Control)
	fmt.Fprintln(d.out, "    every verdict above came from Okta alone.")
	return nil
}

// checkVerdicts checks the outputs against the sandbox's acme org as the
// quickstart left it: both Slack instances it connected ready, the
// instances of notReady not, each failing check with a fix and a console
// page, and P1 unverified everywhere, since ISPM is not configured. It
// returns P1's message.
func checkVerdicts(ready map[string][]string, toFix fixes, unverified map[string]map[string]map[string]string) (string, error) {
	for _, id := range []string{slackReady, slackEU} {
		if !slices.Contains(ready["slack"], id) {
			return "", fmt.Errorf("Slack instance %s should be ready as far as Okta can show; ready = %v", id, ready["slack"])
		}
	}
	for id, check := range notReady {
		found := false
		for app, insts := range toFix {
			inst, ok := insts[id]
			if !ok {
				continue
			}
			found = true
			if _, ok := inst.Failing[check]; !ok {
				return "", fmt.Errorf("%s instance %s should fail %s; it fails %v", app, id, check, slices.Sorted(maps.Keys(inst.Failing)))
			}
			for name, c := range inst.Failing {
				if len(c.Fix) == 0 || c.Console == "" {
					return "", fmt.Errorf("%s of %s instance %s has no fix or no Admin Console page: %+v", name, app, id, c)
				}
			}
		}
		if !found {
			return "", fmt.Errorf("instance %s should not be ready (it fails %s); to_fix does not list it", id, check)
		}
	}
	p1 := ""
	for app, insts := range unverified {
		for id, checks := range insts {
			msg, ok := checks["P1_ORG_CONNECTED"]
			if !ok || !strings.Contains(msg, "ISPM is not configured") {
				return "", fmt.Errorf("P1_ORG_CONNECTED of %s instance %s should be unverified since ISPM is not configured; unverified: %v", app, id, checks)
			}
			p1 = msg
		}
	}
	if p1 == "" {
		return "", fmt.Errorf("the unverified output lists no instance: %v", unverified)
	}
	return p1, nil
}

// unverifiedNote names the checks Okta could not decide.
func unverifiedNote(checks map[string]string) string {
	if len(checks) == 0 {
		return ""
	}
	return " (unverified: " + strings.Join(slices.Sorted(maps.Keys(checks)), ", ") + ")"
}

// ispmRequests is the sandbox's ISPM request counters.
func (d *demo) ispmRequests() map[string]int { return d.sb.ISPM().RequestCounts() }

// requestsSince counts the requests of after not yet in before, and names
// the endpoints that received them.
func requestsSince(before, after map[string]int) (int, map[string]int) {
	n, diff := 0, map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d != 0 {
			n += d
			diff[k] = d
		}
	}
	return n, diff
}
