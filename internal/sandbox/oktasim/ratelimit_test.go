package oktasim

import (
	"testing"
	"time"
)

func TestLimiterRollingWindow(t *testing.T) {
	t.Parallel()
	l := newLimiter(RateLimits{Apps: 2, AppGet: 5, Concurrency: 1})
	t0 := time.Date(2026, 3, 1, 10, 0, 30, 500_000_000, time.UTC)
	wantReset := time.Date(2026, 3, 1, 10, 1, 31, 0, time.UTC).Unix() // first request + 60 s, rounded up

	d := l.take(BucketApps, t0)
	if !d.ok || d.limit != 2 || d.remaining != 1 || d.reset != wantReset {
		t.Fatalf("first request: %+v, want ok, limit 2, remaining 1, reset %d", d, wantReset)
	}
	if d := l.take(BucketAppGet, t0); !d.ok || d.remaining != 4 {
		t.Fatalf("app_get is a separate bucket: %+v", d)
	}
	if d := l.take(BucketApps, t0.Add(20*time.Second)); !d.ok || d.remaining != 0 || d.reset != wantReset {
		t.Fatalf("second request: %+v", d)
	}
	if d := l.take(BucketApps, t0.Add(59*time.Second)); d.ok || d.remaining != 0 || d.reset != wantReset {
		t.Fatalf("third request inside the window: %+v, want refused", d)
	}
	// The window is not aligned to the minute: it closes 60 s after it opened.
	d = l.take(BucketApps, t0.Add(60*time.Second))
	if !d.ok || d.remaining != 1 || d.reset != t0.Add(2*time.Minute).Unix()+1 {
		t.Fatalf("request after the window: %+v, want a new window", d)
	}
	u := l.usage(t0.Add(61 * time.Second))
	if u[BucketApps].Used != 1 || u[BucketApps].Remaining != 1 || u[BucketGroups].Used != 0 {
		t.Errorf("usage: %+v", u)
	}
	l.resetWindows()
	if d := l.take(BucketApps, t0.Add(61*time.Second)); d.remaining != 1 {
		t.Errorf("after reset: %+v, want a fresh window", d)
	}
}

func TestLimiterConcurrency(t *testing.T) {
	t.Parallel()
	l := newLimiter(RateLimits{Concurrency: 2})
	first := l.acquire()
	second := l.acquire()
	if !first || !second {
		t.Fatal("two requests should run at once")
	}
	if l.acquire() {
		t.Fatal("a third concurrent request should be refused")
	}
	l.release()
	if !l.acquire() {
		t.Fatal("a slot freed by release should be usable")
	}
}

func TestRateLimitsValidate(t *testing.T) {
	t.Parallel()
	neg := -1
	if err := DefaultRateLimits().With(RateLimitsSpec{Groups: &neg}).validate(); err == nil {
		t.Error("a negative limit should be refused")
	}
	if got := DefaultRateLimits(); got.Apps != 100 || got.AppGet != 600 || got.Groups != 600 || got.Concurrency != 75 {
		t.Errorf("defaults are not Okta's Enterprise limits: %+v", got)
	}
}
