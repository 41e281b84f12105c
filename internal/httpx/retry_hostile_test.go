package httpx

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The server's clock is not ours: Okta's X-Rate-Limit-Reset is an instant on
// Okta's clock, and the answer's Date header says what Okta's clock read
// when it answered. The wait is the difference of the two, whatever our
// clock says.
func TestRateLimitResetIsReadOnTheServersClock(t *testing.T) {
	t.Parallel()
	local := time.Unix(1_800_000_000, 0)
	for _, tc := range []struct {
		name string
		skew time.Duration // the server's clock minus ours
	}{
		{"server clock ten minutes ahead", 10 * time.Minute},
		{"server clock two minutes behind", -2 * time.Minute},
		{"clocks agree", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			served := local.Add(tc.skew)
			srv, n := scripted(t, []int{429, 200}, func(w http.ResponseWriter, _ int) {
				w.Header().Set("Date", served.UTC().Format(http.TimeFormat))
				w.Header().Set("X-Rate-Limit-Limit", "20")
				w.Header().Set("X-Rate-Limit-Remaining", "0")
				w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(served.Add(7*time.Second).Unix(), 10))
			})
			c, rs := newTestClient(t, Options{MaxRetries: 2, Now: func() time.Time { return local }, MinBackoff: time.Millisecond})
			resp := get(t, c, srv.URL)
			if resp.StatusCode != 200 || n.Load() != 2 {
				t.Fatalf("status %d after %d attempts, want 200 after one wait for the reset", resp.StatusCode, n.Load())
			}
			if len(rs.waits) != 1 || rs.waits[0] < 7*time.Second || rs.waits[0] > 7*time.Second+time.Millisecond {
				t.Fatalf("waits %v, want one of 7s: the window's rest on the server's clock", rs.waits)
			}
		})
	}
}

// A Date header that cannot belong to the same answer as the reset (more
// than a few minutes apart) is not trusted; the reset is then read on our
// own clock, as before.
func TestImplausibleDateFallsBackToTheLocalClock(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{}
	h.Set("Date", now.Add(-48*time.Hour).UTC().Format(http.TimeFormat))
	h.Set("X-Rate-Limit-Limit", "20")
	h.Set("X-Rate-Limit-Remaining", "0")
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(now.Add(30*time.Second).Unix(), 10))
	if d, ok := ServerWait(h, now); !ok || d != 30*time.Second {
		t.Fatalf("ServerWait = %v, %v; want 30s on the local clock", d, ok)
	}
	h.Set("Date", "not a date")
	if d, ok := ServerWait(h, now); !ok || d != 30*time.Second {
		t.Fatalf("ServerWait with a malformed Date = %v, %v; want 30s", d, ok)
	}
}

// TLS verification is on for every endpoint, loopback included: a server
// whose certificate no trusted authority signed is refused before any
// request (and its Authorization header) reaches it.
func TestSelfSignedCertificateIsRefused(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
	}))
	t.Cleanup(srv.Close)
	c := NewClient(Options{MaxRetries: 2, MinBackoff: time.Millisecond})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/api/v1/apps", nil)
	req.Header.Set("Authorization", "SSWS secret-token")
	resp, err := c.Do(req)
	if err == nil {
		_ = resp.Body.Close()
		t.Fatalf("a self-signed certificate was accepted (status %d)", resp.StatusCode)
	}
	var cerr *tls.CertificateVerificationError
	if !errors.As(err, &cerr) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate verification error", err)
	}
	if reached.Load() != 0 {
		t.Fatalf("the server received %d request(s)", reached.Load())
	}
	if bt := NewBaseTransport(); bt.TLSClientConfig != nil && bt.TLSClientConfig.InsecureSkipVerify {
		t.Fatal("the base transport skips TLS verification")
	}
}

// A hostile server that keeps a 429 coming with a Retry-After far beyond
// what we wait for gets its answer handed back at once, not a stuck client.
func TestAbsurdRetryAfterIsNotWaitedFor(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"999999999", "99999999999", "9223372036854775807", "Fri, 31 Dec 9999 23:59:59 GMT", "-5", "soon"} {
		srv, n := scripted(t, []int{429, 200}, func(w http.ResponseWriter, _ int) { w.Header().Set("Retry-After", v) })
		c, rs := newTestClient(t, Options{MaxRetries: 3})
		resp := get(t, c, srv.URL)
		_, _ = io.Copy(io.Discard, resp.Body)
		for _, w := range rs.waits {
			if w > DefaultMaxWait || w < 0 {
				t.Fatalf("Retry-After %q: waited %v", v, w)
			}
		}
		if d, ok := RetryAfter(resp.Header, time.Now()); ok && d < 0 {
			t.Fatalf("Retry-After %q reads as %v", v, d)
		}
		if resp.StatusCode == 429 && n.Load() != 1 {
			t.Fatalf("Retry-After %q: %d attempts ended in 429", v, n.Load())
		}
	}
}
