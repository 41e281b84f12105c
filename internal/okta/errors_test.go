package okta

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// onPath answers a with the given response for requests to path.
func onPath(f *fakeOkta, suffix string, times int, a answer, headers map[string]string) func(http.ResponseWriter, *http.Request) bool {
	n := 0
	return func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, suffix) || (times > 0 && n >= times) {
			return false
		}
		n++
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		f.write(w, a)
		return true
	}
}

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	type outcome struct {
		err      string // substrings of the returned error; "" means no error
		reason   string // substrings of OktaAppFacts.Reason
		conn     eligibility.ConnectionAnswer
		feat     eligibility.FeaturesAnswer
		provWhy  string
		groupWhy string
		lcm      eligibility.LifecycleState
	}
	rateLimited := oktaError(429, "E0000047", "API call exceeded rate limit due to too many requests.")
	tests := []struct {
		name  string
		setup func(f *fakeOkta, c *Config)
		want  outcome
	}{
		{
			name:  "invalid API token",
			setup: func(f *fakeOkta, c *Config) { c.APIToken = "wrong-token-999" },
			want:  outcome{err: "rejected the provider's API token on GET /api/v1/apps (401 E0000011 \"Invalid token provided\")|api_token"},
		},
		{
			name: "token without the rights",
			setup: func(f *fakeOkta, c *Config) {
				f.fault = onPath(f, "/api/v1/apps", 0, oktaError(403, "E0000006", "You do not have permission to perform the requested action"), nil)
			},
			want: outcome{err: "may not call GET /api/v1/apps (403 E0000006|Read-Only Administrator"},
		},
		{
			name: "product missing on the connection",
			setup: func(f *fakeOkta, c *Config) {
				f.connections["0oaA"] = oktaError(401, "E0000015", "You do not have permission to access the feature you are requesting")
			},
			want: outcome{conn: eligibility.ConnectionProductMissing, lcm: eligibility.LifecycleNotSubscribed, provWhy: "401 E0000015"},
		},
		{
			name: "product missing on /features after UNKNOWN",
			setup: func(f *fakeOkta, c *Config) {
				f.connections["0oaA"] = answer{200, `{"status":"UNKNOWN"}`}
				f.features["0oaA"] = oktaError(401, "E0000015", "You do not have permission to access the feature you are requesting")
			},
			want: outcome{conn: eligibility.ConnectionStatusUnknown, feat: eligibility.FeaturesProductMissing, lcm: eligibility.LifecycleNotSubscribed},
		},
		{
			name: "a 404 connection falls back to /features",
			setup: func(f *fakeOkta, c *Config) {
				f.features["0oaA"] = answer{200, `[{"name":"USER_PROVISIONING","status":"ENABLED"}]`}
			},
			want: outcome{conn: eligibility.ConnectionNotFound, feat: eligibility.FeaturesListed, lcm: eligibility.LifecycleSubscribed},
		},
		{
			name: "another 400 on /features is not 'disabled'",
			setup: func(f *fakeOkta, c *Config) {
				f.connections["0oaA"] = answer{200, `{"status":"UNKNOWN"}`}
				f.features["0oaA"] = oktaError(400, "E0000001", "Api validation failed: feature", "Something else entirely.")
			},
			want: outcome{conn: eligibility.ConnectionStatusUnknown, feat: eligibility.FeaturesError, provWhy: "Something else entirely."},
		},
		{
			name: "the listing stays rate limited after the retries",
			setup: func(f *fakeOkta, c *Config) {
				reset := strconv.FormatInt(f.clock.Now().Add(30*time.Second).Unix(), 10)
				f.fault = onPath(f, "/api/v1/apps", 0, rateLimited, map[string]string{
					"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": reset})
			},
			want: outcome{reason: "GET /api/v1/apps on the Okta org|was rate limited (429 E0000047) in Okta's apps (GET /api/v1/apps and /api/v1/apps/{id}/*) bucket|limit 100 per minute, 0 remaining, resets at 2026-03-02T10:00:30Z|after 3 attempts"},
		},
		{
			name: "a concurrency 429 says so",
			setup: func(f *fakeOkta, c *Config) {
				f.fault = onPath(f, "/connections/default", 0, rateLimited, map[string]string{
					"X-Rate-Limit-Limit": "0", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": strconv.FormatInt(f.clock.Now().Unix()+1, 10)})
			},
			want: outcome{conn: eligibility.ConnectionError, provWhy: "concurrent-request limit"},
		},
		{
			name: "a 429 that clears is retried",
			setup: func(f *fakeOkta, c *Config) {
				f.connections["0oaA"] = connection("ENABLED")
				f.fault = onPath(f, "/connections/default", 1, rateLimited, map[string]string{
					"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": strconv.FormatInt(f.clock.Now().Unix()+5, 10)})
			},
			want: outcome{conn: eligibility.ConnectionEnabled, lcm: eligibility.LifecycleSubscribed},
		},
		{
			name: "server errors after the retries are transient",
			setup: func(f *fakeOkta, c *Config) {
				f.fault = onPath(f, "/connections/default", 0, oktaError(500, "E0000009", "Internal Server Error"), nil)
			},
			want: outcome{conn: eligibility.ConnectionError, provWhy: "answered 500 E0000009 \"Internal Server Error\" after 3 attempts"},
		},
		{
			name: "a dropped connection is transient",
			setup: func(f *fakeOkta, c *Config) {
				f.fault = func(w http.ResponseWriter, r *http.Request) bool {
					if !strings.HasSuffix(r.URL.Path, "/connections/default") {
						return false
					}
					hj, ok := w.(http.Hijacker)
					if !ok {
						t.Error("the test server cannot drop connections")
						return false
					}
					if conn, _, err := hj.Hijack(); err == nil {
						_ = conn.Close()
					}
					return true
				}
			},
			want: outcome{conn: eligibility.ConnectionError, provWhy: "got no answer"},
		},
		{
			name: "groups refused: P7 evidence is missing, not an error",
			setup: func(f *fakeOkta, c *Config) {
				f.connections["0oaA"] = connection("ENABLED")
				f.fault = onPath(f, "/api/v1/groups", 0, answer{403, ""}, map[string]string{
					"WWW-Authenticate": `Bearer authorization_uri="http://x/oauth2/v1/authorize", realm="IdpRealm", scope="okta.groups.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`})
			},
			want: outcome{conn: eligibility.ConnectionEnabled, lcm: eligibility.LifecycleSubscribed,
				groupWhy: "may not call GET /api/v1/groups|does not contain the required scopes"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeOkta(t)
			f.addApp(app("0oaA", "slack", "ACTIVE", t1))
			cfg := f.config()
			tc.setup(f, &cfg)
			o, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			facts, err := o.AppFacts(context.Background(), AppQuery{App: "slack"})
			if tc.want.err != "" {
				var ae *AuthError
				if !errors.As(err, &ae) {
					t.Fatalf("error %v (%T), want an *AuthError", err, err)
				}
				for _, s := range strings.Split(tc.want.err, "|") {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not say %q", err, s)
					}
				}
				if strings.Contains(err.Error(), cfg.APIToken) {
					t.Errorf("the error quotes the token")
				}
				return
			}
			if err != nil {
				t.Fatalf("AppFacts: %v", err)
			}
			for _, s := range strings.Split(tc.want.reason, "|") {
				if !strings.Contains(facts.Reason, s) {
					t.Errorf("reason %q does not say %q", facts.Reason, s)
				}
			}
			if tc.want.reason != "" {
				return
			}
			if len(facts.Instances) != 1 {
				t.Fatalf("instances %+v", facts.Instances)
			}
			in := facts.Instances[0]
			if in.Provisioning.Connection != tc.want.conn || in.Provisioning.Features != tc.want.feat {
				t.Errorf("connection %q features %q, want %q %q (%s)", in.Provisioning.Connection, in.Provisioning.Features, tc.want.conn, tc.want.feat, in.Provisioning.Reason)
			}
			if !strings.Contains(in.Provisioning.Reason, tc.want.provWhy) {
				t.Errorf("provisioning reason %q does not say %q", in.Provisioning.Reason, tc.want.provWhy)
			}
			if facts.Lifecycle.State != tc.want.lcm {
				t.Errorf("lifecycle %+v, want %q", facts.Lifecycle, tc.want.lcm)
			}
			if tc.want.groupWhy != "" {
				if in.Groups.Known {
					t.Errorf("groups known despite the refusal")
				}
				for _, s := range strings.Split(tc.want.groupWhy, "|") {
					if !strings.Contains(in.Groups.Reason, s) {
						t.Errorf("group reason %q does not say %q", in.Groups.Reason, s)
					}
				}
			}
		})
	}
}

func TestRetriedRateLimitIsCounted(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.addApp(app("0oaA", "slack", "ACTIVE", t1))
	f.connections["0oaA"] = connection("ENABLED")
	f.fault = onPath(f, "/connections/default", 2, oktaError(429, "E0000047", "API call exceeded rate limit due to too many requests."),
		map[string]string{"X-Rate-Limit-Limit": "100", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": strconv.FormatInt(f.clock.Now().Unix()+20, 10)})
	o := f.org()
	facts, err := o.AppFacts(context.Background(), AppQuery{App: "slack"})
	if err != nil || facts.Instances[0].Provisioning.Connection != eligibility.ConnectionEnabled {
		t.Fatalf("%v %+v", err, facts)
	}
	st := o.Stats()
	if st.RateLimited != 2 || st.Requests[epConn] != 3 {
		t.Errorf("stats %+v", st)
	}
}

func TestLinkToAnotherHostIsRefused(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	f.pageSize = 1
	f.nextHost = "evil.example:443"
	f.addApp(app("0oaA", "box", "ACTIVE", t1))
	f.addApp(app("0oaB", "box", "ACTIVE", t1))
	facts, err := f.org().AppFacts(context.Background(), AppQuery{App: "box"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(facts.Reason, "refusing to follow a pagination link to http://evil.example:443") {
		t.Errorf("reason %q", facts.Reason)
	}
	if f.count(epList) != 1 {
		t.Errorf("listing requests %d", f.count(epList))
	}
	v := eligibility.Evaluate(eligibility.Input{OrgURL: f.srv.URL, App: "box", InstanceIDs: []string{"0oaA"}, Okta: facts})
	if iv, _ := v.Instance("0oaA"); iv.Check(eligibility.P3Installed).Result != eligibility.Unverified {
		t.Errorf("P3 = %+v", iv.Check(eligibility.P3Installed))
	}
}

func TestEndpointOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base, method, path, want string
		b                        bucket
	}{
		{"", "GET", "/api/v1/apps", "GET /api/v1/apps", bucketApps},
		{"", "GET", "/api/v1/apps/0oa1", "GET /api/v1/apps/{id}", bucketAppByID},
		{"", "DELETE", "/api/v1/apps/0oa1", "DELETE /api/v1/apps/{id}", bucketApps},
		{"", "GET", "/api/v1/apps/0oa1/connections/default", "GET /api/v1/apps/{id}/connections/default", bucketApps},
		{"", "GET", "/api/v1/apps/0oa1/features", "GET /api/v1/apps/{id}/features", bucketApps},
		{"", "GET", "/api/v1/apps/0oa1/features/USER_PROVISIONING", "GET /api/v1/apps/{id}/features/{name}", bucketApps},
		{"", "GET", "/api/v1/groups", "GET /api/v1/groups", bucketGroups},
		{"", "GET", "/api/v1/groups/00g1/users", "GET /api/v1/groups/{id}/users", bucketGroups},
		{"", "POST", "/oauth2/v1/token", "POST /oauth2/v1/token", bucketToken},
		{"/okta", "GET", "/okta/api/v1/apps", "GET /api/v1/apps", bucketApps},
		{"", "GET", "/api/v1/users/00u1/factors", "GET /api/v1/users/…", bucketOther},
	}
	for _, tc := range tests {
		got, b := endpointOf(tc.base, tc.method, tc.path)
		if got != tc.want || b != tc.b {
			t.Errorf("endpointOf(%q, %q, %q) = %q, %v; want %q, %v", tc.base, tc.method, tc.path, got, b, tc.want, tc.b)
		}
	}
}
