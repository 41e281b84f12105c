package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

func TestAccSmokeProviderValidConfigPlansEmpty(t *testing.T) {
	t.Parallel()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(nil),
		Steps: []resource.TestStep{{
			Config: `
provider "ispm" {
  endpoint            = "http://127.0.0.1:9"
  api_token           = "sandbox-ispm-token"
  prerequisite_checks = "warn"
  max_retries         = 2
  request_timeout     = 10
  okta_org {
    org_url   = "http://127.0.0.1:10"
    api_token = "sandbox-okta-token"
  }
}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}},
	})
}

func TestAccProviderStaticValidation(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		body string
		want string
	}{
		"bad mode":          {`prerequisite_checks = "strict"`, `Attribute prerequisite_checks value must be one of`},
		"http off loopback": {`endpoint = "http://ispm.example.com"`, `(?s)Invalid ISPM endpoint.*endpoint = "http://ispm.example.com".*plain http on a\s+non-loopback host`},
		"retries range":     {`max_retries = 99`, `max_retries value must be between 0 and 20`},
		"capacity range":    {`okta_max_api_capacity = 0`, `okta_max_api_capacity value must be between 1 and 100`},
		"token and key": {`okta_org {
    org_url     = "https://acme.okta.com"
    api_token   = "t"
    client_id   = "c"
    private_key = "k"
  }`, `(?s)Conflicting Okta credentials.*private_key = "k"`},
		"url and name": {`okta_org {
    org_url  = "https://acme.okta.com"
    org_name = "acme"
  }`, `Set either org_url, or org_name`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(nil),
				Steps: []resource.TestStep{{
					Config:      "provider \"ispm\" {\n  " + tc.body + "\n}\n" + orgsDataSource,
					ExpectError: wrapped(tc.want),
					PlanOnly:    true,
				}},
			})
		})
	}
}

func TestAccProviderConfigureErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		config string
		env    map[string]string
		want   string
	}{
		"missing endpoint names attribute and env var": {
			config: `provider "ispm" {}`, env: map[string]string{EnvISPMAPIToken: "t"},
			want: `(?s)Missing ISPM endpoint.*"endpoint" attribute or the ISPM_ENDPOINT`,
		},
		"missing token names attribute and env var": {
			config: `provider "ispm" { endpoint = "http://127.0.0.1:9" }`,
			want:   `(?s)Missing ISPM API token.*"api_token" attribute or the\s+ISPM_API_TOKEN`,
		},
		"missing okta credentials name attribute and env vars": {
			config: `provider "ispm" {
  endpoint  = "http://127.0.0.1:9"
  api_token = "t"
  okta_org { org_url = "https://acme.okta.com" }
}`,
			want: `(?s)Missing Okta credentials.*api_token or the OKTA_API_TOKEN`,
		},
		"env conflict between token and private key": {
			config: `provider "ispm" {
  endpoint  = "http://127.0.0.1:9"
  api_token = "t"
}`,
			env:  map[string]string{EnvOktaOrgName: "acme", EnvOktaAPIToken: "x", EnvOktaClientID: "c", EnvOktaPrivateKey: testKeyPEM(t, false)},
			want: `(?s)Conflicting Okta credentials.*both an API token and a private key`,
		},
		"unknown value at configure time": {
			config: `resource "terraform_data" "later" { input = "http://127.0.0.1:9" }
provider "ispm" {
  endpoint  = terraform_data.later.output
  api_token = "t"
}`,
			want: `(?s)Unknown provider configuration value.*only known after apply`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(tc.env),
				Steps: []resource.TestStep{{
					Config:      tc.config + orgsDataSource,
					ExpectError: wrapped(tc.want),
					PlanOnly:    true,
				}},
			})
		})
	}
}

// TestAccProviderEnvFallbackAndOverride configures the provider from the
// sandbox's environment variables alone, then overrides them in config.
func TestAccProviderEnvFallbackAndOverride(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme, globex := env.org("acme"), env.org("globex")
	wrongEnv := map[string]string{}
	for k, v := range env.Info.Env {
		wrongEnv[k] = v
	}
	wrongEnv[EnvISPMAPIToken] = "wrong-token"
	resource.Test(t, resource.TestCase{
		Steps: []resource.TestStep{{
			// Everything from the environment.
			ProtoV6ProviderFactories: factories(env.Info.Env),
			Config:                   `provider "ispm" {}` + orgsDataSource,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.0.domain", acme.Domain),
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.0.okta_credentials", "true"),
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.1.okta_credentials", "false"),
			),
		}, {
			// Configuration wins: the right ISPM token and a block for globex
			// replace the environment's.
			ProtoV6ProviderFactories: factories(wrongEnv),
			Config: fmt.Sprintf(`provider "ispm" {
  api_token = %q
  okta_org {
    org_url   = %q
    api_token = %q
  }
}`, env.Info.ISPM.APIToken, globex.URL, globex.APIToken) + orgsDataSource,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.0.okta_credentials", "false"),
				resource.TestCheckResourceAttr("data.ispm_okta_orgs.all", "orgs.1.okta_credentials", "true"),
			),
		}, {
			// The wrong token from the environment alone is refused by ISPM.
			ProtoV6ProviderFactories: factories(wrongEnv),
			Config:                   `provider "ispm" {}` + orgsDataSource,
			ExpectError:              regexp.MustCompile(`(?i)unauthorized|401`),
		}},
	})
}

// TestAccProviderLogsCarryNoSecrets runs the data sources with TF_LOG=TRACE,
// with an API token org and an OAuth service-app org, and greps every log
// line for the secrets.
func TestAccProviderLogsCarryNoSecrets(t *testing.T) {
	privPEM, pubPEM := testKeyPair(t, false)
	env := newAccEnv(t, func(sc *sandbox.Scenario) {
		for i := range sc.OktaOrgs {
			if sc.OktaOrgs[i].Name == "globex" {
				sc.OktaOrgs[i].OAuthClients = append(sc.OktaOrgs[i].OAuthClients, oktasim.OAuthClient{
					ClientID: "0oaserviceapp0000001", PublicKey: pubPEM, KeyID: "kid-1",
					Scopes: []string{"okta.apps.read", "okta.groups.read"},
				})
			}
		}
	})
	logPath := filepath.Join(t.TempDir(), "tf.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	// Secrets reach Terraform as sensitive variables, as they would in real
	// use, so that the test harness's own dump of the configuration holds
	// none and every secret in the log would be the provider's doing.
	acme, globex := env.org("acme"), env.org("globex")
	t.Setenv("TF_VAR_ispm_token", env.Info.ISPM.APIToken)
	t.Setenv("TF_VAR_acme_token", acme.APIToken)
	t.Setenv("TF_VAR_globex_key", privPEM)
	config := fmt.Sprintf(`
variable "ispm_token" {
  type      = string
  sensitive = true
}
variable "acme_token" {
  type      = string
  sensitive = true
}
variable "globex_key" {
  type      = string
  sensitive = true
}
provider "ispm" {
  endpoint  = %q
  api_token = var.ispm_token
  okta_org {
    org_url   = %q
    api_token = var.acme_token
  }
  okta_org {
    org_url        = %q
    client_id      = "0oaserviceapp0000001"
    private_key_id = "kid-1"
    private_key    = var.globex_key
  }
}
`, env.Info.ISPM.Endpoint, acme.URL, globex.URL) +
		eligibilityBlock("acme", acme.Domain, "slack") + eligibilityBlock("globex", globex.Domain, "slack")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: config,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.globex", "okta_verified", "true"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.acme", "okta_verified", "true"),
			),
		}},
	})
	if n := env.SB.Org("globex").RequestCounts()["POST /oauth2/v1/token"].Requests; n == 0 {
		t.Fatal("the OAuth org never asked for an access token: the test did not exercise OAuth")
	}
	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the TRACE log: %v", err)
	}
	if len(logs) < 1000 || !strings.Contains(string(logs), "HTTP request") {
		t.Fatalf("the TRACE log (%d bytes) does not hold the provider's request logs", len(logs))
	}
	secrets := map[string]string{
		"ISPM API token": env.Info.ISPM.APIToken,
		"Okta API token": acme.APIToken,
		"private key":    strings.Split(privPEM, "\n")[1],
	}
	for what, s := range secrets {
		for _, line := range strings.Split(string(logs), "\n") {
			if strings.Contains(line, s) {
				line = strings.ReplaceAll(line, s, "<"+what+">")
				t.Errorf("the TRACE log contains the %s: %.300s", what, line)
				break
			}
		}
	}
	// Access tokens and client assertions are JWT-shaped; none may be logged.
	if m := regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}`).Find(logs); m != nil {
		t.Errorf("the TRACE log contains a JWT (a client assertion or access token): %.40s…", m)
	}
}
