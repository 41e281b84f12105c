package provider

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestAccProviderSchemaMarksSecretsSensitive runs `terraform providers
// schema -json` against the built provider, as a user would inspect it.
func TestAccProviderSchemaMarksSecretsSensitive(t *testing.T) {
	t.Parallel()
	tf := terraformBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(requiredProvidersHCL), 0o600); err != nil {
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
	// registry.terraform.io/… on Terraform, registry.opentofu.org/… on OpenTofu.
	p, ok := schema.ProviderSchemas[accCLI(t).RegistryHost()+"/ispm-community/ispm"]
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
