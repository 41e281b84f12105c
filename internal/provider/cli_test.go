package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	providerBinOnce sync.Once
	providerBinDir  string
	providerBinErr  error
)

// providerBinary builds the provider once per test process and returns the
// directory holding it, for a dev_overrides CLI configuration.
func providerBinary(t *testing.T) string {
	t.Helper()
	providerBinOnce.Do(func() {
		// Shared by every test of the process, so not t.TempDir(): TestMain
		// removes it.
		dir, err := os.MkdirTemp("", "ispm-provider-bin-") //nolint:usetesting // outlives any one test
		if err != nil {
			providerBinErr = err
			return
		}
		_, here, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(here), "..", "..")
		cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-ispm"), ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			providerBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
		providerBinDir = dir
	})
	if providerBinErr != nil {
		t.Fatal(providerBinErr)
	}
	return providerBinDir
}

// cliEnv returns the environment for running the real terraform binary
// against the built provider through dev_overrides, offline.
func cliEnv(t *testing.T) []string {
	t.Helper()
	bin := providerBinary(t)
	rc := filepath.Join(t.TempDir(), "terraform.rc")
	body := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"ispm-community/ispm\" = %q\n  }\n  direct {}\n}\n", bin)
	if err := os.WriteFile(rc, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	return env
}

func terraformBinary(t *testing.T) string {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if os.Getenv("TF_ACC") == "" || tf == "" {
		t.Skip("needs TF_ACC=1 and TF_ACC_TERRAFORM_PATH (make test sets both)")
	}
	return tf
}

// TestAccProviderSchemaMarksSecretsSensitive runs `terraform providers
// schema -json` against the built provider, as a user would inspect it.
func TestAccProviderSchemaMarksSecretsSensitive(t *testing.T) {
	t.Parallel()
	tf := terraformBinary(t)
	dir := t.TempDir()
	cfg := "terraform {\n  required_providers {\n    ispm = { source = \"ispm-community/ispm\" }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tf, "providers", "schema", "-json")
	cmd.Dir, cmd.Env = dir, cliEnv(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform providers schema -json: %v\n%s", err, out)
	}
	var schema struct {
		ProviderSchemas map[string]struct {
			Provider struct {
				Block struct {
					Attributes map[string]struct {
						Sensitive bool `json:"sensitive"`
						Optional  bool `json:"optional"`
					} `json:"attributes"`
					BlockTypes map[string]struct {
						Block struct {
							Attributes map[string]struct {
								Sensitive bool `json:"sensitive"`
							} `json:"attributes"`
						} `json:"block"`
					} `json:"block_types"`
				} `json:"block"`
			} `json:"provider"`
			DataSourceSchemas map[string]json.RawMessage `json:"data_source_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(out, &schema); err != nil {
		t.Fatalf("schema JSON: %v", err)
	}
	p, ok := schema.ProviderSchemas["registry.terraform.io/ispm-community/ispm"]
	if !ok {
		t.Fatalf("no ispm-community/ispm provider in %s", out)
	}
	attrs := p.Provider.Block.Attributes
	for _, name := range []string{"endpoint", "api_token", "prerequisite_checks", "max_retries", "request_timeout", "okta_max_api_capacity"} {
		if _, ok := attrs[name]; !ok {
			t.Errorf("provider attribute %s is missing", name)
		}
	}
	if !attrs["api_token"].Sensitive || attrs["endpoint"].Sensitive {
		t.Errorf("api_token must be sensitive and endpoint not: %+v", attrs)
	}
	org := p.Provider.Block.BlockTypes["okta_org"].Block.Attributes
	for name, sensitive := range map[string]bool{"org_url": false, "org_name": false, "base_url": false, "api_token": true, "client_id": false, "private_key": true, "private_key_id": false, "scopes": false} {
		a, ok := org[name]
		if !ok {
			t.Errorf("okta_org.%s is missing", name)
			continue
		}
		if a.Sensitive != sensitive {
			t.Errorf("okta_org.%s sensitive = %v, want %v", name, a.Sensitive, sensitive)
		}
	}
	for _, ds := range []string{"ispm_okta_orgs", "ispm_sources_gallery", "ispm_app_eligibility"} {
		if _, ok := p.DataSourceSchemas[ds]; !ok {
			t.Errorf("data source %s is missing", ds)
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if providerBinDir != "" {
		_ = os.RemoveAll(providerBinDir)
	}
	os.Exit(code)
}
