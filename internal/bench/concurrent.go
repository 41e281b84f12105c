package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Concurrent runs: CI systems plan many workspaces against one Okta org at
// once, and every one of them draws on the same rate-limit buckets.
const (
	// ConcurrentConnections and ConcurrentDataSources make up each
	// workspace of a concurrent run.
	ConcurrentConnections = 100
	ConcurrentDataSources = 20
)

// ConcurrentResult is one concurrent run: K terraform plans started
// together, in K working directories with their own states, against one
// org at the realistic limits.
type ConcurrentResult struct {
	K                  int      `json:"k"`
	ConnectionsPerPlan int      `json:"connections_per_plan"`
	DataSourcesPerPlan int      `json:"data_sources_per_plan"`
	OK                 int      `json:"ok"`
	Failed             []string `json:"failed,omitempty"`
	// WallSeconds is from the first start to the last plan's end;
	// PlanSeconds is each plan's own.
	WallSeconds          float64    `json:"wall_seconds"`
	PlanSeconds          []float64  `json:"plan_seconds"`
	Okta                 OktaCounts `json:"okta"`
	ISPM                 ISPMCounts `json:"ispm"`
	ProviderPeakRSSBytes int64      `json:"provider_peak_rss_bytes"`
	ProviderCPUSeconds   float64    `json:"provider_cpu_seconds"`
}

// workspaceConnections are workspace w's connections: 100 consecutive
// connectable apps, the workspaces' slices wrapping around the org's
// connectable apps when K × 100 exceeds them (541 in the default org), so
// that larger K overlap as workspaces of one org do.
func (r *runner) workspaceConnections(w, n int) []connection {
	all := r.connections(len(r.org.Connectable))
	out := make([]connection, 0, n)
	for i := range n {
		out = append(out, all[(w*n+i)%len(all)])
	}
	return out
}

// concurrentConfig is a workspace: its connections as resources and the
// first ConcurrentDataSources of their apps as eligibility data sources.
func concurrentConfig(t target, conns []connection, dataSources int) string {
	return resourcesConfig(t, conns) + strings.TrimPrefix(dataSourcesConfig(t, conns[:min(dataSources, len(conns))]), providerBlock(t))
}

// concurrentRun starts k plans at once on a fresh sandbox at the
// realistic limits and waits for every one of them.
func (r *runner) concurrentRun(ctx context.Context, k int) (ConcurrentResult, error) {
	res := ConcurrentResult{K: k, ConnectionsPerPlan: ConcurrentConnections, DataSourcesPerPlan: ConcurrentDataSources}
	sb, t, err := r.startSandbox(ProfileRealistic)
	if err != nil {
		return res, err
	}
	defer sb.Close()
	dirs := make([]string, k)
	for w := range k {
		dirs[w] = filepath.Join(r.work, fmt.Sprintf("concurrent-k%d-w%d", k, w))
		n := min(ConcurrentConnections, len(r.org.Connectable))
		if err := writeConfig(dirs[w], concurrentConfig(t, r.workspaceConnections(w, n), ConcurrentDataSources)); err != nil {
			return res, err
		}
	}
	org := sb.Org(r.org.Params.Name)
	org.ResetRequestCounts()
	org.ResetRateLimitWindows()
	sb.ISPM().ResetRequestCounts()

	// One watcher for all the plans: each would see the others' provider
	// processes, which run the same binary.
	tf := r.tf
	tf.providerExe = ""
	w := watchMemory(r.tf.providerExe, 15*time.Millisecond)
	results := make([]cmdResult, k)
	start := time.Now()
	var wg sync.WaitGroup
	for i, dir := range dirs {
		wg.Go(func() { results[i] = tf.run(ctx, dir, filepath.Join(dir, "plan.log"), "plan") })
	}
	wg.Wait()
	res.WallSeconds = time.Since(start).Seconds()
	wr := w.Stop()
	res.ProviderPeakRSSBytes, res.ProviderCPUSeconds = wr.PeakBytes, wr.CPU.Seconds()
	for i, c := range results {
		res.PlanSeconds = append(res.PlanSeconds, c.Wall.Seconds())
		if c.Err != nil {
			res.Failed = append(res.Failed, fmt.Sprintf("workspace %d: %v", i, c.Err))
			continue
		}
		res.OK++
	}
	res.Okta = oktaCounts(org.RequestCounts())
	res.ISPM = ispmCounts(sb.ISPM().RequestCounts())
	r.reportConcurrent(res)
	return res, ctx.Err()
}

func (r *runner) reportConcurrent(c ConcurrentResult) {
	r.done++
	fmt.Fprintf(r.progress, "[%d/%d %s] K=%d concurrent plans (%d connections + %d data sources each) %7.1fs  ok %d/%d  okta %d (apps %d, 429: %d)  ispm %d  peak %s\n",
		r.done, r.total, time.Since(r.started).Round(time.Second), c.K, c.ConnectionsPerPlan, c.DataSourcesPerPlan, c.WallSeconds,
		c.OK, c.K, c.Okta.Total, c.Okta.ByBucket["apps"], c.Okta.RateLimited, c.ISPM.Total, mb(c.ProviderPeakRSSBytes))
	for _, f := range c.Failed {
		fmt.Fprintln(r.progress, "    FAILED: "+f)
	}
}

// concurrentTarget judges the concurrent runs: every plan succeeds and
// Okta answers no 429.
func concurrentTarget(runs []ConcurrentResult) Target {
	t := Target{Name: fmt.Sprintf("K concurrent plans (%d connections + %d data sources each, one org, realistic limits): every plan succeeds, 0 × 429",
		ConcurrentConnections, ConcurrentDataSources)}
	if len(runs) == 0 {
		t.Status, t.Detail = TargetNotRun, "no concurrent run (-concurrent)"
		return t
	}
	t.Status = TargetMet
	var parts []string
	for _, c := range runs {
		if c.OK != c.K || c.Okta.RateLimited > 0 {
			t.Status = TargetMissed
		}
		parts = append(parts, fmt.Sprintf("K=%d: %d/%d plans ok, %.0f s, %d Okta requests (apps bucket %d), %d × 429",
			c.K, c.OK, c.K, c.WallSeconds, c.Okta.Total, c.Okta.ByBucket["apps"], c.Okta.RateLimited))
	}
	t.Detail = strings.Join(parts, "; ")
	return t
}
