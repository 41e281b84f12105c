package oktasim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

const (
	acmeToken       = "sandbox-acme-token"
	acmeGroupsToken = "sandbox-acme-groups-only-token"
	globexToken     = "sandbox-globex-token"
)

// defaultOrgSpec returns an org of the shipped default scenario.
func defaultOrgSpec(t testing.TB, name string) oktasim.OrgSpec {
	t.Helper()
	for _, s := range sandbox.DefaultScenario().OktaOrgs {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("the default scenario has no org %q", name)
	return oktasim.OrgSpec{}
}

// startOrg serves an org on a free loopback port for the test's lifetime.
func startOrg(t *testing.T, spec oktasim.OrgSpec, opts ...oktasim.Option) *oktasim.Org {
	t.Helper()
	org, err := oktasim.NewOrg(spec, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := org.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = org.Close() })
	return org
}

func startAcme(t *testing.T, opts ...oktasim.Option) *oktasim.Org {
	t.Helper()
	return startOrg(t, defaultOrgSpec(t, "acme"), opts...)
}

// appByLabel finds an instance of the default scenario by its label.
func appByLabel(t *testing.T, org *oktasim.Org, label string) oktasim.InstanceState {
	t.Helper()
	for _, st := range org.Instances() {
		if st.Label == label {
			return st
		}
	}
	t.Fatalf("org %s has no app labelled %q", org.Name(), label)
	return oktasim.InstanceState{}
}

// fakeClock is a settable clock, so rate-limit windows and token expiry can
// be tested without waiting.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 10, 46, 43, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// sdkClient builds an okta-sdk-golang/v2 client the way the provider does:
// cache off, our own HTTP client, and every setting given explicitly, so a
// developer's ~/.okta/okta.yaml or OKTA_CLIENT_* variables cannot change the
// test (the options below override what the SDK read from them).
func sdkClient(t *testing.T, orgURL, token string, more ...okta.ConfigSetter) *okta.Client {
	t.Helper()
	return sdkClientWith(t, &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}, orgURL, token, more...)
}

func sdkClientWith(t *testing.T, hc *http.Client, orgURL, token string, more ...okta.ConfigSetter) *okta.Client {
	t.Helper()
	opts := []okta.ConfigSetter{
		okta.WithOrgUrl(orgURL),
		okta.WithAuthorizationMode("SSWS"),
		okta.WithToken(token),
		okta.WithClientId(""),
		okta.WithScopes(nil),
		okta.WithPrivateKey(""),
		okta.WithPrivateKeyId(""),
		okta.WithCache(false),
		okta.WithTestingDisableHttpsCheck(true),
		okta.WithHttpClientPtr(hc),
		okta.WithConnectionTimeout(10),
		okta.WithRequestTimeout(10),
		okta.WithRateLimitMaxRetries(0),
		okta.WithRateLimitMaxBackOff(0),
		okta.WithUserAgentExtra("oktasim-test"),
	}
	_, c, err := okta.NewClient(context.Background(), append(opts, more...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// oktaErr returns the SDK's error with its Okta error code.
func oktaErr(t *testing.T, err error) *okta.Error {
	t.Helper()
	var e *okta.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an Okta API error", err, err)
	}
	return e
}

type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// get sends one GET with the given Authorization header ("" for none).
func get(t *testing.T, url, auth string) rawResponse {
	t.Helper()
	return do(t, http.DefaultClient, http.MethodGet, url, auth)
}

func do(t *testing.T, c *http.Client, method, url, auth string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: body}
}

type errorBody struct {
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
	ErrorLink    string `json:"errorLink"`
	ErrorID      string `json:"errorId"`
	ErrorCauses  []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
}

// wantError checks an Okta error answer's status, code and summary.
func wantError(t *testing.T, r rawResponse, status int, code, summary string) errorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	var e errorBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %s: %v", r.body, err)
	}
	if e.ErrorCode != code || e.ErrorLink != code || (summary != "" && e.ErrorSummary != summary) {
		t.Fatalf("error %+v, want code %s and summary %q", e, code, summary)
	}
	if !strings.HasPrefix(e.ErrorID, "oae") || len(e.ErrorID) != 25 {
		t.Errorf("errorId %q does not look like Okta's (oae + 22 characters)", e.ErrorID)
	}
	return e
}
