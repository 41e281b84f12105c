package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// The apps of the default scenario judged in both modes: every readiness
// state of Slack, Zoom, two Org2Org instances and the custom SCIM app.
var bothModesApps = []string{"slack", "zoomus", "okta_org2org", "acme_hrportal_1", "office365"}

const acmeHRPortal = "0oaBo6R6IpNoPL9qc3Mw" // acme_hrportal_1, a custom SCIM app

// TestAccWithoutISPMJudgesLikeWithISPM: the same org judged with ISPM and
// with ISPM not configured (a second provider configuration, Okta only)
// gives equal P2–P6 verdicts per instance; without ISPM P1 is unverified
// saying ISPM is not configured, P7 passes only on Okta's APP_GROUP
// evidence, and okta_ready_instance_ids lists the instances ready as far as
// Okta can show.
func TestAccWithoutISPMJudgesLikeWithISPM(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	var body strings.Builder
	for _, app := range bothModesApps {
		body.WriteString(eligibilityBlock(app, acme, app))
	}
	// The same data sources, read with ISPM and then with a provider that
	// has only the Okta org (two runs: an in-process provider serves one
	// configuration at a time).
	withISPM := map[string]map[string]string{}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.Config(body.String()),
			Check:  recordVerdicts(bothModesApps, withISPM),
		}},
	})
	without := func(app string) string { return "data.ispm_app_eligibility." + app }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			Config: env.OktaOnlyConfig([]string{"acme"}) + body.String(),
			Check: resource.ComposeAggregateTestCheckFunc(
				sameOktaVerdicts(bothModesApps, withISPM),
				resource.TestCheckResourceAttr(without("slack"), "org_checks.0.result", "unverified"),
				resource.TestMatchResourceAttr(without("slack"), "org_checks.0.message", regexp.MustCompile(`ISPM is not configured`)),
				resource.TestCheckNoResourceAttr(without("slack"), "okta_org_id"),
				resource.TestCheckResourceAttr(without("slack"), "eligible_instance_ids.#", "0"),
				// Slack's ready workspace has imported APP_GROUP groups: P7
				// passes on Okta's evidence, and it is ready in Okta.
				checkOf(without("slack"), acmeSlack, "P7_IMPORT_GROUPS", "pass", "inferred", regexp.MustCompile(`APP_GROUP`), false),
				resource.TestCheckResourceAttr(without("slack"), "okta_ready_instance_ids.#", "1"),
				resource.TestCheckResourceAttr(without("slack"), "okta_ready_instance_ids.0", acmeSlack),
				resource.TestCheckResourceAttr(without("slack"), "status", "AVAILABLE"),
				resource.TestCheckResourceAttr(without("slack"), "display_name", "Slack"),
				resource.TestCheckResourceAttr(without("slack"), "powered_by", "OIN"),
				// Office 365 is connected in ISPM; without ISPM that cannot be
				// known: it is AVAILABLE, ready as far as Okta can show.
				checkOf(without("office365"), acmeOffice365, "P7_IMPORT_GROUPS", "pass", "inferred", regexp.MustCompile(`APP_GROUP`), false),
				resource.TestCheckResourceAttr(without("office365"), "okta_ready_instance_ids.0", acmeOffice365),
				resource.TestCheckResourceAttr(without("office365"), "status", "AVAILABLE"),
				resource.TestCheckResourceAttr(without("office365"), "status_evidence", "okta_api"),
				// Zoom's P7 has neither ISPM nor APP_GROUP evidence: unverified.
				checkOf(without("zoomus"), acmeZoom, "P7_IMPORT_GROUPS", "unverified", "inferred", regexp.MustCompile(`ISPM is not configured`), true),
				// Not ready in Okta: P6 fails on the EU workspace.
				checkOf(without("slack"), acmeSlackEU, "P6_IMPORT_USERS", "fail", "okta_api", nil, true),
				resource.TestCheckResourceAttr(without("zoomus"), "okta_ready_instance_ids.#", "0"),
				resource.TestCheckResourceAttr(without("acme_hrportal_1"), "okta_ready_instance_ids.0", acmeHRPortal),
			),
		}},
	})
	if withISPM["office365"][acmeOffice365+"/P7_IMPORT_GROUPS"] == "" {
		t.Fatal("the run with ISPM recorded nothing")
	}
}

// recordVerdicts keeps each app's verdicts (see verdicts) in into.
func recordVerdicts(apps []string, into map[string]map[string]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, app := range apps {
			v, err := verdicts(s, "data.ispm_app_eligibility."+app)
			if err != nil {
				return err
			}
			into[app] = v
		}
		return nil
	}
}

// sameOktaVerdicts compares, per instance, the P2–P6 results and evidence
// of each app with those recorded with ISPM.
func sameOktaVerdicts(apps []string, withISPM map[string]map[string]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, app := range apps {
			with := withISPM[app]
			without, err := verdicts(s, "data.ispm_app_eligibility."+app)
			if err != nil {
				return err
			}
			if len(with) == 0 || len(with) != len(without) {
				return fmt.Errorf("%s: %d checks with ISPM, %d without", app, len(with), len(without))
			}
			for k, v := range with {
				if strings.Contains(k, "/P1_") || strings.Contains(k, "/P7_") {
					continue
				}
				if without[k] != v {
					return fmt.Errorf("%s %s: %q with ISPM, %q without", app, k, v, without[k])
				}
			}
		}
		return nil
	}
}

// verdicts maps "instance/check" to "result evidence" for a data source.
func verdicts(s *terraform.State, name string) (map[string]string, error) {
	rs, ok := s.RootModule().Resources[name]
	if !ok {
		return nil, fmt.Errorf("%s not in state", name)
	}
	a := rs.Primary.Attributes
	out := map[string]string{}
	for i := 0; a[fmt.Sprintf("instances.%d.id", i)] != ""; i++ {
		id := a[fmt.Sprintf("instances.%d.id", i)]
		for c := 0; a[fmt.Sprintf("instances.%d.checks.%d.id", i, c)] != ""; c++ {
			p := fmt.Sprintf("instances.%d.checks.%d.", i, c)
			out[id+"/"+a[p+"id"]] = a[p+"result"] + " " + a[p+"evidence"]
		}
	}
	return out, nil
}

// TestAccWithoutISPMSendsNothingToISPM: a provider with only an Okta org
// judges readiness and lists the gallery from Okta, and the sandbox's ISPM
// receives no request at all.
func TestAccWithoutISPMSendsNothingToISPM(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	env.SB.ISPM().ResetRequestCounts()
	gallery := `data "ispm_sources_gallery" "acme" {
  okta_org = "acme"
}
data "ispm_sources_gallery" "custom" {
  okta_org   = "acme"
  powered_by = "CUSTOM"
}
data "ispm_sources_gallery" "ready" {
  okta_org          = "acme"
  connection_status = "AVAILABLE"
}
`
	g := "data.ispm_sources_gallery.acme"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{{
			// okta_org by org name, URL and domain.
			Config: env.OktaOnlyConfig([]string{"acme"}) + eligibilityBlock("slack", "acme", "slack") +
				eligibilityBlock("by_url", env.org("acme").URL, "zoomus") + eligibilityBlock("by_domain", env.Domain("acme"), "acme_hrportal_1") + gallery,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.slack", "okta_ready_instance_ids.0", acmeSlack),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.by_url", "status", "PROVISIONING_DISABLED"),
				resource.TestCheckResourceAttr("data.ispm_app_eligibility.by_domain", "okta_ready_instance_ids.0", acmeHRPortal),
				resource.TestCheckResourceAttr(g, "apps.slack.status", "AVAILABLE"),
				resource.TestCheckResourceAttr(g, "apps.slack.status_source", "okta"),
				resource.TestCheckResourceAttr(g, "apps.slack.okta_ready_instance_ids.0", acmeSlack),
				resource.TestCheckResourceAttr(g, "apps.google.status", "NOT_INTEGRATED"),
				resource.TestCheckResourceAttr(g, "apps.zoomus.status", "PROVISIONING_DISABLED"),
				resource.TestCheckResourceAttr(g, "apps.acme_hrportal_1.powered_by", "CUSTOM"),
				resource.TestCheckResourceAttr(g, "apps.acme_hrportal_1.status", "AVAILABLE"),
				resource.TestCheckNoResourceAttr(g, "apps.acme_intranet_1.key"), // SAML only: no provisioning
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.custom", "keys.#", "1"),
				resource.TestCheckResourceAttr("data.ispm_sources_gallery.custom", "keys.0", "acme_hrportal_1"),
				func(s *terraform.State) error {
					ready := s.RootModule().Resources["data.ispm_sources_gallery.ready"].Primary.Attributes
					for k, v := range ready {
						if strings.HasSuffix(k, ".status") && v != "AVAILABLE" {
							return fmt.Errorf("the AVAILABLE filter kept %s = %s", k, v)
						}
					}
					return nil
				},
				func(*terraform.State) error {
					if n := env.ispmRequests(); n != 0 {
						return fmt.Errorf("the Okta-only provider sent %d requests to ISPM: %v", n, env.SB.ISPM().RequestCounts())
					}
					return nil
				},
			),
		}},
	})
}

// TestAccWithoutISPMWhatNeedsISPMSaysSo: the resource and the data sources
// that need ISPM fail at plan with an error naming the settings that enable
// it, and nothing is created.
func TestAccWithoutISPMWhatNeedsISPMSaysSo(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, withoutSources)
	cfg := env.OktaOnlyConfig([]string{"acme"})
	needs := regexp.MustCompile(`(?s)ISPM is not configured.*endpoint\s+and\s+api_token.*ISPM_ENDPOINT`)
	var steps []resource.TestStep
	for _, body := range []string{
		connectionConfig("x", "acme", "slack", []string{acmeSlack}),
		`data "ispm_okta_orgs" "all" {}`,
		`data "ispm_source_connections" "all" {}`,
		`data "ispm_source_connection" "one" {
  okta_org = "acme"
  app_name = "slack"
}`,
	} {
		steps = append(steps, resource.TestStep{Config: cfg + body, PlanOnly: true, ExpectError: needs})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: env.Factories(), Steps: steps})
	if n := env.creates(); n != 0 {
		t.Fatalf("%d creates reached ISPM", n)
	}
}

// TestAccProviderISPMHalfConfigured: endpoint without token, or token
// without endpoint, is an error naming the missing one; neither ISPM nor
// an Okta org is an error too.
func TestAccProviderISPMHalfConfigured(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	o := env.org("acme")
	okta := fmt.Sprintf("okta_org {\n  org_url = %q\n  api_token = %q\n}\n", o.URL, o.APIToken)
	ds := eligibilityBlock("x", "acme", "slack")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		Steps: []resource.TestStep{
			{Config: fmt.Sprintf("provider \"ispm\" {\n  endpoint = %q\n%s}\n", env.Info.ISPM.Endpoint, okta) + ds,
				ExpectError: regexp.MustCompile(`(?s)Missing ISPM API token.*api_token`)},
			{Config: fmt.Sprintf("provider \"ispm\" {\n  api_token = %q\n%s}\n", env.Info.ISPM.APIToken, okta) + ds,
				ExpectError: regexp.MustCompile(`(?s)Missing ISPM endpoint.*"endpoint"`)},
			{Config: "provider \"ispm\" {}\n" + ds, ExpectError: regexp.MustCompile(`Nothing to check readiness against`)},
		},
	})
}

// TestAccOktaFailuresAreNeverSilent: whatever way Okta fails on its app
// listing — 500s past the retries, dropped connections, timeouts, a 429
// whose reset is beyond the retry cap, an HTML login page, truncated JSON,
// an oversized body, a next link to another host — the plan says, per
// instance, that Okta did not verify it: with ISPM configured (the
// connection still plans on ISPM's word, with the warning) and without (the
// checks are unverified, never pass).
func TestAccOktaFailuresAreNeverSilent(t *testing.T) {
	t.Parallel()
	listing := []string{oktasim.EndpointListApps}
	answer := func(status int, contentType, body string, headers ...string) *oktasim.Answer {
		h := map[string]string{"Content-Type": contentType}
		for i := 0; i+1 < len(headers); i += 2 {
			h[headers[i]] = headers[i+1]
		}
		return &oktasim.Answer{Status: status, Headers: h, Body: body}
	}
	huge := `[` + strings.Repeat(`{"id":"0oa0000000000000pad0","name":"pad","label":"`+strings.Repeat("x", 1000)+`","status":"ACTIVE"},`, 34*1024) + `{}]`
	kinds := map[string]struct {
		faults oktasim.Faults
		extra  []string
		reason string
	}{
		"500 past the retries": {oktasim.Faults{ErrorRate: 1}, []string{"max_retries = 1"}, `500`},
		"dropped connections":  {oktasim.Faults{DropRate: 1}, []string{"max_retries = 0"}, `(?i)EOF|connection|closed`},
		"timeout":              {oktasim.Faults{LatencyMS: 2500}, []string{"max_retries = 0", "request_timeout = 1"}, `(?i)timeout|deadline|did not answer`},
		"rate limited past the retries": {oktasim.Faults{Endpoints: listing, Answer: answer(429, "application/json",
			`{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`,
			"X-Rate-Limit-Limit", "100", "X-Rate-Limit-Remaining", "0", "X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))},
			[]string{"max_retries = 1"}, `429|rate limit`},
		"HTML login page": {oktasim.Faults{Endpoints: listing, Answer: answer(200, "text/html; charset=utf-8", htmlLoginPage)}, nil, `(?i)html`},
		"truncated JSON": {oktasim.Faults{Endpoints: listing, Answer: answer(200, "application/json", `[{"id":"0oaBo6R6IpNoPL9qc3Mw","name":"acme_hr`)},
			nil, `(?i)truncated|EOF|JSON`},
		"oversized body": {oktasim.Faults{Endpoints: listing, Answer: answer(200, "application/json", huge)}, nil, `(?i)larger|too large|size|MiB`},
		"next link to another host": {oktasim.Faults{Endpoints: listing, Answer: answer(200, "application/json", `[]`,
			"Link", `<https://okta.attacker.example/api/v1/apps?after=x>; rel="next"`)}, nil, `(?i)host`},
	}
	for name, k := range kinds {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newAccEnv(t, withoutSources)
			if err := env.SB.Org("acme").SetFaults(k.faults); err != nil {
				t.Fatal(err)
			}
			rec := &diagRecorder{}
			acme := env.Domain("acme")
			notVerified := `Instance 0oaBo6R6IpNoPL9qc3Mw.*Okta did not verify its prerequisites in this run`
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.RecordingFactories(rec),
				Steps: []resource.TestStep{{
					// With ISPM: the connection plans on ISPM's word, warned.
					Config:   env.ProviderConfig([]string{"acme"}, k.extra...) + connectionConfig("hr", acme, "acme_hrportal_1", []string{acmeHRPortal}),
					PlanOnly: true, ExpectNonEmptyPlan: true,
				}},
			})
			wantWarning(t, rec, notVerified, k.reason)

			rec.Reset()
			env.SB.ISPM().ResetRequestCounts()
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: env.RecordingFactories(rec),
				Steps: []resource.TestStep{{
					Config: env.OktaOnlyConfig([]string{"acme"}, k.extra...) + eligibilityBlock("hr", "acme", "acme_hrportal_1", acmeHRPortal),
					Check: resource.ComposeAggregateTestCheckFunc(
						checkOf("data.ispm_app_eligibility.hr", acmeHRPortal, "P5_PROVISIONING", "unverified", "okta_api", nil, false),
						checkOf("data.ispm_app_eligibility.hr", acmeHRPortal, "P3_INSTALLED", "unverified", "okta_api", nil, false),
						resource.TestCheckResourceAttr("data.ispm_app_eligibility.hr", "okta_ready_instance_ids.#", "0"),
						resource.TestCheckResourceAttr("data.ispm_app_eligibility.hr", "instances.0.okta_ready", "false"),
					),
				}},
			})
			wantWarning(t, rec, notVerified, k.reason)
			if n := env.ispmRequests(); n != 0 {
				t.Fatalf("%d ISPM requests without ISPM configured", n)
			}
		})
	}
}

// wantWarning fails unless rec holds a warning whose summary matches
// summary and whose detail matches detail.
func wantWarning(t *testing.T, rec *diagRecorder, summary, detail string) {
	t.Helper()
	for _, d := range rec.find(tfprotov6.DiagnosticSeverityWarning, regexp.MustCompile(summary)) {
		if regexp.MustCompile(detail).MatchString(d.Detail) {
			return
		}
	}
	t.Fatalf("no warning %q with detail %q; diagnostics:\n%s", summary, detail, rec.summaries())
}

// TestAccExamplesReadinessOnly runs examples/readiness-only as a new user
// with only an Okta token would, through the real Terraform CLI against the
// sandbox's Okta: per-instance verdicts, fixes and console links in the
// outputs, no request to ISPM, and a plan that fails (with the check
// block's warning) once an instance that must stay ready is not.
func TestAccExamplesReadinessOnly(t *testing.T) {
	t.Parallel()
	e := newAccEnv(t)
	tf := terraformBinary(t)
	dir := copyExampleDir(t, "readiness-only")
	env := cliEnv(t)
	for k, v := range e.Info.Env {
		if !strings.HasPrefix(k, "ISPM_") { // only an Okta org: no ISPM account
			env = append(env, k+"="+v)
		}
	}
	env = append(env, "TF_VAR_okta_org=acme", `TF_VAR_apps=["slack","zoomus","acme_hrportal_1"]`)
	e.SB.ISPM().ResetRequestCounts()

	raw := applyForOutputs(t, tf, dir, env)
	var outputs struct {
		Ready struct {
			Value map[string][]string `json:"value"`
		} `json:"ready"`
		ToFix struct {
			Value map[string]map[string]struct {
				Failing map[string]struct {
					Fix     []string `json:"fix"`
					Console *string  `json:"console"`
				} `json:"failing"`
			} `json:"value"`
		} `json:"to_fix"`
		Unverified struct {
			Value map[string]map[string]map[string]string `json:"value"`
		} `json:"unverified"`
	}
	if err := json.Unmarshal([]byte(raw), &outputs); err != nil {
		t.Fatalf("decoding the outputs: %v\n%s", err, raw)
	}
	if got := outputs.Ready.Value["slack"]; !slices.Equal(got, []string{acmeSlack}) {
		t.Errorf("ready slack instances %v, want [%s]", got, acmeSlack)
	}
	if got := outputs.Ready.Value["acme_hrportal_1"]; !slices.Equal(got, []string{acmeHRPortal}) {
		t.Errorf("ready custom app instances %v, want [%s]", got, acmeHRPortal)
	}
	p6 := outputs.ToFix.Value["slack"][acmeSlackEU].Failing["P6_IMPORT_USERS"]
	if len(p6.Fix) == 0 || p6.Console == nil || !strings.Contains(*p6.Console, "/admin/app/slack/instance/"+acmeSlackEU) {
		t.Errorf("to_fix for the EU workspace's P6: %+v", p6)
	}
	if _, ok := outputs.ToFix.Value["zoomus"][acmeZoom].Failing["P5_PROVISIONING"]; !ok {
		t.Errorf("to_fix does not name Zoom's P5: %+v", outputs.ToFix.Value["zoomus"])
	}
	if msg := outputs.Unverified.Value["slack"][acmeSlack]["P1_ORG_CONNECTED"]; !strings.Contains(msg, "ISPM is not configured") {
		t.Errorf("P1 of the ready Slack instance: %q", msg)
	}
	if n := e.ispmRequests(); n != 0 {
		t.Fatalf("the example sent %d requests to ISPM: %v", n, e.SB.ISPM().RequestCounts())
	}

	// The ready workspace regresses: the plan fails on the postcondition and
	// the check block warns.
	if err := e.SB.Org("acme").SetImportNewUsers(acmeSlack, false); err != nil {
		t.Fatal(err)
	}
	must := append(slices.Clone(env), `TF_VAR_must_stay_ready={"slack":["`+acmeSlack+`"]}`)
	out, code := runTF(t, tf, dir, must, "plan", "-input=false", "-no-color")
	if code != 1 || !strings.Contains(out, "must stay ready is not: "+acmeSlack) {
		t.Fatalf("plan after the regression exited with %d, want 1 naming %s:\n%s", code, acmeSlack, out)
	}
}
