package okta

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/okta/okta-sdk-golang/v2/okta/cache"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func rsaKey(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

func pkcs1(t testing.TB) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey(t))}))
}

func pkcs8(t testing.TB) string {
	der, err := x509.MarshalPKCS8PrivateKey(rsaKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func TestOAuthServiceApp(t *testing.T) {
	t.Parallel()
	for name, key := range map[string]func(testing.TB) string{"PKCS#1": pkcs1, "PKCS#8": pkcs8} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFakeOkta(t)
			f.oauth = &fakeOAuth{clientID: "0oaSERVICEAPP", keyID: "kid-1", pub: &rsaKey(t).PublicKey, accessToken: "access-token-abc"}
			for _, id := range []string{"0oaA", "0oaB", "0oaC"} {
				f.addApp(app(id, "slack", "ACTIVE", t1))
				f.connections[id] = connection("ENABLED")
			}
			o := f.org(func(c *Config) {
				c.APIToken, c.ClientID, c.PrivateKeyPEM, c.PrivateKeyID = "", "0oaSERVICEAPP", key(t), "kid-1"
			})
			facts, err := o.AppFacts(context.Background(), AppQuery{App: "slack"})
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range facts.Instances {
				if in.Provisioning.Connection != eligibility.ConnectionEnabled {
					t.Errorf("%s: %+v", in.ID, in.Provisioning)
				}
			}
			if f.tokenCalls != 1 {
				t.Errorf("token requests %d, want 1 for %d API requests", f.tokenCalls, f.total())
			}
			if got := strings.Join(f.oauth.scopes, " "); got != "okta.apps.read okta.groups.read" {
				t.Errorf("scopes requested %q", got)
			}
			if o.Stats().Requests["POST /oauth2/v1/token"] != 1 {
				t.Errorf("stats %v", o.Stats().Requests)
			}
		})
	}
}

func TestOAuthRefused(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		body string
		want []string
	}{
		"DPoP required": {`{"error":"invalid_dpop_proof","error_description":"The DPoP proof JWT header is missing."}`,
			[]string{"0oaSERVICEAPP", "invalid_dpop_proof", "DPoP", "Require Demonstrating Proof of Possession"}},
		"unknown key": {`{"error":"invalid_client","error_description":"The client_assertion signature is invalid."}`,
			[]string{"refused an OAuth 2.0 access token to the service app 0oaSERVICEAPP", "invalid_client", "private_key_id"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFakeOkta(t)
			f.oauth = &fakeOAuth{clientID: "0oaSERVICEAPP", failWith: &answer{400, tc.body}}
			pemText := pkcs8(t)
			_, err := f.org(func(c *Config) { c.APIToken, c.ClientID, c.PrivateKeyPEM = "", "0oaSERVICEAPP", pemText }).
				AppFacts(context.Background(), AppQuery{App: "box"})
			var ae *AuthError
			if !errors.As(err, &ae) {
				t.Fatalf("err %v (%T)", err, err)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q does not say %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("the error quotes the key")
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	good := Config{OrgURL: "https://acme.okta.com", APIToken: "tok-SECRET-123"}
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"plain http off loopback", func(c *Config) { c.OrgURL = "http://acme.okta.com" }, "plain http on a non-loopback host"},
		{"not a URL", func(c *Config) { c.OrgURL = "acme" }, "not an absolute http(s) URL"},
		{"both credentials", func(c *Config) { c.ClientID, c.PrivateKeyPEM = "0oa1", pkcs1(t) }, "both an API token and OAuth"},
		{"no credentials", func(c *Config) { c.APIToken = "" }, "has no credentials"},
		{"client id without key", func(c *Config) { c.APIToken, c.ClientID = "", "0oa1" }, "needs both the service app's client id and its private key"},
		{"capacity too big", func(c *Config) { c.MaxAPICapacity = 101 }, "101%; give a percentage from 1 to 100"},
		{"capacity negative", func(c *Config) { c.MaxAPICapacity = -5 }, "-5%"},
		{"not PEM", func(c *Config) { c.APIToken, c.ClientID, c.PrivateKeyPEM = "", "0oa1", "secret-not-pem" }, "not PEM text"},
		{"not RSA", func(c *Config) {
			c.APIToken, c.ClientID = "", "0oa1"
			c.PrivateKeyPEM = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----\n"
		}, `"EC PRIVATE KEY"; an RSA private key`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tc.mod(&cfg)
			_, err := New(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "secret-not-pem") || (cfg.APIToken != "" && strings.Contains(err.Error(), cfg.APIToken)) {
				t.Errorf("the error quotes a secret: %v", err)
			}
		})
	}
	// Escaped newlines, as environment variables carry them, are accepted.
	cfg := Config{OrgURL: "https://acme.okta.com", ClientID: "0oa1", PrivateKeyPEM: strings.ReplaceAll(pkcs1(t), "\n", `\n`)}
	if _, err := New(cfg); err != nil {
		t.Errorf("escaped PEM: %v", err)
	}
	o, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	if o.Domain() != "acme.okta.com" || o.URL() != "https://acme.okta.com" || o.SDK() == nil {
		t.Errorf("org %s %s", o.Domain(), o.URL())
	}
	if o.pacer.capacity != DefaultMaxAPICapacity || cap(o.pacer.slots) != DefaultMaxConcurrentRequests {
		t.Errorf("defaults: capacity %d, concurrency %d", o.pacer.capacity, cap(o.pacer.slots))
	}
	if o.SDK().GetConfig().Okta.Testing.DisableHttpsCheck {
		t.Errorf("the HTTPS check is off for a production URL")
	}
}

// TestSDKIsolatedFromEnvironment sets every OKTA_CLIENT_* variable the SDK
// reads and checks none of them reaches the client. Not parallel:
// t.Setenv changes the process environment.
func TestSDKIsolatedFromEnvironment(t *testing.T) {
	for k, v := range map[string]string{
		"OKTA_CLIENT_ORGURL":                 "https://evil.okta.com",
		"OKTA_CLIENT_TOKEN":                  "env-token",
		"OKTA_CLIENT_AUTHORIZATIONMODE":      "Bearer",
		"OKTA_CLIENT_CLIENTID":               "env-client",
		"OKTA_CLIENT_SCOPES":                 "okta.users.manage",
		"OKTA_CLIENT_PRIVATEKEY":             "env-key",
		"OKTA_CLIENT_PRIVATEKEYID":           "env-kid",
		"OKTA_CLIENT_CLIENTASSERTION":        "env-assertion",
		"OKTA_CLIENT_CACHE_ENABLED":          "true",
		"OKTA_CLIENT_PROXY_HOST":             "proxy.invalid",
		"OKTA_CLIENT_PROXY_PORT":             "3128",
		"OKTA_CLIENT_RATE_LIMIT_MAX_RETRIES": "9",
		"OKTA_CLIENT_REQUEST_TIMEOUT":        "1",
		"OKTA_TESTING_DISABLE_HTTPS_CHECK":   "true",
	} {
		t.Setenv(k, v)
	}
	f := newFakeOkta(t)
	f.addApp(app("0oaA", "box", "ACTIVE", t1, importing...))
	o := f.org()
	if _, err := o.AppFacts(context.Background(), AppQuery{App: "box", ISPM: &eligibility.ISPMAppFacts{ConnectedInstanceIDs: []string{"0oaA"}}}); err != nil {
		t.Fatalf("AppFacts with OKTA_CLIENT_* set: %v", err)
	}
	c := o.SDK().GetConfig()
	cl := c.Okta.Client
	if cl.OrgUrl != f.srv.URL || cl.Token != f.token || cl.AuthorizationMode != "SSWS" || cl.ClientId != "" || cl.Scopes != nil ||
		cl.PrivateKey != "" || cl.PrivateKeyId != "" || cl.ClientAssertion != "" || cl.Cache.Enabled || cl.Proxy.Host != "" ||
		cl.Proxy.Port != 0 || cl.RateLimit.MaxRetries != 0 || cl.RequestTimeout != 0 || c.HttpClient != o.http {
		t.Errorf("environment leaked into the SDK config: %+v", cl)
	}
	if _, ok := c.CacheManager.(cache.NoOpCache); !ok {
		if _, ok := c.CacheManager.(*cache.NoOpCache); !ok {
			t.Errorf("SDK cache is %T, want the no-op cache", c.CacheManager)
		}
	}
	// A production org keeps the HTTPS check whatever the environment says.
	prod, err := New(Config{OrgURL: "https://acme.okta.com", APIToken: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	if prod.SDK().GetConfig().Okta.Testing.DisableHttpsCheck {
		t.Errorf("OKTA_TESTING_DISABLE_HTTPS_CHECK leaked into a production client")
	}
}
