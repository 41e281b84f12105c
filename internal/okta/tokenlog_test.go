package okta

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// The OAuth token request is in the TRACE log like every other request
// (SECURITY.md), and the log holds no client assertion, access token or
// key material.
func TestTokenRequestIsLoggedWithoutSecrets(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.oauth = &fakeOAuth{clientID: "0oaSERVICEAPP", keyID: "kid-1", pub: &rsaKey(t).PublicKey, accessToken: "access-token-abc"}
	f.addApp(app("0oaA", "box", "ACTIVE", t1))
	f.connections["0oaA"] = connection("ENABLED")
	key := pkcs8(t)
	o := f.org(func(c *Config) {
		c.APIToken, c.ClientID, c.PrivateKeyPEM, c.PrivateKeyID = "", "0oaSERVICEAPP", key, "kid-1"
	})
	var buf bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &buf)
	if _, err := o.AppFacts(ctx, AppQuery{App: "box"}); err != nil {
		t.Fatal(err)
	}
	if f.tokenCalls != 1 {
		t.Fatalf("token requests %d, want 1", f.tokenCalls)
	}
	lines, err := tflogtest.MultilineJSONDecode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var token, listing int
	for _, l := range lines {
		if l["@message"] != "HTTP request" {
			continue
		}
		u, _ := l["url"].(string)
		switch {
		case l["method"] == "POST" && strings.HasSuffix(u, "/oauth2/v1/token"):
			token++
			if l["status"] != float64(200) {
				t.Errorf("token request logged without its status: %v", l)
			}
		case strings.HasSuffix(u, "/api/v1/apps") || strings.Contains(u, "/api/v1/apps?"):
			listing++
		}
	}
	if token != 1 || listing == 0 {
		t.Errorf("TRACE log has %d token request lines and %d listing lines; want 1 and some:\n%s", token, listing, dump(lines))
	}
	text := dump(lines)
	for _, secret := range []string{"access-token-abc", "eyJ", "client_assertion=", "PRIVATE KEY", strings.Split(key, "\n")[1]} {
		if strings.Contains(text, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

func dump(lines []map[string]any) string {
	var b strings.Builder
	for _, l := range lines {
		j, _ := json.Marshal(l)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// The OAuth token request is not an attempt of the call it serves: with
// retries off, a listing answered 500 is reported as one attempt, even
// when the provider had to fetch a token first.
func TestTokenRequestIsNotCountedAsAnAttempt(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.oauth = &fakeOAuth{clientID: "0oaSERVICEAPP", keyID: "kid-1", pub: &rsaKey(t).PublicKey, accessToken: "access-token-abc"}
	f.addApp(app("0oaA", "box", "ACTIVE", t1))
	f.fault = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/api/v1/apps" {
			return false
		}
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"errorCode":"E0000009","errorSummary":"Internal Server Error"}`))
		return true
	}
	key := pkcs8(t)
	o := f.org(func(c *Config) {
		c.APIToken, c.ClientID, c.PrivateKeyPEM, c.PrivateKeyID = "", "0oaSERVICEAPP", key, "kid-1"
		c.MaxRetries = -1
	})
	facts, err := o.AppFacts(context.Background(), AppQuery{App: "box"})
	reason := facts.Reason
	if err != nil {
		reason = err.Error()
	}
	if f.tokenCalls != 1 || f.count("GET /api/v1/apps") != 1 {
		t.Fatalf("token requests %d, listing requests %d; want 1 and 1 (%v)", f.tokenCalls, f.count("GET /api/v1/apps"), f.counts)
	}
	if !strings.Contains(reason, "500") || strings.Contains(reason, "attempts") {
		t.Errorf("the failure says %q; want the 500 with no count of attempts (one was made)", reason)
	}
}
