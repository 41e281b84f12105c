package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// TestAccReliabilityHostileInputs: odd unicode and injection-like strings
// in every free-form argument of ispm_source_connection are refused with an
// error that names the value and what is expected; nothing reaches ISPM's
// write API.
func TestAccReliabilityHostileInputs(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, withoutSources)
	acme := env.Domain("acme")
	step := func(org, app string, ids []string, want string) resource.TestStep {
		return resource.TestStep{
			Config:      env.Config(connectionConfig("x", org, app, ids)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(want),
		}
	}
	unknownOrg := `No\s+Okta\s+org`
	badApp := `must\s+be\s+a\s+gallery\s+key`
	badID := `must\s+be\s+an\s+Okta\s+app\s+instance\s+id`
	steps := []resource.TestStep{}
	for _, org := range []string{
		"acme\u202e.okta.com", "acme.okta.com\u200b", "ac\u0301me.okta.com", "acme.okta.com'; DROP TABLE sources;--",
		"acme.okta.com\\u0000", "<script>alert(1)</script>", "acme.okta.com/../../admin", strings.Repeat("a", 5000) + ".okta.com",
	} {
		steps = append(steps, step(org, "slack", []string{acmeSlack}, unknownOrg))
	}
	for _, app := range []string{"slack; rm -rf /", "sl\u0430ck", "slack\n", "../slack", strings.Repeat("s", 101), "slack%00"} {
		steps = append(steps, step(acme, app, []string{acmeSlack}, badApp))
	}
	for _, id := range []string{"0oaqd88NE1biWUfTHYt\u0432", "0oaqd88NE1biWUfTHYt2 ", "0oaqd88NE1biWUfTHYt2\"", "' OR 1=1 --", "0oa" + strings.Repeat("A", 1000)} {
		steps = append(steps, step(acme, "slack", []string{acmeSlack, id}, badID))
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.Factories(), Steps: steps})
	for k, n := range env.SB.ISPM().RequestCounts() {
		if !strings.HasPrefix(k, "GET ") && n > 0 {
			t.Errorf("%d %s requests reached ISPM", n, k)
		}
	}
}
