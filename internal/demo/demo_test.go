package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCLIConfigOverridesOnlyTheProvider(t *testing.T) {
	t.Parallel()
	got := cliConfig("/tmp/x y/bin")
	for _, want := range []string{
		"provider_installation {",
		"dev_overrides {",
		`"ispm-community/ispm" = "/tmp/x y/bin"`,
		"direct {}",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("CLI config lacks %q:\n%s", want, got)
		}
	}
}

func TestChildEnvKeepsCallerSettingsAway(t *testing.T) {
	t.Parallel()
	base := []string{
		"HOME=/home/u", "PATH=/usr/bin", "LANG=C",
		"TF_LOG=TRACE", "TF_CLI_CONFIG_FILE=/home/u/.terraformrc", "TF_VAR_okta_org=prod.okta.com",
		"OKTA_API_TOKEN=real-token", "OKTA_ORG_NAME=prod", "ISPM_ENDPOINT=https://prod.example", "CHECKPOINT_DISABLE=",
	}
	env := childEnv(base, map[string]string{
		"TF_CLI_CONFIG_FILE": "/tmp/demo/terraform.rc",
		"OKTA_BASE_URL":      "http://127.0.0.1:1234",
		"CHECKPOINT_DISABLE": "1",
	})
	want := []string{
		"HOME=/home/u", "PATH=/usr/bin", "LANG=C",
		"CHECKPOINT_DISABLE=1", "OKTA_BASE_URL=http://127.0.0.1:1234", "TF_CLI_CONFIG_FILE=/tmp/demo/terraform.rc",
	}
	if !slices.Equal(env, want) {
		t.Errorf("childEnv =\n  %q\nwant\n  %q", env, want)
	}
}

func TestCopyTerraformFilesTakesOnlyConfiguration(t *testing.T) {
	t.Parallel()
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "work")
	for name, body := range map[string]string{
		"main.tf":                 "# main\n",
		"outputs.tf":              "# outputs\n",
		"README.md":               "# readme\n",
		"terraform.tfstate":       "{}",
		".terraform.lock.hcl":     "# lock\n",
		".terraform/plugins/x.tf": "# not configuration\n",
	} {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyTerraformFiles(src, dst); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dst)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"main.tf", "outputs.tf"}) {
		t.Errorf("copied %v, want [main.tf outputs.tf]", names)
	}
	if err := copyTerraformFiles(t.TempDir(), filepath.Join(t.TempDir(), "w")); err == nil || !strings.Contains(err.Error(), "no .tf file") {
		t.Errorf("copying an empty directory: err = %v, want one saying it holds no .tf file", err)
	}
}

const overrideWarning = `
Warning: Provider development overrides are in effect

The following provider development overrides are set in the CLI
configuration:
 - ispm-community/ispm in /tmp/ispm-demo-1/bin

The behavior may therefore not match any released version of the provider and
applying changes may cause the state to become incompatible with published
releases.
`

func TestDisplayWriterShowsTheOverrideWarningOnce(t *testing.T) {
	t.Parallel()
	first := overrideWarning + "Plan: 1 to add, 0 to change, 0 to destroy.\n"
	var shown bytes.Buffer
	w := &displayWriter{w: &shown, prefix: "  "}
	// Written in small pieces, as a pipe delivers it.
	for i := 0; i < len(first); i += 7 {
		if _, err := w.Write([]byte(first[i:min(i+7, len(first))])); err != nil {
			t.Fatal(err)
		}
	}
	w.flush()
	if !w.sawOverrideWarning || !strings.Contains(shown.String(), "  Warning: Provider development overrides") {
		t.Fatalf("the first warning must be shown, indented:\n%s", shown.String())
	}

	shown.Reset()
	w = &displayWriter{w: &shown, prefix: "  ", hideOverrideWarning: true}
	if _, err := w.Write([]byte(overrideWarning + "No changes.")); err != nil {
		t.Fatal(err)
	}
	w.flush()
	if got := shown.String(); strings.Contains(got, "overrides") || strings.Contains(got, "releases.") || !strings.Contains(got, "  No changes.\n") {
		t.Errorf("a repeated warning must be dropped and the rest shown, got:\n%s", got)
	}

	// A block that starts like the warning but does not end like it is
	// shown in full.
	shown.Reset()
	w = &displayWriter{w: &shown, prefix: "", hideOverrideWarning: true}
	odd := "Warning: Provider development overrides are in effect\nsomething else\n"
	if _, err := w.Write([]byte(odd)); err != nil {
		t.Fatal(err)
	}
	w.flush()
	if shown.String() != odd {
		t.Errorf("an unterminated block must be shown as it came, got:\n%q", shown.String())
	}
}

// TestDemoRuns runs the whole demo with the real Terraform CLI, as make
// demo does, and checks that it tells every step and leaves nothing behind.
func TestDemoRuns(t *testing.T) {
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("runs the real Terraform CLI: set TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test does)")
	}
	t.Parallel()
	root, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	before := exampleFiles(t, root)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, options{Terraform: tf, Root: root, Out: &out, Err: &out}); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	got := out.String()
	for i := 1; i <= totalSteps; i++ {
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^==> %d/%d \S`, i, totalSteps)).MatchString(got) {
			t.Errorf("step %d/%d is not announced:\n%s", i, totalSteps, got)
		}
	}
	if strings.Count(got, "Warning: Provider development overrides are in effect") != 1 {
		t.Errorf("the dev_overrides warning should be shown exactly once")
	}
	if !strings.Contains(got, "==> Done in ") {
		t.Errorf("the demo does not say it is done:\n%s", got)
	}
	m := regexp.MustCompile(`into (\S*ispm-demo-\S+)`).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("the demo does not name its temporary directory:\n%s", got)
	}
	if _, err := os.Stat(m[1]); !os.IsNotExist(err) {
		t.Errorf("the temporary directory %s is still there (stat: %v)", m[1], err)
	}
	if after := exampleFiles(t, root); !slices.Equal(before, after) {
		t.Errorf("the demo changed examples/quickstart or examples/readiness-only: %v, then %v", before, after)
	}

	// The last step judges the org with ISPM not configured (the demo
	// itself fails if the sandbox's ISPM received a request).
	last := got[strings.Index(got, fmt.Sprintf("==> %d/%d ", totalSteps, totalSteps)):]
	for _, want := range []string{
		"examples/readiness-only",
		"no ISPM_* variable",
		slackReady + ": okta_ready = true",
		`0oanmMaYeApl2IxgQlZP "Slack (Legacy)": okta_ready = false`,
		"P4_ACTIVE fails. Admin Console: http://",
		"        1. ",
		"ISPM is not configured",
		"ISPM received 0 requests",
	} {
		if !strings.Contains(last, want) {
			t.Errorf("the last step does not show %q:\n%s", want, last)
		}
	}
}

// exampleFiles lists the directories the demo copies, which it must leave
// as they are.
func exampleFiles(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	for _, dir := range []string{"quickstart", "readiness-only"} {
		entries, err := os.ReadDir(filepath.Join(root, "examples", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			names = append(names, dir+"/"+e.Name())
		}
	}
	return names
}

func TestOktaOnlyLeavesISPMOut(t *testing.T) {
	t.Parallel()
	env := merge(
		map[string]string{"TF_IN_AUTOMATION": "1"},
		oktaOnly(map[string]string{
			"OKTA_ORG_NAME": "acme", "OKTA_BASE_URL": "http://127.0.0.1:1", "OKTA_API_TOKEN": "t",
			"ISPM_ENDPOINT": "http://127.0.0.1:2", "ISPM_API_TOKEN": "u",
		}),
		map[string]string{"TF_IN_AUTOMATION": "0"},
	)
	want := map[string]string{
		"TF_IN_AUTOMATION": "0",
		"OKTA_ORG_NAME":    "acme", "OKTA_BASE_URL": "http://127.0.0.1:1", "OKTA_API_TOKEN": "t",
	}
	if !maps.Equal(env, want) {
		t.Errorf("env = %v, want %v", env, want)
	}
}

func TestRequestsSinceCountsOnlyNewRequests(t *testing.T) {
	t.Parallel()
	before := map[string]int{"GET /api/v1/sources": 3, "POST /api/v1/sources": 1}
	if n, diff := requestsSince(before, maps.Clone(before)); n != 0 || len(diff) != 0 {
		t.Errorf("unchanged counters: %d, %v", n, diff)
	}
	after := map[string]int{"GET /api/v1/sources": 5, "POST /api/v1/sources": 1, "unmatched": 1}
	n, diff := requestsSince(before, after)
	if want := map[string]int{"GET /api/v1/sources": 2, "unmatched": 1}; n != 3 || !maps.Equal(diff, want) {
		t.Errorf("requestsSince = %d, %v; want 3, %v", n, diff, want)
	}
}

func TestCheckVerdictsRejectsAStoryThatDidNotHappen(t *testing.T) {
	t.Parallel()
	const p1 = "ISPM is not configured in the provider, so ..."
	good := func() (map[string][]string, fixes, map[string]map[string]map[string]string) {
		var toFix fixes
		if err := json.Unmarshal([]byte(`{"slack": {
			"0oaLATg5EewIMeVcOxuf": {"label": "Slack (Sandbox workspace)", "failing": {"P5_PROVISIONING": {"fix": ["Enable it."], "console": "http://x/admin"}}},
			"0oanmMaYeApl2IxgQlZP": {"label": "Slack (Legacy)", "failing": {"P4_ACTIVE": {"fix": ["Activate it."], "console": "http://x/admin"}}}
		}}`), &toFix); err != nil {
			t.Fatal(err)
		}
		unverified := map[string]map[string]map[string]string{"slack": {}}
		for _, id := range []string{slackReady, slackEU, "0oaLATg5EewIMeVcOxuf", "0oanmMaYeApl2IxgQlZP"} {
			unverified["slack"][id] = map[string]string{"P1_ORG_CONNECTED": p1}
		}
		return map[string][]string{"slack": {slackReady, slackEU}}, toFix, unverified
	}
	ready, toFix, unverified := good()
	if got, err := checkVerdicts(ready, toFix, unverified); err != nil || got != p1 {
		t.Fatalf("checkVerdicts = %q, %v; want P1's message", got, err)
	}
	for name, spoil := range map[string]func(map[string][]string, fixes, map[string]map[string]map[string]string){
		"an instance not ready": func(r map[string][]string, _ fixes, _ map[string]map[string]map[string]string) {
			r["slack"] = r["slack"][:1]
		},
		"a failing instance missing": func(_ map[string][]string, f fixes, _ map[string]map[string]map[string]string) {
			delete(f["slack"], "0oanmMaYeApl2IxgQlZP")
		},
		"a fix without a console page": func(_ map[string][]string, f fixes, _ map[string]map[string]map[string]string) {
			inst := f["slack"]["0oanmMaYeApl2IxgQlZP"]
			c := inst.Failing["P4_ACTIVE"]
			c.Console = ""
			inst.Failing["P4_ACTIVE"] = c
		},
		"P1 verified": func(_ map[string][]string, _ fixes, u map[string]map[string]map[string]string) {
			delete(u["slack"][slackReady], "P1_ORG_CONNECTED")
		},
	} {
		ready, toFix, unverified := good()
		spoil(ready, toFix, unverified)
		if _, err := checkVerdicts(ready, toFix, unverified); err == nil {
			t.Errorf("%s: checkVerdicts accepted it", name)
		}
	}
}
