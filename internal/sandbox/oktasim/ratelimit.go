package oktasim

import (
	"fmt"
	"sync"
	"time"
)

// Bucket names one of an org's rate-limit buckets.
type Bucket string

// Okta's buckets for the endpoints the sandbox serves.
const (
	// BucketApps is shared by GET /api/v1/apps and every /api/v1/apps/{id}/*
	// call (connections, features): Okta's smallest bucket.
	BucketApps Bucket = "apps"
	// BucketAppGet is GET /api/v1/apps/{id} alone.
	BucketAppGet Bucket = "app_get"
	// BucketGroups is /api/v1/groups.
	BucketGroups Bucket = "groups"
	// BucketToken is POST /oauth2/v1/token.
	BucketToken Bucket = "token"
	// BucketOther is every other path (the sandbox answers them with 404).
	BucketOther Bucket = "other"
)

var buckets = []Bucket{BucketApps, BucketAppGet, BucketGroups, BucketToken, BucketOther}

// rateWindow is Okta's rolling window: it opens at the first request after
// the previous one closed and lasts one minute.
const rateWindow = time.Minute

// RateLimits are an org's budgets in requests per minute per bucket, and the
// number of requests it serves at once.
type RateLimits struct {
	Apps        int `json:"apps"`
	AppGet      int `json:"app_get"`
	Groups      int `json:"groups"`
	Token       int `json:"token"`
	Other       int `json:"other"`
	Concurrency int `json:"concurrency"`
}

// DefaultRateLimits are Okta's last published limits for an Enterprise org.
func DefaultRateLimits() RateLimits {
	return RateLimits{Apps: 100, AppGet: 600, Groups: 600, Token: 600, Other: 600, Concurrency: 75}
}

// With returns l with the fields s sets.
func (l RateLimits) With(s RateLimitsSpec) RateLimits {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&l.Apps, s.Apps)
	set(&l.AppGet, s.AppGet)
	set(&l.Groups, s.Groups)
	set(&l.Token, s.Token)
	set(&l.Other, s.Other)
	set(&l.Concurrency, s.Concurrency)
	return l
}

func (l RateLimits) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"apps", l.Apps}, {"app_get", l.AppGet}, {"groups", l.Groups}, {"token", l.Token}, {"other", l.Other}, {"concurrency", l.Concurrency}} {
		if f.v < 0 {
			return fmt.Errorf("rate limit %q is %d; it must be 0 or more", f.name, f.v)
		}
	}
	return nil
}

func (l RateLimits) of(b Bucket) int {
	switch b {
	case BucketApps:
		return l.Apps
	case BucketAppGet:
		return l.AppGet
	case BucketGroups:
		return l.Groups
	case BucketToken:
		return l.Token
	default:
		return l.Other
	}
}

// BucketUsage is the state of one bucket's current window.
type BucketUsage struct {
	Limit     int `json:"limit"`
	Used      int `json:"used"`
	Remaining int `json:"remaining"`
	// Reset is when the window closes, in epoch seconds; 0 when no window is open.
	Reset int64 `json:"reset"`
}

type window struct {
	start time.Time
	used  int
}

type limiter struct {
	mu       sync.Mutex
	limits   RateLimits
	windows  map[Bucket]*window
	inflight int
}

func newLimiter(l RateLimits) *limiter {
	return &limiter{limits: l, windows: map[Bucket]*window{}}
}

type rateDecision struct {
	limit, remaining int
	reset            int64
	ok               bool
}

// take spends one request of bucket b at time now.
func (l *limiter) take(b Bucket, now time.Time) rateDecision {
	l.mu.Lock()
	defer l.mu.Unlock()
	limit := l.limits.of(b)
	w := l.windows[b]
	if w == nil || !now.Before(w.start.Add(rateWindow)) {
		w = &window{start: now}
		l.windows[b] = w
	}
	reset := ceilUnix(w.start.Add(rateWindow))
	if w.used >= limit {
		return rateDecision{limit: limit, remaining: 0, reset: reset}
	}
	w.used++
	return rateDecision{limit: limit, remaining: limit - w.used, reset: reset, ok: true}
}

func (l *limiter) acquire() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight >= l.limits.Concurrency {
		return false
	}
	l.inflight++
	return true
}

func (l *limiter) release() {
	l.mu.Lock()
	l.inflight--
	l.mu.Unlock()
}

func (l *limiter) get() RateLimits {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limits
}

func (l *limiter) set(r RateLimits) {
	l.mu.Lock()
	l.limits = r
	l.mu.Unlock()
}

func (l *limiter) resetWindows() {
	l.mu.Lock()
	l.windows = map[Bucket]*window{}
	l.mu.Unlock()
}

func (l *limiter) usage(now time.Time) map[Bucket]BucketUsage {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[Bucket]BucketUsage, len(buckets))
	for _, b := range buckets {
		u := BucketUsage{Limit: l.limits.of(b), Remaining: l.limits.of(b)}
		if w := l.windows[b]; w != nil && now.Before(w.start.Add(rateWindow)) {
			u.Used = w.used
			u.Remaining = max(u.Limit-w.used, 0)
			u.Reset = ceilUnix(w.start.Add(rateWindow))
		}
		out[b] = u
	}
	return out
}

// ceilUnix rounds up to whole epoch seconds, so a client that waits until
// X-Rate-Limit-Reset never arrives before the window has closed.
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}
