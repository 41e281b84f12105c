package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConfigs(t *testing.T) {
	t.Parallel()
	tg := target{ISPMEndpoint: "http://127.0.0.1:1", ISPMToken: "tok", OrgURL: "http://127.0.0.1:2", OrgToken: "okta-tok", OrgRef: "127.0.0.1:2"}
	conns := []connection{{App: "slack", InstanceIDs: []string{"0oaA", "0oaB"}}, {App: "bigcorp_wiki_1", InstanceIDs: []string{"0oaC"}}}

	res := resourcesConfig(tg, conns)
	for _, want := range []string{
		`source = "ispm-community/ispm"`, `endpoint  = "http://127.0.0.1:1"`, `org_url   = "http://127.0.0.1:2"`,
		`resource "ispm_source_connection" "c0000"`, `instance_ids = ["0oaA", "0oaB"]`,
		`resource "ispm_source_connection" "c0001"`, `app_name     = "bigcorp_wiki_1"`, `okta_org     = "127.0.0.1:2"`,
	} {
		if !strings.Contains(res, want) {
			t.Errorf("the resources config lacks %s:\n%s", want, res)
		}
	}
	if strings.Count(res, "resource \"ispm_source_connection\"") != 2 {
		t.Errorf("want 2 resources:\n%s", res)
	}

	ds := dataSourcesConfig(tg, conns)
	if strings.Count(ds, `data "ispm_app_eligibility"`) != 2 || strings.Contains(ds, "instance_ids") {
		t.Errorf("want 2 data sources judging every instance:\n%s", ds)
	}

	floor := floorConfig(conns)
	if strings.Count(floor, `resource "floor_source_connection"`) != 2 || !strings.Contains(floor, `source = "ispm-community/floor"`) || !strings.Contains(floor, `["0oaA", "0oaB"]`) {
		t.Errorf("the floor config must mirror the resources:\n%s", floor)
	}

	base := baselineConfig(conns)
	if strings.Count(base, `resource "terraform_data"`) != 2 || strings.Contains(base, "provider") || !strings.Contains(base, `["0oaA", "0oaB"]`) {
		t.Errorf("the baseline must carry the same values without a provider:\n%s", base)
	}
}

func TestCLIConfigAndEnvironment(t *testing.T) {
	t.Parallel()
	rc := cliConfig("/tmp/x/provider")
	if !strings.Contains(rc, `"ispm-community/ispm" = "/tmp/x/provider"`) || !strings.Contains(rc, `"ispm-community/floor" = "/tmp/x/provider"`) || !strings.Contains(rc, "dev_overrides") {
		t.Errorf("the CLI config does not override the provider:\n%s", rc)
	}
	env := terraformEnv([]string{
		"PATH=/usr/bin", "HOME=/root", "TF_CLI_CONFIG_FILE=/home/u/.terraformrc", "TF_LOG=TRACE", "TF_LOG_PATH=/tmp/l",
		"TF_CLI_ARGS_plan=-refresh=false", "OKTA_API_TOKEN=real", "ISPM_ENDPOINT=https://prod", "TF_VAR_x=1",
	}, "/tmp/rc")
	for _, bad := range []string{"/home/u/.terraformrc", "TF_LOG=", "TF_LOG_PATH", "TF_CLI_ARGS", "OKTA_", "ISPM_", "TF_VAR_"} {
		for _, kv := range env {
			if strings.Contains(kv, bad) {
				t.Errorf("the environment keeps %q", kv)
			}
		}
	}
	for _, want := range []string{"PATH=/usr/bin", "HOME=/root", "TF_CLI_CONFIG_FILE=/tmp/rc", "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"} {
		if !slices.Contains(env, want) {
			t.Errorf("the environment lacks %q: %v", want, env)
		}
	}
}

func TestParseCPUTicks(t *testing.T) {
	t.Parallel()
	stat := "4242 (terraform-provi) S 4200 4242 4200 0 -1 4194560 5000 0 0 0 153 27 0 0 20 0 12 0 99 1300000000 15000 18446744073709551615"
	if ticks, ok := parseCPUTicks([]byte(stat)); !ok || ticks != 180 {
		t.Errorf("parseCPUTicks = %d, %v; want 153+27", ticks, ok)
	}
	odd := "7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 1 1 1"
	if ticks, ok := parseCPUTicks([]byte(odd)); !ok || ticks != 11 {
		t.Errorf("a command name with parentheses: %d, %v", ticks, ok)
	}
	if _, ok := parseCPUTicks([]byte("garbage")); ok {
		t.Error("garbage parsed")
	}
}

func TestParseVmHWM(t *testing.T) {
	t.Parallel()
	status := "Name:\tterraform-provi\nVmPeak:\t 1296680 kB\nVmHWM:\t   61244 kB\nVmRSS:\t   60112 kB\n"
	if kb, ok := parseVmHWM([]byte(status)); !ok || kb != 61244 {
		t.Errorf("parseVmHWM = %d, %v; want 61244", kb, ok)
	}
	if _, ok := parseVmHWM([]byte("Name:\tkthreadd\n")); ok {
		t.Error("a kernel thread has no VmHWM")
	}
}

// TestWatchMemoryFindsAProcess watches the test binary itself, the one
// process whose executable is known to be running.
func TestWatchMemoryFindsAProcess(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	w := watchMemory(exe, time.Millisecond)
	// Spend some CPU so that the process has a few clock ticks.
	deadline := time.Now().Add(60 * time.Millisecond)
	for n := 0; time.Now().Before(deadline); n++ {
		_ = strings.Repeat("x", n%100)
	}
	got := w.Stop()
	if got.Processes < 1 || got.PeakBytes < 1<<20 || got.CPU <= 0 {
		t.Errorf("watching %s saw %+v", exe, got)
	}
	w = watchMemory("/nonexistent/terraform-provider-ispm", time.Millisecond)
	if got := w.Stop(); got.PeakBytes != 0 || got.Processes != 0 || got.CPU != 0 {
		t.Errorf("a binary nobody runs: %+v", got)
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	var sink strings.Builder
	opts, out, err := parseFlags(nil, &sink)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(opts.Ns, []int{1, 10, 100, 500}) || out != "bench-results/results.json" || opts.PacedN != 500 || opts.Org.Apps != 5000 {
		t.Errorf("defaults: %+v %q", opts, out)
	}
	opts, _, err = parseFlags([]string{"-quick"}, &sink)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(opts.Ns, []int{1, 10}) || opts.PacedN != 0 || opts.Org.Apps != 1000 {
		t.Errorf("-quick: %+v", opts)
	}
	opts, _, err = parseFlags([]string{"-quick", "-n", "100,5,5", "-paced-n", "20", "-configs", "resources"}, &sink)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(opts.Ns, []int{5, 100}) || opts.PacedN != 20 || !slices.Equal(opts.Configs, []string{ConfigResources}) {
		t.Errorf("explicit flags must win over -quick: %+v", opts)
	}
	opts, _, err = parseFlags([]string{"-apps", "2000", "-n", "300"}, &sink)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Org.Apps != 2000 || opts.Org.CustomSCIMApps < 500 {
		t.Errorf("-apps must keep enough custom apps for the largest N: %+v", opts.Org)
	}
	opts, _, err = parseFlags([]string{"-provider-env", "TF_LOG_SDK=off, GOGC=50"}, &sink)
	if err != nil || !slices.Equal(opts.ProviderEnv, []string{"TF_LOG_SDK=off", "GOGC=50"}) {
		t.Errorf("-provider-env: %v %v", opts.ProviderEnv, err)
	}
	for _, bad := range [][]string{{"-provider-env", "OKTA_API_TOKEN=x"}, {"-provider-env", "novalue"}, {"-n", "0"}, {"-n", "ten"}, {"-n", ","}, {"-profiles", "fast"}, {"-configs", "modules"}, {"-paced-n", "-1"}, {"-out", ""}, {"extra"}} {
		if _, _, err := parseFlags(bad, &sink); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
}

func TestProfileLimits(t *testing.T) {
	t.Parallel()
	real, err := profileLimits(ProfileRealistic)
	if err != nil || real.Apps != 100 || real.AppGet != 600 || real.Groups != 600 || real.Concurrency != 75 {
		t.Errorf("realistic limits %+v, %v", real, err)
	}
	tenth, err := profileLimits(ProfileTenth)
	if err != nil || tenth.Apps != 10 || tenth.AppGet != 60 || tenth.Groups != 60 || tenth.Concurrency != 7 {
		t.Errorf("tenth limits %+v, %v", tenth, err)
	}
	if _, err := profileLimits("fast"); err == nil {
		t.Error("an unknown profile was accepted")
	}
}

func TestBoundAndPerResource(t *testing.T) {
	t.Parallel()
	g, err := Generate(QuickOrgParams())
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{org: g}
	conns := r.connections(len(g.Connectable))
	got := OktaCounts{ByEndpoint: map[string]int64{"GET /api/v1/apps": 5, "GET /api/v1/groups": 1}, ByBucket: map[string]int64{"apps": 5, "groups": 1}, Total: 6}

	// Resources connect eligible instances only: the listing answers all.
	// The first three apps may be listed by name before the process
	// switches to the whole listing.
	if len(conns) < 3 {
		t.Fatalf("%d connections; the test needs at least 3 apps", len(conns))
	}
	b := r.bound(ConfigResources, conns, got)
	if b.ListingPages != 5 || b.FilteredListings != 3 || b.UnansweredInstances != 0 || b.Max != 5+3+1 || !b.Met {
		t.Errorf("resources bound %+v", b)
	}
	// A plan about one app may list only that one by name.
	if b1 := r.bound(ConfigResources, conns[:1], got); b1.FilteredListings != 1 || b1.Max != 5+1+1 {
		t.Errorf("one-app bound %+v", b1)
	}
	// Beyond the allowance a plan exceeds its bound.
	over := got
	over.Total = 5 + 3 + 1 + 1
	if b := r.bound(ConfigResources, conns, over); b.Met {
		t.Errorf("bound met by %d requests: %+v", over.Total, b)
	}
	// Data sources judge every instance of their apps.
	b = r.bound(ConfigDataSources, conns, got)
	want := 0
	for _, gi := range g.Connectable {
		for _, j := range g.Gallery[gi].Instances {
			if !g.Instances[j].ListingAnswers {
				want++
			}
		}
	}
	if want == 0 || b.UnansweredInstances != want || b.Max != int64(5+3+want+1) || b.MinimalCalls != want {
		t.Errorf("data sources bound %+v, want %d unanswered", b, want)
	}

	if c := r.bound(ConfigCombined, conns, got); *c != *b {
		t.Errorf("a combined configuration judges what its data sources judge: %+v, want %+v", c, b)
	}

	p := r.perResource(ConfigResources, conns, got)
	if p.References != len(conns) || p.ListingApps != int64(5*len(conns)) || p.ChainAppGet != int64(p.Instances) || p.ChainApps < int64(p.Instances) || p.OursApps != 5 {
		t.Errorf("per resource %+v", p)
	}
	pd := r.perResource(ConfigDataSources, conns, got)
	if pd.Instances <= p.Instances || pd.ListingApps != int64(5*len(conns)+b.MinimalCalls) {
		t.Errorf("per data source %+v", pd)
	}
	pc := r.perResource(ConfigCombined, conns, got)
	if pc.References != 2*len(conns) || pc.ChainApps != p.ChainApps+pd.ChainApps || pc.ListingApps != int64(10*len(conns)+b.MinimalCalls) {
		t.Errorf("per reference in a combined configuration %+v", pc)
	}
}

// TestWrapWithEnv runs a wrapped program and checks that it sees the
// variables, its arguments, and that the real binary moved aside.
func TestWrapWithEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exe := filepath.Join(dir, "prog")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\necho \"$GREETING|$ODD|$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	real, err := wrapWithEnv(exe, []string{"GREETING=hello world", "ODD=it's"})
	if err != nil {
		t.Fatal(err)
	}
	if real != filepath.Join(dir, "real", "prog") {
		t.Errorf("real binary at %s", real)
	}
	out, err := exec.Command(exe, "arg one").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "hello world|it's|arg one" {
		t.Errorf("the wrapped program printed %q", got)
	}
}
