package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// Profiles of Okta rate limits a benchmark runs under.
const (
	// ProfileGenerous puts rate limits out of the way.
	ProfileGenerous = "generous"
	// ProfileRealistic is Okta's last published Enterprise limits, the
	// sandbox's defaults.
	ProfileRealistic = "realistic"
	// ProfileTenth is a tenth of the realistic limits.
	ProfileTenth = "tenth"
)

// Configurations a benchmark plans.
const (
	ConfigResources   = "resources"
	ConfigDataSources = "data_sources"
	ConfigBaseline    = "baseline"
	// ConfigFloor is N resources of a do-nothing framework provider with
	// the resource schema of ispm_source_connection.
	ConfigFloor = "floor"
	// ConfigCombined is the N resources and the N data sources of the same
	// apps in one configuration, planned once under generous limits: its
	// Okta requests must be those of the data sources alone.
	ConfigCombined = "combined"
)

// allConfigs lists the configurations in the order they run.
var allConfigs = []string{ConfigBaseline, ConfigFloor, ConfigDataSources, ConfigResources, ConfigCombined}

// Steps of a configuration's benchmark.
const (
	StepPlanFresh   = "plan_fresh"
	StepApply       = "apply"
	StepPlanApplied = "plan_applied"
)

// profileLimits returns the Okta rate limits of a profile.
func profileLimits(name string) (oktasim.RateLimits, error) {
	d := oktasim.DefaultRateLimits()
	switch name {
	case ProfileRealistic:
		return d, nil
	case ProfileGenerous:
		const big = 1_000_000
		return oktasim.RateLimits{Apps: big, AppGet: big, Groups: big, Token: big, Other: big, Concurrency: 10_000}, nil
	case ProfileTenth:
		tenth := func(v int) int { return max(v/10, 1) }
		return oktasim.RateLimits{Apps: tenth(d.Apps), AppGet: tenth(d.AppGet), Groups: tenth(d.Groups), Token: tenth(d.Token),
			Other: tenth(d.Other), Concurrency: tenth(d.Concurrency)}, nil
	}
	return oktasim.RateLimits{}, fmt.Errorf("unknown rate-limit profile %q; use %s, %s or %s", name, ProfileGenerous, ProfileRealistic, ProfileTenth)
}

// Options say what a benchmark runs.
type Options struct {
	// Ns are the numbers of connections (and of data sources, and of
	// terraform_data resources).
	Ns []int
	// Profiles are the rate-limit profiles of the main runs.
	Profiles []string
	// Configs are the configurations to run (ConfigResources, ...).
	Configs []string
	// PacedN, when positive, adds a run at a tenth of the limits: a plan
	// of PacedN fresh connections.
	PacedN int
	// PacedApply adds the apply and the applied-state plan to the paced
	// run.
	PacedApply bool
	// PacedConfigs are the configurations of the paced run (resources
	// when empty).
	PacedConfigs []string
	Org          OrgParams
	// Terraform is the CLI to run; empty means scripts/terraform-path.sh.
	Terraform string
	// Parallelism is Terraform's -parallelism; 0 keeps its default (10).
	Parallelism int
	// WorkDir holds the builds, configurations, states and logs; empty
	// means a temporary directory, removed at the end unless Keep.
	WorkDir string
	Keep    bool
	// ProviderEnv is added to the environment of the provider processes
	// (and the floor provider's), not Terraform's: KEY=VALUE, for
	// experiments such as TF_LOG_SDK=off or GOMEMLIMIT=64MiB.
	ProviderEnv []string
	// Progress receives one line per step.
	Progress io.Writer
}

// runner holds what every step needs.
type runner struct {
	opts     Options
	tf       terraform
	baseTF   terraform
	floorTF  terraform
	work     string
	org      *GeneratedOrg
	progress io.Writer
	total    int
	done     int
	started  time.Time
}

// Run builds the provider, starts the sandbox with a generated org and
// runs every configured step through the Terraform CLI.
func Run(ctx context.Context, opts Options) (*Report, error) {
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	for _, p := range append(slices.Clone(opts.Profiles), ProfileTenth) {
		if _, err := profileLimits(p); err != nil {
			return nil, err
		}
	}
	for _, c := range opts.Configs {
		if !slices.Contains(allConfigs, c) {
			return nil, fmt.Errorf("unknown configuration %q; use any of %s", c, strings.Join(allConfigs, ", "))
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	root, err := moduleRoot(cwd)
	if err != nil {
		return nil, err
	}
	work := opts.WorkDir
	if work == "" {
		if work, err = os.MkdirTemp("", "ispm-bench-"); err != nil {
			return nil, fmt.Errorf("cannot make a work directory: %w", err)
		}
		if !opts.Keep {
			defer os.RemoveAll(work)
		}
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, fmt.Errorf("cannot make the work directory %s: %w", work, err)
	}
	if work, err = filepath.Abs(work); err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "work directory %s\n", work)

	fmt.Fprintf(progress, "generating the org (%d apps)...\n", opts.Org.Apps)
	org, err := Generate(opts.Org)
	if err != nil {
		return nil, err
	}
	if _, err := org.Scenario(); err != nil {
		return nil, fmt.Errorf("the generated scenario is not valid: %w", err)
	}
	maxN := slices.Max(append(slices.Clone(opts.Ns), opts.PacedN))
	if maxN > len(org.Connectable) {
		return nil, fmt.Errorf("N = %d connections need %d apps with an eligible instance; the generated org has %d: raise the custom SCIM apps", maxN, maxN, len(org.Connectable))
	}

	fmt.Fprintf(progress, "building the provider...\n")
	binDir := filepath.Join(work, "provider")
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return nil, err
	}
	exe, floorExe, err := buildProviders(ctx, root, binDir)
	if err != nil {
		return nil, err
	}
	tfBin, err := findTerraform(ctx, root, opts.Terraform)
	if err != nil {
		return nil, err
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, []byte(cliConfig(binDir)), 0o600); err != nil {
		return nil, err
	}
	if len(opts.ProviderEnv) > 0 {
		if exe, err = wrapWithEnv(exe, opts.ProviderEnv); err != nil {
			return nil, err
		}
		if floorExe, err = wrapWithEnv(floorExe, opts.ProviderEnv); err != nil {
			return nil, err
		}
	}
	env := terraformEnv(os.Environ(), rc)
	r := &runner{
		opts:     opts,
		tf:       terraform{bin: tfBin, env: env, providerExe: exe, parallelism: opts.Parallelism},
		baseTF:   terraform{bin: tfBin, env: env, parallelism: opts.Parallelism},
		floorTF:  terraform{bin: tfBin, env: env, providerExe: floorExe, parallelism: opts.Parallelism},
		work:     work,
		org:      org,
		progress: progress,
		started:  time.Now(),
	}
	rep := &Report{
		Date:    time.Now().UTC().Format("2006-01-02"),
		Machine: machineInfo(ctx, tfBin),
		Org:     summarize(org),
		Options: reportOptions(opts),
	}
	r.total = r.countSteps()

	if err := r.warmUp(ctx); err != nil {
		return nil, err
	}
	for _, n := range opts.Ns {
		conns := r.connections(n)
		if slices.Contains(opts.Configs, ConfigBaseline) {
			rep.Runs = append(rep.Runs, r.baseline(ctx, ConfigBaseline, n, baselineConfig(conns))...)
		}
		if slices.Contains(opts.Configs, ConfigFloor) {
			rep.Runs = append(rep.Runs, r.baseline(ctx, ConfigFloor, n, floorConfig(conns))...)
		}
		for _, p := range opts.Profiles {
			runs, err := r.profileRuns(ctx, p, n, conns, opts.Configs, true)
			rep.Runs = append(rep.Runs, runs...)
			if err != nil {
				return rep, err
			}
		}
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	if opts.PacedN > 0 {
		runs, err := r.profileRuns(ctx, ProfileTenth, opts.PacedN, r.connections(opts.PacedN), r.pacedConfigs(), opts.PacedApply)
		rep.Runs = append(rep.Runs, runs...)
		if err != nil {
			return rep, err
		}
	}
	finish(rep)
	return rep, ctx.Err()
}

// countSteps is the number of Terraform commands the benchmark runs, for
// the progress lines.
func (r *runner) countSteps() int {
	per := 0
	for _, c := range r.opts.Configs {
		switch c {
		case ConfigResources:
			per += 3 * len(r.opts.Profiles)
		case ConfigDataSources:
			per += 2 * len(r.opts.Profiles)
		case ConfigBaseline, ConfigFloor:
			per += 3
		case ConfigCombined:
			if slices.Contains(r.opts.Profiles, ProfileGenerous) {
				per++
			}
		}
	}
	n := per * len(r.opts.Ns)
	if r.opts.PacedN > 0 {
		for _, c := range r.pacedConfigs() {
			switch {
			case c == ConfigDataSources:
				n += 2
			case c == ConfigResources && r.opts.PacedApply:
				n += 3
			case c == ConfigResources:
				n++
			}
		}
	}
	return n
}

func (r *runner) pacedConfigs() []string {
	if len(r.opts.PacedConfigs) == 0 {
		return []string{ConfigResources}
	}
	return r.opts.PacedConfigs
}

// connections are the first n connectable apps with their eligible
// instances.
func (r *runner) connections(n int) []connection {
	out := make([]connection, 0, n)
	for _, gi := range r.org.Connectable[:n] {
		out = append(out, connection{App: r.org.Gallery[gi].Key, InstanceIDs: r.org.EligibleIDs(gi)})
	}
	return out
}

// warmUp runs Terraform once for each kind of configuration, untimed, so
// the first timed command does not pay for cold caches.
func (r *runner) warmUp(ctx context.Context) error {
	fmt.Fprintf(r.progress, "warming up Terraform and the provider...\n")
	sb, t, err := r.startSandbox(ProfileGenerous)
	if err != nil {
		return err
	}
	defer sb.Close()
	conns := r.connections(1)
	for name, cfg := range map[string]string{"warmup-ispm": dataSourcesConfig(t, conns), "warmup-baseline": baselineConfig(conns), "warmup-floor": floorConfig(conns)} {
		dir := filepath.Join(r.work, name)
		if err := writeConfig(dir, cfg); err != nil {
			return err
		}
		res := r.tf.run(ctx, dir, filepath.Join(dir, "plan.log"), "plan")
		if res.Err != nil {
			return fmt.Errorf("the warm-up plan failed: %w\n%s", res.Err, res.Tail)
		}
	}
	return nil
}

func writeConfig(dir, cfg string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644)
}

// startSandbox starts a sandbox with the generated org under a profile's
// rate limits, and returns where the configurations must point.
func (r *runner) startSandbox(profile string) (*sandbox.Sandbox, target, error) {
	sc, err := r.org.Scenario()
	if err != nil {
		return nil, target{}, err
	}
	sb, err := sandbox.New(sc)
	if err != nil {
		return nil, target{}, fmt.Errorf("the sandbox does not start with the generated org: %w", err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		return nil, target{}, err
	}
	limits, err := profileLimits(profile)
	if err == nil {
		err = sb.Org(r.org.Params.Name).SetRateLimits(limits)
	}
	if err != nil {
		_ = sb.Close()
		return nil, target{}, err
	}
	info := sb.Info()
	org := info.OktaOrgs[0]
	return sb, target{ISPMEndpoint: info.ISPM.Endpoint, ISPMToken: info.ISPM.APIToken, OrgURL: org.URL, OrgToken: org.APIToken, OrgRef: org.Domain}, nil
}

// baseline plans, applies and re-plans a configuration that does not talk
// to the sandbox: n terraform_data resources, or n resources of the floor
// provider.
func (r *runner) baseline(ctx context.Context, config string, n int, cfg string) []RunResult {
	dir := filepath.Join(r.work, fmt.Sprintf("n%d-%s", n, config))
	if err := writeConfig(dir, cfg); err != nil {
		return []RunResult{{Config: config, N: n, Error: err.Error()}}
	}
	tf := r.baseTF
	if config == ConfigFloor {
		tf = r.floorTF
	}
	var out []RunResult
	for _, s := range []struct{ step, cmd string }{{StepPlanFresh, "plan"}, {StepApply, "apply"}, {StepPlanApplied, "plan"}} {
		args := []string{s.cmd}
		if s.cmd == "apply" {
			args = append(args, "-auto-approve")
		}
		res := tf.run(ctx, dir, filepath.Join(dir, s.step+".log"), args...)
		run := RunResult{Config: config, N: n, Step: s.step}
		run.record(res)
		r.report(run)
		out = append(out, run)
		if res.Err != nil {
			break
		}
	}
	return out
}

// profileRuns runs the data-source and resource configurations of n
// connections on a fresh sandbox under a profile's limits.
func (r *runner) profileRuns(ctx context.Context, profile string, n int, conns []connection, configs []string, apply bool) ([]RunResult, error) {
	sb, t, err := r.startSandbox(profile)
	if err != nil {
		return nil, err
	}
	defer sb.Close()
	var out []RunResult
	if slices.Contains(configs, ConfigDataSources) {
		dir := filepath.Join(r.work, fmt.Sprintf("n%d-%s-data-sources", n, profile))
		if err := writeConfig(dir, dataSourcesConfig(t, conns)); err != nil {
			return out, err
		}
		for _, step := range []string{StepPlanFresh, StepApply} {
			run := r.ispmStep(ctx, sb, dir, profile, n, ConfigDataSources, step, conns)
			out = append(out, run)
			if !run.OK {
				break
			}
		}
	}
	if slices.Contains(configs, ConfigResources) {
		dir := filepath.Join(r.work, fmt.Sprintf("n%d-%s-resources", n, profile))
		if err := writeConfig(dir, resourcesConfig(t, conns)); err != nil {
			return out, err
		}
		steps := []string{StepPlanFresh, StepApply, StepPlanApplied}
		if !apply {
			steps = steps[:1]
		}
		for _, step := range steps {
			run := r.ispmStep(ctx, sb, dir, profile, n, ConfigResources, step, conns)
			out = append(out, run)
			if !run.OK {
				break
			}
		}
	}
	if slices.Contains(configs, ConfigCombined) && profile == ProfileGenerous {
		dir := filepath.Join(r.work, fmt.Sprintf("n%d-%s-combined", n, profile))
		cfg := resourcesConfig(t, conns) + strings.TrimPrefix(dataSourcesConfig(t, conns), providerBlock(t))
		if err := writeConfig(dir, cfg); err != nil {
			return out, err
		}
		out = append(out, r.ispmStep(ctx, sb, dir, profile, n, ConfigCombined, StepPlanFresh, conns))
	}
	return out, ctx.Err()
}

// ispmStep runs one Terraform command of the provider's configurations,
// with the sandbox's counters zeroed and its rate-limit windows closed
// first, so each command starts as if a minute had passed.
func (r *runner) ispmStep(ctx context.Context, sb *sandbox.Sandbox, dir, profile string, n int, config, step string, conns []connection) RunResult {
	org := sb.Org(r.org.Params.Name)
	org.ResetRequestCounts()
	org.ResetRateLimitWindows()
	sb.ISPM().ResetRequestCounts()
	args := []string{"plan"}
	if step == StepApply {
		args = []string{"apply", "-auto-approve"}
	}
	res := r.tf.run(ctx, dir, filepath.Join(dir, step+".log"), args...)
	run := RunResult{Profile: profile, N: n, Config: config, Step: step}
	run.record(res)
	run.Okta = oktaCounts(org.RequestCounts())
	run.ISPM = ispmCounts(sb.ISPM().RequestCounts())
	if step != StepApply {
		run.Bound = r.bound(config, conns, run.Okta)
		run.PerResource = r.perResource(config, conns, run.Okta)
	}
	r.report(run)
	return run
}

func (run *RunResult) record(res cmdResult) {
	run.WallSeconds = res.Wall.Seconds()
	run.ProviderPeakRSSBytes = res.PeakRSS
	run.ProviderProcesses = res.ProviderProcs
	run.ProviderCPUSeconds = res.ProviderCPU.Seconds()
	run.TerraformCPUSeconds = res.TerraformCPU.Seconds()
	run.OK = res.Err == nil
	if res.Err != nil {
		run.Error = res.Err.Error()
		run.OutputTail = res.Tail
	}
}

// report prints one progress line.
func (r *runner) report(run RunResult) {
	r.done++
	profile := run.Profile
	if profile == "" {
		profile = "-"
	}
	line := fmt.Sprintf("[%d/%d %s] N=%-3d %-9s %-12s %-13s %7.1fs", r.done, r.total, time.Since(r.started).Round(time.Second),
		run.N, profile, run.Config, run.Step, run.WallSeconds)
	switch run.Config {
	case ConfigBaseline:
	case ConfigFloor:
		line += fmt.Sprintf("  peak %s", mb(run.ProviderPeakRSSBytes))
	default:
		line += fmt.Sprintf("  okta %d (429: %d)  ispm %d  peak %s", run.Okta.Total, run.Okta.RateLimited, run.ISPM.Total, mb(run.ProviderPeakRSSBytes))
	}
	if !run.OK {
		line += "  FAILED: " + run.Error
	}
	fmt.Fprintln(r.progress, line)
	if !run.OK && run.OutputTail != "" {
		fmt.Fprintln(r.progress, indent(run.OutputTail, "    "))
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// referenced returns the instances a configuration makes the provider
// judge: the connections' instances, or every instance of each data
// source's app.
func (r *runner) referenced(config string, conns []connection) []Instance {
	byID := make(map[string]int, len(r.org.Instances))
	for i, in := range r.org.Instances {
		byID[in.ID] = i
	}
	gallery := make(map[string]int, len(r.org.Gallery))
	for i, ga := range r.org.Gallery {
		gallery[ga.Key] = i
	}
	var out []Instance
	for _, c := range conns {
		// A combined configuration judges what its data sources judge,
		// which includes its resources' instances.
		if config == ConfigDataSources || config == ConfigCombined {
			for _, j := range r.org.Gallery[gallery[c.App]].Instances {
				out = append(out, r.org.Instances[j])
			}
			continue
		}
		for _, id := range c.InstanceIDs {
			out = append(out, r.org.Instances[byID[id]])
		}
	}
	return out
}

// bound is the target's ceiling on Okta requests for one plan: the
// listing's pages, one call per instance whose provisioning state the
// listing cannot answer, and the group-evidence search pages.
func (r *runner) bound(config string, conns []connection, got OktaCounts) *Bound {
	b := &Bound{ListingPages: r.org.ListingPages(), GroupPages: got.ByEndpoint[oktasim.EndpointGroups]}
	for _, in := range r.referenced(config, conns) {
		if !in.ListingAnswers {
			b.UnansweredInstances++
			b.MinimalCalls += in.ProvisioningCalls
		}
	}
	b.Max = int64(b.ListingPages+b.UnansweredInstances) + b.GroupPages
	b.Actual = got.Total - got.ByEndpoint[oktasim.EndpointToken]
	b.Met = b.Actual <= b.Max
	return b
}

// perResource computes what a provider that works per resource would
// spend on the same plan: each resource or data source reading the org's
// listing itself, or following a lookup chain per instance (GET the app,
// its connection, its features when the connection says UNKNOWN, and a
// group search).
func (r *runner) perResource(config string, conns []connection, got OktaCounts) *PerResource {
	p := &PerResource{References: len(conns), OursApps: got.ByBucket[string(oktasim.BucketApps)]}
	insts := r.referenced(config, conns)
	p.Instances = len(insts)
	var calls int64
	for _, in := range insts {
		if !in.ListingAnswers {
			calls += int64(in.ProvisioningCalls)
		}
		p.ChainAppGet++
		p.ChainGroups++
		p.ChainApps++
		if !connectionAPIApps[in.Name] {
			p.ChainApps++
		}
	}
	refs := len(conns)
	switch config {
	case ConfigDataSources:
		// Finding a data source's instances takes a filtered listing.
		p.ChainApps += int64(len(conns))
	case ConfigCombined:
		// Each resource repeats the chain for its own instances, and each
		// data source lists its app.
		refs = 2 * len(conns)
		p.References = refs
		p.ChainApps += int64(len(conns))
		for _, in := range r.referenced(ConfigResources, conns) {
			p.ChainAppGet++
			p.ChainGroups++
			p.ChainApps++
			if !connectionAPIApps[in.Name] {
				p.ChainApps++
			}
		}
	}
	p.ListingApps = int64(refs*r.org.ListingPages()) + calls
	return p
}

func oktaCounts(m map[string]oktasim.EndpointCount) OktaCounts {
	c := OktaCounts{ByEndpoint: map[string]int64{}, ByBucket: map[string]int64{}}
	for ep, n := range m {
		if n.Requests == 0 {
			continue
		}
		c.ByEndpoint[ep] = n.Requests
		c.ByBucket[bucketOf(ep)] += n.Requests
		c.Total += n.Requests
		c.RateLimited += n.RateLimited
		c.ServerErrors += n.ServerErrors
	}
	return c
}

func ispmCounts(m map[string]int) ISPMCounts {
	c := ISPMCounts{ByEndpoint: map[string]int{}}
	for ep, n := range m {
		if n == 0 {
			continue
		}
		c.ByEndpoint[ep] = n
		c.Total += n
	}
	return c
}

// bucketOf is the Okta rate-limit bucket of a sandbox endpoint name.
func bucketOf(endpoint string) string {
	switch endpoint {
	case oktasim.EndpointGetApp:
		return string(oktasim.BucketAppGet)
	case oktasim.EndpointListApps, oktasim.EndpointConnection, oktasim.EndpointFeatures, oktasim.EndpointFeature:
		return string(oktasim.BucketApps)
	case oktasim.EndpointGroups:
		return string(oktasim.BucketGroups)
	case oktasim.EndpointToken:
		return string(oktasim.BucketToken)
	}
	if strings.Contains(endpoint, " /api/v1/apps/") {
		return string(oktasim.BucketApps)
	}
	if strings.Contains(endpoint, " /api/v1/groups") {
		return string(oktasim.BucketGroups)
	}
	return string(oktasim.BucketOther)
}

// machineInfo describes where the benchmark ran.
func machineInfo(ctx context.Context, tfBin string) Machine {
	m := Machine{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if out, err := exec.CommandContext(ctx, tfBin, "version").Output(); err == nil {
		m.Terraform = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "model name") {
				if _, v, ok := strings.Cut(l, ":"); ok {
					m.CPU = strings.TrimSpace(v)
					break
				}
			}
		}
	}
	return m
}

func summarize(g *GeneratedOrg) OrgSummary {
	s := OrgSummary{Params: g.Params, ListingPages: g.ListingPages(), States: map[State]int{}, ScenarioBytes: len(g.JSON),
		GalleryApps: len(g.Gallery), ConnectableApps: len(g.Connectable)}
	for _, in := range g.Instances {
		s.States[in.State]++
		if in.State != StateNotSCIM {
			s.SCIMInstances++
			if !in.ListingAnswers {
				s.UnansweredInstances++
			}
		}
	}
	return s
}

func reportOptions(o Options) ReportOptions {
	return ReportOptions{Ns: o.Ns, Profiles: o.Profiles, Configs: o.Configs, PacedN: o.PacedN, PacedApply: o.PacedApply,
		PacedConfigs: o.PacedConfigs, Parallelism: o.Parallelism, ProviderEnv: o.ProviderEnv}
}

// errFailedRuns is returned when a Terraform command failed.
var errFailedRuns = errors.New("some Terraform commands failed; see the table and the logs")
