package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// extraTargets are issue 13's targets beyond judge's: ISPM requests per
// plan and apply, plan time against the floor provider, the soft memory
// limit, and concurrent plans.
func extraTargets(rep *Report) []Target {
	maxN := 0
	for _, r := range rep.Runs {
		if isOurs(r) && r.Profile != ProfileTenth {
			maxN = max(maxN, r.N)
		}
	}
	return []Target{ispmTarget(rep.Runs, maxN), floorTarget(rep.Runs, rep.Floor, maxN), memoryTarget(rep.Memory), concurrentTarget(rep.Concurrent)}
}

// ispmPlanMax is the ceiling on ISPM requests of an applied-state plan at
// any N: the org list, the gallery's pages and one paged listing of the
// org's sources, instead of one read per connection.
const ispmPlanMax = 10

// ispmTarget: the applied-state plan sends at most ispmPlanMax ISPM
// requests, and an apply at most its creates plus two requests per
// connection plus a constant (the wait's read of each new connection, and
// the gallery and source lists of the plan and apply walks).
func ispmTarget(runs []RunResult, maxN int) Target {
	t := Target{Name: fmt.Sprintf("ISPM requests: applied-state plan ≤ %d at every N; apply ≤ creates + 2 per connection + 20", ispmPlanMax)}
	var parts []string
	seen, ok := 0, true
	for _, r := range runs {
		if r.Config != ConfigResources || !r.OK || (r.Step != StepPlanApplied && r.Step != StepApply) {
			continue
		}
		seen++
		creates, reads := r.ISPM.ByEndpoint["POST /api/v1/sources"], r.ISPM.ByEndpoint["GET /api/v1/sources/{sourceId}"]
		limit := ispmPlanMax
		if r.Step == StepApply {
			limit = creates + 2*r.N + 20
		}
		s := fmt.Sprintf("%s: %d (%d creates, %d single reads, %d source listings) ≤ %d", where(r), r.ISPM.Total, creates, reads,
			r.ISPM.ByEndpoint["GET /api/v1/sources"], limit)
		if r.ISPM.Total > limit {
			ok = false
			s = strings.Replace(s, " ≤ ", " > ", 1)
		}
		if r.N == maxN || r.ISPM.Total > limit {
			parts = append(parts, s)
		}
	}
	switch {
	case seen == 0:
		t.Status, t.Detail = TargetNotRun, "no apply or applied-state plan of the resources ran"
	case ok:
		t.Status, t.Detail = TargetMet, fmt.Sprintf("all %d commands within; at the largest N: %s", seen, strings.Join(parts, "; "))
	default:
		t.Status, t.Detail = TargetMissed, strings.Join(parts, "; ")
	}
	return t
}

// floorLimit is how much slower than the do-nothing floor provider (same
// schema, same process setup) the provider's resource plans may be.
const floorLimit = 1.15

// floorTarget judges the medians of the floor comparison's rounds when
// they ran, else the single pair of plans of the main runs.
func floorTarget(runs []RunResult, fc *FloorCompare, maxN int) Target {
	t := Target{Name: fmt.Sprintf("plan time at N = 500 ≤ %.2f× the floor provider's (fresh and applied state, generous limits)", floorLimit)}
	if maxN != 500 {
		t.Name += fmt.Sprintf(" (largest N run is %d)", maxN)
	}
	if fc != nil && fc.N == maxN && len(fc.Steps) > 0 {
		return floorRoundsTarget(fc, t.Name)
	}
	var parts []string
	seen, ok := 0, true
	for _, r := range runs {
		if r.Config != ConfigResources || r.N != maxN || !isPlan(r.Step) || r.Profile == ProfileTenth {
			continue
		}
		if r.FloorRatio == 0 {
			if r.Profile == ProfileGenerous {
				seen++
				ok = false
				parts = append(parts, fmt.Sprintf("%s: no floor ratio (%s)", where(r), orNone([]string{r.Error, "the floor did not run"})))
			}
			continue
		}
		s := fmt.Sprintf("%s %s %.2f s vs %.2f s = %.2f×", r.Profile, r.Step, r.WallSeconds, r.FloorSeconds, r.FloorRatio)
		if f, ok := floorRun(runs, r); ok && f.TerraformCPUSeconds+f.ProviderCPUSeconds > 0 {
			// CPU time is what a loaded machine distorts least.
			ours, floor := r.TerraformCPUSeconds+r.ProviderCPUSeconds, f.TerraformCPUSeconds+f.ProviderCPUSeconds
			s += fmt.Sprintf(" [CPU, Terraform + provider: %.2f s vs %.2f s = %.2f×]", ours, floor, ours/floor)
		}
		if r.Profile == ProfileGenerous {
			seen++
			if r.FloorRatio > floorLimit {
				ok = false
				s += " (over)"
			}
		} else {
			s += " (not judged: Okta pacing may add waits)"
		}
		parts = append(parts, s)
	}
	switch {
	case seen == 0:
		t.Status, t.Detail = TargetNotRun, fmt.Sprintf("no generous resources plan at N = %d with the floor beside it", maxN)
	case ok:
		t.Status, t.Detail = TargetMet, strings.Join(parts, "; ")
	default:
		t.Status, t.Detail = TargetMissed, strings.Join(parts, "; ")
	}
	return t
}

// floorRun is the floor provider's run of r's N and step.
func floorRun(runs []RunResult, r RunResult) (RunResult, bool) {
	for _, f := range runs {
		if f.Config == ConfigFloor && f.N == r.N && f.Step == r.Step && f.OK {
			return f, true
		}
	}
	return RunResult{}, false
}

// formatExtra writes the memory comparison and the concurrent runs.
func formatExtra(ew io.Writer, rep *Report) error {
	if err := formatFloor(ew, rep.Floor); err != nil {
		return err
	}
	if mc := rep.Memory; mc != nil {
		fmt.Fprintf(ew, "\n== soft memory limit (%s, the provider's default) vs GOMEMLIMIT=off: applied-state plan, N=%d, %s limits, alternating rounds\n",
			mb(mc.SoftLimitBytes), mc.N, mc.Profile)
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "round\tlimit\twall(s)\tprov-cpu(s)\tpeak(MB)\tok\t")
		for i := range max(len(mc.WithLimit), len(mc.WithoutLimit)) {
			for _, side := range []struct {
				name string
				ss   []MemorySample
			}{{"soft", mc.WithLimit}, {"off", mc.WithoutLimit}} {
				if i < len(side.ss) {
					s := side.ss[i]
					fmt.Fprintf(tw, "%d\t%s\t%.2f\t%.2f\t%s\t%v\t\n", i+1, side.name, s.WallSeconds, s.ProviderCPUSeconds,
						strings.TrimSuffix(mb(s.ProviderPeakRSSBytes), " MB"), s.OK)
				}
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if len(rep.Concurrent) > 0 {
		fmt.Fprintf(ew, "\n== concurrent plans: K workspaces (own directory and state) planned at once against one org, realistic limits\n")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "K\tconns+ds each\twall(s)\tslowest plan(s)\tok\tokta\tapps\tapp_get\tgroups\t429\tispm\tpeak(MB)\tprov-cpu(s)\t")
		for _, c := range rep.Concurrent {
			slowest := 0.0
			for _, s := range c.PlanSeconds {
				slowest = max(slowest, s)
			}
			fmt.Fprintf(tw, "%d\t%d+%d\t%.1f\t%.1f\t%d/%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%.1f\t\n", c.K, c.ConnectionsPerPlan, c.DataSourcesPerPlan,
				c.WallSeconds, slowest, c.OK, c.K, c.Okta.Total, c.Okta.ByBucket["apps"], c.Okta.ByBucket["app_get"], c.Okta.ByBucket["groups"],
				c.Okta.RateLimited, c.ISPM.Total, strings.TrimSuffix(mb(c.ProviderPeakRSSBytes), " MB"), c.ProviderCPUSeconds)
		}
		return tw.Flush()
	}
	return nil
}
