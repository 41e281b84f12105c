package ispmsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm/contract/contracttest"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
)

const customApp = "acme_scimapp_1"

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func eligible(id, app, label string) ispmsim.OktaInstance {
	return ispmsim.OktaInstance{ID: id, Name: app, Label: label, Status: "ACTIVE",
		ProvisioningEnabled: true, ImportNewUsers: true, ImportGroups: true}
}

// env is one sandbox ISPM service on a loopback server, every exchange
// checked against the contract: requests on the client side, responses on
// the server side (so even deliberately malformed requests get checked
// answers).
type env struct {
	t      *testing.T
	svc    *ispmsim.Service
	srv    *httptest.Server
	clock  *fakeClock
	acme   *ispmsim.StaticOrg
	globex *ispmsim.StaticOrg
	v      *contracttest.Validator
	client *ispm.RESTClient
}

func newEnv(t *testing.T, mutate func(*ispmsim.Options)) *env {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	acme := ispmsim.NewStaticOrg("acme.okta.com", true,
		eligible("0oaslack1", "slack", "Slack"),
		ispmsim.OktaInstance{ID: "0oaslack2", Name: "slack", Label: "Slack EU", Status: "ACTIVE", ProvisioningEnabled: true, ImportNewUsers: true},
		ispmsim.OktaInstance{ID: "0oazoom1", Name: "zoomus", Label: "Zoom", Status: "INACTIVE", ProvisioningEnabled: true, ImportNewUsers: true, ImportGroups: true},
		ispmsim.OktaInstance{ID: "0oabox1", Name: "boxnet", Label: "Box", Status: "ACTIVE"},
		eligible("0oacustom1", customApp, "Acme SCIM App"),
		eligible("0oazendesk1", "zendesk", "Zendesk"),
		eligible("0oazendesk2", "zendesk", "Zendesk Sandbox"),
	)
	globex := ispmsim.NewStaticOrg("globex.okta.com", false, eligible("0oaglobex1", "slack", "Slack"))
	catalog := append(ispmsim.DefaultCatalog(), ispm.CatalogEntry{
		Key: customApp, DisplayName: "Acme SCIM App", PoweredBy: ispm.PoweredByCustom, Categories: []string{"Custom apps"},
	})
	opts := ispmsim.Options{
		APIToken:          "test-ispm-token-0123456789",
		ReadOnlyAPIToken:  "test-ispm-readonly-token",
		Catalog:           catalog,
		Orgs:              []ispmsim.OrgSpec{{ID: "oktaorg_acme", DisplayName: "Acme", Okta: acme}, {ID: "oktaorg_globex", DisplayName: "Globex", Okta: globex}},
		ConnectAfterReads: 1,
		Now:               clock.Now,
		Seed:              42,
	}
	if mutate != nil {
		mutate(&opts)
	}
	svc, err := ispmsim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	v := contracttest.New(t)
	srv := httptest.NewServer(v.Middleware(svc.Handler(), contracttest.ResponseOnly))
	t.Cleanup(srv.Close)
	e := &env{t: t, svc: svc, srv: srv, clock: clock, acme: acme, globex: globex, v: v}
	e.client = e.newClient(svc.APIToken(), 0)
	t.Cleanup(func() {
		if v.Checked() == 0 {
			t.Error("no exchange went through the contract validator")
		}
	})
	return e
}

// newClient returns a REST client whose requests are checked against the
// contract; retries are fast (maxRetries 0 means the httpx default, -1 none).
func (e *env) newClient(token string, maxRetries int) *ispm.RESTClient {
	e.t.Helper()
	hc := httpx.NewClient(httpx.Options{
		Base:       e.v.Transport(nil, contracttest.RequestOnly),
		MaxRetries: maxRetries,
		MinBackoff: time.Millisecond,
		MaxBackoff: 5 * time.Millisecond,
	})
	c, err := ispm.NewClient(ispm.Config{Endpoint: e.srv.URL, APIToken: token, HTTPClient: hc, UserAgent: "ispmsim-test"})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// raw sends a request as given (auth with the main token unless the
// header map says otherwise) and returns status, headers and body.
func (e *env) raw(method, path string, header map[string]string, body string) (int, http.Header, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.svc.APIToken())
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func (e *env) problem(b []byte) ispm.Problem {
	e.t.Helper()
	var p ispm.Problem
	if err := json.Unmarshal(b, &p); err != nil {
		e.t.Fatalf("not problem details: %v: %s", err, b)
	}
	return p
}

// control calls the control API and decodes the answer into out.
func (e *env) control(method, path, body string, wantStatus int, out any) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, e.srv.URL+ispmsim.ControlPrefix+path, bytes.NewBufferString(body))
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
}

func (e *env) create(app string, ids ...string) *ispm.Source {
	e.t.Helper()
	src, err := e.client.CreateSource(context.Background(), ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: app, InstanceIDs: ids})
	if err != nil {
		e.t.Fatal(err)
	}
	return src
}

func apiError(t *testing.T, err error) *ispm.APIError {
	t.Helper()
	ae, ok := ispm.AsAPIError(err)
	if !ok {
		t.Fatalf("want an *ispm.APIError, got %T: %v", err, err)
	}
	return ae
}
