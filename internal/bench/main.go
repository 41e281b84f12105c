// Command bench measures the provider at scale through the real Terraform
// CLI: it builds the provider, starts the sandbox with a generated large
// Okta org, and for each N plans and applies N ispm_source_connection
// resources, N ispm_app_eligibility data sources and a baseline of N
// terraform_data resources, counting every Okta and ISPM request, 429s,
// wall time and the provider processes' peak memory. See BENCHMARKS.md.
//
//	go run ./internal/bench [-quick] [-okta-only] [-n 1,10,100,500] [-out bench-results/results.json]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the flags, runs the benchmark and prints the table; it
// returns the process's exit status.
func run(args []string, stdout, stderr io.Writer) int {
	opts, out, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts.Progress = stderr
	rep, err := Run(ctx, opts)
	if rep != nil && len(rep.Runs) > 0 {
		if rep.Targets == nil {
			finish(rep)
		}
		if ferr := FormatTable(stdout, rep); ferr != nil {
			fmt.Fprintln(stderr, "bench: writing the table:", ferr)
		}
		if jerr := WriteJSON(rep, out); jerr != nil {
			fmt.Fprintln(stderr, "bench:", jerr)
			return 1
		}
		fmt.Fprintf(stderr, "results written to %s\n", out)
	}
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	for _, r := range rep.Runs {
		if !r.OK {
			fmt.Fprintln(stderr, "bench:", errFailedRuns)
			return 1
		}
	}
	return 0
}

// parseFlags turns the command line into Options and the JSON path.
func parseFlags(args []string, stderr io.Writer) (Options, string, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		ns          = fs.String("n", "1,10,100,500", "comma-separated numbers of connections (and data sources, and terraform_data resources)")
		quick       = fs.Bool("quick", false, "CI-sized run: a 1,000-app org, N = 1 and 10, no paced run (flags given explicitly still apply)")
		profiles    = fs.String("profiles", ProfileGenerous+","+ProfileRealistic, "Okta rate-limit profiles of the main runs: generous, realistic")
		configs     = fs.String("configs", strings.Join(allConfigs, ","), "configurations to run: "+strings.Join(allConfigs, ", ")+" (combined runs under generous limits only); opt-in, with a provider configured with the Okta org only: "+strings.Join(oktaOnlyConfigs, ", "))
		oktaOnly    = fs.Bool("okta-only", false, "the Okta request cost of plans without ISPM: -configs "+strings.Join(oktaOnlyConfigs, ",")+" at N = 1, no paced run (flags given explicitly still apply)")
		pacedN      = fs.Int("paced-n", 500, "N of the paced run at a tenth of the limits (a fresh plan of N connections); 0 skips it")
		pacedApply  = fs.Bool("paced-apply", false, "also apply and re-plan the resources in the paced run (adds several minutes)")
		pacedCfgs   = fs.String("paced-configs", ConfigResources, "configurations of the paced run: resources, data_sources (data sources at a tenth of the limits take about 12 minutes per command at N >= 10)")
		apps        = fs.Int("apps", 0, "apps in the generated org (default 5000; 1000 with -quick)")
		seed        = fs.Uint64("seed", 0, "seed of the generated org (default fixed, so every run sees the same org)")
		out         = fs.String("out", "bench-results/results.json", "path of the machine-readable results")
		tf          = fs.String("terraform", "", "Terraform CLI to run (default: scripts/terraform-path.sh)")
		parallelism = fs.Int("parallelism", 0, "Terraform's -parallelism (default: Terraform's own, 10)")
		workDir     = fs.String("workdir", "", "directory for builds, configurations, states and logs (default: a temporary one)")
		keep        = fs.Bool("keep", false, "keep the temporary work directory (logs of every command)")
		concurrent  = fs.String("concurrent", "4,8", "comma-separated K of the concurrent runs: K plans at once in K workspaces of 100 connections and 20 data sources, one org, realistic limits; 0 skips them")
		memRounds   = fs.Int("memory-rounds", 2, "rounds of the applied-state plan at the largest N (generous limits) with the provider's soft memory limit and with GOMEMLIMIT=off, alternating; 0 skips them")
		floorRounds = fs.Int("floor-rounds", 3, "rounds of the fresh and applied-state plans at the largest N (generous limits) with the provider and with the floor provider, alternating; the floor target judges their medians; 0 skips them")
		providerEnv = fs.String("provider-env", "", "comma-separated KEY=VALUE added to the environment of the provider processes only, e.g. TF_LOG_SDK=off,GOMEMLIMIT=64MiB")
	)
	if err := fs.Parse(args); err != nil {
		return Options{}, "", err
	}
	if fs.NArg() > 0 {
		return Options{}, "", fmt.Errorf("unexpected argument %q; every option is a flag (see -h)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	opts := Options{Org: DefaultOrgParams(), PacedN: *pacedN, PacedApply: *pacedApply, Terraform: *tf, MemoryRounds: *memRounds, FloorRounds: *floorRounds,
		Parallelism: *parallelism, WorkDir: *workDir, Keep: *keep}
	nList, kList := *ns, *concurrent
	if (*quick || *oktaOnly) && !given["concurrent"] {
		kList = "0"
	}
	if (*quick || *oktaOnly) && !given["memory-rounds"] {
		opts.MemoryRounds = 0
	}
	if (*quick || *oktaOnly) && !given["floor-rounds"] {
		opts.FloorRounds = 0
	}
	if *quick {
		opts.Org = QuickOrgParams()
		if !given["n"] {
			nList = "1,10"
		}
		if !given["paced-n"] {
			opts.PacedN = 0
		}
	}
	configList := *configs
	if *oktaOnly {
		if !given["configs"] {
			configList = strings.Join(oktaOnlyConfigs, ",")
		}
		if !given["n"] {
			nList = "1"
		}
		if !given["paced-n"] {
			opts.PacedN = 0
		}
	}
	var err error
	if opts.Ns, err = parseInts(nList); err != nil {
		return Options{}, "", fmt.Errorf("-n: %w", err)
	}
	if kList = strings.TrimSpace(kList); kList != "0" && kList != "" {
		if opts.Concurrent, err = parseInts(kList); err != nil {
			return Options{}, "", fmt.Errorf("-concurrent: %w (or 0 to skip the concurrent runs)", err)
		}
	}
	if opts.MemoryRounds < 0 {
		return Options{}, "", fmt.Errorf("-memory-rounds is %d; give 0 to skip the memory comparison or a positive number of rounds", opts.MemoryRounds)
	}
	if opts.FloorRounds < 0 {
		return Options{}, "", fmt.Errorf("-floor-rounds is %d; give 0 to skip the floor comparison or a positive number of rounds", opts.FloorRounds)
	}
	if opts.PacedN < 0 {
		return Options{}, "", fmt.Errorf("-paced-n is %d; give 0 to skip the paced run or a positive N", opts.PacedN)
	}
	if opts.Parallelism < 0 {
		return Options{}, "", fmt.Errorf("-parallelism is %d; give a positive number or 0 for Terraform's default", opts.Parallelism)
	}
	if opts.Profiles, err = parseNames(*profiles, []string{ProfileGenerous, ProfileRealistic}); err != nil {
		return Options{}, "", fmt.Errorf("-profiles: %w", err)
	}
	if opts.Configs, err = parseNames(configList, knownConfigs()); err != nil {
		return Options{}, "", fmt.Errorf("-configs: %w", err)
	}
	if opts.PacedConfigs, err = parseNames(*pacedCfgs, []string{ConfigDataSources, ConfigResources}); err != nil {
		return Options{}, "", fmt.Errorf("-paced-configs: %w", err)
	}
	if *apps > 0 {
		scale := float64(*apps) / float64(opts.Org.Apps)
		opts.Org.Apps = *apps
		opts.Org.OINInstances = max(int(float64(opts.Org.OINInstances)*scale), 2*len(oinKeys))
		opts.Org.CustomSCIMApps = max(int(float64(opts.Org.CustomSCIMApps)*scale), slices.Max(append(slices.Clone(opts.Ns), opts.PacedN)))
	}
	if *seed != 0 {
		opts.Org.Seed = *seed
	}
	if err := opts.Org.validate(); err != nil {
		return Options{}, "", err
	}
	for _, kv := range strings.Split(*providerEnv, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" || strings.ContainsAny(k, " \t") || strings.HasPrefix(k, "OKTA_") || strings.HasPrefix(k, "ISPM_") {
			return Options{}, "", fmt.Errorf("-provider-env: %q is not KEY=VALUE, or sets a variable the benchmark owns (OKTA_*, ISPM_*)", kv)
		}
		opts.ProviderEnv = append(opts.ProviderEnv, kv)
	}
	if *out == "" {
		return Options{}, "", errors.New("-out is empty; give a path for the JSON results")
	}
	return opts, *out, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive whole number", f)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("give at least one N, like 1,10,100,500")
	}
	slices.Sort(out)
	return out, nil
}

func parseNames(s string, known []string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(known, f) {
			return nil, fmt.Errorf("unknown name %q; use any of %s", f, strings.Join(known, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("give at least one of %s", strings.Join(known, ", "))
	}
	return out, nil
}
