package oktasim_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

func rateHeaders(t *testing.T, h http.Header) (limit, remaining int, reset int64) {
	t.Helper()
	var err error
	if limit, err = strconv.Atoi(h.Get("X-Rate-Limit-Limit")); err != nil {
		t.Fatalf("X-Rate-Limit-Limit %q", h.Get("X-Rate-Limit-Limit"))
	}
	if remaining, err = strconv.Atoi(h.Get("X-Rate-Limit-Remaining")); err != nil {
		t.Fatalf("X-Rate-Limit-Remaining %q", h.Get("X-Rate-Limit-Remaining"))
	}
	if reset, err = strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64); err != nil {
		t.Fatalf("X-Rate-Limit-Reset %q", h.Get("X-Rate-Limit-Reset"))
	}
	return limit, remaining, reset
}

func TestBucketsFollowOkta(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	org := startAcme(t, oktasim.WithClock(clock.Now))
	auth := "SSWS " + acmeToken
	slack := appByLabel(t, org, "Slack").ID
	windowEnd := clock.Now().Add(time.Minute).Unix()

	for i, tc := range []struct {
		path             string
		limit, remaining int
	}{
		{"/api/v1/apps", 100, 99},
		{"/api/v1/apps/" + slack + "/connections/default", 100, 98}, // shares the listing's bucket
		{"/api/v1/apps/" + slack + "/features", 100, 97},
		{"/api/v1/apps/" + slack, 600, 599}, // GET /apps/{id} alone has its own
		{"/api/v1/groups", 600, 599},
		{"/api/v1/apps/" + slack + "/features/USER_PROVISIONING", 100, 96},
		{"/api/v1/apps/0oa0000000000000miss", 600, 598}, // a 404 still spends budget
	} {
		r := get(t, org.URL()+tc.path, auth)
		limit, remaining, reset := rateHeaders(t, r.header)
		if limit != tc.limit || remaining != tc.remaining || reset != windowEnd {
			t.Errorf("%d %s: limit %d remaining %d reset %d, want %d %d %d", i, tc.path, limit, remaining, reset, tc.limit, tc.remaining, windowEnd)
		}
	}
	// Every answer carries the headers, even an authentication error.
	if r := get(t, org.URL()+"/api/v1/apps", "SSWS wrong"); r.header.Get("X-Rate-Limit-Remaining") != "95" {
		t.Errorf("401 answer: remaining %q", r.header.Get("X-Rate-Limit-Remaining"))
	}
	u := org.RateLimitUsage()
	if u[oktasim.BucketApps].Used != 5 || u[oktasim.BucketAppGet].Used != 2 || u[oktasim.BucketGroups].Used != 1 {
		t.Errorf("usage: %+v", u)
	}
}

func TestRateLimitWindowAnd429(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	spec := defaultOrgSpec(t, "acme")
	two := 2
	spec.RateLimits.Apps = &two
	org := startOrg(t, spec, oktasim.WithClock(clock.Now))
	auth := "SSWS " + acmeToken
	url := org.URL() + "/api/v1/apps?limit=1"
	start := clock.Now()

	get(t, url, auth)
	clock.Advance(30 * time.Second)
	if r := get(t, url, auth); r.status != http.StatusOK {
		t.Fatalf("second request: %d", r.status)
	}
	clock.Advance(29 * time.Second)
	r := get(t, url, auth)
	wantError(t, r, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
	limit, remaining, reset := rateHeaders(t, r.header)
	if limit != 2 || remaining != 0 || reset != start.Add(time.Minute).Unix() {
		t.Errorf("429 headers: %d %d %d", limit, remaining, reset)
	}
	// The SDK waits reset - Date + 1 seconds: here, 2 s after 59 s.
	resp := &http.Response{StatusCode: r.status, Header: r.header}
	if wait, err := okta.Get429BackoffTime(resp); err != nil || wait != 2 {
		t.Errorf("SDK backoff from the 429: %d, %v", wait, err)
	}
	// The window opened at the first request; one minute later a new one opens.
	clock.Advance(time.Second)
	r = get(t, url, auth)
	if _, remaining, reset := rateHeaders(t, r.header); r.status != http.StatusOK || remaining != 1 || reset != clock.Now().Add(time.Minute).Unix() {
		t.Errorf("after the window: %d, remaining %d, reset %d", r.status, remaining, reset)
	}
	c := org.RequestCounts()[oktasim.EndpointListApps]
	if c.Requests != 4 || c.RateLimited != 1 || c.Statuses[http.StatusOK] != 3 || c.Statuses[http.StatusTooManyRequests] != 1 {
		t.Errorf("counters: %+v", c)
	}
}

func TestSDK429WithoutRetries(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	if err := org.SetRateLimits(org.RateLimits().With(oktasim.RateLimitsSpec{Apps: ptr(1)})); err != nil {
		t.Fatal(err)
	}
	c := sdkClient(t, org.URL(), acmeToken)
	if _, _, err := c.Application.ListApplications(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	_, resp, err := c.Application.ListApplications(context.Background(), nil)
	// After its retries the SDK returns a bare error and no response.
	if err == nil || err.Error() != "too many requests" || resp != nil {
		t.Errorf("second listing: %v, %v", resp, err)
	}
	if n := org.RequestCounts()[oktasim.EndpointListApps].RateLimited; n != 1 {
		t.Errorf("%d rate-limited requests, want 1", n)
	}
}

// clockAdvancer moves the org's clock past the rate-limit window whenever
// the org answers 429, so the SDK's retry finds a fresh window without the
// test waiting a minute.
type clockAdvancer struct {
	clock *fakeClock
	next  http.RoundTripper
}

func (a clockAdvancer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		a.clock.Advance(time.Minute)
	}
	return resp, err
}

func TestSDK429WithRetries(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	org := startAcme(t, oktasim.WithClock(clock.Now))
	if err := org.SetRateLimits(org.RateLimits().With(oktasim.RateLimitsSpec{Apps: ptr(1)})); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 10 * time.Second, Transport: clockAdvancer{clock: clock, next: &http.Transport{}}}
	// MaxBackOff 0 caps the SDK's wait (reset - Date + 1 = 61 s) at nothing.
	c := sdkClientWith(t, hc, org.URL(), acmeToken, okta.WithRateLimitMaxRetries(2), okta.WithRateLimitMaxBackOff(0))
	for i := range 2 {
		apps, _, err := c.Application.ListApplications(context.Background(), nil)
		if err != nil || len(apps) == 0 {
			t.Fatalf("listing %d: %d apps, %v", i, len(apps), err)
		}
	}
	if c := org.RequestCounts()[oktasim.EndpointListApps]; c.Requests != 3 || c.RateLimited != 1 {
		t.Errorf("counters: %+v, want 3 requests of which 1 rate-limited", c)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	if err := org.SetRateLimits(org.RateLimits().With(oktasim.RateLimitsSpec{Concurrency: ptr(1)})); err != nil {
		t.Fatal(err)
	}
	if err := org.SetFaults(oktasim.Faults{LatencyMS: 300}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]rawResponse, 6)
	for i := range results {
		wg.Go(func() {
			results[i] = get(t, org.URL()+"/api/v1/apps/"+appByLabel(t, org, "Slack").ID, "SSWS "+acmeToken)
		})
	}
	wg.Wait()
	limited := 0
	for _, r := range results {
		if r.status == http.StatusTooManyRequests {
			limited++
			wantError(t, r, http.StatusTooManyRequests, "E0000047", "")
			if limit, remaining, _ := rateHeaders(t, r.header); limit != 0 || remaining != 0 {
				t.Errorf("a concurrency 429 has limit and remaining 0, got %d and %d", limit, remaining)
			}
		}
	}
	if limited == 0 || limited == len(results) {
		t.Errorf("%d of %d concurrent requests were refused; with one slot some, not all, should be", limited, len(results))
	}
}

func ptr[T any](v T) *T { return &v }
