package provider

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// examplesDir is the repository's examples/, which the docs render and the
// quickstart runs from.
const examplesDir = "../../examples"

// exampleUnit is what terraform validate checks at once: a directory that
// is one configuration, or a single file of a directory whose files are
// alternatives to each other (several provider blocks, as in
// examples/provider).
type exampleUnit struct {
	Name  string
	Files []string
}

var (
	providerBlock   = regexp.MustCompile(`(?m)^\s*provider\s+"ispm"`)
	requiredVersion = regexp.MustCompile(`(?m)^\s*required_version\s*=\s*">=\s*(\d+)\.(\d+)`)
	cliVersion      = regexp.MustCompile(`"terraform_version":\s*"(\d+)\.(\d+)\.`)
)

// terraformMinor returns the CLI's major and minor version.
func terraformMinor(t *testing.T, tf string) [2]int {
	t.Helper()
	out, err := exec.Command(tf, "version", "-json").Output()
	m := cliVersion.FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("terraform version -json: %v\n%s", err, out)
	}
	return [2]int{atoi(t, string(m[1])), atoi(t, string(m[2]))}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// needsNewer returns the Terraform version an example requires
// (required_version = ">= X.Y") when the CLI is older, or "".
func needsNewer(t *testing.T, files []string, have [2]int) string {
	t.Helper()
	for _, f := range files {
		if m := requiredVersion.FindSubmatch(readFile(t, f)); m != nil {
			want := [2]int{atoi(t, string(m[1])), atoi(t, string(m[2]))}
			if have[0] < want[0] || (have[0] == want[0] && have[1] < want[1]) {
				return fmt.Sprintf("%d.%d", want[0], want[1])
			}
		}
	}
	return ""
}

// exampleUnits lists every .tf file under examples/, grouped for
// validation.
func exampleUnits(t *testing.T) []exampleUnit {
	t.Helper()
	byDir := map[string][]string{}
	err := filepath.WalkDir(examplesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && p != examplesDir {
			return filepath.SkipDir // .terraform of a local run
		}
		if !d.IsDir() && strings.HasSuffix(p, ".tf") {
			byDir[filepath.Dir(p)] = append(byDir[filepath.Dir(p)], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var units []exampleUnit
	for dir, files := range byDir {
		rel, _ := filepath.Rel(examplesDir, dir)
		slices.Sort(files)
		withProvider := 0
		for _, f := range files {
			if providerBlock.Match(readFile(t, f)) {
				withProvider++
			}
		}
		if withProvider <= 1 {
			units = append(units, exampleUnit{Name: filepath.ToSlash(rel), Files: files})
			continue
		}
		for _, f := range files {
			units = append(units, exampleUnit{Name: filepath.ToSlash(filepath.Join(rel, filepath.Base(f))), Files: []string{f}})
		}
	}
	slices.SortFunc(units, func(a, b exampleUnit) int { return strings.Compare(a.Name, b.Name) })
	return units
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyExample copies files into a new directory and, unless one of them
// declares required_providers (the registry's snippets do not), adds the
// declaration that maps "ispm" to this provider's source address.
func copyExample(t *testing.T, files []string) string {
	t.Helper()
	dir := t.TempDir()
	declared := false
	for _, f := range files {
		b := readFile(t, f)
		if strings.Contains(string(b), "required_providers") {
			declared = true
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !declared {
		rp := "terraform {\n  required_providers {\n    ispm = {\n      source = \"ispm-community/ispm\"\n    }\n  }\n}\n"
		if err := os.WriteFile(filepath.Join(dir, "zz_required_providers.tf"), []byte(rp), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runTF runs terraform in dir and returns its combined output and exit
// code; it fails the test only when terraform cannot run at all.
func runTF(t *testing.T, tf, dir string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(tf, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err == nil {
		return string(out), 0
	}
	if exit, ok := err.(*exec.ExitError); ok {
		return string(out), exit.ExitCode()
	}
	t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	return "", -1
}

// TestAccExamplesValidate validates every .tf file under examples/ with
// the real Terraform CLI against the built provider, offline, and checks
// that it is formatted as terraform fmt writes it.
func TestAccExamplesValidate(t *testing.T) {
	t.Parallel()
	tf := terraformBinary(t)
	units := exampleUnits(t)
	names := make([]string, 0, len(units))
	for _, u := range units {
		names = append(names, u.Name)
	}
	for _, want := range []string{"quickstart", "provider/provider.tf", "data-sources/ispm_okta_orgs",
		"data-sources/ispm_sources_gallery", "data-sources/ispm_app_eligibility"} {
		if !slices.Contains(names, want) {
			t.Fatalf("examples/%s is missing from the examples found: %v", want, names)
		}
	}
	env := cliEnv(t)
	have := terraformMinor(t, tf)
	for _, u := range units {
		t.Run(u.Name, func(t *testing.T) {
			t.Parallel()
			// A file that needs a newer CLI (import-by-identity.tf: 1.12) is
			// left out; the rest of its directory is still validated.
			var files []string
			for _, f := range u.Files {
				if v := needsNewer(t, []string{f}, have); v != "" {
					t.Logf("%s requires Terraform %s; this is %d.%d", f, v, have[0], have[1])
					continue
				}
				files = append(files, f)
			}
			if len(files) == 0 {
				t.Skipf("examples/%s requires a newer Terraform than %d.%d", u.Name, have[0], have[1])
			}
			dir := copyExample(t, files)
			if out, code := runTF(t, tf, dir, env, "validate", "-no-color"); code != 0 || !strings.Contains(out, "Success!") {
				t.Errorf("terraform validate of examples/%s exited with %d:\n%s", u.Name, code, out)
			}
			for _, f := range files {
				if out, code := runTF(t, tf, dir, env, "fmt", "-check", "-diff", "-no-color", filepath.Base(f)); code != 0 {
					t.Errorf("%s is not formatted as terraform fmt writes it:\n%s", f, out)
				}
			}
		})
	}
}

// TestAccExamplesQuickstart runs examples/quickstart as a user would,
// through the real Terraform CLI and the built provider, against the
// sandbox: a plan that names an unready instance fails with its
// diagnostics; with ready instances it plans, applies, plans empty and
// destroys.
func TestAccExamplesQuickstart(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	tf := terraformBinary(t)
	const (
		ready   = "0oaqd88NE1biWUfTHYt2" // Slack: every prerequisite met
		office  = "0oaxN0TYhm5PcYZSJeby" // another app's instance: not a Slack instance
		unready = "0oa8HmkgHdj4FAgOAPUP" // Slack (EU workspace): import unchecked
	)
	dir := copyExampleDir(t, "quickstart")
	base := cliEnv(t)
	for k, v := range e.Info.Env {
		base = append(base, k+"="+v)
	}
	base = append(base, "TF_VAR_okta_org="+e.Domain("acme"))
	with := func(ids ...string) []string {
		quoted := make([]string, len(ids))
		for i, id := range ids {
			quoted[i] = fmt.Sprintf("%q", id)
		}
		return append(slices.Clone(base), "TF_VAR_slack_instance_ids=["+strings.Join(quoted, ",")+"]")
	}
	tfRun := func(env []string, args ...string) (string, int) {
		t.Helper()
		return runTF(t, tf, dir, env, append(args, "-input=false", "-no-color")...)
	}
	slackSources := func() []string {
		var ids []string
		for _, s := range e.SB.ISPM().Sources() {
			if s.App == "slack" {
				ids = append(ids, s.ID)
			}
		}
		return ids
	}

	out, code := tfRun(with(ready, unready), "plan")
	if code != 1 {
		t.Fatalf("plan with an unready instance exited with %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{unready, "P6 Import New Users", "Okta Admin Console:"} {
		if !strings.Contains(out, want) {
			t.Errorf("the failing plan does not mention %q:\n%s", want, out)
		}
	}
	if out, code := tfRun(with(ready, office), "plan"); code != 1 || !strings.Contains(out, office) {
		t.Errorf("plan with another app's instance exited with %d, want 1 naming %s:\n%s", code, office, out)
	}
	if ids := slackSources(); len(ids) != 0 {
		t.Fatalf("failed plans created Slack connections %v", ids)
	}

	ok := with(ready)
	if out, code := tfRun(ok, "plan", "-detailed-exitcode"); code != 2 || !strings.Contains(out, "1 to add") {
		t.Fatalf("plan exited with %d, want 2 (one connection to add):\n%s", code, out)
	}
	raw := applyForOutputs(t, tf, dir, ok)
	var outputs struct {
		ConnectionID struct {
			Value string `json:"value"`
		} `json:"connection_id"`
		Gallery struct {
			Value map[string]string `json:"value"`
		} `json:"gallery"`
		SlackInstances struct {
			Value map[string]struct {
				Label    string   `json:"label"`
				Eligible bool     `json:"eligible"`
				Failing  []string `json:"failing"`
			} `json:"value"`
		} `json:"slack_instances"`
	}
	if err := json.Unmarshal([]byte(raw), &outputs); err != nil {
		t.Fatalf("decoding the outputs: %v\n%s", err, raw)
	}
	src, found := e.SB.ISPM().Source(outputs.ConnectionID.Value)
	if !found {
		t.Fatalf("output connection_id %q is not an ISPM connection; ISPM has %v", outputs.ConnectionID.Value, slackSources())
	}
	if ids := src.InstanceIDs(); !slices.Equal(ids, []string{ready}) {
		t.Errorf("the connection holds %v, want [%s]", ids, ready)
	}
	if got := outputs.Gallery.Value["office365"]; got != "CONNECTED" {
		t.Errorf("gallery output: office365 is %q, want CONNECTED (the scenario connects it)", got)
	}
	if _, listed := outputs.Gallery.Value["google"]; listed {
		t.Errorf("gallery output lists google, which is not installed: %v", outputs.Gallery.Value)
	}
	in := outputs.SlackInstances.Value
	if !in[ready].Eligible || in[unready].Eligible || !slices.Contains(in[unready].Failing, "P6_IMPORT_USERS") {
		t.Errorf("slack_instances output: %+v", in)
	}

	// The next plan changes nothing: the gallery output moves from AVAILABLE
	// to CONNECTED (the data source was read before the apply), but no
	// resource changes.
	if out, code := tfRun(ok, "plan", "-out=next.tfplan"); code != 0 {
		t.Fatalf("a plan right after apply exited with %d:\n%s", code, out)
	}
	raw, code = runTF(t, tf, dir, ok, "show", "-json", "next.tfplan")
	if code != 0 {
		t.Fatalf("terraform show -json exited with %d:\n%s", code, raw)
	}
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(raw), &plan); err != nil {
		t.Fatalf("decoding the plan: %v", err)
	}
	for _, rc := range plan.ResourceChanges {
		if !slices.Equal(rc.Change.Actions, []string{"no-op"}) {
			t.Errorf("a plan right after apply would %v %s", rc.Change.Actions, rc.Address)
		}
	}
	if out, code := tfRun(ok, "destroy", "-auto-approve"); code != 0 {
		t.Fatalf("destroy exited with %d:\n%s", code, out)
	}
	if ids := slackSources(); len(ids) != 0 {
		t.Errorf("destroy left Slack connections %v", ids)
	}
}

// applyForOutputs applies the configuration in dir and returns
// terraform output -json, failing the test when either command fails.
func applyForOutputs(t *testing.T, tf, dir string, env []string) string {
	t.Helper()
	if out, code := runTF(t, tf, dir, env, "apply", "-auto-approve", "-input=false", "-no-color"); code != 0 {
		t.Fatalf("apply exited with %d:\n%s", code, out)
	}
	raw, code := runTF(t, tf, dir, env, "output", "-json")
	if code != 0 {
		t.Fatalf("terraform output -json exited with %d:\n%s", code, raw)
	}
	return raw
}

// copyExampleDir copies examples/<name>/*.tf into a fresh directory (see
// copyExample) and returns it.
func copyExampleDir(t *testing.T, name string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(examplesDir, name, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples/%s/*.tf: %v", name, err)
	}
	return copyExample(t, files)
}
