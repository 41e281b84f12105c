package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// fakeInstanceIDs are n well-formed instance ids that no org has.
func fakeInstanceIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("0oaZZ%015d", i)
	}
	return ids
}

// TestAccReliabilityPlanTwoThousandInstanceIDs: a connection naming one
// ready instance and 1,999 that do not exist plans (the black-box run of
// 3,000 such ids took minutes and printed 11.6 MB): an error for each of
// the first instances, then one that counts the rest and says where to
// see them all.
func TestAccReliabilityPlanTwoThousandInstanceIDs(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, withoutSources)
	rec := &diagRecorder{}
	ids := append([]string{acmeSlack}, fakeInstanceIDs(1999)...)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.RecordingFactories(rec),
		Steps: []resource.TestStep{{
			Config:      env.Config(connectionConfig("big", env.Domain("acme"), "slack", ids)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)1979 more instances have prerequisite findings.*ispm_app_eligibility`),
		}},
	})
	rest := rec.find(tfprotov6.DiagnosticSeverityError, regexp.MustCompile(`^1979 more instances have prerequisite findings\n(?s:.*)fails P3 [^:]+: 1979 \(0oaZZ000000000000020, `))
	detailed := rec.find(tfprotov6.DiagnosticSeverityError, regexp.MustCompile(`^Instance 0oaZZ\d{15} fails P3`))
	all := rec.find(tfprotov6.DiagnosticSeverityError, regexp.MustCompile(``))
	if len(rest) == 0 || len(detailed) != detailedInstances*len(rest) || len(all) != len(detailed)+len(rest) {
		t.Fatalf("%d plans gave %d errors: %d per instance and %d counting the rest; want %d per instance and 1 count a plan\n%s",
			len(rest), len(all), len(detailed), len(rest), detailedInstances, rec.summaries())
	}
	if ws := rec.find(tfprotov6.DiagnosticSeverityWarning, regexp.MustCompile(``)); len(ws) != 0 {
		t.Fatalf("%d warnings: %s", len(ws), ws[0].Summary)
	}
}
