package ispm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm/contract/contracttest"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
)

const token = "ispm-secret-token-7f3a9c"

func ready(id, app, label string) ispmsim.OktaInstance {
	return ispmsim.OktaInstance{ID: id, Name: app, Label: label, Status: "ACTIVE", ProvisioningEnabled: true, ImportNewUsers: true, ImportGroups: true}
}

type fixture struct {
	svc    *ispmsim.Service
	okta   *ispmsim.StaticOrg
	v      *contracttest.Validator
	srv    *httptest.Server
	client *ispm.RESTClient
}

// newFixture runs the sandbox ISPM service with every exchange of the
// client checked against the contract in both directions.
func newFixture(t *testing.T, mutate func(*ispmsim.Options)) *fixture {
	t.Helper()
	okta := ispmsim.NewStaticOrg("acme.okta.com", true,
		ready("0oaslack1", "slack", "Slack"),
		ready("0oaslack2", "slack", "Slack EU"),
		ispmsim.OktaInstance{ID: "0oabox1", Name: "boxnet", Label: "Box", Status: "ACTIVE", ProvisioningEnabled: true},
	)
	opts := ispmsim.Options{
		APIToken:          token,
		ReadOnlyAPIToken:  "read-only-token",
		Catalog:           ispmsim.DefaultCatalog(),
		Orgs:              []ispmsim.OrgSpec{{ID: "oktaorg_acme", DisplayName: "Acme", Okta: okta}},
		ConnectAfterReads: 1,
		Seed:              7,
	}
	if mutate != nil {
		mutate(&opts)
	}
	svc, err := ispmsim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.Handler())
	t.Cleanup(srv.Close)
	f := &fixture{svc: svc, okta: okta, v: contracttest.New(t), srv: srv}
	f.client = f.newClient(t, token, 0)
	t.Cleanup(func() {
		if f.v.Checked() == 0 {
			t.Error("no exchange went through the contract validator")
		}
	})
	return f
}

func (f *fixture) newClient(t *testing.T, tok string, maxRetries int) *ispm.RESTClient {
	t.Helper()
	c, err := ispm.NewClient(ispm.Config{
		Endpoint: f.srv.URL, APIToken: tok,
		HTTPClient: httpx.NewClient(httpx.Options{
			Base: f.v.Transport(nil, contracttest.Both), MaxRetries: maxRetries,
			MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Secrets: []string{tok},
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClientSpeaksTheContract(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	var c ispm.Client = f.client

	orgs, err := c.ListOrgs(ctx)
	if err != nil || len(orgs) != 1 || orgs[0].Domain != "acme.okta.com" {
		t.Fatalf("ListOrgs: %+v %v", orgs, err)
	}
	if o, err := c.GetOrg(ctx, "oktaorg_acme"); err != nil || o.DisplayName != "Acme" || o.ConnectedAt.IsZero() {
		t.Fatalf("GetOrg: %+v %v", o, err)
	}
	if o, err := c.FindOrgByDomain(ctx, "https://ACME.okta.com/app/UserHome"); err != nil || o.ID != "oktaorg_acme" {
		t.Fatalf("FindOrgByDomain: %+v %v", o, err)
	}
	if r, err := c.RefreshOrg(ctx, "oktaorg_acme"); err != nil || r.OktaOrgID != "oktaorg_acme" || r.Apps == 0 {
		t.Fatalf("RefreshOrg: %+v %v", r, err)
	}
	entries, err := c.ListCatalog(ctx, ispm.CatalogFilter{OktaOrgID: "oktaorg_acme", Status: ispm.StatusAvailable})
	if err != nil || len(entries) != 1 || entries[0].Key != "slack" || len(entries[0].OrgStatus.Instances) != 2 {
		t.Fatalf("ListCatalog: %+v %v", entries, err)
	}
	if e, err := c.GetCatalogEntry(ctx, "zoomus", ""); err != nil || e.DisplayName != "Zoom" || e.OrgStatus != nil {
		t.Fatalf("GetCatalogEntry: %+v %v", e, err)
	}
	st, err := c.GetAppStatus(ctx, "oktaorg_acme", "boxnet")
	if err != nil || st.Status != ispm.StatusProvisioningDisabled || !slices.Equal(st.Instances[0].UnmetPrerequisites, []ispm.Prerequisite{ispm.P6ImportUsers, ispm.P7ImportGroups}) {
		t.Fatalf("GetAppStatus: %+v %v", st, err)
	}
	if st, err := c.RefreshAppStatus(ctx, "oktaorg_acme", "boxnet"); err != nil || st.App != "boxnet" {
		t.Fatalf("RefreshAppStatus: %+v %v", st, err)
	}

	src, err := c.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}, DisplayName: "Chat", IdempotencyKey: "k-1"})
	if err != nil || src.Status != ispm.SourceConnecting || src.DisplayName != "Chat" {
		t.Fatalf("CreateSource: %+v %v", src, err)
	}
	again, err := c.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}, DisplayName: "Chat", IdempotencyKey: "k-1"})
	if err != nil || again.ID != src.ID {
		t.Fatalf("CreateSource replay: %+v %v", again, err)
	}
	got, err := c.GetSource(ctx, src.ID)
	if err != nil || got.Status != ispm.SourceConnected || got.Health == nil {
		t.Fatalf("GetSource: %+v %v", got, err)
	}
	updated, err := c.UpdateSource(ctx, src.ID, ispm.UpdateSourceRequest{InstanceIDs: []string{"0oaslack2", "0oaslack1"}})
	if err != nil || !slices.Equal(updated.InstanceIDs(), []string{"0oaslack2", "0oaslack1"}) {
		t.Fatalf("UpdateSource: %+v %v", updated, err)
	}
	list, err := c.ListSources(ctx, ispm.SourceFilter{OktaOrgID: "oktaorg_acme", App: "slack", Status: ispm.SourceConnected, Health: ispm.HealthConnected})
	if err != nil || len(list) != 1 || list[0].ID != src.ID {
		t.Fatalf("ListSources: %+v %v", list, err)
	}
	if err := c.DeleteSource(ctx, src.ID); err != nil {
		t.Fatalf("DeleteSource: %v", err)
	}
	if err := c.DeleteSource(ctx, src.ID); !ispm.IsNotFound(err) || !errors.Is(err, ispm.ErrNotFound) {
		t.Fatalf("DeleteSource twice: %v", err)
	}
}

func TestListsFollowEveryPage(t *testing.T) {
	t.Parallel()
	var catalog []ispm.CatalogEntry
	for i := range 450 {
		catalog = append(catalog, ispm.CatalogEntry{Key: fmt.Sprintf("app%03d", i), DisplayName: fmt.Sprintf("App %d", i), PoweredBy: ispm.PoweredByOIN})
	}
	f := newFixture(t, func(o *ispmsim.Options) { o.Catalog = catalog })
	entries, err := f.client.ListCatalog(context.Background(), ispm.CatalogFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 450 || entries[449].Key != "app449" {
		t.Fatalf("%d entries", len(entries))
	}
	if n := f.svc.RequestCounts()["GET /api/v1/catalog"]; n != 3 {
		t.Fatalf("%d pages fetched, want 3 of 200", n)
	}
}

func TestTypedErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	first, err := f.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}})
	if err != nil {
		t.Fatal(err)
	}

	_, err = f.client.GetSource(ctx, "src_gone")
	assertKind(t, "not found", err, ispm.KindNotFound, ispm.IsNotFound)

	_, err = f.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack2"}})
	assertKind(t, "conflict", err, ispm.KindConflict, ispm.IsConflict)
	if id, ok := ispm.ExistingSourceID(err); !ok || id != first.ID {
		t.Errorf("conflict names %q, want %q", id, first.ID)
	}

	_, err = f.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "boxnet", InstanceIDs: []string{"0oabox1"}})
	assertKind(t, "validation", err, ispm.KindValidation, ispm.IsValidation)
	ae, _ := ispm.AsAPIError(err)
	if len(ae.Problems) != 2 || ae.Problems[0].InstanceID != "0oabox1" || ae.Problems[1].Prerequisite != ispm.P7ImportGroups {
		t.Errorf("problems %+v", ae.Problems)
	}
	if !strings.Contains(err.Error(), "Instance 0oabox1 fails P6_IMPORT_USERS") {
		t.Errorf("message does not list the problems: %v", err)
	}

	_, err = f.newClient(t, "not-the-token", 0).ListOrgs(ctx)
	assertKind(t, "unauthorized", err, ispm.KindUnauthorized, ispm.IsUnauthorized)
	if !strings.Contains(err.Error(), "ISPM_API_TOKEN") {
		t.Errorf("the 401 message does not say what to check: %v", err)
	}

	err = f.newClient(t, "read-only-token", 0).DeleteSource(ctx, first.ID)
	assertKind(t, "forbidden", err, ispm.KindForbidden, ispm.IsForbidden)

	if err := f.svc.SetFaults(ispmsim.Faults{RateLimitNext: 1, RetryAfter: ispmsim.Duration(42 * time.Second)}); err != nil {
		t.Fatal(err)
	}
	_, err = f.newClient(t, token, -1).ListSources(ctx, ispm.SourceFilter{})
	assertKind(t, "rate limited", err, ispm.KindRateLimited, ispm.IsRateLimited)
	if ae, _ := ispm.AsAPIError(err); ae.RetryAfter != 42*time.Second || !strings.Contains(err.Error(), "42s") {
		t.Errorf("retry after %s: %v", ae.RetryAfter, err)
	}

	if err := f.svc.SetFaults(ispmsim.Faults{FailNext: 1, ErrorStatus: http.StatusBadGateway}); err != nil {
		t.Fatal(err)
	}
	_, err = f.newClient(t, token, -1).ListSources(ctx, ispm.SourceFilter{})
	assertKind(t, "server", err, ispm.KindServer, ispm.IsServer)

	if err := f.svc.SetOrgConnectionState("oktaorg_acme", ispm.OrgDisconnected); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.GetAppStatus(ctx, "oktaorg_acme", "slack")
	assertKind(t, "org not connected", err, ispm.KindConflict, ispm.IsOrgNotConnected)
}

func assertKind(t *testing.T, name string, err error, kind ispm.ErrorKind, is func(error) bool) {
	t.Helper()
	ae, ok := ispm.AsAPIError(err)
	if !ok || ae.Kind != kind || !is(err) {
		t.Errorf("%s: want kind %s, got %v", name, kind, err)
		return
	}
	if ae.RequestID == "" || !strings.Contains(err.Error(), ae.RequestID) {
		t.Errorf("%s: the error does not carry the request id: %v", name, err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("%s: the error leaks the token: %v", name, err)
	}
	helpers := map[ispm.ErrorKind]func(error) bool{
		ispm.KindNotFound: ispm.IsNotFound, ispm.KindConflict: ispm.IsConflict, ispm.KindValidation: ispm.IsValidation,
		ispm.KindUnauthorized: ispm.IsUnauthorized, ispm.KindForbidden: ispm.IsForbidden, ispm.KindRateLimited: ispm.IsRateLimited,
		ispm.KindServer: ispm.IsServer, ispm.KindInvalidResponse: ispm.IsInvalidResponse,
	}
	for k, helper := range helpers {
		if helper(err) != (k == kind) {
			t.Errorf("%s: the helper for %s says %v", name, k, helper(err))
		}
	}
}

func TestRetriesRideOutFaults(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	if err := f.svc.SetFaults(ispmsim.Faults{FailNext: 2, DropNext: 1, RateLimitNext: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.ListSources(ctx, ispm.SourceFilter{}); err != nil {
		t.Fatalf("after four faults: %v", err)
	}
	if n := f.svc.RequestCounts()["GET /api/v1/sources"]; n != 5 {
		t.Fatalf("%d attempts, want 5", n)
	}

	// The create's answer is lost twice after the source was made, and a
	// 503 comes in between: the retries must not make a second source.
	f.svc.ResetRequestCounts()
	if err := f.svc.SetFaults(ispmsim.Faults{DropResponseNext: 2, Methods: []string{"POST"}}); err != nil {
		t.Fatal(err)
	}
	src, err := f.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}, IdempotencyKey: "plan-123"})
	if err != nil {
		t.Fatal(err)
	}
	if all := f.svc.Sources(); len(all) != 1 || all[0].ID != src.ID {
		t.Fatalf("sources after lost answers: %+v", all)
	}
	if n := f.svc.RequestCounts()["POST /api/v1/sources"]; n != 3 {
		t.Fatalf("%d create attempts, want 3", n)
	}

	// PATCH carries its own key, so it is retried too.
	if err := f.svc.SetFaults(ispmsim.Faults{FailNext: 1, ErrorStatus: 500, Methods: []string{"PATCH"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.UpdateSource(ctx, src.ID, ispm.UpdateSourceRequest{InstanceIDs: []string{"0oaslack2"}}); err != nil {
		t.Fatalf("patch after a 500: %v", err)
	}
}

func TestCancellationStopsPromptly(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	// ISPM would answer in an hour: a client that does not stop at the
	// cancellation hangs here (go test's timeout) instead of returning.
	if err := f.svc.SetFaults(ispmsim.Faults{Latency: ispmsim.Duration(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once ISPM holds the request, so that it is the request in
	// flight that is cut short, not one never sent.
	go func() {
		for f.svc.RequestCounts()["GET /api/v1/okta-orgs"] == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := f.client.ListOrgs(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if n := f.svc.RequestCounts()["GET /api/v1/okta-orgs"]; n != 1 {
		t.Fatalf("%d attempts, want 1: a cancelled call is not retried", n)
	}
	f.svc.ClearFaults()
	if _, err := f.client.ListOrgs(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// hostile serves one canned answer to every request; only the client's
// requests are checked against the contract, the answers break it on
// purpose.
func hostile(t *testing.T, h http.HandlerFunc) *ispm.RESTClient {
	t.Helper()
	return hostileVia(t, h, contracttest.New(t).Transport(nil, contracttest.RequestOnly))
}

func hostileVia(t *testing.T, h http.HandlerFunc, base http.RoundTripper) *ispm.RESTClient {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := ispm.NewClient(ispm.Config{
		Endpoint: srv.URL + "/api/v1/", APIToken: token, MaxResponseBytes: 64 << 10,
		HTTPClient: httpx.NewClient(httpx.Options{Base: base, MaxRetries: -1}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func canned(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func TestHostileAnswersAreClearErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		h    http.HandlerFunc
		kind ispm.ErrorKind
		want string
	}{
		{"html error page from a proxy", canned(502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"), ispm.KindServer, "text/html, not problem details"},
		{"html page with 200", canned(200, "text/html; charset=utf-8", "<html>login</html>"), ispm.KindInvalidResponse, "text/html, not JSON"},
		{"truncated json", canned(200, "application/json", `{"id":"src_1","okta_org_id":"o","app":"sl`), ispm.KindInvalidResponse, "truncated"},
		{"wrong json types", canned(200, "application/json", `{"id":7}`), ispm.KindInvalidResponse, `"id"`},
		{"missing members", canned(200, "application/json", `{"display_name":"x"}`), ispm.KindInvalidResponse, `lacks its "id"`},
		{"empty body", canned(200, "application/json", ""), ispm.KindInvalidResponse, "empty"},
		{"oversized body", canned(200, "application/json", `{"id":"`+strings.Repeat("x", 128<<10)+`"}`), ispm.KindInvalidResponse, "larger than"},
		{"truncated problem", canned(409, "application/problem+json", `{"type":"urn:ispm:problem:source-exists","existing_sou`), ispm.KindConflict, "not valid problem details JSON"},
		{"unexpected success status", canned(204, "", ""), ispm.KindInvalidResponse, "expected 200"},
		{"redirect to another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://evil.example.com/steal", http.StatusFound)
		}, ispm.KindInvalidResponse, "302"},
		{"token echoed back", canned(400, "application/problem+json", `{"type":"t","title":"Bad","status":400,"detail":"token `+token+` rejected\u0007"}`), ispm.KindBadRequest, "[redacted] rejected"},
		{"teapot", canned(418, "text/plain", "short and stout"), ispm.KindInvalidResponse, "418"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := hostile(t, tc.h)
			_, err := c.GetSource(context.Background(), "src_1")
			ae, ok := ispm.AsAPIError(err)
			if !ok || ae.Kind != tc.kind {
				t.Fatalf("want kind %s, got %T %v", tc.kind, err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("the message %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), token) || strings.ContainsRune(err.Error(), '\a') {
				t.Errorf("unsafe message: %q", err)
			}
		})
	}
}

func TestUnknownEnumValuesAreKept(t *testing.T) {
	t.Parallel()
	c := hostile(t, canned(200, "application/json", `{"id":"src_1","okta_org_id":"oktaorg_acme","app":"slack","display_name":"Slack",
		"powered_by":"PARTNER","instances":[{"id":"0oa1","label":"Slack"}],"status":"PAUSED",
		"health":{"status":"DEGRADED","reason":"QUOTA_EXCEEDED","last_checked_at":"2026-01-02T03:04:05Z"},
		"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","brand_new_member":{"x":1}}`))
	src, err := c.GetSource(context.Background(), "src_1")
	if err != nil {
		t.Fatal(err)
	}
	if src.Status != "PAUSED" || src.PoweredBy != "PARTNER" || src.Health.Status != "DEGRADED" || src.Health.Reason != "QUOTA_EXCEEDED" {
		t.Fatalf("unknown values not kept: %+v %+v", src, src.Health)
	}
}

func TestListingsThatNeverEndAreRefused(t *testing.T) {
	t.Parallel()
	c := hostile(t, canned(200, "application/json", `{"data":[],"next_cursor":"same"}`))
	_, err := c.ListSources(context.Background(), ispm.SourceFilter{})
	if !ispm.IsInvalidResponse(err) || !strings.Contains(err.Error(), "same next_cursor twice") {
		t.Fatalf("repeated cursor: %v", err)
	}
	c = hostile(t, canned(200, "application/json", `{"items":[]}`))
	if _, err := c.ListOrgs(context.Background()); !ispm.IsInvalidResponse(err) {
		t.Fatalf("no data member: %v", err)
	}
}

func TestFindOrgByDomainDoesNotTrustTheFilter(t *testing.T) {
	t.Parallel()
	// A server that ignores ?domain= must not make the client pick the
	// wrong org.
	c := hostile(t, canned(200, "application/json", `{"data":[{"id":"oktaorg_other","domain":"other.okta.com","display_name":"Other","connection_state":"CONNECTED"}]}`))
	_, err := c.FindOrgByDomain(context.Background(), "acme.okta.com")
	if !ispm.IsNotFound(err) || !strings.Contains(err.Error(), `"acme.okta.com"`) {
		t.Fatalf("got %v", err)
	}
}

func TestNewClientChecksItsConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg  ispm.Config
		want string
	}{
		{ispm.Config{Endpoint: "https://ispm.example.com"}, "token is empty"},
		{ispm.Config{Endpoint: "https://ispm.example.com", APIToken: "has space"}, "cannot be sent"},
		{ispm.Config{Endpoint: "http://ispm.example.com", APIToken: "t"}, "plain http"},
		{ispm.Config{Endpoint: "ispm.example.com", APIToken: "t"}, "not an absolute"},
		{ispm.Config{Endpoint: "https://user:pw@ispm.example.com", APIToken: "t"}, "credentials"},
	}
	for _, tc := range cases {
		_, err := ispm.NewClient(tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg.Endpoint, err, tc.want)
		}
		if err != nil && tc.cfg.APIToken != "" && strings.Contains(err.Error(), tc.cfg.APIToken) && tc.cfg.APIToken != "t" {
			t.Errorf("the error leaks the token: %v", err)
		}
	}
	c, err := ispm.NewClient(ispm.Config{Endpoint: "https://ispm.example.com/base/api/v1/", APIToken: "t"})
	if err != nil || c.Endpoint() != "https://ispm.example.com/base" {
		t.Fatalf("endpoint %v %v", c, err)
	}
}

func TestClientRefusesEmptyArgumentsWithoutCallingOut(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	c := hostile(t, func(w http.ResponseWriter, _ *http.Request) { calls.Add(1) })
	ctx := context.Background()
	for name, err := range map[string]error{
		"GetOrg":    func() error { _, e := c.GetOrg(ctx, ""); return e }(),
		"FindOrg":   func() error { _, e := c.FindOrgByDomain(ctx, " "); return e }(),
		"GetSource": func() error { _, e := c.GetSource(ctx, ""); return e }(),
		"Delete":    c.DeleteSource(ctx, ""),
		"AppStatus": func() error { _, e := c.GetAppStatus(ctx, "oktaorg_acme", ""); return e }(),
		"Create": func() error {
			_, e := c.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "o", App: "slack"})
			return e
		}(),
		"Update": func() error { _, e := c.UpdateSource(ctx, "src_1", ispm.UpdateSourceRequest{}); return e }(),
		"UpdateEmpty": func() error {
			_, e := c.UpdateSource(ctx, "src_1", ispm.UpdateSourceRequest{InstanceIDs: []string{}})
			return e
		}(),
		"StatusNoOrg":  func() error { _, e := c.ListCatalog(ctx, ispm.CatalogFilter{Status: ispm.StatusAvailable}); return e }(),
		"CatalogEntry": func() error { _, e := c.GetCatalogEntry(ctx, "", ""); return e }(),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if calls.Load() != 0 {
		t.Fatalf("%d requests were sent", calls.Load())
	}
}

func TestPathSegmentsAreEscaped(t *testing.T) {
	t.Parallel()
	var got atomic.Value
	// Not checked against the contract: the id is malformed on purpose.
	c := hostileVia(t, func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.URL.EscapedPath())
		w.WriteHeader(http.StatusNotFound)
	}, http.DefaultTransport)
	_, _ = c.GetSource(context.Background(), "../okta-orgs")
	if p, _ := got.Load().(string); p != "/api/v1/sources/..%2Fokta-orgs" {
		t.Fatalf("path %q", p)
	}
}
