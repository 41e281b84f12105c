package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// FloorCompare plans the largest N's resources in alternating rounds with
// the provider and with the do-nothing floor provider (same schema, same
// process setup), fresh and in the applied state, generous limits. One pair
// of plans swings by ±20 % with what else the machine does; the medians of
// alternating rounds are what the floor target judges.
type FloorCompare struct {
	N       int          `json:"n"`
	Profile string       `json:"profile"`
	Steps   []FloorRound `json:"steps"`
}

// FloorRound is one step's rounds: Ours[i] and Floor[i] ran one after the
// other, in alternating order.
type FloorRound struct {
	Step  string        `json:"step"`
	Ours  []FloorSample `json:"ours"`
	Floor []FloorSample `json:"floor"`
}

// FloorSample is one plan of a FloorCompare.
type FloorSample struct {
	WallSeconds         float64 `json:"wall_seconds"`
	TerraformCPUSeconds float64 `json:"terraform_cpu_seconds"`
	ProviderCPUSeconds  float64 `json:"provider_cpu_seconds"`
	OK                  bool    `json:"ok"`
}

// floorHere tells the run of the floor comparison: the largest N,
// generous limits, with the floor provider's own runs beside it.
func (r *runner) floorHere(profile string, n int) bool {
	return r.opts.FloorRounds > 0 && profile == ProfileGenerous && n == slices.Max(r.opts.Ns) && slices.Contains(r.opts.Configs, ConfigFloor)
}

// floorDir is where the floor provider plans step: its own run's directory
// (which holds the applied state after its apply) for the applied-state
// plan, a directory without state for the fresh plan.
func (r *runner) floorDir(c ispmConfig, step string) (string, error) {
	dir := filepath.Join(r.work, fmt.Sprintf("n%d-%s", c.n, ConfigFloor))
	if step == StepPlanApplied {
		if _, err := os.Stat(filepath.Join(dir, "terraform.tfstate")); err != nil {
			return "", fmt.Errorf("the floor provider's applied state is missing (its apply failed?): %w", err)
		}
		return dir, nil
	}
	dir += "-fresh"
	return dir, writeConfig(dir, floorConfig(c.conns))
}

// floorCompare plans step of c FloorRounds times with the provider and
// with the floor provider, alternating which goes first, so that the
// machine's load weighs on both alike. Our plan of step must already have
// run in c.dir (so the state there is the step's).
func (r *runner) floorCompare(ctx context.Context, sb *sandbox.Sandbox, c ispmConfig, step string) error {
	if r.floor == nil {
		r.floor = &FloorCompare{N: c.n, Profile: c.profile}
	}
	fdir, err := r.floorDir(c, step)
	if err != nil {
		return err
	}
	fr := FloorRound{Step: step}
	defer func() { r.floor.Steps = append(r.floor.Steps, fr) }()
	org := sb.Org(r.org.Params.Name)
	return alternating(ctx, r.opts.FloorRounds, func(round int, ours bool) error {
		tf, dir, label := r.floorTF, fdir, "floor"
		if ours {
			org.ResetRateLimitWindows()
			tf, dir, label = r.tf, c.dir, "ours"
		}
		res := tf.run(ctx, dir, filepath.Join(c.dir, fmt.Sprintf("floor-round-%s-%s-%d.log", step, label, round)), "plan")
		s := FloorSample{WallSeconds: res.Wall.Seconds(), TerraformCPUSeconds: res.TerraformCPU.Seconds(),
			ProviderCPUSeconds: res.ProviderCPU.Seconds(), OK: res.Err == nil}
		if ours {
			fr.Ours = append(fr.Ours, s)
		} else {
			fr.Floor = append(fr.Floor, s)
		}
		r.done++
		fmt.Fprintf(r.progress, "[%d/%d] N=%-3d floor round %d %-12s %-5s %7.1fs  cpu tf %.2fs provider %.2fs\n", r.done, r.total, c.n, round+1,
			step, label, s.WallSeconds, s.TerraformCPUSeconds, s.ProviderCPUSeconds)
		if res.Err != nil {
			return fmt.Errorf("floor round %d (%s, %s): %w", round+1, step, label, res.Err)
		}
		return nil
	})
}

// floorMedians are the medians of one side of a FloorRound: wall time
// and CPU time of Terraform plus the provider.
func floorMedians(ss []FloorSample) (wall, cpu float64) {
	var walls, cpus []float64
	for _, s := range ss {
		if s.OK {
			walls = append(walls, s.WallSeconds)
			cpus = append(cpus, s.TerraformCPUSeconds+s.ProviderCPUSeconds)
		}
	}
	return median(walls), median(cpus)
}

// floorRoundsTarget judges the floor target from the rounds: the median
// wall time of each step within floorLimit of the floor's median.
func floorRoundsTarget(fc *FloorCompare, name string) Target {
	t := Target{Name: name}
	var parts []string
	ok := len(fc.Steps) == 2
	for _, st := range fc.Steps {
		wo, co := floorMedians(st.Ours)
		wf, cf := floorMedians(st.Floor)
		if wo == 0 || wf == 0 {
			ok = false
			parts = append(parts, fmt.Sprintf("%s: a round failed", st.Step))
			continue
		}
		s := fmt.Sprintf("%s: medians of %d alternating rounds %.2f s vs %.2f s = %.2f× [CPU, Terraform + provider: %.2f s vs %.2f s = %.2f×]",
			st.Step, len(st.Ours), wo, wf, wo/wf, co, cf, co/cf)
		if wo/wf > floorLimit {
			ok = false
			s += " (over)"
		}
		parts = append(parts, s)
	}
	if len(fc.Steps) < 2 {
		parts = append(parts, "only the fresh plan's rounds ran (the apply failed?)")
	}
	t.Status, t.Detail = TargetMissed, fmt.Sprintf("N=%d, %s limits: %s", fc.N, fc.Profile, strings.Join(parts, "; "))
	if ok {
		t.Status = TargetMet
	}
	return t
}

// formatFloor writes the floor comparison's rounds.
func formatFloor(ew io.Writer, fc *FloorCompare) error {
	if fc == nil {
		return nil
	}
	fmt.Fprintf(ew, "\n== the provider vs the floor provider: plans of N=%d, %s limits, alternating rounds\n", fc.N, fc.Profile)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "step\tround\tprovider\twall(s)\ttf-cpu(s)\tprov-cpu(s)\tok\t")
	for _, st := range fc.Steps {
		for i := range max(len(st.Ours), len(st.Floor)) {
			for _, side := range []struct {
				name string
				ss   []FloorSample
			}{{"ours", st.Ours}, {"floor", st.Floor}} {
				if i < len(side.ss) {
					s := side.ss[i]
					fmt.Fprintf(tw, "%s\t%d\t%s\t%.2f\t%.2f\t%.2f\t%v\t\n", st.Step, i+1, side.name, s.WallSeconds, s.TerraformCPUSeconds, s.ProviderCPUSeconds, s.OK)
				}
			}
		}
	}
	return tw.Flush()
}
