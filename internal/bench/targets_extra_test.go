package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseFlagsConcurrentAndMemory(t *testing.T) {
	t.Parallel()
	var sink strings.Builder
	opts, _, err := parseFlags(nil, &sink)
	if err != nil || !slices.Equal(opts.Concurrent, []int{4, 8}) || opts.MemoryRounds != 2 || opts.FloorRounds != 3 {
		t.Fatalf("defaults: concurrent %v, memory rounds %d, floor rounds %d, %v", opts.Concurrent, opts.MemoryRounds, opts.FloorRounds, err)
	}
	opts, _, _ = parseFlags([]string{"-quick"}, &sink)
	if len(opts.Concurrent) != 0 || opts.MemoryRounds != 0 || opts.FloorRounds != 0 {
		t.Errorf("-quick: concurrent %v, memory rounds %d, floor rounds %d; want none", opts.Concurrent, opts.MemoryRounds, opts.FloorRounds)
	}
	opts, _, _ = parseFlags([]string{"-quick", "-concurrent", "2", "-memory-rounds", "1", "-floor-rounds", "5"}, &sink)
	if !slices.Equal(opts.Concurrent, []int{2}) || opts.MemoryRounds != 1 || opts.FloorRounds != 5 {
		t.Errorf("explicit flags must win over -quick: concurrent %v, memory rounds %d, floor rounds %d", opts.Concurrent, opts.MemoryRounds, opts.FloorRounds)
	}
	opts, _, _ = parseFlags([]string{"-concurrent", "0"}, &sink)
	if len(opts.Concurrent) != 0 {
		t.Errorf("-concurrent 0: %v", opts.Concurrent)
	}
	for _, bad := range [][]string{{"-concurrent", "four"}, {"-concurrent", "-1"}, {"-memory-rounds", "-1"}, {"-floor-rounds", "-2"}} {
		if _, _, err := parseFlags(bad, &sink); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

func statusOf(t *testing.T, ts []Target, prefix string) Target {
	t.Helper()
	for _, tg := range ts {
		if strings.HasPrefix(tg.Name, prefix) {
			return tg
		}
	}
	t.Fatalf("no target %q in %+v", prefix, ts)
	return Target{}
}

func ispmRun(step string, n int, counts map[string]int) RunResult {
	c := ISPMCounts{ByEndpoint: counts}
	for _, v := range counts {
		c.Total += v
	}
	return RunResult{Profile: ProfileGenerous, N: n, Config: ConfigResources, Step: step, OK: true, ISPM: c, WallSeconds: 1}
}

func TestISPMTarget(t *testing.T) {
	t.Parallel()
	perResource := ispmRun(StepPlanApplied, 500, map[string]int{"GET /api/v1/sources/{sourceId}": 500, "GET /api/v1/sources": 3, "GET /api/v1/catalog": 4})
	if tg := ispmTarget([]RunResult{perResource}, 500); tg.Status != TargetMissed || !strings.Contains(tg.Detail, "507 (0 creates, 500 single reads, 3 source listings) > 10") {
		t.Errorf("one read per resource: %+v", tg)
	}
	listed := ispmRun(StepPlanApplied, 500, map[string]int{"GET /api/v1/sources": 3, "GET /api/v1/catalog": 4, "GET /api/v1/okta-orgs": 1})
	apply := ispmRun(StepApply, 500, map[string]int{"POST /api/v1/sources": 500, "GET /api/v1/sources/{sourceId}": 500, "GET /api/v1/catalog": 8})
	if tg := ispmTarget([]RunResult{listed, apply}, 500); tg.Status != TargetMet {
		t.Errorf("one listing, and one read per create: %+v", tg)
	}
	apply.ISPM.ByEndpoint["GET /api/v1/sources/{sourceId}"] = 1600
	apply.ISPM.Total += 1100
	if tg := ispmTarget([]RunResult{listed, apply}, 500); tg.Status != TargetMissed {
		t.Errorf("an apply polling each connection three times: %+v", tg)
	}
}

func TestFloorTarget(t *testing.T) {
	t.Parallel()
	run := func(step string, ratio float64) RunResult {
		return RunResult{Profile: ProfileGenerous, N: 500, Config: ConfigResources, Step: step, OK: true, WallSeconds: ratio * 2, FloorSeconds: 2, FloorRatio: ratio}
	}
	if tg := floorTarget([]RunResult{run(StepPlanFresh, 1.1), run(StepPlanApplied, 1.14)}, nil, 500); tg.Status != TargetMet {
		t.Errorf("within 1.15×: %+v", tg)
	}
	floor := RunResult{Config: ConfigFloor, N: 500, Step: StepPlanApplied, OK: true, WallSeconds: 2, TerraformCPUSeconds: 3, ProviderCPUSeconds: 1}
	slow := run(StepPlanApplied, 1.3)
	slow.TerraformCPUSeconds, slow.ProviderCPUSeconds = 3, 1.6
	if tg := floorTarget([]RunResult{run(StepPlanFresh, 1.1), slow, floor}, nil, 500); tg.Status != TargetMissed || !strings.Contains(tg.Detail, "1.30× [CPU, Terraform + provider: 4.60 s vs 4.00 s = 1.15×] (over)") {
		t.Errorf("1.3×: %+v", tg)
	}
	noFloor := run(StepPlanApplied, 0)
	if tg := floorTarget([]RunResult{noFloor}, nil, 500); tg.Status != TargetMissed {
		t.Errorf("a generous plan without the floor beside it is not a pass: %+v", tg)
	}
	if tg := floorTarget(nil, nil, 500); tg.Status != TargetNotRun {
		t.Errorf("nothing ran: %+v", tg)
	}
}

// TestFloorTargetJudgesRounds: with the floor comparison's rounds, the
// target judges their medians, not the main runs' single pair.
func TestFloorTargetJudgesRounds(t *testing.T) {
	t.Parallel()
	sample := func(wall float64) FloorSample {
		return FloorSample{WallSeconds: wall, TerraformCPUSeconds: wall, ProviderCPUSeconds: wall / 2, OK: true}
	}
	round := func(step string, ours, floor []float64) FloorRound {
		fr := FloorRound{Step: step}
		for i := range ours {
			fr.Ours, fr.Floor = append(fr.Ours, sample(ours[i])), append(fr.Floor, sample(floor[i]))
		}
		return fr
	}
	// The main runs' pair says 1.3×; one noisy round says 1.5×; the medians
	// are within 1.15×.
	single := []RunResult{{Profile: ProfileGenerous, N: 500, Config: ConfigResources, Step: StepPlanFresh, OK: true, WallSeconds: 2.6, FloorSeconds: 2, FloorRatio: 1.3}}
	fc := &FloorCompare{N: 500, Profile: ProfileGenerous, Steps: []FloorRound{
		round(StepPlanFresh, []float64{3.0, 4.5, 3.1}, []float64{3.0, 3.0, 2.9}),
		round(StepPlanApplied, []float64{6.0, 6.2, 6.1}, []float64{6.3, 6.0, 6.1}),
	}}
	if tg := floorTarget(single, fc, 500); tg.Status != TargetMet ||
		!strings.Contains(tg.Detail, "plan_fresh: medians of 3 alternating rounds 3.10 s vs 3.00 s = 1.03×") {
		t.Errorf("medians within 1.15×: %+v", tg)
	}
	fc.Steps[0] = round(StepPlanFresh, []float64{3.6, 3.7, 3.5}, []float64{3.0, 3.0, 3.0})
	if tg := floorTarget(single, fc, 500); tg.Status != TargetMissed || !strings.Contains(tg.Detail, "1.20× [CPU, Terraform + provider: 5.40 s vs 4.50 s = 1.20×] (over)") {
		t.Errorf("medians 1.2× over: %+v", tg)
	}
	fc.Steps[0].Ours[1].OK = false
	fc.Steps[0].Ours[0].OK = false
	fc.Steps[0].Ours[2].OK = false
	if tg := floorTarget(single, fc, 500); tg.Status != TargetMissed || !strings.Contains(tg.Detail, "plan_fresh: a round failed") {
		t.Errorf("failed rounds are not a pass: %+v", tg)
	}
	fc.Steps = fc.Steps[:1]
	fc.Steps[0] = round(StepPlanFresh, []float64{3.0}, []float64{3.0})
	if tg := floorTarget(single, fc, 500); tg.Status != TargetMissed || !strings.Contains(tg.Detail, "only the fresh plan's rounds ran") {
		t.Errorf("the applied-state rounds missing is not a pass: %+v", tg)
	}
}

func TestMemoryTarget(t *testing.T) {
	t.Parallel()
	sample := func(wall float64, peakMB int64) MemorySample {
		return MemorySample{WallSeconds: wall, ProviderPeakRSSBytes: peakMB << 20, ProviderProcesses: 3, OK: true}
	}
	mc := &MemoryCompare{N: 500, Profile: ProfileGenerous, SoftLimitBytes: 72 << 20,
		WithLimit: []MemorySample{sample(3.0, 85), sample(3.2, 86)}, WithoutLimit: []MemorySample{sample(3.0, 107), sample(3.1, 108)}}
	if tg := memoryTarget(mc); tg.Status != TargetMet || !strings.Contains(tg.Detail, "+1.6 %") {
		t.Errorf("86 MB, 1.6 %% slower: %+v", tg)
	}
	mc.WithLimit[1].WallSeconds = 4 // median 3.5: 13 % slower
	if tg := memoryTarget(mc); tg.Status != TargetMissed {
		t.Errorf("13 %% slower: %+v", tg)
	}
	// A plan whose processes the watcher missed says nothing of memory.
	mc.WithLimit = []MemorySample{sample(3.0, 86), {WallSeconds: 3.0, ProviderPeakRSSBytes: 20 << 20}}
	if tg := memoryTarget(mc); !strings.Contains(tg.Detail, "peak 86.0 MB") {
		t.Errorf("a sample without processes was counted: %+v", tg)
	}
	mc.WithLimit = []MemorySample{sample(3.0, 101)}
	if tg := memoryTarget(mc); tg.Status != TargetMissed {
		t.Errorf("101 MB: %+v", tg)
	}
	if tg := memoryTarget(nil); tg.Status != TargetNotRun {
		t.Errorf("not run: %+v", tg)
	}
}

func TestConcurrentTargetAndTable(t *testing.T) {
	t.Parallel()
	okta := OktaCounts{ByBucket: map[string]int64{"apps": 240, "groups": 8}, Total: 248}
	four := ConcurrentResult{K: 4, ConnectionsPerPlan: 100, DataSourcesPerPlan: 20, OK: 4, WallSeconds: 150, PlanSeconds: []float64{140, 150, 120, 149}, Okta: okta}
	eight := four
	eight.K, eight.OK, eight.Failed = 8, 7, []string{"workspace 3: terraform plan exited with status 1"}
	eight.Okta.RateLimited = 12
	if tg := concurrentTarget([]ConcurrentResult{four}); tg.Status != TargetMet {
		t.Errorf("K=4 clean: %+v", tg)
	}
	tg := concurrentTarget([]ConcurrentResult{four, eight})
	if tg.Status != TargetMissed || !strings.Contains(tg.Detail, "K=8: 7/8 plans ok") || !strings.Contains(tg.Detail, "12 × 429") {
		t.Errorf("K=8 with a failure and 429s: %+v", tg)
	}
	var b strings.Builder
	rep := &Report{Concurrent: []ConcurrentResult{four, eight},
		Memory: &MemoryCompare{N: 500, Profile: ProfileGenerous, SoftLimitBytes: 72 << 20, WithLimit: []MemorySample{{WallSeconds: 3}}, WithoutLimit: []MemorySample{{WallSeconds: 3}}}}
	if err := formatExtra(&b, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"== concurrent plans", "100+20", "7/8", "== soft memory limit (72.0 MB"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestWorkspaceConnectionsWrap(t *testing.T) {
	t.Parallel()
	org, err := Generate(QuickOrgParams())
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{org: org}
	n := len(org.Connectable)
	w0, w1 := r.workspaceConnections(0, 10), r.workspaceConnections(1, 10)
	if w0[0].App == w1[0].App || len(w1) != 10 {
		t.Errorf("workspaces 0 and 1 start with the same app %s", w0[0].App)
	}
	// The workspace that passes the end of the connectable apps wraps.
	last := r.workspaceConnections(n/10, 10)
	if last[len(last)-1].App != w0[(n/10*10+9)%n].App {
		t.Errorf("no wrap-around: %v", last)
	}
	cfg := concurrentConfig(target{OrgRef: "bigcorp.okta.com"}, w0, 3)
	if strings.Count(cfg, "resource \"ispm_source_connection\"") != 10 || strings.Count(cfg, "data \"ispm_app_eligibility\"") != 3 || strings.Count(cfg, "provider \"ispm\"") != 1 {
		t.Errorf("workspace configuration:\n%s", cfg)
	}
}

// TestAlternatingRounds: each round runs both sides, the first side first
// in even rounds and second in odd ones; an error stops the rounds.
func TestAlternatingRounds(t *testing.T) {
	t.Parallel()
	var got []string
	err := alternating(context.Background(), 3, func(round int, first bool) error {
		got = append(got, fmt.Sprintf("%d%v", round, first))
		return nil
	})
	if want := "0true 0false 1false 1true 2true 2false"; err != nil || strings.Join(got, " ") != want {
		t.Fatalf("order %q (%v), want %q", strings.Join(got, " "), err, want)
	}
	got = nil
	stop := errors.New("failed")
	if err := alternating(context.Background(), 3, func(round int, first bool) error {
		got = append(got, fmt.Sprintf("%d%v", round, first))
		if round == 1 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) || len(got) != 3 {
		t.Fatalf("after an error: %v, ran %v", err, got)
	}
}
