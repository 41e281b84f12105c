package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ispm-community/terraform-provider-ispm/internal/okta"
)

// Report is everything a benchmark measured; it is also the JSON file.
type Report struct {
	Date    string        `json:"date"`
	Machine Machine       `json:"machine"`
	Org     OrgSummary    `json:"org"`
	Options ReportOptions `json:"options"`
	Runs    []RunResult   `json:"runs"`
	// Memory and Concurrent are the soft-limit comparison and the
	// concurrent plans (memcheck.go, concurrent.go).
	Memory     *MemoryCompare     `json:"memory,omitempty"`
	Floor      *FloorCompare      `json:"floor,omitempty"`
	Concurrent []ConcurrentResult `json:"concurrent,omitempty"`
	Targets    []Target           `json:"targets"`
}

// Machine describes where the benchmark ran.
type Machine struct {
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	CPUs      int    `json:"cpus"`
	CPU       string `json:"cpu,omitempty"`
	Go        string `json:"go"`
	Terraform string `json:"terraform"`
}

// OrgSummary describes the generated org.
type OrgSummary struct {
	Params        OrgParams     `json:"params"`
	ScenarioBytes int           `json:"scenario_bytes"`
	ListingPages  int           `json:"listing_pages"`
	GalleryApps   int           `json:"gallery_apps"`
	SCIMInstances int           `json:"scim_instances"`
	States        map[State]int `json:"states"`
	// UnansweredInstances are SCIM instances whose provisioning state
	// their app object does not show.
	UnansweredInstances int `json:"unanswered_instances"`
	ConnectableApps     int `json:"connectable_apps"`
}

// RunResult is one Terraform command.
type RunResult struct {
	// Profile is the Okta rate-limit profile; empty for the baseline,
	// which does not talk to Okta.
	Profile string `json:"profile,omitempty"`
	N       int    `json:"n"`
	Config  string `json:"config"`
	Step    string `json:"step"`
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
	// OutputTail is the end of Terraform's output when it failed.
	OutputTail  string     `json:"output_tail,omitempty"`
	WallSeconds float64    `json:"wall_seconds"`
	Okta        OktaCounts `json:"okta"`
	ISPM        ISPMCounts `json:"ispm"`
	// ProviderPeakRSSBytes is the largest VmHWM of the provider processes
	// Terraform started for the command.
	ProviderPeakRSSBytes int64 `json:"provider_peak_rss_bytes"`
	ProviderProcesses    int   `json:"provider_processes"`
	// ProviderCPUSeconds and TerraformCPUSeconds are the CPU time (user +
	// system) of the provider processes and of Terraform itself.
	ProviderCPUSeconds  float64 `json:"provider_cpu_seconds"`
	TerraformCPUSeconds float64 `json:"terraform_cpu_seconds"`
	// BaselineSeconds and Ratio compare with the same step of the
	// terraform_data baseline of the same N.
	BaselineSeconds float64 `json:"baseline_seconds,omitempty"`
	Ratio           float64 `json:"ratio,omitempty"`
	// FloorSeconds and FloorRatio compare a resources step with the same
	// step of the do-nothing framework provider (ConfigFloor).
	FloorSeconds float64      `json:"floor_seconds,omitempty"`
	FloorRatio   float64      `json:"floor_ratio,omitempty"`
	Bound        *Bound       `json:"bound,omitempty"`
	PerResource  *PerResource `json:"per_resource,omitempty"`
}

// OktaCounts are the Okta requests the sandbox received during a command.
type OktaCounts struct {
	ByEndpoint   map[string]int64 `json:"by_endpoint"`
	ByBucket     map[string]int64 `json:"by_bucket"`
	Total        int64            `json:"total"`
	RateLimited  int64            `json:"rate_limited"`
	ServerErrors int64            `json:"server_errors"`
}

// ISPMCounts are the ISPM requests the sandbox received during a command.
type ISPMCounts struct {
	ByEndpoint map[string]int `json:"by_endpoint"`
	Total      int            `json:"total"`
}

// Bound is the ceiling on Okta requests per plan.
type Bound struct {
	ListingPages int `json:"listing_pages"`
	// FilteredListings are the name-filtered listings allowed on top of
	// the whole listing: one per app a process asks about before it
	// switches to the whole listing, at most okta.FilteredListingsMax.
	FilteredListings int `json:"filtered_listings"`
	// UnansweredInstances are the judged instances whose provisioning
	// state the listing cannot answer.
	UnansweredInstances int `json:"unanswered_instances"`
	// MinimalCalls is what those instances cost a client that asks each
	// one endpoint: the connection or, for apps outside Okta's connection
	// API, the features.
	MinimalCalls int   `json:"minimal_calls"`
	GroupPages   int64 `json:"group_pages"`
	Max          int64 `json:"max"`
	Actual       int64 `json:"actual"`
	Met          bool  `json:"met"`
}

// PerResource is what a per-resource approach would spend on the same plan.
type PerResource struct {
	References int `json:"references"`
	Instances  int `json:"instances"`
	// ListingApps is the apps bucket spent when every resource or data
	// source reads the org's listing itself.
	ListingApps int64 `json:"listing_apps"`
	// Chain* is a lookup chain per instance: GET /apps/{id} (app_get),
	// GET …/connections/default and, when it says UNKNOWN, GET …/features
	// (apps), and a group search (groups).
	ChainApps   int64 `json:"chain_apps"`
	ChainAppGet int64 `json:"chain_app_get"`
	ChainGroups int64 `json:"chain_groups"`
	// OursApps is the apps bucket the provider spent.
	OursApps int64 `json:"ours_apps"`
}

// Target is one of the targets and whether the run meets it.
type Target struct {
	Name   string `json:"name"`
	Status string `json:"status"` // met, missed, not run
	Detail string `json:"detail"`
}

// Target statuses.
const (
	TargetMet    = "met"
	TargetMissed = "missed"
	TargetNotRun = "not run"
)

// finish fills in the ratios to the baseline and the floor, and judges
// the targets.
func finish(rep *Report) {
	base, floor := map[string]RunResult{}, map[string]RunResult{}
	for _, r := range rep.Runs {
		key := fmt.Sprintf("%d/%s", r.N, r.Step)
		switch {
		case !r.OK || r.WallSeconds <= 0:
		case r.Config == ConfigBaseline:
			base[key] = r
		case r.Config == ConfigFloor:
			floor[key] = r
		}
	}
	for i := range rep.Runs {
		r := &rep.Runs[i]
		if r.Config == ConfigBaseline || !r.OK {
			continue
		}
		key := fmt.Sprintf("%d/%s", r.N, r.Step)
		if b, ok := base[key]; ok {
			r.BaselineSeconds = b.WallSeconds
			r.Ratio = r.WallSeconds / b.WallSeconds
		}
		if f, ok := floor[key]; ok && r.Config == ConfigResources {
			r.FloorSeconds = f.WallSeconds
			r.FloorRatio = r.WallSeconds / f.WallSeconds
		}
	}
	rep.Targets = append(judge(rep), extraTargets(rep)...)
}

// isOurs tells the provider's own runs from the baseline and the floor.
func isOurs(r RunResult) bool {
	switch r.Config {
	case ConfigResources, ConfigDataSources, ConfigCombined, ConfigOktaDataSources, ConfigOktaGallery:
		return true
	}
	return false
}

func isPlan(step string) bool { return step == StepPlanFresh || step == StepPlanApplied }

func where(r RunResult) string {
	return fmt.Sprintf("%s N=%d %s %s", r.Profile, r.N, r.Config, r.Step)
}

// judge evaluates the targets against the runs.
func judge(rep *Report) []Target {
	var ts []Target
	var runs, floors []RunResult
	for _, r := range rep.Runs {
		switch {
		case isOurs(r):
			runs = append(runs, r)
		case r.Config == ConfigFloor:
			floors = append(floors, r)
		}
	}
	maxN := 0
	for _, r := range runs {
		if r.Profile != ProfileTenth {
			maxN = max(maxN, r.N)
		}
	}
	sizeNote := func(n int) string {
		if n == 500 {
			return ""
		}
		return fmt.Sprintf(" (largest N run is %d, not the target's 500)", n)
	}

	// 1. Okta requests per plan within the bound.
	t := Target{Name: fmt.Sprintf("Okta requests per plan ≤ listing pages + the name-filtered listings spent before the switch to the whole listing (at most %d) + one call per instance the listing cannot answer + group-search pages", okta.FilteredListingsMax)}
	var over []string
	plans := 0
	for _, r := range runs {
		if !isPlan(r.Step) || r.Bound == nil || !r.OK {
			continue
		}
		plans++
		if !r.Bound.Met {
			over = append(over, fmt.Sprintf("%s: %d > %d (+%d)", where(r), r.Bound.Actual, r.Bound.Max, r.Bound.Actual-r.Bound.Max))
		}
	}
	// The same apps referenced twice (resources and data sources in one
	// configuration) must cost what the data sources cost alone.
	var refs []string
	for _, c := range runs {
		if c.Config != ConfigCombined || !c.OK {
			continue
		}
		for _, d := range runs {
			if d.Config == ConfigDataSources && d.Step == StepPlanFresh && d.Profile == c.Profile && d.N == c.N && d.OK {
				refs = append(refs, fmt.Sprintf("N=%d: %d with %d resources and %d data sources of the same apps, %d with the data sources alone",
					c.N, c.Okta.Total, c.N, c.N, d.Okta.Total))
				if c.Okta.Total > d.Okta.Total {
					over = append(over, fmt.Sprintf("%s: %d requests, more than the %d of its data sources alone", where(c), c.Okta.Total, d.Okta.Total))
				}
			}
		}
	}
	switch {
	case plans == 0:
		t.Status, t.Detail = TargetNotRun, "no plan of the provider's configurations ran"
	case len(over) == 0:
		t.Status, t.Detail = TargetMet, fmt.Sprintf("every one of %d plans is within its bound", plans)
	default:
		t.Status, t.Detail = TargetMissed, fmt.Sprintf("%d of %d plans exceed their bound: %s", len(over), plans, strings.Join(over, "; "))
	}
	if len(refs) > 0 {
		t.Detail += "; Okta requests independent of references: " + strings.Join(refs, "; ")
	}
	ts = append(ts, t)

	// 2. No 429 at the default limits.
	t = Target{Name: "zero 429s at every N with the sandbox's default (Enterprise) limits"}
	n429, nRun, failed := int64(0), 0, []string{}
	for _, r := range runs {
		if r.Profile != ProfileRealistic {
			continue
		}
		nRun++
		n429 += r.Okta.RateLimited
		if !r.OK {
			failed = append(failed, where(r))
		}
	}
	switch {
	case nRun == 0:
		t.Status, t.Detail = TargetNotRun, "no run at the realistic limits"
	case n429 == 0 && len(failed) == 0:
		t.Status, t.Detail = TargetMet, fmt.Sprintf("0 answers of 429 in %d commands", nRun)
	default:
		t.Status, t.Detail = TargetMissed, fmt.Sprintf("%d answers of 429 in %d commands; failed: %s", n429, nRun, orNone(failed))
	}
	ts = append(ts, t)

	// 3. Graceful pacing at a tenth of the limits.
	t = Target{Name: "graceful pacing (no failure) at a tenth of the default limits"}
	var paced []RunResult
	for _, r := range runs {
		if r.Profile == ProfileTenth {
			paced = append(paced, r)
		}
	}
	if len(paced) == 0 {
		t.Status, t.Detail = TargetNotRun, "the paced run was skipped"
	} else {
		var parts []string
		ok := true
		for _, r := range paced {
			ok = ok && r.OK
			s := fmt.Sprintf("%s: %.0f s, %d Okta requests, %d answers of 429", where(r), r.WallSeconds, r.Okta.Total, r.Okta.RateLimited)
			if !r.OK {
				s += " — FAILED"
			}
			parts = append(parts, s)
		}
		t.Status, t.Detail = TargetMissed, strings.Join(parts, "; ")
		if ok {
			t.Status = TargetMet
		}
	}
	ts = append(ts, t)

	// 4. Generous limits: plans within 1.5x the baseline at N = 500.
	ts = append(ts, ratioTarget(runs, floors, ratioSpec{profile: ProfileGenerous, n: maxN, limit: 1.5,
		name:  "with generous limits, plan time at N = 500 ≤ 1.5× the terraform_data baseline" + sizeNote(maxN),
		steps: []string{ConfigDataSources + "/" + StepPlanFresh, ConfigResources + "/" + StepPlanFresh, ConfigResources + "/" + StepPlanApplied}}))

	// 5. Realistic limits: the applied-state plan within 3x the baseline.
	ts = append(ts, ratioTarget(runs, floors, ratioSpec{profile: ProfileRealistic, n: maxN, limit: 3,
		name:  "at the realistic limits, the applied-state plan at N = 500 ≤ 3× the baseline" + sizeNote(maxN),
		steps: []string{ConfigResources + "/" + StepPlanApplied}}))

	// 6. Memory.
	t = Target{Name: fmt.Sprintf("provider peak memory < 100 MB at N = 500 with %d apps%s", rep.Org.Params.Apps, sizeNote(maxN))}
	var peak int64
	peakAt := ""
	for _, r := range runs {
		if r.N == maxN && r.ProviderPeakRSSBytes > peak {
			peak, peakAt = r.ProviderPeakRSSBytes, where(r)
		}
	}
	switch {
	case peak == 0:
		t.Status, t.Detail = TargetNotRun, "no provider process was measured"
	case peak < 100<<20:
		t.Status, t.Detail = TargetMet, fmt.Sprintf("largest peak %s (%s)", mb(peak), peakAt)
	default:
		t.Status, t.Detail = TargetMissed, fmt.Sprintf("largest peak %s (%s), %s over", mb(peak), peakAt, mb(peak-100<<20))
	}
	ts = append(ts, t)
	return ts
}

// ratioSpec is a wall-time target: the runs of a profile at N whose
// config/step is one of steps must stay within limit times the baseline.
type ratioSpec struct {
	profile string
	n       int
	limit   float64
	name    string
	steps   []string
}

func ratioTarget(runs, floors []RunResult, spec ratioSpec) Target {
	profile, n, limit, steps := spec.profile, spec.n, spec.limit, spec.steps
	t := Target{Name: spec.name}
	floorNote := func(step string) string {
		for _, f := range floors {
			if f.N == n && f.Step == step && f.OK {
				for _, r := range runs {
					if r.Config == ConfigResources && r.Step == step && r.Profile == profile && r.N == n && r.FloorRatio > 0 && r.Ratio > 0 {
						return fmt.Sprintf(" [a do-nothing framework provider with the same schema: %.2f s = %.2f× the baseline]", f.WallSeconds, r.Ratio/r.FloorRatio)
					}
				}
			}
		}
		return ""
	}
	var parts []string
	seen, ok := 0, true
	for _, r := range runs {
		if r.Profile != profile || r.N != n || !slices.Contains(steps, r.Config+"/"+r.Step) {
			continue
		}
		seen++
		if !r.OK || r.Ratio == 0 {
			ok = false
			parts = append(parts, fmt.Sprintf("%s %s: no ratio (%s)", r.Config, r.Step, orNone([]string{r.Error})))
			continue
		}
		s := fmt.Sprintf("%s %s %.2f s vs %.2f s = %.2f×", r.Config, r.Step, r.WallSeconds, r.BaselineSeconds, r.Ratio)
		if r.Ratio > limit {
			ok = false
			s += fmt.Sprintf(" (%.0f%% over the %.1f× limit)", (r.Ratio/limit-1)*100, limit)
		}
		if r.Config == ConfigResources {
			s += floorNote(r.Step)
		}
		parts = append(parts, s)
	}
	switch {
	case seen == 0:
		t.Status, t.Detail = TargetNotRun, fmt.Sprintf("no %s run at N = %d", profile, n)
	case ok:
		t.Status, t.Detail = TargetMet, strings.Join(parts, "; ")
	default:
		t.Status, t.Detail = TargetMissed, strings.Join(parts, "; ")
	}
	return t
}

func orNone(s []string) string {
	var keep []string
	for _, v := range s {
		if v != "" {
			keep = append(keep, v)
		}
	}
	if len(keep) == 0 {
		return "none"
	}
	return strings.Join(keep, ", ")
}

func mb(b int64) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
}

// WriteJSON writes the report to path, creating its directory.
func WriteJSON(rep *Report, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cannot create the results directory: %w", err)
	}
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}

// short names of the endpoints in the table.
var endpointColumns = []struct{ head, endpoint string }{
	{"list", "GET /api/v1/apps"},
	{"conn", "GET /api/v1/apps/{id}/connections/default"},
	{"feat", "GET /api/v1/apps/{id}/features"},
	{"app", "GET /api/v1/apps/{id}"},
	{"groups", "GET /api/v1/groups"},
}

// FormatTable writes the report for a reader.
func FormatTable(w io.Writer, rep *Report) error {
	ew := &errWriter{w: w}
	o := rep.Org
	fmt.Fprintf(ew, "ISPM provider benchmark, %s — %s/%s, %d CPUs %s, %s, %s\n", rep.Date, rep.Machine.GOOS, rep.Machine.GOARCH,
		rep.Machine.CPUs, rep.Machine.CPU, rep.Machine.Go, rep.Machine.Terraform)
	fmt.Fprintf(ew, "Org %q: %d apps (%d listing pages of 200), %d SCIM instances over %d gallery apps (%d connectable), %d of them not answerable from the listing\n",
		o.Params.Name, o.Params.Apps, o.ListingPages, o.SCIMInstances, o.GalleryApps, o.ConnectableApps, o.UnansweredInstances)
	fmt.Fprintf(ew, "Okta columns count requests by endpoint (list = GET /api/v1/apps, conn = …/connections/default, feat = …/features, app = GET /api/v1/apps/{id});\n")
	fmt.Fprintf(ew, "apps = the shared apps bucket; bound = the target's ceiling for a plan; ratio = wall time / the terraform_data baseline's same step;\n")
	fmt.Fprintf(ew, "vs-floor = wall time / the floor provider's same step; cpu = CPU seconds of Terraform and of the provider processes (%d CPUs).\n", rep.Machine.CPUs)

	profiles := []string{""}
	for _, r := range rep.Runs {
		if !slices.Contains(profiles, r.Profile) {
			profiles = append(profiles, r.Profile)
		}
	}
	for _, p := range profiles {
		var rows []RunResult
		for _, r := range rep.Runs {
			if r.Profile == p {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			continue
		}
		title := p + " Okta limits"
		switch p {
		case "":
			title = "baselines: terraform_data (built into Terraform) and floor (a do-nothing framework provider with the resource's schema)"
		case ProfileRealistic:
			title = "realistic Okta limits (Enterprise: apps 100/min, app-by-id 600/min, groups 600/min, 75 concurrent)"
		case ProfileGenerous:
			title = "generous Okta limits (out of the way)"
		case ProfileTenth:
			title = "a tenth of the realistic limits (apps 10/min, app-by-id 60/min, groups 60/min, 7 concurrent)"
		}
		fmt.Fprintf(ew, "\n== %s\n", title)
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		if p == "" {
			fmt.Fprintln(tw, "N\tconfig\tstep\twall(s)\tratio\ttf-cpu(s)\tprov-cpu(s)\tpeak(MB)\tprocs\tok\t")
			for _, r := range rows {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%.2f\t%s\t%.2f\t%.2f\t%s\t%d\t%s\t\n", r.N, r.Config, r.Step, r.WallSeconds, ratioText(r.Ratio),
					r.TerraformCPUSeconds, r.ProviderCPUSeconds, strings.TrimSuffix(mb(r.ProviderPeakRSSBytes), " MB"), r.ProviderProcesses, okText(r))
			}
		} else {
			head := "N\tconfig\tstep\twall(s)\tratio\tvs-floor\ttf-cpu(s)\tprov-cpu(s)\tokta\t"
			for _, c := range endpointColumns {
				head += c.head + "\t"
			}
			head += "apps\t429\tbound\tispm\tpeak(MB)\tprocs\tok\t"
			fmt.Fprintln(tw, head)
			for _, r := range rows {
				line := fmt.Sprintf("%d\t%s\t%s\t%.2f\t%s\t%s\t%.2f\t%.2f\t%d\t", r.N, r.Config, r.Step, r.WallSeconds, ratioText(r.Ratio),
					ratioText(r.FloorRatio), r.TerraformCPUSeconds, r.ProviderCPUSeconds, r.Okta.Total)
				for _, c := range endpointColumns {
					line += fmt.Sprintf("%d\t", r.Okta.ByEndpoint[c.endpoint])
				}
				bound := "-"
				if r.Bound != nil {
					bound = fmt.Sprint(r.Bound.Max)
					if !r.Bound.Met {
						bound += "!"
					}
				}
				line += fmt.Sprintf("%d\t%d\t%s\t%d\t%s\t%d\t%s\t", r.Okta.ByBucket["apps"], r.Okta.RateLimited, bound, r.ISPM.Total,
					strings.TrimSuffix(mb(r.ProviderPeakRSSBytes), " MB"), r.ProviderProcesses, okText(r))
				fmt.Fprintln(tw, line)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	// The per-resource comparison, for each N's plans at realistic limits
	// (the counts do not depend on the limits).
	var cmp []RunResult
	for _, r := range rep.Runs {
		if r.PerResource != nil && r.Step == StepPlanFresh && r.OK && (r.Profile == ProfileRealistic || !hasProfile(rep, ProfileRealistic)) {
			cmp = append(cmp, r)
		}
	}
	if len(cmp) > 0 {
		sort.SliceStable(cmp, func(i, j int) bool { return cmp[i].N < cmp[j].N })
		fmt.Fprintf(ew, "\n== Okta apps-bucket requests per fresh plan: this provider vs a per-resource approach\n")
		fmt.Fprintf(ew, "listing-each = every resource or data source reads the listing itself; chain = per instance GET /apps/{id}, its connection\n")
		fmt.Fprintf(ew, "(+ features when UNKNOWN) and a group search; (min) = minutes of an Enterprise apps bucket (100/min) the plan consumes.\n")
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "N\tconfig\tinstances\tours\tlisting-each\tchain:apps\tchain:app_get\tchain:groups\tours(min)\tlisting-each(min)\tchain(min)\t")
		for _, r := range cmp {
			p := r.PerResource
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t\n", r.N, r.Config, p.Instances, p.OursApps, p.ListingApps,
				p.ChainApps, p.ChainAppGet, p.ChainGroups, float64(p.OursApps)/100, float64(p.ListingApps)/100, float64(p.ChainApps)/100)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}

	if err := formatExtra(ew, rep); err != nil {
		return err
	}
	fmt.Fprintf(ew, "\n== Targets\n")
	for _, t := range rep.Targets {
		fmt.Fprintf(ew, "[%s] %s\n        %s\n", strings.ToUpper(t.Status), t.Name, t.Detail)
	}
	return ew.err
}

func hasProfile(rep *Report, p string) bool {
	for _, r := range rep.Runs {
		if r.Profile == p {
			return true
		}
	}
	return false
}

func okText(r RunResult) string {
	if r.OK {
		return "ok"
	}
	return "FAILED"
}

func ratioText(r float64) string {
	if r == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", r)
}

// errWriter keeps the first write error, so formatting code stays linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
