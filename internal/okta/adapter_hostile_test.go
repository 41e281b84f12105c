package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// onListing answers the app listing (every page, or only pages after the
// first) with h.
func onListing(laterPagesOnly bool, h func(w http.ResponseWriter, r *http.Request)) func(http.ResponseWriter, *http.Request) bool {
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/api/v1/apps" || (laterPagesOnly && r.URL.Query().Get("after") == "") {
			return false
		}
		h(w, r)
		return true
	}
}

func body(status int, contentType, text string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, text)
	}
}

// endlessApps streams a page of app objects well past any sane page size.
func endlessApps(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(200)
	_, _ = io.WriteString(w, "[")
	filler := strings.Repeat("x", 4000)
	for i := 0; ; i++ {
		if i > 0 {
			_, _ = io.WriteString(w, ",")
		}
		if _, err := fmt.Fprintf(w, `{"id":"0oaBIG%07d","name":"box","label":%q,"status":"ACTIVE"}`, i, filler); err != nil {
			return // the client hung up
		}
		if i > 10000 { // 40 MB: the client must have given up long before
			return
		}
	}
}

// Every malformed listing is a clear reason on the facts and no partial
// listing: no instance is judged from half an answer, every check of the
// instance is unverified, none is a made-up failure.
func TestHostileListingsLeaveNoPartialFacts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		fault func(*fakeOkta) func(http.ResponseWriter, *http.Request) bool
		want  string
	}{
		{"html login page from a proxy", func(*fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			return onListing(false, body(200, "text/html; charset=utf-8", "<html><body><form>Sign in</form></body></html>"))
		}, "text/html, not JSON"},
		{"html error page from a proxy", func(*fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			return onListing(false, body(502, "text/html", "<html><h1>502 Bad Gateway</h1></html>"))
		}, `answered 502 "the body is text/html, not Okta's JSON error`},
		{"truncated JSON", func(*fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			return onListing(false, body(200, "application/json", `[{"id":"0oaA","name":"box","lab`))
		}, "not the expected JSON list"},
		{"an object where the list belongs", func(*fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			return onListing(false, body(200, "application/json", `{"apps":[]}`))
		}, "expected a JSON array"},
		{"elements of the wrong type", func(*fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			return onListing(false, body(200, "application/json", `[1,2,3]`))
		}, "not the expected JSON list"},
		{"oversized page", func(*fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			return onListing(false, endlessApps)
		}, "larger than"},
		{"second page truncated", func(f *fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			f.pageSize = 1
			return onListing(true, body(200, "application/json", `[{"id":"0oaB","na`))
		}, "not the expected JSON list"},
		{"next link back to the first page", func(f *fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			return onListing(false, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("Link", fmt.Sprintf(`<%s/api/v1/apps?limit=200>; rel="next"`, f.srv.URL))
				body(200, "application/json", "[]")(w, r)
			})
		}, "back to a page already read"},
		{"next link that changes the scheme", func(f *fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			return onListing(false, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("Link", fmt.Sprintf(`<%s/api/v1/apps?after=x>; rel="next"`, strings.Replace(f.srv.URL, "http://", "https://", 1)))
				body(200, "application/json", "[]")(w, r)
			})
		}, "refusing to follow a pagination link to https://"},
		{"protocol-relative next link to another host", func(*fakeOkta) func(http.ResponseWriter, *http.Request) bool {
			return onListing(false, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("Link", `<//evil.example/api/v1/apps?after=x>; rel="next"`)
				body(200, "application/json", "[]")(w, r)
			})
		}, "refusing to follow a pagination link to http://evil.example"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeOkta(t)
			f.addApp(app("0oaA", "box", "ACTIVE", t1, importing...))
			f.addApp(app("0oaB", "box", "ACTIVE", t1, importing...))
			f.fault = tc.fault(f)
			facts, err := f.org().AppFacts(context.Background(), AppQuery{App: "box", InstanceIDs: []string{"0oaA"}})
			if err != nil {
				t.Fatalf("a malformed listing is a reason on the facts, not an error: %v", err)
			}
			if !strings.Contains(facts.Reason, tc.want) {
				t.Fatalf("reason %q does not say %q", facts.Reason, tc.want)
			}
			if len(facts.AllInstances) != 0 || len(facts.Instances) != 0 {
				t.Fatalf("facts were drawn from a partial listing: %+v", facts)
			}
			v := eligibility.Evaluate(eligibility.Input{OrgURL: f.srv.URL, App: "box", InstanceIDs: []string{"0oaA"}, Okta: facts})
			iv, ok := v.Instance("0oaA")
			if !ok {
				t.Fatal("no verdict for the instance")
			}
			for _, id := range []eligibility.CheckID{eligibility.P3Installed, eligibility.P4Active, eligibility.P5Provisioning, eligibility.P6ImportUsers} {
				if c := iv.Check(id); c.Result == eligibility.Fail {
					t.Errorf("%s failed on a malformed answer: %+v", id, c)
				}
			}
		})
	}
}

// Values Okta may add later are kept and shown, never a crash: an app
// status, a provisioning connection status, feature names and statuses,
// and a sign-on mode nobody has seen yet.
func TestUnexpectedEnumValuesAreKeptAndReported(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.addApp(`{"id":"0oaS","name":"slack","label":"Box","status":"SUSPENDED","signOnMode":"QUANTUM_SSO","lastUpdated":"` + t1 + `","features":["TELEPORT_USERS"],"_links":{}}`)
	f.addApp(`{"id":"0oaP","name":"slack","label":"Box 2","status":"ACTIVE","signOnMode":null,"lastUpdated":"` + t1 + `","features":[],"_links":{}}`)
	f.connections["0oaS"] = connection("PAUSED")
	f.connections["0oaP"] = connection("HALF_ENABLED")
	f.features["0oaS"] = answer{200, `[{"name":"TELEPORT","status":"MAYBE"}]`}
	f.features["0oaP"] = answer{200, `[{"name":"USER_PROVISIONING","status":"WARMING_UP"},{"name":"INBOUND_PROVISIONING","status":"ENABLED","importSettings":{"mystery":true}}]`}
	facts, err := f.org().AppFacts(context.Background(), AppQuery{App: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := facts.Instance("0oaS")
	if s.App.Status != "SUSPENDED" || s.App.SignOnMode != "QUANTUM_SSO" || s.Provisioning.Connection != eligibility.ConnectionStatusUnknown {
		t.Fatalf("instance S: %+v", s)
	}
	v := eligibility.Evaluate(eligibility.Input{OrgURL: f.srv.URL, App: "slack", Okta: facts})
	iv, _ := v.Instance("0oaS")
	if c := iv.Check(eligibility.P4Active); c.Result != eligibility.Fail || !strings.Contains(c.Message, "SUSPENDED") {
		t.Fatalf("P4 of a SUSPENDED instance: %+v", c)
	}
	for _, id := range []string{"0oaS", "0oaP"} {
		iv, ok := v.Instance(id)
		if !ok {
			t.Fatalf("no verdict for %s", id)
		}
		for _, c := range iv.Checks {
			if c.Message == "" {
				t.Errorf("%s %s has no message", id, c.ID)
			}
		}
	}
}

// An answer that says nothing about the org (a proxy's page, a broken
// body) on the provisioning endpoints leaves the check unverified with the
// reason, and never becomes "provisioning disabled".
func TestHostileProvisioningAnswersAreUnverified(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		a    answer
		ct   string
		want string
	}{
		{"html page", answer{200, "<html>proxy</html>"}, "text/html", "text/html, not JSON"},
		{"truncated", answer{200, `{"status":"ENA`}, "application/json", "not the expected JSON"},
		{"oversized", answer{200, `{"status":"ENABLED","x":"` + strings.Repeat("y", 9<<20) + `"}`}, "application/json", "larger than"},
		{"html 503 after retries", answer{503, "<html>maintenance</html>"}, "text/html", "a proxy"},
	} {
		// slack's connection is asked first; box, outside Okta's
		// connection API, asks /features alone.
		for _, target := range []struct {
			app, path string
			conn      eligibility.ConnectionAnswer
			feat      eligibility.FeaturesAnswer
		}{
			{"slack", "/connections/default", eligibility.ConnectionError, ""},
			{"box", "/features", eligibility.ConnectionNotAsked, eligibility.FeaturesError},
		} {
			t.Run(tc.name+" on "+target.path, func(t *testing.T) {
				t.Parallel()
				f := newFakeOkta(t)
				f.addApp(app("0oaA", target.app, "ACTIVE", t1))
				f.fault = func(w http.ResponseWriter, r *http.Request) bool {
					if !strings.HasSuffix(r.URL.Path, target.path) {
						return false
					}
					w.Header().Set("Content-Type", tc.ct)
					f.write(w, tc.a)
					return true
				}
				facts, err := f.org().AppFacts(context.Background(), AppQuery{App: target.app})
				if err != nil {
					t.Fatal(err)
				}
				in, _ := facts.Instance("0oaA")
				p := in.Provisioning
				if p.Connection != target.conn || p.Features != target.feat || !strings.Contains(p.Reason, tc.want) {
					t.Fatalf("provisioning %+v, want %q %q and an error saying %q", p, target.conn, target.feat, tc.want)
				}
				v := eligibility.Evaluate(eligibility.Input{OrgURL: f.srv.URL, App: target.app, Okta: facts})
				iv, _ := v.Instance("0oaA")
				if c := iv.Check(eligibility.P5Provisioning); c.Result != eligibility.Unverified {
					t.Fatalf("P5 = %+v, want unverified", c)
				}
			})
		}
	}
}

// Whatever an Okta error body says is shown bounded, without control
// characters and without the credential, should a proxy echo it back.
func TestOktaErrorTextIsSafeToShow(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.addApp(app("0oaA", "box", "ACTIVE", t1))
	summary := "bad \u001b[31mred\u001b[0m request with SSWS " + f.token + " " + strings.Repeat("x", 5000)
	errBody, _ := json.Marshal(map[string]any{"errorCode": "E0000001", "errorSummary": summary,
		"errorCauses": []map[string]string{{"errorSummary": "cause " + f.token + "\r\nSet-Cookie: x"}}})
	f.fault = onListing(false, body(400, "application/json", string(errBody)))
	facts, err := f.org().AppFacts(context.Background(), AppQuery{App: "box"})
	if err != nil {
		t.Fatal(err)
	}
	msg := facts.Reason
	if strings.Contains(msg, f.token) {
		t.Errorf("the API token is in the error: %.200q", msg)
	}
	if strings.ContainsAny(msg, "\u001b\r\n") || strings.Contains(msg, `\x1b`) {
		t.Errorf("control characters in the error: %.200q", msg)
	}
	if len(msg) > 3000 {
		t.Errorf("the error is %d bytes long", len(msg))
	}
	if !strings.Contains(msg, "GET /api/v1/apps") || !strings.Contains(msg, "E0000001") {
		t.Errorf("the error does not name the endpoint and code: %.300q", msg)
	}
}

// TLS is verified for Okta orgs too, loopback included (the SDK's
// "disable HTTPS check" for loopback only allows plain http there): a
// self-signed certificate is refused before the API token is sent.
func TestSelfSignedOktaOrgIsRefused(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	t.Cleanup(srv.Close)
	o, err := New(Config{OrgURL: srv.URL, APIToken: "test-token-123", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	facts, err := o.AppFacts(context.Background(), AppQuery{App: "box"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(facts.Reason, "certificate") || strings.Contains(facts.Reason, "test-token-123") {
		t.Fatalf("reason %q, want a certificate error", facts.Reason)
	}
	if reached.Load() != 0 {
		t.Fatalf("%d request(s) reached the server behind the untrusted certificate", reached.Load())
	}
}
