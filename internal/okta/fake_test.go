package okta

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3/jwt"
)

// fakeClock is a test clock: Sleep advances time at once, so waits are
// measured, not spent.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// SleepUntil moves the clock to t at once; concurrent sleepers waiting for
// the same moment move it once.
func (c *fakeClock) SleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, t.Sub(c.now))
	if t.After(c.now) {
		c.now = t
	}
	return nil
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// answer is a canned response.
type answer struct {
	status int
	body   string
}

func oktaError(status int, code, summary string, causes ...string) answer {
	cs := make([]map[string]string, 0, len(causes))
	for _, c := range causes {
		cs = append(cs, map[string]string{"errorSummary": c})
	}
	b, _ := json.Marshal(map[string]any{"errorCode": code, "errorSummary": summary, "errorLink": code, "errorId": "oaeTEST", "errorCauses": cs})
	return answer{status, string(b)}
}

func connection(status string) answer {
	return answer{200, fmt.Sprintf(`{"authScheme":"TOKEN","status":%q,"profile":{"authScheme":"TOKEN"}}`, status)}
}

// fakeOkta is a small Okta org for the adapter's tests: the app listing
// with Link pagination, connections, features, APP_GROUP search, SSWS or
// OAuth auth, and per-bucket rate limits on a test clock.
type fakeOkta struct {
	t     testing.TB
	srv   *httptest.Server
	clock *fakeClock

	mu          sync.Mutex
	token       string
	apps        []json.RawMessage
	appIDs      []string
	pageSize    int
	connections map[string]answer
	features    map[string]answer
	groups      []json.RawMessage
	groupPage   int
	// limits per bucket name (apps, app-by-id, groups); 0 = none.
	limits  map[string]int
	windows map[string]*window
	// fault, when set, may answer instead of the handler; it reports
	// whether it did.
	fault      func(w http.ResponseWriter, r *http.Request) bool
	nextHost   string // when set, listing next links point at this host
	counts     map[string]int
	tooMany    int
	tokenCalls int
	oauth      *fakeOAuth
	userAgents []string
}

type window struct {
	start time.Time
	used  int
}

type fakeOAuth struct {
	clientID, keyID string
	pub             *rsa.PublicKey
	accessToken     string
	scopes          []string
	failWith        *answer
}

func newFakeOkta(t testing.TB) *fakeOkta {
	f := &fakeOkta{
		t: t, clock: newFakeClock(), token: "test-token-123", pageSize: 200,
		connections: map[string]answer{}, features: map[string]answer{},
		limits: map[string]int{}, windows: map[string]*window{}, counts: map[string]int{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// addApp adds a raw app object to the listing.
func (f *fakeOkta) addApp(raw string) {
	var a struct{ ID string }
	if err := json.Unmarshal([]byte(raw), &a); err != nil {
		f.t.Fatalf("bad app JSON: %v", err)
	}
	f.apps = append(f.apps, json.RawMessage(raw))
	f.appIDs = append(f.appIDs, a.ID)
}

// app builds a minimal app object.
func app(id, name, status, lastUpdated string, features ...string) string {
	fs, _ := json.Marshal(append([]string{}, features...))
	return fmt.Sprintf(`{"id":%q,"name":%q,"label":"%s app","status":%q,"lastUpdated":%q,"created":"2025-01-01T00:00:00.000Z","signOnMode":"SAML_2_0","features":%s,"settings":{"app":{}},"_links":{}}`,
		id, name, name, status, lastUpdated, fs)
}

func appGroup(id, sourceID string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"id":%q,"type":"APP_GROUP","profile":{"name":"g %s"},"_links":{"source":{"href":"https://example.invalid/api/v1/apps/%s"}}}`, id, id, sourceID))
}

func (f *fakeOkta) config() Config {
	return Config{OrgURL: f.srv.URL, APIToken: f.token, Clock: f.clock, UserAgent: "terraform-provider-ispm/test", MaxRetries: 2}
}

func (f *fakeOkta) org(mod ...func(*Config)) *Org {
	f.t.Helper()
	cfg := f.config()
	for _, m := range mod {
		m(&cfg)
	}
	o, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	return o
}

func (f *fakeOkta) count(endpoint string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[endpoint]
}

func (f *fakeOkta) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, v := range f.counts {
		if !strings.Contains(k, "/oauth2/") {
			n += v
		}
	}
	return n
}

func bucketName(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(segs) >= 3 && segs[2] == "groups":
		return "groups"
	case len(segs) == 4 && segs[2] == "apps":
		return "app-by-id"
	case len(segs) >= 3 && segs[2] == "apps":
		return "apps"
	}
	return "other"
}

func (f *fakeOkta) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	endpoint, _ := endpointOf("", r.Method, r.URL.Path)
	f.counts[endpoint]++
	f.userAgents = append(f.userAgents, r.Header.Get("User-Agent"))
	now := f.clock.Now()
	w.Header().Set("Date", now.Format(http.TimeFormat))
	w.Header().Set("Content-Type", "application/json")

	if r.URL.Path == "/oauth2/v1/token" {
		f.serveToken(w, r)
		return
	}
	if !f.authorized(r) {
		f.write(w, oktaError(401, "E0000011", "Invalid token provided"))
		return
	}
	b := bucketName(r.URL.Path)
	if limit := f.limits[b]; limit > 0 {
		win := f.windows[b]
		if win == nil || !now.Before(win.start.Add(time.Minute)) {
			win = &window{start: now}
			f.windows[b] = win
		}
		reset := win.start.Add(time.Minute)
		w.Header().Set("X-Rate-Limit-Limit", strconv.Itoa(limit))
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
		if win.used >= limit {
			f.tooMany++
			w.Header().Set("X-Rate-Limit-Remaining", "0")
			f.write(w, oktaError(429, "E0000047", "API call exceeded rate limit due to too many requests."))
			return
		}
		win.used++
		w.Header().Set("X-Rate-Limit-Remaining", strconv.Itoa(limit-win.used))
	}
	if f.fault != nil && f.fault(w, r) {
		return
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/api/v1/apps":
		f.serveApps(w, r)
	case len(segs) == 6 && segs[2] == "apps" && segs[4] == "connections" && segs[5] == "default":
		if a, ok := f.connections[segs[3]]; ok {
			f.write(w, a)
			return
		}
		f.write(w, oktaError(404, "E0000007", "Not found: Resource not found: "+segs[3]+" (AppInstance)"))
	case len(segs) == 5 && segs[2] == "apps" && segs[4] == "features":
		if a, ok := f.features[segs[3]]; ok {
			f.write(w, a)
			return
		}
		f.write(w, oktaError(400, "E0000001", "Api validation failed: feature", "Provisioning is not enabled for the app instance."))
	case r.URL.Path == "/api/v1/groups":
		f.serveGroups(w, r)
	default:
		f.write(w, oktaError(404, "E0000007", "Not found: Resource not found: "+r.URL.Path))
	}
}

func (f *fakeOkta) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	if f.oauth != nil {
		return h == "Bearer "+f.oauth.accessToken
	}
	return h == "SSWS "+f.token
}

func (f *fakeOkta) write(w http.ResponseWriter, a answer) {
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
}

func (f *fakeOkta) page(w http.ResponseWriter, r *http.Request, items []json.RawMessage, ids func(int) string, size int) {
	q := r.URL.Query()
	limit := size
	if l, err := strconv.Atoi(q.Get("limit")); err == nil && l > 0 && l < limit {
		limit = l
	}
	start := 0
	if after := q.Get("after"); after != "" {
		for i := range items {
			if ids(i) == after {
				start = i + 1
			}
		}
	}
	end := min(start+limit, len(items))
	self := *r.URL
	self.Scheme, self.Host = "http", r.Host
	w.Header().Add("Link", fmt.Sprintf("<%s>; rel=\"self\"", self.String()))
	if end < len(items) {
		next := self
		nq := next.Query()
		nq.Set("after", ids(end-1))
		next.RawQuery = nq.Encode()
		if f.nextHost != "" {
			next.Host = f.nextHost
		}
		w.Header().Add("Link", fmt.Sprintf("<%s>; rel=\"next\"", next.String()))
	}
	w.WriteHeader(200)
	_, _ = w.Write([]byte("["))
	for i := start; i < end; i++ {
		if i > start {
			_, _ = w.Write([]byte(","))
		}
		_, _ = w.Write(items[i])
	}
	_, _ = w.Write([]byte("]"))
}

// serveApps serves the listing, honouring the one filter expression Okta
// takes on it (name eq or status eq, values compared exactly) and
// refusing any other as Okta does.
func (f *fakeOkta) serveApps(w http.ResponseWriter, r *http.Request) {
	filter := r.URL.Query().Get("filter")
	if filter == "" {
		f.page(w, r, f.apps, func(i int) string { return f.appIDs[i] }, f.pageSize)
		return
	}
	var attr, value string
	if n, err := fmt.Sscanf(filter, "%s eq %q", &attr, &value); n != 2 || err != nil || (attr != "name" && attr != "status") ||
		filter != fmt.Sprintf("%s eq %q", attr, value) {
		f.write(w, oktaError(400, "E0000031", "Invalid search criteria."))
		return
	}
	var items []json.RawMessage
	var ids []string
	for i, raw := range f.apps {
		var a struct{ Name, Status string }
		_ = json.Unmarshal(raw, &a)
		if (attr == "name" && a.Name == value) || (attr == "status" && a.Status == value) {
			items, ids = append(items, raw), append(ids, f.appIDs[i])
		}
	}
	f.page(w, r, items, func(i int) string { return ids[i] }, f.pageSize)
}

func (f *fakeOkta) serveGroups(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("search") != `type eq "APP_GROUP"` {
		f.write(w, oktaError(400, "E0000001", "Api validation failed: search"))
		return
	}
	size := f.groupPage
	if size == 0 {
		size = 10000
	}
	f.page(w, r, f.groups, func(i int) string {
		var g struct{ ID string }
		_ = json.Unmarshal(f.groups[i], &g)
		return g.ID
	}, size)
}

// serveToken implements client_credentials with private_key_jwt: the
// assertion must arrive in the form body, be signed by the registered key
// and name the client and this token endpoint.
func (f *fakeOkta) serveToken(w http.ResponseWriter, r *http.Request) {
	f.tokenCalls++
	if f.oauth == nil {
		f.write(w, answer{400, `{"error":"invalid_client","error_description":"no OAuth client"}`})
		return
	}
	if f.oauth.failWith != nil {
		f.write(w, *f.oauth.failWith)
		return
	}
	if r.URL.RawQuery != "" {
		f.write(w, answer{400, `{"error":"invalid_request","error_description":"parameters must be in the body"}`})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" ||
		r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		f.write(w, answer{400, `{"error":"invalid_request","error_description":"bad form"}`})
		return
	}
	tok, err := jwt.ParseSigned(r.PostForm.Get("client_assertion"))
	if err != nil || len(tok.Headers) != 1 || tok.Headers[0].KeyID != f.oauth.keyID {
		f.write(w, answer{401, `{"error":"invalid_client","error_description":"bad assertion header"}`})
		return
	}
	var claims jwt.Claims
	if err := tok.Claims(f.oauth.pub, &claims); err != nil {
		f.write(w, answer{401, `{"error":"invalid_client","error_description":"The client_assertion signature is invalid."}`})
		return
	}
	aud := "http://" + r.Host + "/oauth2/v1/token"
	if claims.Issuer != f.oauth.clientID || claims.Subject != f.oauth.clientID || !claims.Audience.Contains(aud) {
		f.write(w, answer{401, `{"error":"invalid_client","error_description":"bad claims"}`})
		return
	}
	f.oauth.scopes = strings.Fields(r.PostForm.Get("scope"))
	f.write(w, answer{200, fmt.Sprintf(`{"token_type":"Bearer","expires_in":3600,"access_token":%q,"scope":%q}`, f.oauth.accessToken, r.PostForm.Get("scope"))})
}
