package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// countsOf is the sandbox's counts of a command's Okta requests.
func countsOf(list, conn, feat, groups, r429 int64) OktaCounts {
	c := OktaCounts{ByEndpoint: map[string]int64{}, ByBucket: map[string]int64{}, RateLimited: r429}
	for ep, n := range map[string]int64{
		"GET /api/v1/apps": list, "GET /api/v1/apps/{id}/connections/default": conn,
		"GET /api/v1/apps/{id}/features": feat, "GET /api/v1/groups": groups,
	} {
		if n > 0 {
			c.ByEndpoint[ep] = n
			c.ByBucket[bucketOf(ep)] += n
			c.Total += n
		}
	}
	return c
}

// sampleReport is a small benchmark outcome: a baseline and one profile's
// runs at N = 500, with counts as the sandbox reports them.
func sampleReport() *Report {
	return &Report{
		Date:    "2026-11-27",
		Machine: Machine{GOOS: "linux", GOARCH: "amd64", CPUs: 2, Go: "go1.26", Terraform: "Terraform v1.11.4"},
		Org:     OrgSummary{Params: DefaultOrgParams(), ListingPages: 25, SCIMInstances: 930, GalleryApps: 611, ConnectableApps: 541},
		Runs: []RunResult{
			{Config: ConfigBaseline, N: 500, Step: StepPlanFresh, OK: true, WallSeconds: 2},
			{Config: ConfigBaseline, N: 500, Step: StepApply, OK: true, WallSeconds: 3},
			{Config: ConfigBaseline, N: 500, Step: StepPlanApplied, OK: true, WallSeconds: 2.5},
			{Config: ConfigFloor, N: 500, Step: StepPlanApplied, OK: true, WallSeconds: 5, ProviderPeakRSSBytes: 90 << 20},
			{Profile: ProfileRealistic, N: 500, Config: ConfigResources, Step: StepPlanFresh, OK: true, WallSeconds: 2.8,
				Okta: countsOf(25, 0, 0, 0, 0), ProviderPeakRSSBytes: 60 << 20, ProviderProcesses: 3,
				Bound:       &Bound{ListingPages: 25, Max: 25, Actual: 25, Met: true},
				PerResource: &PerResource{References: 500, Instances: 560, ListingApps: 12500, ChainApps: 700, ChainAppGet: 560, ChainGroups: 560, OursApps: 25}},
			{Profile: ProfileRealistic, N: 500, Config: ConfigResources, Step: StepApply, OK: true, WallSeconds: 30, Okta: countsOf(50, 0, 0, 0, 0)},
			{Profile: ProfileRealistic, N: 500, Config: ConfigResources, Step: StepPlanApplied, OK: true, WallSeconds: 8.5,
				Okta: countsOf(25, 4, 2, 1, 2), ProviderPeakRSSBytes: 120 << 20,
				Bound: &Bound{ListingPages: 25, UnansweredInstances: 4, MinimalCalls: 6, GroupPages: 1, Max: 30, Actual: 32}},
		},
	}
}

func TestFinishComputesRatiosAndTargets(t *testing.T) {
	t.Parallel()
	rep := sampleReport()
	finish(rep)
	fresh := rep.Runs[4]
	if fresh.BaselineSeconds != 2 || fresh.Ratio != 1.4 {
		t.Errorf("fresh plan: baseline %v ratio %v, want 2 and 1.4", fresh.BaselineSeconds, fresh.Ratio)
	}
	if applied := rep.Runs[6]; applied.Ratio != 8.5/2.5 || applied.FloorRatio != 8.5/5 {
		t.Errorf("applied plan ratio %v and floor ratio %v, want %v and %v", applied.Ratio, applied.FloorRatio, 8.5/2.5, 8.5/5)
	}
	if floor := rep.Runs[3]; floor.Ratio != 2 || floor.FloorRatio != 0 {
		t.Errorf("the floor's own ratio %v, floor ratio %v; want 2 and none", floor.Ratio, floor.FloorRatio)
	}
	want := map[string]string{
		"Okta requests per plan":  TargetMissed, // 32 > 30
		"zero 429s":               TargetMissed, // 2 answers of 429
		"graceful pacing":         TargetNotRun,
		"with generous limits":    TargetNotRun,
		"at the realistic limits": TargetMissed, // 3.4x > 3x
		"provider peak memory":    TargetMissed, // 120 MB
		"ISPM requests":           TargetMet,
		"plan time at N = 500":    TargetNotRun, // no generous run
		"applied-state plan":      TargetNotRun, // no memory comparison
		"K concurrent plans":      TargetNotRun,
	}
	if len(rep.Targets) != len(want) {
		t.Fatalf("%d targets, want %d: %+v", len(rep.Targets), len(want), rep.Targets)
	}
	for _, tg := range rep.Targets {
		found := false
		for prefix, status := range want {
			if strings.HasPrefix(tg.Name, prefix) {
				found = true
				if tg.Status != status {
					t.Errorf("%q is %s, want %s (%s)", tg.Name, tg.Status, status, tg.Detail)
				}
			}
		}
		if !found {
			t.Errorf("unexpected target %q", tg.Name)
		}
	}
	for _, tg := range rep.Targets {
		switch {
		case strings.HasPrefix(tg.Name, "Okta requests"):
			if !strings.Contains(tg.Detail, "32 > 30 (+2)") {
				t.Errorf("the bound's excess is not named: %s", tg.Detail)
			}
		case strings.HasPrefix(tg.Name, "at the realistic"):
			if !strings.Contains(tg.Detail, "3.40×") || !strings.Contains(tg.Detail, "13% over") || !strings.Contains(tg.Detail, "same schema: 5.00 s = 2.00× the baseline") {
				t.Errorf("the ratio and how far off are not named: %s", tg.Detail)
			}
		case strings.HasPrefix(tg.Name, "provider peak"):
			if !strings.Contains(tg.Detail, "120.0 MB") || !strings.Contains(tg.Detail, "20.0 MB over") {
				t.Errorf("the peak and the excess are not named: %s", tg.Detail)
			}
		}
	}
}

func TestTargetsMetWhenWithinLimits(t *testing.T) {
	t.Parallel()
	rep := sampleReport()
	r := &rep.Runs[6]
	r.WallSeconds, r.ProviderPeakRSSBytes, r.Okta.RateLimited = 5, 50<<20, 0
	r.Bound.Actual, r.Bound.Met = 30, true
	rep.Runs[5].Okta.RateLimited = 0
	finish(rep)
	for _, tg := range rep.Targets {
		if tg.Status == TargetMissed {
			t.Errorf("%q is missed: %s", tg.Name, tg.Detail)
		}
	}
}

func TestFormatTable(t *testing.T) {
	t.Parallel()
	rep := sampleReport()
	finish(rep)
	var b bytes.Buffer
	if err := FormatTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"ISPM provider benchmark, 2026-11-27",
		"5000 apps (25 listing pages of 200)",
		"== baselines: terraform_data",
		"== realistic Okta limits",
		"== Okta apps-bucket requests per fresh plan",
		"== Targets",
		"[MISSED] at the realistic limits",
		"[NOT RUN] graceful pacing",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}
	// The columns line up: every row of a table has as many fields as its
	// header.
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "config") || !strings.Contains(l, "peak(MB)") {
			continue
		}
		head := len(strings.Fields(l))
		for _, row := range lines[i+1 : i+4] {
			if got := len(strings.Fields(row)); got != head {
				t.Errorf("row %q has %d fields, the header %d", row, got, head)
			}
		}
	}
	// The bound that is exceeded is flagged.
	if !strings.Contains(out, " 30! ") {
		t.Errorf("the exceeded bound is not flagged:\n%s", out)
	}
}

func TestWriteJSONRoundTrips(t *testing.T) {
	t.Parallel()
	rep := sampleReport()
	finish(rep)
	path := filepath.Join(t.TempDir(), "nested", "results.json")
	if err := WriteJSON(rep, path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Runs) != len(rep.Runs) || back.Runs[4].Okta.ByBucket["apps"] != 25 || back.Targets[0].Status != rep.Targets[0].Status {
		t.Errorf("the JSON does not hold the report: %+v", back)
	}
}

func TestBucketOf(t *testing.T) {
	t.Parallel()
	for ep, want := range map[string]string{
		"GET /api/v1/apps":                          "apps",
		"GET /api/v1/apps/{id}":                     "app_get",
		"GET /api/v1/apps/{id}/connections/default": "apps",
		"GET /api/v1/apps/{id}/features/{name}":     "apps",
		"POST /api/v1/apps/{id}/*":                  "apps",
		"GET /api/v1/groups":                        "groups",
		"POST /oauth2/v1/token":                     "token",
		"GET (unsupported path)":                    "other",
	} {
		if got := bucketOf(ep); got != want {
			t.Errorf("bucketOf(%q) = %q, want %q", ep, got, want)
		}
	}
}

func TestJudgeComparesCombinedWithDataSources(t *testing.T) {
	t.Parallel()
	run := func(config string, total int64) RunResult {
		return RunResult{Profile: ProfileGenerous, N: 10, Config: config, Step: StepPlanFresh, OK: true, WallSeconds: 1,
			Okta:  OktaCounts{Total: total},
			Bound: &Bound{Max: 100, Actual: total, Met: true}}
	}
	rep := &Report{Runs: []RunResult{run(ConfigDataSources, 77), run(ConfigCombined, 77)}}
	finish(rep)
	if tg := rep.Targets[0]; tg.Status != TargetMet || !strings.Contains(tg.Detail, "N=10: 77 with 10 resources and 10 data sources of the same apps, 77 with the data sources alone") {
		t.Errorf("equal counts: %+v", tg)
	}
	rep = &Report{Runs: []RunResult{run(ConfigDataSources, 77), run(ConfigCombined, 102)}}
	finish(rep)
	if tg := rep.Targets[0]; tg.Status != TargetMissed || !strings.Contains(tg.Detail, "102 requests, more than the 77 of its data sources alone") {
		t.Errorf("a combined plan that costs more: %+v", tg)
	}
}

// TestOktaOnlyPlansAreJudged: the -okta-only configurations' plans count
// for the request bound and the 429 target like the others.
func TestOktaOnlyPlansAreJudged(t *testing.T) {
	t.Parallel()
	rep := &Report{Org: OrgSummary{Params: DefaultOrgParams(), ListingPages: 25}, Runs: []RunResult{
		{Profile: ProfileRealistic, N: 1, Config: ConfigOktaGallery, Step: StepPlanFresh, OK: true, WallSeconds: 63,
			Okta: countsOf(25, 25, 26, 2, 0), Bound: &Bound{ListingPages: 25, UnansweredInstances: 51, GroupPages: 2, Max: 78, Actual: 78, Met: true}},
		{Profile: ProfileRealistic, N: 1, Config: ConfigOktaDataSources, Step: StepPlanFresh, OK: true, WallSeconds: 0.6,
			Okta: countsOf(2, 8, 0, 2, 0), Bound: &Bound{ListingPages: 25, FilteredListings: 1, UnansweredInstances: 8, GroupPages: 2, Max: 36, Actual: 12, Met: true}},
	}}
	finish(rep)
	if tg := statusOf(t, rep.Targets, "Okta requests per plan"); tg.Status != TargetMet || !strings.Contains(tg.Detail, "2 plans") {
		t.Errorf("bound target: %+v", tg)
	}
	if tg := statusOf(t, rep.Targets, "zero 429s"); tg.Status != TargetMet {
		t.Errorf("429 target: %+v", tg)
	}
}
