package oktasim_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

const clientID = "0oa5erv1ceapp0000001"

// Keys are generated once per test binary: RSA generation is slow.
var (
	serviceKey = sync.OnceValue(func() *rsa.PrivateKey { return mustKey() })
	otherKey   = sync.OnceValue(func() *rsa.PrivateKey { return mustKey() })
)

func mustKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func publicPEM(t *testing.T, k *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// pkcs1PEM is the private key form okta-sdk-golang/v2's PrivateKey mode wants.
func pkcs1PEM(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

// oauthOrg is the default acme org with one service app.
func oauthOrg(t *testing.T, scopes []string, opts ...oktasim.Option) *oktasim.Org {
	t.Helper()
	spec := defaultOrgSpec(t, "acme")
	spec.OAuthClients = []oktasim.OAuthClient{{ClientID: clientID, PublicKey: publicPEM(t, serviceKey()), KeyID: "key-1", Scopes: scopes}}
	return startOrg(t, spec, opts...)
}

func TestOAuthPrivateKeyEndToEndWithTheSDK(t *testing.T) {
	t.Parallel()
	org := oauthOrg(t, []string{oktasim.ScopeAppsRead, oktasim.ScopeGroupsRead})
	c := sdkClient(t, org.URL(), "",
		okta.WithAuthorizationMode("PrivateKey"),
		okta.WithClientId(clientID),
		okta.WithScopes([]string{oktasim.ScopeAppsRead, oktasim.ScopeGroupsRead}),
		okta.WithPrivateKey(pkcs1PEM(serviceKey())),
		okta.WithPrivateKeyId("key-1"),
	)
	ctx := context.Background()
	apps, _, err := c.Application.ListApplications(ctx, nil)
	if err != nil || len(apps) != len(org.Instances()) {
		t.Fatalf("listing apps with an access token: %d apps, %v", len(apps), err)
	}
	if _, _, err := c.Group.ListGroups(ctx, nil); err != nil {
		t.Fatalf("listing groups with an access token: %v", err)
	}
	if _, _, err := c.Application.GetDefaultProvisioningConnectionForApplication(ctx, appByLabel(t, org, "Slack").ID); err != nil {
		t.Fatal(err)
	}
	// The SDK caches the access token: one token request served all three calls.
	if n := org.RequestCounts()[oktasim.EndpointToken]; n.Requests != 1 || n.Statuses[http.StatusOK] != 1 {
		t.Errorf("token endpoint counters: %+v", n)
	}
}

func TestOAuthScopesAreEnforced(t *testing.T) {
	t.Parallel()
	org := oauthOrg(t, []string{oktasim.ScopeAppsRead})
	c := sdkClient(t, org.URL(), "",
		okta.WithAuthorizationMode("PrivateKey"),
		okta.WithClientId(clientID),
		okta.WithScopes([]string{oktasim.ScopeAppsRead}),
		okta.WithPrivateKey(pkcs1PEM(serviceKey())),
	)
	ctx := context.Background()
	if _, _, err := c.Application.ListApplications(ctx, nil); err != nil {
		t.Fatal(err)
	}
	_, resp, err := c.Group.ListGroups(ctx, nil)
	if err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("groups without okta.groups.read: %v", err)
	}
	// The SDK reads bearer errors from WWW-Authenticate, as Okta sends them.
	if !strings.Contains(err.Error(), "The access token provided does not contain the required scopes.") {
		t.Errorf("error %q", err)
	}
	if h := resp.Header.Get("WWW-Authenticate"); !strings.Contains(h, `error="insufficient_scope"`) || !strings.Contains(h, `scope="okta.groups.read"`) {
		t.Errorf("WWW-Authenticate %q", h)
	}

	// Asking for a scope the service app was not granted fails at the token endpoint.
	c2 := sdkClient(t, org.URL(), "",
		okta.WithAuthorizationMode("PrivateKey"),
		okta.WithClientId(clientID),
		okta.WithScopes([]string{oktasim.ScopeAppsRead, oktasim.ScopeGroupsRead}),
		okta.WithPrivateKey(pkcs1PEM(serviceKey())),
	)
	if _, _, err := c2.Application.ListApplications(ctx, nil); err == nil || !strings.Contains(err.Error(), `"okta.groups.read" is not granted`) {
		t.Errorf("ungranted scope: %v", err)
	}
}

type claims map[string]any

func signAssertion(t *testing.T, k *rsa.PrivateKey, header map[string]any, c claims) string {
	t.Helper()
	hb, _ := json.Marshal(header)
	cb, _ := json.Marshal(c)
	signing := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func tokenRequest(t *testing.T, org *oktasim.Org, form url.Values, header http.Header) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, org.URL()+"/oauth2/v1/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("token answers must not be cached: Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	return resp.StatusCode, body
}

func TestOAuthTokenEndpointChecksTheAssertion(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	org := oauthOrg(t, []string{oktasim.ScopeAppsRead, oktasim.ScopeGroupsRead}, oktasim.WithClock(clock.Now))
	aud := org.URL() + "/oauth2/v1/token"
	now := clock.Now().Unix()
	good := func() claims {
		return claims{"iss": clientID, "sub": clientID, "aud": aud, "iat": now, "exp": now + 300}
	}
	hdr := map[string]any{"alg": "RS256", "kid": "key-1"}
	form := func(assertion, scope string) url.Values {
		return url.Values{
			"grant_type":            {"client_credentials"},
			"scope":                 {scope},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {assertion},
		}
	}
	with := func(k string, v any) claims {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}

	status, body := tokenRequest(t, org, form(signAssertion(t, serviceKey(), hdr, good()), "okta.apps.read okta.groups.read"), nil)
	if status != http.StatusOK || body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) ||
		body["scope"] != "okta.apps.read okta.groups.read" || body["access_token"] == "" {
		t.Fatalf("token: %d %v", status, body)
	}
	token, _ := body["access_token"].(string)
	if r := get(t, org.URL()+"/api/v1/apps", "Bearer "+token); r.status != http.StatusOK {
		t.Fatalf("using the token: %d %s", r.status, r.body)
	}
	// Access tokens live one hour.
	clock.Advance(time.Hour)
	r := get(t, org.URL()+"/api/v1/apps", "Bearer "+token)
	wantError(t, r, http.StatusUnauthorized, "E0000011", "Invalid token provided")
	if h := r.header.Get("WWW-Authenticate"); !strings.Contains(h, `error="invalid_token"`) {
		t.Errorf("expired token: WWW-Authenticate %q", h)
	}
	now = clock.Now().Unix()

	jti := with("jti", "assertion-1")
	if status, _ := tokenRequest(t, org, form(signAssertion(t, serviceKey(), hdr, jti), "okta.apps.read"), nil); status != http.StatusOK {
		t.Fatalf("first use of a jti: %d", status)
	}

	for _, tc := range []struct {
		name      string
		form      url.Values
		header    http.Header
		status    int
		code, msg string
	}{
		{"replayed jti", form(signAssertion(t, serviceKey(), hdr, jti), "okta.apps.read"), nil, 401, "invalid_client", "already been used"},
		{"wrong audience", form(signAssertion(t, serviceKey(), hdr, with("aud", "https://acme.okta.com/oauth2/v1/token")), "okta.apps.read"), nil, 401, "invalid_client", "audience claim"},
		{"audience list", form(signAssertion(t, serviceKey(), hdr, with("aud", []string{aud})), "okta.apps.read"), nil, 200, "", ""},
		{"expired", form(signAssertion(t, serviceKey(), hdr, with("exp", now-1)), "okta.apps.read"), nil, 401, "invalid_client", "expired"},
		{"no exp", form(signAssertion(t, serviceKey(), hdr, with("exp", nil)), "okta.apps.read"), nil, 401, "invalid_client", "exp claim"},
		{"exp too far", form(signAssertion(t, serviceKey(), hdr, with("exp", now+3*3600)), "okta.apps.read"), nil, 401, "invalid_client", "too far"},
		{"signed by another key", form(signAssertion(t, otherKey(), hdr, good()), "okta.apps.read"), nil, 401, "invalid_client", "signature is invalid"},
		{"unknown client", form(signAssertion(t, serviceKey(), hdr, with("iss", "0oanobody")), "okta.apps.read"), nil, 401, "invalid_client", "client_id"},
		{"sub differs", form(signAssertion(t, serviceKey(), hdr, with("sub", "someone")), "okta.apps.read"), nil, 401, "invalid_client", "sub claim"},
		{"wrong kid", form(signAssertion(t, serviceKey(), map[string]any{"alg": "RS256", "kid": "key-2"}, good()), "okta.apps.read"), nil, 401, "invalid_client", "kid"},
		{"HS256", form(signAssertion(t, serviceKey(), map[string]any{"alg": "HS256"}, good()), "okta.apps.read"), nil, 401, "invalid_client", "RS256"},
		{"not a JWT", form("abc.def", "okta.apps.read"), nil, 401, "invalid_client", "well-formed"},
		{"no scope", form(signAssertion(t, serviceKey(), hdr, good()), ""), nil, 400, "invalid_scope", "'scope' must be provided"},
		{"scope not granted", form(signAssertion(t, serviceKey(), hdr, good()), "okta.users.read"), nil, 400, "invalid_scope", "not granted"},
		{"grant type", func() url.Values {
			f := form(signAssertion(t, serviceKey(), hdr, good()), "okta.apps.read")
			f.Set("grant_type", "password")
			return f
		}(), nil, 400, "unsupported_grant_type", "client_credentials"},
		{"assertion type", func() url.Values {
			f := form(signAssertion(t, serviceKey(), hdr, good()), "okta.apps.read")
			f.Del("client_assertion_type")
			return f
		}(), nil, 401, "invalid_client", "client_assertion_type"},
		{"client_id mismatch", func() url.Values {
			f := form(signAssertion(t, serviceKey(), hdr, good()), "okta.apps.read")
			f.Set("client_id", "0oaanother")
			return f
		}(), nil, 401, "invalid_client", "client_id"},
	} {
		status, body := tokenRequest(t, org, tc.form, tc.header)
		if status != tc.status {
			t.Errorf("%s: status %d %v, want %d", tc.name, status, body, tc.status)
			continue
		}
		if tc.code == "" {
			continue
		}
		desc, _ := body["error_description"].(string)
		if body["error"] != tc.code || !strings.Contains(desc, tc.msg) {
			t.Errorf("%s: %v, want %s mentioning %q", tc.name, body, tc.code, tc.msg)
		}
		if strings.Contains(desc, tc.form.Get("client_assertion")) && tc.form.Get("client_assertion") != "" {
			t.Errorf("%s: the error repeats the client assertion", tc.name)
		}
	}
}

func TestOAuthClientThatRequiresDPoP(t *testing.T) {
	t.Parallel()
	spec := defaultOrgSpec(t, "acme")
	spec.OAuthClients = []oktasim.OAuthClient{{ClientID: clientID, PublicKey: publicPEM(t, serviceKey()), Scopes: []string{oktasim.ScopeAppsRead}, RequireDPoP: true}}
	org := startOrg(t, spec)
	c := sdkClient(t, org.URL(), "",
		okta.WithAuthorizationMode("PrivateKey"),
		okta.WithClientId(clientID),
		okta.WithScopes([]string{oktasim.ScopeAppsRead}),
		okta.WithPrivateKey(pkcs1PEM(serviceKey())),
	)
	_, _, err := c.Application.ListApplications(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "The DPoP proof JWT header is missing.") {
		t.Errorf("a DPoP client with okta-sdk-golang/v2: %v", err)
	}
}

func TestOAuthClientConfigurationErrors(t *testing.T) {
	t.Parallel()
	base := defaultOrgSpec(t, "acme")
	privPEM := pkcs1PEM(serviceKey())
	for _, tc := range []struct {
		client oktasim.OAuthClient
		want   string
	}{
		{oktasim.OAuthClient{ClientID: "", PublicKey: publicPEM(t, serviceKey()), Scopes: []string{"okta.apps.read"}}, "client_id is missing"},
		{oktasim.OAuthClient{ClientID: "c", PublicKey: privPEM, Scopes: []string{"okta.apps.read"}}, "never its private key"},
		{oktasim.OAuthClient{ClientID: "c", PublicKey: publicPEM(t, serviceKey())}, "scopes is empty"},
		{oktasim.OAuthClient{ClientID: "c", PublicKey: publicPEM(t, serviceKey()), Scopes: []string{"apps"}}, `scope "apps" is not an Okta API scope`},
	} {
		spec := base
		spec.OAuthClients = []oktasim.OAuthClient{tc.client}
		if _, err := oktasim.NewOrg(spec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("client %q: %v, want an error containing %q", tc.client.ClientID, err, tc.want)
		} else if strings.Contains(err.Error(), strings.Split(privPEM, "\n")[1]) {
			t.Errorf("the error repeats the key: %v", err)
		}
	}
	// A PKCS#1 public key works as well as a PKIX one.
	spec := base
	spec.OAuthClients = []oktasim.OAuthClient{{ClientID: "c", Scopes: []string{"okta.apps.read"},
		PublicKey: string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&serviceKey().PublicKey)}))}}
	if _, err := oktasim.NewOrg(spec); err != nil {
		t.Errorf("PKCS#1 public key: %v", err)
	}
}
