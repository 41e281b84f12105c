package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// factories serves the provider in-process with the given environment, so
// parallel tests never share or read the real process environment.
func factories(env map[string]string) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"ispm": func() (tfprotov6.ProviderServer, error) {
			p := &ispmProvider{version: "test", env: mapEnv(env)}
			return providerserver.NewProtocol6WithError(p)()
		},
	}
}

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

resource "terraform_data" "noop" {}
`,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("terraform_data.noop", plancheck.ResourceActionCreate),
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
		"http off loopback": {`endpoint = "http://ispm.example.com"`, `plain http on a non-loopback host`},
		"retries range":     {`max_retries = 99`, `max_retries value must be between 0 and 20`},
		"capacity range":    {`okta_max_api_capacity = 0`, `okta_max_api_capacity value must be between 1 and 100`},
		"token and key": {`okta_org {
    org_url     = "https://acme.okta.com"
    api_token   = "t"
    client_id   = "c"
    private_key = "k"
  }`, `Conflicting Okta credentials`},
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
					Config:      "provider \"ispm\" {\n  " + tc.body + "\n}\nresource \"terraform_data\" \"noop\" {}\n",
					ExpectError: regexp.MustCompile(regexp.QuoteMeta(tc.want)),
					PlanOnly:    true,
				}},
			})
		})
	}
}
