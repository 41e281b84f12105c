package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	// Concurrent are the K of the concurrent runs: K plans at once, each
	// of ConcurrentConnections connections and ConcurrentDataSources data
	// sources, one org, realistic limits. Empty skips them.
	Concurrent []int
	// MemoryRounds, when positive, plans the applied state of the largest
	// N (generous limits) that many times with the soft memory limit and
	// as many without it (MemoryCompare).
	MemoryRounds int
	// FloorRounds, when positive, plans the largest N's resources (generous
	// limits) that many times, fresh and applied, with the provider and
	// with the floor provider, alternating (FloorCompare).
	FloorRounds int
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
	// memory is the MemoryCompare, made in the largest N's generous run.
	memory *MemoryCompare
	// floor is the FloorCompare, made in the same run.
	floor *FloorCompare
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
		if !slices.Contains(knownConfigs(), c) {
			return nil, fmt.Errorf("unknown configuration %q; use any of %s", c, strings.Join(knownConfigs(), ", "))
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
	for _, k := range opts.Concurrent {
		c, err := r.concurrentRun(ctx, k)
		rep.Concurrent = append(rep.Concurrent, c)
		if err != nil {
			rep.Memory, rep.Floor = r.memory, r.floor
			return rep, err
		}
	}
	rep.Memory, rep.Floor = r.memory, r.floor
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
	n := per*len(r.opts.Ns) + r.oktaOnlySteps() + len(r.opts.Concurrent)
	if r.opts.MemoryRounds > 0 && slices.Contains(r.opts.Configs, ConfigResources) && slices.Contains(r.opts.Profiles, ProfileGenerous) {
		n += 2 * r.opts.MemoryRounds
	}
	if r.opts.FloorRounds > 0 && slices.Contains(r.opts.Configs, ConfigResources) && slices.Contains(r.opts.Configs, ConfigFloor) &&
		slices.Contains(r.opts.Profiles, ProfileGenerous) {
		n += 4 * r.opts.FloorRounds
	}
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

// memoryHere tells the run of the memory comparison: the largest N,
// generous limits.
func (r *runner) memoryHere(profile string, n int) bool {
	return r.opts.MemoryRounds > 0 && profile == ProfileGenerous && n == slices.Max(r.opts.Ns)
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
		c := ispmConfig{dir: dir, profile: profile, n: n, config: ConfigDataSources, conns: conns}
		for _, step := range []string{StepPlanFresh, StepApply} {
			run := r.ispmStep(ctx, sb, c, step)
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
		c := ispmConfig{dir: dir, profile: profile, n: n, config: ConfigResources, conns: conns}
		applied := true
		for _, step := range steps {
			run := r.ispmStep(ctx, sb, c, step)
			out = append(out, run)
			if !run.OK {
				applied = false
				break
			}
			if isPlan(step) && r.floorHere(profile, n) {
				if err := r.floorCompare(ctx, sb, c, step); err != nil {
					return out, err
				}
			}
		}
		if applied && apply && r.memoryHere(profile, n) {
			mc, err := r.memoryCompare(ctx, sb, c)
			r.memory = mc
			if err != nil {
				return out, err
			}
		}
	}
	if slices.Contains(configs, ConfigCombined) && profile == ProfileGenerous {
		dir := filepath.Join(r.work, fmt.Sprintf("n%d-%s-combined", n, profile))
		cfg := resourcesConfig(t, conns) + strings.TrimPrefix(dataSourcesConfig(t, conns), providerBlock(t))
		if err := writeConfig(dir, cfg); err != nil {
			return out, err
		}
		out = append(out, r.ispmStep(ctx, sb, ispmConfig{dir: dir, profile: profile, n: n, config: ConfigCombined, conns: conns}, StepPlanFresh))
	}
	okta, err := r.oktaOnlyRuns(ctx, sb, t, ispmConfig{profile: profile, n: n, conns: conns}, configs)
	return append(out, okta...), err
}

// ispmConfig is one of the provider's configurations written in dir: the
// profile it runs under, its N, its kind (ConfigResources, ...) and its
// connections.
type ispmConfig struct {
	dir     string
	profile string
	n       int
	config  string
	conns   []connection
}

// ispmStep runs one Terraform command of the provider's configurations,
// with the sandbox's counters zeroed and its rate-limit windows closed
// first, so each command starts as if a minute had passed.
func (r *runner) ispmStep(ctx context.Context, sb *sandbox.Sandbox, c ispmConfig, step string) RunResult {
	dir, profile, n, config, conns := c.dir, c.profile, c.n, c.config, c.conns
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
