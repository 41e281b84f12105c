package contracttest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm/contract/contracttest"
)

// recordingTB captures what a Validator reports instead of failing.
type recordingTB struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) finish() {
	for _, f := range r.cleanups {
		f()
	}
}

const okOrg = `{"id":"oktaorg_acme","domain":"acme.okta.com","display_name":"Acme","connection_state":"CONNECTED"}`

func serve(t *testing.T, status int, contentType, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, c *http.Client, url, token string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func TestValidatorAcceptsAConformingExchange(t *testing.T) {
	t.Parallel()
	rec := &recordingTB{TB: t}
	v := contracttest.New(rec)
	srv := serve(t, http.StatusOK, "application/json", okOrg)
	get(t, v.Client(), srv.URL+"/api/v1/okta-orgs/oktaorg_acme", "tok")
	rec.finish()
	if len(rec.errors) != 0 || v.Checked() != 2 {
		t.Fatalf("errors %v, checked %d", rec.errors, v.Checked())
	}
}

func TestValidatorReportsViolations(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, path, token, ctype, body string
		status                         int
		want                           string
	}{
		{"missing required member", "/api/v1/okta-orgs/oktaorg_acme", "tok", "application/json", `{"id":"oktaorg_acme"}`, 200, "domain"},
		{"unknown enum value", "/api/v1/okta-orgs/oktaorg_acme", "tok", "application/json", strings.Replace(okOrg, `"CONNECTED"`, `"MAYBE"`, 1), 200, "MAYBE"},
		{"bad date-time", "/api/v1/okta-orgs/oktaorg_acme", "tok", "application/json", strings.Replace(okOrg, `}`, `,"connected_at":"yesterday"}`, 1), 200, "connected_at"},
		{"undocumented status", "/api/v1/okta-orgs/oktaorg_acme", "tok", "application/json", okOrg, 201, "201"},
		{"error that is not problem+json", "/api/v1/okta-orgs/oktaorg_acme", "tok", "text/html", "<html>bad gateway</html>", 500, "problem+json"},
		{"429 without Retry-After", "/api/v1/sources", "tok", "application/problem+json", `{"type":"t","title":"x","status":429}`, 429, "Retry-After"},
		{"no bearer token", "/api/v1/okta-orgs/oktaorg_acme", "", "application/json", okOrg, 200, "bearer"},
		{"bad query parameter", "/api/v1/catalog?powered_by=SAML", "tok", "application/json", `{"data":[]}`, 200, "powered_by"},
		{"unknown path", "/api/v2/things", "tok", "application/json", `{}`, 200, "no operation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingTB{TB: t}
			v := contracttest.New(rec)
			srv := serve(t, tc.status, tc.ctype, tc.body)
			get(t, v.Client(), srv.URL+tc.path, tc.token)
			rec.finish()
			if len(rec.errors) == 0 || !strings.Contains(strings.Join(rec.errors, "\n"), tc.want) {
				t.Fatalf("want a violation mentioning %q, got %v", tc.want, rec.errors)
			}
		})
	}
}

func TestMiddlewareChecksServerAnswers(t *testing.T) {
	t.Parallel()
	rec := &recordingTB{TB: t}
	v := contracttest.New(rec)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":[{"id":""}]}`)
	})
	srv := httptest.NewServer(v.Middleware(h, contracttest.ResponseOnly))
	defer srv.Close()
	// ResponseOnly: the missing token is not a violation, the answer is.
	get(t, http.DefaultClient, srv.URL+"/api/v1/sources", "")
	rec.finish()
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "response 200") {
		t.Fatalf("errors %v", rec.errors)
	}
}
