package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

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

// ReportOptions records what was asked for.
type ReportOptions struct {
	Ns           []int    `json:"n"`
	Profiles     []string `json:"profiles"`
	Configs      []string `json:"configs"`
	PacedN       int      `json:"paced_n"`
	PacedApply   bool     `json:"paced_apply"`
	PacedConfigs []string `json:"paced_configs"`
	Concurrent   []int    `json:"concurrent,omitempty"`
	MemoryRounds int      `json:"memory_rounds,omitempty"`
	FloorRounds  int      `json:"floor_rounds,omitempty"`
	ProviderEnv  []string `json:"provider_env,omitempty"`
	Parallelism  int      `json:"parallelism"`
}

func reportOptions(o Options) ReportOptions {
	return ReportOptions{Ns: o.Ns, Profiles: o.Profiles, Configs: o.Configs, PacedN: o.PacedN, PacedApply: o.PacedApply,
		PacedConfigs: o.PacedConfigs, Concurrent: o.Concurrent, MemoryRounds: o.MemoryRounds, FloorRounds: o.FloorRounds, Parallelism: o.Parallelism, ProviderEnv: o.ProviderEnv}
}

// errFailedRuns is returned when a Terraform command failed.
var errFailedRuns = errors.New("some Terraform commands failed; see the table and the logs")
