package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// jwtShape matches a JSON Web Token: a signed client assertion or an
// access token.
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.?[A-Za-z0-9_-]*`)

// wireBodies are fragments that occur only in request or response bodies
// as they travel (compact JSON of both APIs), never in Terraform's own
// files or output: finding one in the log means a body was logged.
var wireBodies = []string{
	`"okta_org_id":"oktaorg_acme"`, // ISPM answers and the create request
	`"instance_ids":["`,            // the create and update requests
	`"signOnMode":`,                // Okta's app listing
	`"access_token":`,              // Okta's token answer
	`client_assertion=`,            // the token request's form
	`"errorCode":`,                 // Okta's errors
}

// TestAccReliabilitySecretsStayOut runs a whole life cycle of a connection
// — plan, create, update, a failing plan, destroy — with the real
// terraform binary at TF_LOG=TRACE, against an OAuth 2.0 service-app org
// (private key, client assertions, access tokens) and an API-token org,
// and searches everything written for a secret: the log, every command's
// output and diagnostics (human and JSON), the saved plan, the state file
// and its backup. Secrets are sensitive variables from the environment, so
// a secret found is the provider's doing, not the configuration's.
func TestAccReliabilitySecretsStayOut(t *testing.T) {
	t.Parallel()
	privPEM, pubPEM := testKeyPair(t, false)
	const clientID = "0oaserviceapp0000042"
	env := newAccEnv(t, withoutSources, func(sc *sandbox.Scenario) {
		for i := range sc.OktaOrgs {
			if sc.OktaOrgs[i].Name == "acme" {
				sc.OktaOrgs[i].OAuthClients = append(sc.OktaOrgs[i].OAuthClients, oktasim.OAuthClient{
					ClientID: clientID, KeyID: "kid-42", Scopes: []string{"okta.apps.read", "okta.groups.read"},
					PublicKey: pubPEM,
				})
			}
		}
	})
	acme, globex := env.org("acme"), env.org("globex")
	apac := env.installReady(t, "acme", "slack", "Slack (APAC)")
	logPath := filepath.Join(t.TempDir(), "trace.log")
	d := newTFDir(t, "TF_LOG=TRACE", "TF_LOG_PATH="+logPath,
		"TF_VAR_ispm_token="+env.Info.ISPM.APIToken, "TF_VAR_acme_key="+privPEM, "TF_VAR_globex_token="+globex.APIToken)

	provider := fmt.Sprintf(`terraform {
  required_providers {
    ispm = { source = "ispm-community/ispm" }
  }
}
variable "ispm_token" {
  type      = string
  sensitive = true
}
variable "acme_key" {
  type      = string
  sensitive = true
}
variable "globex_token" {
  type      = string
  sensitive = true
}
provider "ispm" {
  endpoint  = %q
  api_token = var.ispm_token
  okta_org {
    org_url        = %q
    client_id      = %q
    private_key_id = "kid-42"
    private_key    = var.acme_key
  }
  okta_org {
    org_url   = %q
    api_token = var.globex_token
  }
}
data "ispm_app_eligibility" "globex" {
  okta_org = %q
  app_name = "slack"
}
`, env.Info.ISPM.Endpoint, acme.URL, clientID, globex.URL, globex.Domain)
	connection := func(ids ...string) string { return connectionConfig("slack", acme.Domain, "slack", ids) }

	var written strings.Builder
	keep := func(r tfResult) {
		written.WriteString(r.stdout)
		written.WriteString(r.stderr)
	}
	d.write(provider + connection(acmeSlack))
	keep(d.must(0, "plan", "-input=false", "-no-color", "-out=tfplan"))
	keep(d.must(0, "show", "-no-color", "tfplan"))
	planJSON := d.must(0, "show", "-json", "tfplan")
	keep(d.must(0, "apply", "-auto-approve", "-input=false", "-json", "tfplan"))
	d.write(provider + connection(acmeSlack, apac))
	keep(d.must(0, "apply", "-auto-approve", "-input=false", "-no-color"))
	// A failing plan: its error diagnostics are searched too.
	d.write(provider + connection(acmeSlack, apac) + connectionConfig("zoom", acme.Domain, "zoomus", []string{acmeZoom}))
	failed := d.must(1, "plan", "-input=false", "-json")
	if !strings.Contains(failed.stdout, `"severity":"error"`) || !strings.Contains(failed.stdout, "fails P5") {
		t.Fatalf("the failing plan has no error diagnostic:\n%s", failed.stdout)
	}
	keep(failed)
	d.write(provider + connection(acmeSlack, apac))
	keep(d.must(0, "show", "-json"))
	keep(d.must(0, "destroy", "-auto-approve", "-input=false", "-json"))
	if err := env.noAcmeSources(nil); err != nil {
		t.Fatal(err)
	}
	if n := env.SB.Org("acme").RequestCounts()["POST /oauth2/v1/token"].Requests; n == 0 {
		t.Fatal("the OAuth org never asked for an access token: the test did not exercise OAuth")
	}

	files := map[string]string{"the command output": written.String()}
	for _, name := range []string{"terraform.tfstate", "terraform.tfstate.backup", "tfplan"} {
		if b, err := os.ReadFile(filepath.Join(d.dir, name)); err == nil {
			files[name] = string(b)
		}
	}
	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	files["the TRACE log"] = string(logs)
	for _, host := range []string{env.Info.ISPM.Endpoint, acme.URL, globex.URL} {
		if !regexp.MustCompile(`HTTP request: .*url="?` + regexp.QuoteMeta(host) + `/api/v1/`).Match(logs) {
			t.Fatalf("the TRACE log (%d bytes) holds no request log for %s: the test would prove nothing", len(logs), host)
		}
	}
	// A saved plan holds the values of the configuration's variables,
	// sensitive or not (Terraform's doing, see SECURITY.md); everything
	// else in its JSON form must be clean.
	var plan map[string]json.RawMessage
	if err := json.Unmarshal([]byte(planJSON.stdout), &plan); err != nil {
		t.Fatalf("plan JSON: %v", err)
	}
	delete(plan, "variables")
	rest, _ := json.Marshal(plan)
	files["the plan JSON (without its variables)"] = string(rest)

	secrets := map[string]string{
		"ISPM API token":     env.Info.ISPM.APIToken,
		"Okta API token":     globex.APIToken,
		"private key header": "PRIVATE KEY-----",
	}
	for i, line := range strings.Split(strings.TrimSpace(privPEM), "\n") {
		if !strings.HasPrefix(line, "-----") {
			secrets[fmt.Sprintf("private key line %d", i)] = line
		}
	}
	for where, text := range files {
		if where == "tfplan" {
			continue // a zip archive holding the variables, as above
		}
		for what, s := range secrets {
			if i := strings.Index(text, s); i >= 0 {
				t.Errorf("%s contains the %s: …%s…", where, what, excerpt(text, i, s, "<"+what+">"))
			}
		}
		if m := jwtShape.FindStringIndex(text); m != nil {
			t.Errorf("%s contains a JWT (a client assertion or access token): %.24s…", where, text[m[0]:m[1]])
		}
	}
	for _, b := range wireBodies {
		if i := strings.Index(files["the TRACE log"], b); i >= 0 {
			t.Errorf("the TRACE log holds a request or response body: …%s…", excerpt(files["the TRACE log"], i, b, b))
		}
	}
}

// excerpt shows the text around text[i:i+len(s)], with s replaced.
func excerpt(text string, i int, s, with string) string {
	from, to := max(i-80, 0), min(i+len(s)+80, len(text))
	return strings.ReplaceAll(text[from:to], s, with)
}
