package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordingSleep records requested waits without waiting.
type recordingSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recordingSleep) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func newTestClient(t *testing.T, o Options) (*http.Client, *recordingSleep) {
	t.Helper()
	rs := &recordingSleep{}
	o.Sleep = rs.sleep
	if o.MinBackoff == 0 {
		o.MinBackoff = time.Millisecond
	}
	return NewClient(o), rs
}

// scripted answers each request with the next status in statuses (the last
// one repeats), calling decorate first.
func scripted(t *testing.T, statuses []int, decorate func(w http.ResponseWriter, n int)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if decorate != nil {
			decorate(w, i)
		}
		w.WriteHeader(statuses[min(i, len(statuses)-1)])
		_, _ = io.WriteString(w, `{"attempt":`+strconv.Itoa(i)+`}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func get(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func TestRetryAfterSecondsIsHonoured(t *testing.T) {
	t.Parallel()
	srv, n := scripted(t, []int{429, 200}, func(w http.ResponseWriter, i int) {
		if i == 0 {
			w.Header().Set("Retry-After", "7")
		}
	})
	c, rs := newTestClient(t, Options{MaxRetries: 3})
	resp := get(t, c, srv.URL)
	if resp.StatusCode != 200 || n.Load() != 2 {
		t.Fatalf("status %d after %d attempts, want 200 after 2", resp.StatusCode, n.Load())
	}
	if len(rs.waits) != 1 || rs.waits[0] < 7*time.Second || rs.waits[0] > 7*time.Second+time.Millisecond {
		t.Fatalf("waits = %v, want one wait of 7s (plus at most the jitter)", rs.waits)
	}
}

func TestOktaRateLimitResetIsHonoured(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	srv, n := scripted(t, []int{429, 200}, func(w http.ResponseWriter, i int) {
		w.Header().Set("X-Rate-Limit-Limit", "100")
		w.Header().Set("X-Rate-Limit-Remaining", "0")
		w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(now.Add(42*time.Second).Unix(), 10))
	})
	c, rs := newTestClient(t, Options{MaxRetries: 3, Now: func() time.Time { return now }, MinBackoff: time.Millisecond})
	resp := get(t, c, srv.URL)
	if resp.StatusCode != 200 || n.Load() != 2 {
		t.Fatalf("status %d after %d attempts", resp.StatusCode, n.Load())
	}
	if rs.waits[0] < 42*time.Second || rs.waits[0] > 42*time.Second+time.Millisecond {
		t.Fatalf("wait = %v, want 42s until X-Rate-Limit-Reset", rs.waits[0])
	}
}

func TestRateLimitWithoutHeadersBacksOffExponentially(t *testing.T) {
	t.Parallel()
	srv, n := scripted(t, []int{429, 429, 429, 200}, nil)
	c, rs := newTestClient(t, Options{MaxRetries: 5, MinBackoff: 10 * time.Millisecond, MaxBackoff: time.Second})
	resp := get(t, c, srv.URL)
	if resp.StatusCode != 200 || n.Load() != 4 {
		t.Fatalf("status %d after %d attempts", resp.StatusCode, n.Load())
	}
	for i, w := range rs.waits {
		ceiling := (10 * time.Millisecond) << i
		if w < 10*time.Millisecond || w > ceiling {
			t.Fatalf("wait %d = %v, want within [10ms, %v]", i, w, ceiling)
		}
	}
}

func TestServerErrorsAreRetriedThenReturned(t *testing.T) {
	t.Parallel()
	srv, n := scripted(t, []int{500, 502, 503, 504}, nil)
	c, rs := newTestClient(t, Options{MaxRetries: 3})
	resp := get(t, c, srv.URL)
	if resp.StatusCode != 504 {
		t.Fatalf("status = %d, want the last answer (504)", resp.StatusCode)
	}
	body, _ := io.ReadAll(resp.Body)
	if n.Load() != 4 || len(rs.waits) != 3 || !strings.Contains(string(body), `"attempt":3`) {
		t.Fatalf("attempts=%d waits=%d body=%s, want 4 attempts, 3 waits and the last body", n.Load(), len(rs.waits), body)
	}
}

func TestNegativeMaxRetriesMeansOneAttempt(t *testing.T) {
	t.Parallel()
	srv, n := scripted(t, []int{503}, nil)
	c, _ := newTestClient(t, Options{MaxRetries: -1})
	if resp := get(t, c, srv.URL); resp.StatusCode != 503 || n.Load() != 1 {
		t.Fatalf("status %d after %d attempts, want 503 after 1", resp.StatusCode, n.Load())
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	srv, n := scripted(t, []int{404, 200}, nil)
	c, _ := newTestClient(t, Options{MaxRetries: 3})
	if resp := get(t, c, srv.URL); resp.StatusCode != 404 || n.Load() != 1 {
		t.Fatalf("status %d after %d attempts, want 404 after 1", resp.StatusCode, n.Load())
	}
}

func TestPostIsRetriedOnlyWithIdempotencyKey(t *testing.T) {
	t.Parallel()
	var bodies []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b)+"|"+r.Header.Get("Idempotency-Key"))
		first := len(bodies)%2 == 1
		mu.Unlock()
		if first {
			w.WriteHeader(503)
			return
		}
		w.WriteHeader(201)
	}))
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, Options{MaxRetries: 3})

	post := func(key string) int {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL, strings.NewReader(`{"a":1}`))
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(""); got != 503 {
		t.Fatalf("POST without key: status %d, want the 503 unretried", got)
	}
	mu.Lock()
	bodies = nil
	mu.Unlock()
	if got := post("k-1"); got != 201 {
		t.Fatalf("POST with key: status %d, want 201 after a retry", got)
	}
	if len(bodies) != 2 || bodies[0] != bodies[1] || bodies[1] != `{"a":1}|k-1` {
		t.Fatalf("attempts = %q, want the same body and key twice", bodies)
	}
}

func TestCancellationStopsTheWaitPromptly(t *testing.T) {
	t.Parallel()
	// An hour's wait, really slept (SleepContext is the default Sleep): a
	// wait that ignored the cancellation would hang the test rather than
	// return. The cancellation comes once the wait has begun.
	srv, n := scripted(t, []int{429}, func(w http.ResponseWriter, _ int) { w.Header().Set("Retry-After", "3600") })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var asked []time.Duration
	c := NewClient(Options{MaxRetries: 5, MaxWait: 2 * time.Hour, Sleep: func(ctx context.Context, d time.Duration) error {
		asked = append(asked, d)
		cancel()
		return SleepContext(ctx, d)
	}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	_, err := c.Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n.Load() != 1 || len(asked) != 1 || asked[0] < time.Hour {
		t.Fatalf("attempts = %d after waits %v, want 1 and the hour's wait cut short", n.Load(), asked)
	}
}

func TestWaitBeyondDeadlineReturnsTheAnswer(t *testing.T) {
	t.Parallel()
	srv, n := scripted(t, []int{429}, func(w http.ResponseWriter, _ int) { w.Header().Set("Retry-After", "60") })
	c, rs := newTestClient(t, Options{MaxRetries: 5})
	// Half the wait asked for: the wait cannot fit, whatever the machine's
	// speed (the answer comes long before the deadline).
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 429 || n.Load() != 1 || len(rs.waits) != 0 {
		t.Fatalf("status %d, attempts %d, waits %v: want the 429 at once", resp.StatusCode, n.Load(), rs.waits)
	}
}

func TestDroppedConnectionIsRetriedForGet(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					_ = conn.Close()
				}
			}
			return
		}
		w.WriteHeader(200)
	}))
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, Options{MaxRetries: 2})
	if resp := get(t, c, srv.URL); resp.StatusCode != 200 || n.Load() != 2 {
		t.Fatalf("status %d after %d attempts, want 200 after 2", resp.StatusCode, n.Load())
	}
}

func TestUserAgentAndNoRedirects(t *testing.T) {
	t.Parallel()
	var ua atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("redirect was followed to %s", r.URL)
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.Header.Get("User-Agent"))
		http.Redirect(w, r, other.URL, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c, _ := newTestClient(t, Options{UserAgent: "terraform-provider-ispm/1.2.3"})
	if resp := get(t, c, srv.URL); resp.StatusCode != http.StatusFound {
		t.Fatalf("status = %d, want the redirect itself", resp.StatusCode)
	}
	if ua.Load() != "terraform-provider-ispm/1.2.3" {
		t.Fatalf("User-Agent = %v", ua.Load())
	}
}

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("X-Rate-Limit-Limit", "600")
	h.Set("X-Rate-Limit-Remaining", "598")
	h.Set("X-Rate-Limit-Reset", "1800000060")
	rl, ok := ParseRateLimit(h)
	if !ok || rl.Limit != 600 || rl.Remaining != 598 || !rl.Reset.Equal(time.Unix(1800000060, 0)) {
		t.Fatalf("ParseRateLimit = %+v, %v", rl, ok)
	}
	h.Set("X-Rate-Limit-Remaining", "many")
	if _, ok := ParseRateLimit(h); ok {
		t.Fatal("a malformed remaining count was accepted")
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
	if d, ok := RetryAfter(h, now); !ok || d != 90*time.Second {
		t.Fatalf("RetryAfter = %v, %v; want 90s", d, ok)
	}
	h.Set("Retry-After", "soon")
	if _, ok := RetryAfter(h, now); ok {
		t.Fatal("a malformed Retry-After was accepted")
	}
}
