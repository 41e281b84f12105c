package provider

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// hostileProxy stands between the provider and the sandbox's ISPM API, the
// way a misbehaving proxy or a broken ISPM release would: it passes
// requests through and, when a rule matches, answers or rewrites in their
// place.
type hostileProxy struct {
	srv   *httptest.Server
	mu    sync.Mutex
	rules []proxyRule
	hits  atomic.Int32
}

// proxyRule answers (after forwarding, when forward is set) the requests
// whose method and path match.
type proxyRule struct {
	method string
	path   *regexp.Regexp
	// forward sends the request on first, so the server does the work.
	forward bool
	// answer writes the reply the client sees; upstream is the server's
	// answer body when forward is set.
	answer func(w http.ResponseWriter, upstream []byte)
}

func newHostileProxy(t *testing.T, target string) *hostileProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &hostileProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule, ok := p.match(r)
		if !ok {
			rp.ServeHTTP(w, r)
			return
		}
		p.hits.Add(1)
		var upstream []byte
		if rule.forward {
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			upstream = rec.Body.Bytes()
		}
		rule.answer(w, upstream)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *hostileProxy) match(r *http.Request) (proxyRule, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rule := range p.rules {
		if rule.method == r.Method && rule.path.MatchString(r.URL.Path) {
			return rule, true
		}
	}
	return proxyRule{}, false
}

// set replaces the rules; none passes everything through.
func (p *hostileProxy) set(rules ...proxyRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = rules
	p.hits.Store(0)
}

// served fails the test unless some rule answered since the last set.
func (p *hostileProxy) served(t *testing.T) {
	t.Helper()
	if p.hits.Load() == 0 {
		t.Fatal("the hostile proxy never answered: the step did not exercise it")
	}
}

func cannedAnswer(status int, contentType, body string) func(http.ResponseWriter, []byte) {
	return func(w http.ResponseWriter, _ []byte) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// rewritten answers 200 with the server's JSON after the replacements.
func rewritten(pairs ...string) func(http.ResponseWriter, []byte) {
	return func(w http.ResponseWriter, upstream []byte) {
		body := string(upstream)
		for i := 0; i+1 < len(pairs); i += 2 {
			body = strings.ReplaceAll(body, pairs[i], pairs[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, body)
	}
}

const htmlLoginPage = `<!DOCTYPE html><html><head><title>Sign in - Corporate Proxy</title></head><body><form method="post"><input name="user"></form></body></html>`

// TestAccReliabilityHostileISPMAnswers: answers a proxy or a broken server
// may give — unknown enum values, truncated JSON, an HTML login page, an
// oversized body — are each accepted (enums) or a clear error, and a
// failed read leaves the state as it was.
func TestAccReliabilityHostileISPMAnswers(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, withoutSources)
	proxy := newHostileProxy(t, env.Info.ISPM.Endpoint)
	acme := env.Domain("acme")
	const addr = "ispm_source_connection.slack"
	config := env.proxyConfig(proxy.srv.URL, "max_retries = 1") +
		connectionConfig("slack", acme, "slack", []string{acmeSlack}) +
		"data \"ispm_sources_gallery\" \"acme\" {\n  okta_org   = \"" + acme + "\"\n  name_regex = \"^slack$\"\n}\n"
	// A source is read with the org's listing (refresh) or on its own.
	sourcePath := regexp.MustCompile(`^/api/v1/sources(/[^/]+)?$`)
	var sourceID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.noAcmeSources,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: func(s *terraform.State) error {
					sourceID = s.RootModule().Resources[addr].Primary.ID
					return nil
				},
			},
			{
				// Values ISPM may add later are kept as they come and
				// shown, never a crash.
				PreConfig: func() {
					proxy.set(
						proxyRule{method: http.MethodGet, path: sourcePath, forward: true, answer: rewritten(
							`"status":"CONNECTED","health":{"status":"CONNECTED"`, `"status":"PAUSED","health":{"status":"DEGRADED","reason":"QUOTA_EXCEEDED"`,
							`"powered_by":"OIN"`, `"powered_by":"PARTNER"`)},
						proxyRule{method: http.MethodGet, path: regexp.MustCompile(`^/api/v1/catalog$`), forward: true, answer: rewritten(
							`"status":"CONNECTED"`, `"status":"BETA_ONLY"`)},
					)
				},
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(addr, "status", "PAUSED"),
					resource.TestCheckResourceAttr(addr, "powered_by", "PARTNER"),
					resource.TestCheckResourceAttr(addr, "health.status", "DEGRADED"),
					resource.TestCheckResourceAttr(addr, "health.reason", "QUOTA_EXCEEDED"),
					resource.TestCheckResourceAttr("data.ispm_sources_gallery.acme", "apps.slack.status", "BETA_ONLY"),
				),
			},
			{
				PreConfig: func() {
					proxy.served(t)
					proxy.set(proxyRule{method: http.MethodGet, path: sourcePath, answer: cannedAnswer(200, "application/json", `{"id":"src_1","okta_org_id":"oktaorg_acme","app":"sla`)})
				},
				Config:      config,
				PlanOnly:    true,
				ExpectError: wrapped(`(?s)Cannot read the ISPM connection.*GET /api/v1/sources\S* answered 200 OK: the body is not the expected JSON \(truncated\)`),
			},
			{
				PreConfig: func() {
					proxy.served(t)
					proxy.set(proxyRule{method: http.MethodGet, path: regexp.MustCompile(`^/api/v1/okta-orgs$`), answer: cannedAnswer(200, "text/html; charset=utf-8", htmlLoginPage)})
				},
				Config:      config,
				PlanOnly:    true,
				ExpectError: wrapped(`(?s)GET /api/v1/okta-orgs answered 200 OK: the body is text/html, not JSON; a proxy or load balancer in front of ISPM may have answered`),
			},
			{
				PreConfig: func() {
					proxy.served(t)
					huge := `{"data":[{"key":"` + strings.Repeat("x", 5<<20) + `"}]}`
					proxy.set(proxyRule{method: http.MethodGet, path: regexp.MustCompile(`^/api/v1/catalog$`), answer: cannedAnswer(200, "application/json", huge)})
				},
				Config:      config,
				PlanOnly:    true,
				ExpectError: wrapped(`(?s)GET /api/v1/catalog answered 200 OK: the answer is larger than the \d+ bytes this client accepts`),
			},
			{
				// The failed reads left the state alone: with a sane
				// answer again, nothing is to change.
				PreConfig: func() {
					proxy.served(t)
					proxy.set()
				},
				Config:   config,
				PlanOnly: true,
				Check:    resource.TestCheckResourceAttrPtr(addr, "id", &sourceID),
			},
		},
	})
}

// TestAccReliabilityProxyPageOnCreate: ISPM made the source, but a proxy
// replaced every answer with its own HTML error page. The apply fails
// clearly, the state holds nothing half-made, and the next apply adopts
// the source instead of making a second one.
func TestAccReliabilityProxyPageOnCreate(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, withoutSources)
	proxy := newHostileProxy(t, env.Info.ISPM.Endpoint)
	acme := env.Domain("acme")
	config := env.proxyConfig(proxy.srv.URL, "max_retries = 1") + connectionConfig("slack", acme, "slack", []string{acmeSlack})
	var madeID string

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.noAcmeSources,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					proxy.set(proxyRule{method: http.MethodPost, path: regexp.MustCompile(`^/api/v1/sources$`), forward: true,
						answer: cannedAnswer(http.StatusBadGateway, "text/html", "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>")})
				},
				Config: config,
				ExpectError: wrapped(`(?s)Cannot create the ISPM connection.*POST /api/v1/sources answered 502 Bad Gateway: the body is text/html, not problem details.*` +
					`next terraform apply adopts it`),
			},
			{
				PreConfig: func() {
					proxy.served(t)
					proxy.set()
					src, err := env.oneSource(acmeOrgID, "slack")
					if err != nil {
						t.Fatal(err)
					}
					madeID = src.ID
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					// Nothing half-made reached the state: it is a create.
					plancheck.ExpectResourceAction("ispm_source_connection.slack", plancheck.ResourceActionCreate),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr("ispm_source_connection.slack", "id", &madeID),
					func(*terraform.State) error {
						_, err := env.oneSource(acmeOrgID, "slack")
						return err
					},
				),
			},
		},
	})
}

// TestAccReliabilityImportIDsOfEveryShape: every malformed import ID is a
// clear error naming the accepted forms, IDs of things that do not exist
// say so, and none of it touches the state.
func TestAccReliabilityImportIDsOfEveryShape(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, withoutSources)
	acme, globex := env.Domain("acme"), env.Domain("globex")
	const addr = "ispm_source_connection.slack"
	config := env.Config(connectionConfig("slack", acme, "slack", []string{acmeSlack}))
	invalid := regexp.MustCompile(`(?s)Invalid import ID.*acme\.okta\.com/slack or\s+oktaorg_acme/slack`)
	importStep := func(id string, want *regexp.Regexp) resource.TestStep {
		return resource.TestStep{Config: config, ResourceName: addr, ImportState: true, ImportStateId: id, ExpectError: want}
	}
	steps := []resource.TestStep{{Config: config}}
	for _, id := range []string{
		" ", "/slack", acme + "/", acme + ":slack", "src with spaces", "src_\u00fc", strings.Repeat("s", 129),
		acme + "/Slack App", "src_1;rm -rf",
	} {
		steps = append(steps, importStep(id, invalid))
	}
	steps = append(steps,
		importStep("a/b/slack", regexp.MustCompile(`(?s)Cannot import the ISPM connection.*No Okta org "a/b"`)),
		importStep("::/slack", regexp.MustCompile(`(?s)Cannot import the ISPM connection.*No Okta org "::"`)),
		importStep("../../etc/passwd", regexp.MustCompile(`(?s)Cannot import the ISPM connection.*No Okta org "\.\./\.\./etc"`)),
		importStep("initech.okta.com/slack", regexp.MustCompile(`(?s)Cannot import the ISPM connection.*No Okta org "initech\.okta\.com"`)),
		importStep(acme+"/zoomus", regexp.MustCompile(`(?s)No such ISPM connection.*has no ISPM connection for the app "zoomus"`)),
		importStep(globex+"/slack", regexp.MustCompile(`(?s)No such ISPM connection`)),
		// Not Terraform's bare "Cannot import non-existent remote object":
		// the id, and where to find the right one.
		importStep("src_doesnotexist123", regexp.MustCompile(`(?s)No such ISPM connection.*"src_doesnotexist123".*ispm_source_connections`)),
		// The org as a URL works too (kept as written).
		resource.TestStep{Config: config, ResourceName: addr, ImportState: true, ImportStateId: "http://" + acme + "/slack",
			ImportStateVerify: true, ImportStateVerifyIgnore: []string{"okta_org"}},
		resource.TestStep{Config: config, PlanOnly: true},
	)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		CheckDestroy:             env.noAcmeSources,
		Steps:                    steps,
	})
}

// TestAccReliabilitySelfSignedEndpointIsRefused: TLS is verified on every
// endpoint: an https ISPM endpoint with a self-signed certificate (here on
// loopback) is refused before any request reaches it.
func TestAccReliabilitySelfSignedEndpointIsRefused(t *testing.T) {
	t.Parallel()
	skipUnlessAcc(t)
	var reached atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { reached.Add(1) }))
	t.Cleanup(srv.Close)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(nil),
		Steps: []resource.TestStep{{
			Config:      fmt.Sprintf("provider \"ispm\" {\n  endpoint    = %q\n  api_token   = \"t0ken-never-sent\"\n  max_retries = 0\n}\n", srv.URL) + orgsDataSource,
			ExpectError: regexp.MustCompile(`(?s)no answer from 127\.0\.0\.1:` + regexp.QuoteMeta(srv.Listener.Addr().String()[len("127.0.0.1:"):]) + `.*certificate`),
		}},
	})
	if n := reached.Load(); n != 0 {
		t.Fatalf("%d request(s) reached the server behind the untrusted certificate", n)
	}
}
