package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/serve"
)

// MemoryCompare is the applied-state plan of the largest N, planned in
// alternating rounds with the provider's soft memory limit (its default)
// and without it (GOMEMLIMIT=off): what the limit saves in peak memory
// and what it costs in time, measured on the same machine minutes apart.
type MemoryCompare struct {
	N              int            `json:"n"`
	Profile        string         `json:"profile"`
	SoftLimitBytes int64          `json:"soft_limit_bytes"`
	WithLimit      []MemorySample `json:"with_limit"`
	WithoutLimit   []MemorySample `json:"without_limit"`
}

// MemorySample is one plan of a MemoryCompare.
type MemorySample struct {
	WallSeconds          float64 `json:"wall_seconds"`
	ProviderCPUSeconds   float64 `json:"provider_cpu_seconds"`
	ProviderPeakRSSBytes int64   `json:"provider_peak_rss_bytes"`
	ProviderProcesses    int     `json:"provider_processes"`
	OK                   bool    `json:"ok"`
}

// withoutMemoryLimit is the provider's Terraform with GOMEMLIMIT=off in the
// provider processes' environment: a second dev_overrides directory whose
// executable is a script starting the same binary.
func (r *runner) withoutMemoryLimit() (terraform, error) {
	dir := filepath.Join(r.work, "provider-without-memory-limit")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return terraform{}, err
	}
	var b strings.Builder
	b.WriteString("#!/bin/sh\nexec env")
	for _, kv := range append(slices.Clone(r.opts.ProviderEnv), "GOMEMLIMIT=off") {
		b.WriteString(" " + shellQuote(kv))
	}
	b.WriteString(" " + shellQuote(r.tf.providerExe) + " \"$@\"\n")
	if err := os.WriteFile(filepath.Join(dir, providerBinary), []byte(b.String()), 0o755); err != nil {
		return terraform{}, err
	}
	rc := filepath.Join(r.work, "terraformrc-without-memory-limit")
	if err := os.WriteFile(rc, []byte(cliConfig(dir)), 0o600); err != nil {
		return terraform{}, err
	}
	tf := r.tf
	tf.env = terraformEnv(os.Environ(), rc)
	return tf, nil
}

// memoryCompare plans the applied state of c rounds times with and
// without the soft memory limit, alternating, so that the machine's load
// weighs on both alike.
func (r *runner) memoryCompare(ctx context.Context, sb *sandbox.Sandbox, c ispmConfig) (*MemoryCompare, error) {
	without, err := r.withoutMemoryLimit()
	if err != nil {
		return nil, err
	}
	mc := &MemoryCompare{N: c.n, Profile: c.profile, SoftLimitBytes: serve.SoftMemoryLimit}
	org := sb.Org(r.org.Params.Name)
	return mc, alternating(ctx, r.opts.MemoryRounds, func(round int, limited bool) error {
		org.ResetRateLimitWindows()
		tf, label := r.tf, "with-limit"
		if !limited {
			tf, label = without, "without-limit"
		}
		res := tf.run(ctx, c.dir, filepath.Join(c.dir, fmt.Sprintf("memory-%s-%d.log", label, round)), "plan")
		s := MemorySample{WallSeconds: res.Wall.Seconds(), ProviderCPUSeconds: res.ProviderCPU.Seconds(), ProviderPeakRSSBytes: res.PeakRSS,
			ProviderProcesses: res.ProviderProcs, OK: res.Err == nil}
		if limited {
			mc.WithLimit = append(mc.WithLimit, s)
		} else {
			mc.WithoutLimit = append(mc.WithoutLimit, s)
		}
		r.done++
		fmt.Fprintf(r.progress, "[%d/%d] N=%-3d memory round %d %-13s %7.1fs  peak %s  provider cpu %.2fs\n", r.done, r.total, c.n, round+1,
			label, s.WallSeconds, mb(s.ProviderPeakRSSBytes), s.ProviderCPUSeconds)
		if res.Err != nil {
			return fmt.Errorf("memory round %d (%s): %w", round+1, label, res.Err)
		}
		return nil
	})
}

// alternating runs rounds of two sides, side(round, true) first in even
// rounds and second in odd ones, so that the machine's load weighs on
// both alike; it stops at the first error.
func alternating(ctx context.Context, rounds int, side func(round int, first bool) error) error {
	for round := range rounds {
		for _, first := range []bool{round%2 == 0, round%2 != 0} {
			if err := side(round, first); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// summary is the medians of a side of a MemoryCompare and its largest peak.
func summary(ss []MemorySample) (wall, cpu float64, peak int64) {
	var walls, cpus []float64
	for _, s := range ss {
		walls = append(walls, s.WallSeconds)
		if s.ProviderProcesses > 0 { // else the watcher saw none of them
			cpus = append(cpus, s.ProviderCPUSeconds)
			peak = max(peak, s.ProviderPeakRSSBytes)
		}
	}
	return median(walls), median(cpus), peak
}

// memoryTarget judges the soft memory limit: the applied-state plan's peak
// under 100 MB with it, at most 5 % slower than without it.
func memoryTarget(mc *MemoryCompare) Target {
	t := Target{Name: "applied-state plan at N = 500: provider peak < 100 MB with the soft memory limit, ≤ 5 % slower than without it"}
	if mc == nil || len(mc.WithLimit) == 0 || len(mc.WithoutLimit) == 0 {
		t.Status, t.Detail = TargetNotRun, "no memory comparison ran (-memory-rounds, at the largest N, generous limits)"
		return t
	}
	wl, cl, pl := summary(mc.WithLimit)
	wo, co, po := summary(mc.WithoutLimit)
	slower := wl/wo - 1
	t.Detail = fmt.Sprintf("N=%d, %d rounds, medians: with the %s limit %.2f s wall, %.2f s provider CPU, peak %s; without %.2f s, %.2f s, peak %s; "+
		"wall %+.1f %%", mc.N, len(mc.WithLimit), mb(mc.SoftLimitBytes), wl, cl, mb(pl), wo, co, mb(po), slower*100)
	if mc.N != 500 {
		t.Detail += fmt.Sprintf(" (N = %d, not the target's 500)", mc.N)
	}
	t.Status = TargetMet
	if pl >= 100<<20 || slower > 0.05 {
		t.Status = TargetMissed
	}
	return t
}
