package ispm_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
)

// The client's own default transport verifies TLS on every endpoint: a
// self-signed certificate is refused before the token is sent.
func TestSelfSignedISPMEndpointIsRefused(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
	t.Cleanup(srv.Close)
	c, err := ispm.NewClient(ispm.Config{Endpoint: srv.URL, APIToken: token})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListOrgs(context.Background())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v, want a certificate error", err)
	}
	if strings.Contains(err.Error(), token) || reached.Load() != 0 {
		t.Fatalf("err %q, %d request(s) reached the server", err, reached.Load())
	}
}

// A body that never ends is cut at the client's limit with a clear error,
// without reading the rest.
func TestEndlessBodyIsCut(t *testing.T) {
	t.Parallel()
	var written atomic.Int64
	c := hostile(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"data":[`)
		chunk := strings.Repeat(`{"id":"src_x","okta_org_id":"o","app":"a"},`, 100)
		for written.Load() < 64<<20 {
			n, err := io.WriteString(w, chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	_, err := c.ListSources(context.Background(), ispm.SourceFilter{})
	if !ispm.IsInvalidResponse(err) || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want an invalid response that is too large", err)
	}
	if written.Load() >= 64<<20 {
		t.Fatal("the client read the whole endless body")
	}
}

// A Retry-After given as an HTTP date is read against the answer's Date,
// so a server clock minutes ahead of ours still means a short wait.
func TestRetryAfterDateOnASkewedServerClock(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served := time.Now().Add(20 * time.Minute).UTC().Truncate(time.Second)
		w.Header().Set("Date", served.Format(http.TimeFormat))
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", served.Add(time.Second).Format(http.TimeFormat))
			w.Header().Set("Content-Type", ispm.ContentTypeProblem)
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"type":"urn:ispm:problem:rate-limited","title":"Too many requests","status":429}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":[]}`)
	}))
	t.Cleanup(srv.Close)
	// The waits are recorded, not slept: read against our clock, the
	// Retry-After would be twenty minutes away.
	var mu sync.Mutex
	var waits []time.Duration
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	c, err := ispm.NewClient(ispm.Config{Endpoint: srv.URL, APIToken: token,
		HTTPClient: httpx.NewClient(httpx.Options{MaxRetries: 2, Secrets: []string{token}, Sleep: sleep})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListOrgs(context.Background()); err != nil {
		t.Fatalf("the 429 was not retried: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	// About a second: the one the server named, plus at most a little
	// jitter; never the twenty minutes our clock would make of it.
	if n.Load() != 2 || len(waits) != 1 || waits[0] < 500*time.Millisecond || waits[0] > 3*time.Second {
		t.Fatalf("%d attempts after waits %v, want 2 after one wait of about a second", n.Load(), waits)
	}
}

// Refresh Data only re-reads Okta: doing it twice is harmless, so a refresh
// that met a 5xx or a dropped connection is retried like a read.
func TestRefreshIsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	if err := f.svc.SetFaults(ispmsim.Faults{FailNext: 1, DropNext: 1, Methods: []string{"POST"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.RefreshAppStatus(ctx, "oktaorg_acme", "slack"); err != nil {
		t.Fatalf("a refresh after a 503 and a dropped connection: %v", err)
	}
	if err := f.svc.SetFaults(ispmsim.Faults{FailNext: 1, ErrorStatus: 502, Methods: []string{"POST"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.client.RefreshOrg(ctx, "oktaorg_acme"); err != nil {
		t.Fatalf("an org refresh after a 502: %v", err)
	}
}
