package okta

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
)

// Clock is the time source of the pacing and retry waits; tests inject one.
type Clock interface {
	Now() time.Time
	// SleepUntil waits until t or until ctx is done, returning ctx's
	// error then.
	SleepUntil(ctx context.Context, t time.Time) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) SleepUntil(ctx context.Context, t time.Time) error {
	return httpx.SleepContext(ctx, time.Until(t))
}

// bucket is one of Okta's rate-limit buckets, as the org counts them.
type bucket int

const (
	// bucketApps is shared by GET /api/v1/apps and every
	// /api/v1/apps/{id}/… call: the small bucket.
	bucketApps bucket = iota
	// bucketAppByID is GET /api/v1/apps/{id} alone.
	bucketAppByID
	bucketGroups
	bucketToken
	bucketOther
	bucketCount
)

func (b bucket) String() string {
	switch b {
	case bucketApps:
		return "apps (GET /api/v1/apps and /api/v1/apps/{id}/*)"
	case bucketAppByID:
		return "app-by-id (GET /api/v1/apps/{id})"
	case bucketGroups:
		return "groups (/api/v1/groups)"
	case bucketToken:
		return "token (/oauth2/v1/token)"
	}
	return "other"
}

// endpointOf names a request's endpoint with ids written as {id},
// and its bucket. basePath is the org URL's path, usually empty.
func endpointOf(basePath, method, path string) (string, bucket) {
	p := strings.TrimPrefix(path, basePath)
	segs := strings.Split(strings.Trim(p, "/"), "/")
	b := bucketOther
	switch {
	case len(segs) >= 3 && segs[0] == "api" && segs[1] == "v1" && segs[2] == "apps":
		b = bucketApps
		if len(segs) == 4 && method == http.MethodGet {
			b = bucketAppByID
		}
		if len(segs) >= 4 {
			segs[3] = "{id}"
		}
		if len(segs) >= 6 && segs[4] == "features" {
			segs[5] = "{name}"
		}
	case len(segs) >= 3 && segs[0] == "api" && segs[1] == "v1" && segs[2] == "groups":
		b = bucketGroups
		if len(segs) >= 4 {
			segs[3] = "{id}"
		}
	case len(segs) == 3 && segs[0] == "oauth2" && segs[2] == "token":
		b = bucketToken
	default:
		if len(segs) > 3 {
			segs = append(segs[:3], "…")
		}
	}
	return method + " /" + strings.Join(segs, "/"), b
}

// attemptsKey carries a per-call attempt counter through the retries.
type attemptsKey struct{}

func withAttempts(ctx context.Context) (context.Context, *atomic.Int32) {
	n := new(atomic.Int32)
	return context.WithValue(ctx, attemptsKey{}, n), n
}

// pacer is the innermost RoundTripper: it sees every attempt the retrying
// transport above it makes (not a resend net/http makes by itself of a
// bodiless GET whose reused connection broke), counts requests per
// endpoint, bounds the number in flight, and keeps each bucket within the configured share of
// its limit by waiting for the bucket's reset before sending a request
// that would eat into the share left to others. It slows down before a
// 429 rather than after one.
//
// The buckets are the org's, not this process's: parallel plans of other
// workspaces spend them too, and X-Rate-Limit-Remaining counts their
// requests as well as ours. So the pacer paces by Okta's Remaining, probes
// a new window with one request before sending more, and keeps in flight
// only its part of the headroom, by the share of the window's use its own
// answers account for (see maysend). Each attempt's timeout starts when
// the pacer sends it (httpx.Admitted), not while it waits.
type pacer struct {
	next     http.RoundTripper
	clock    Clock
	capacity int // percent of each bucket this process may use
	basePath string
	slots    chan struct{}

	mu      sync.Mutex
	buckets [bucketCount]bucketState
	changed chan struct{} // closed and replaced whenever a bucket changes

	counts      sync.Map // endpoint → *atomic.Int64
	rateLimited atomic.Int64
	waits       atomic.Int64
	waited      atomic.Int64 // nanoseconds
}

type bucketState struct {
	known     bool
	limit     int
	remaining int
	// serverReset is the window's end on Okta's clock (X-Rate-Limit-Reset):
	// it orders answers into windows whatever order they arrive in.
	serverReset time.Time
	// resetAt is the same moment on our clock.
	resetAt time.Time
	// passed is set once our clock is past resetAt: the bucket is full
	// again until an answer from the new window says otherwise.
	passed   bool
	inflight int
	// ours counts our answers in the current window. Okta's Remaining is
	// the org's: when the window's use (limit - remaining) exceeds ours,
	// other clients (parallel plans of other workspaces) spend the bucket
	// too, and we take only our part of what is left above the floor.
	ours int
	// lastShare is our part (0–1] of the previous window's use; 0 when
	// unknown. It restrains the first requests of a window, before its
	// answers show who else is sending.
	lastShare float64
	// heldByShare is set when a request of this window waited only for
	// our share, with headroom left.
	heldByShare bool
	// starved is set when the last window ended with headroom nobody used
	// while our share held a request back: the others were not pacers
	// taking their part (the org's own traffic, say, which spends early in
	// a window and does not pace itself), and waiting for a share that
	// grows only with our own answers would leave us one request a window
	// for as long as they keep sending. While starved, one request at a
	// time is sent as long as there is headroom; it ends with a window
	// whose headroom goes unused with nothing held back, or with a 429.
	starved bool
}

// endWindow remembers our part of the closing window's use, and whether
// our share held us back from headroom that went unused.
func (st *bucketState) endWindow(floor int) {
	if used := st.limit - st.remaining; st.ours > 0 && used > 0 {
		st.lastShare = min(1, float64(st.ours+st.inflight)/float64(used))
	}
	if st.remaining-floor >= 1 {
		// Headroom went unused: starved if our share held us back from it.
		st.starved = st.heldByShare
	}
	// Headroom used up (by us while starved, or by all): as it was.
	st.ours, st.heldByShare = 0, false
}

// maxPacingWait bounds one wait for a bucket reset; Okta's windows are 60
// seconds, so a longer wait means the header or a clock is wrong.
const maxPacingWait = 90 * time.Second

// resetMargin is added to a reset time: Okta reports it in whole seconds.
const resetMargin = time.Second

func newPacer(next http.RoundTripper, clock Clock, capacity, maxConcurrent int, basePath string) *pacer {
	return &pacer{
		next:     next,
		clock:    clock,
		capacity: capacity,
		basePath: basePath,
		slots:    make(chan struct{}, maxConcurrent),
		changed:  make(chan struct{}),
	}
}

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	endpoint, b := endpointOf(p.basePath, req.Method, req.URL.Path)
	if err := p.acquire(ctx, b); err != nil {
		return nil, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		p.release(b, nil)
		return nil, ctx.Err()
	}
	// Admitted: the attempt's timeout runs from now. The wait above was
	// bounded by the caller's context only; counting it against the
	// timeout would end attempts that were never sent.
	httpx.Admitted(ctx)
	p.count(endpoint)
	if n, ok := ctx.Value(attemptsKey{}).(*atomic.Int32); ok {
		n.Add(1)
	}
	resp, err := p.next.RoundTrip(req)
	<-p.slots
	p.release(b, resp)
	if resp != nil && resp.StatusCode == http.StatusTooManyRequests {
		p.rateLimited.Add(1)
	}
	return resp, err
}

// floor is how much of a bucket's limit must stay unused by us; at least
// one request per window is always allowed, whatever the share.
func (p *pacer) floor(limit int) int {
	return min((limit*(100-p.capacity)+99)/100, limit-1)
}

// acquire reserves room for one request in bucket b, waiting for the
// bucket's reset while sending would leave less than the floor.
func (p *pacer) acquire(ctx context.Context, b bucket) error {
	for {
		p.mu.Lock()
		st := &p.buckets[b]
		now := p.clock.Now()
		if st.known && !st.passed && !now.Before(st.resetAt) {
			st.endWindow(p.floor(st.limit))
			st.remaining, st.passed = st.limit, true
		}
		if !st.known && st.inflight == 0 || st.known && p.maysend(st) {
			st.inflight++
			p.mu.Unlock()
			return nil
		}
		var wait time.Duration
		var changed <-chan struct{}
		switch {
		case !st.known:
			// The bucket's size is unknown: one request probes it while
			// the others wait for its answer, so a burst of parallel
			// callers cannot overrun a small bucket before the first
			// headers arrive.
			changed = p.changed
		case !st.passed && st.inflight > 0 && st.remaining-st.inflight-1 >= p.floor(st.limit):
			// Room is left, but our part of it is in flight: wait for an
			// answer rather than for the reset.
			changed = p.changed
		case !st.passed:
			wait = min(st.resetAt.Sub(now), maxPacingWait)
		case st.inflight == 0:
			// Nothing to wait for: send, and learn from the answer.
			st.inflight++
			p.mu.Unlock()
			return nil
		default:
			// The window has just turned and the new one's answers are
			// not in yet: wait for a request in flight to report.
			changed = p.changed
		}
		p.mu.Unlock()

		if changed != nil {
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		p.waits.Add(1)
		p.waited.Add(int64(wait))
		if err := p.clock.SleepUntil(ctx, now.Add(wait)); err != nil {
			return err
		}
		if wait == maxPacingWait {
			// A reset this far away is not believable: forget it.
			p.mu.Lock()
			if !st.passed && st.resetAt.After(p.clock.Now()) {
				st.endWindow(p.floor(st.limit))
				st.remaining, st.passed = st.limit, true
			}
			p.mu.Unlock()
		}
	}
}

// maysend reports whether one more request fits in a known bucket. A
// bucket without limits (no headers) never holds one back. Once the
// window has turned, the first request probes it alone: every parallel
// process sees the same turn, and a burst from each at once would spend
// the new window before any answer told how much others had taken.
func (p *pacer) maysend(st *bucketState) bool {
	if st.limit <= 0 {
		return true
	}
	if st.passed {
		return false // probed by the inflight == 0 case of acquire
	}
	headroom := st.remaining - p.floor(st.limit)
	if st.inflight+1 > headroom {
		return false
	}
	// Others send too when the window's use exceeds our answers: keep in
	// flight at most our part of the headroom, as our answers are of the
	// window's use (and were of the last window's). A part under one
	// request waits, unless the last window was starved (see starved).
	// Our requests in flight may already be counted in Remaining.
	share, mine := 1.0, st.ours+st.inflight
	if used := st.limit - st.remaining; st.ours > 0 && used > mine {
		share = float64(mine) / float64(used)
	}
	if st.lastShare > 0 {
		share = min(share, st.lastShare)
	}
	if float64(st.inflight+1) <= float64(headroom)*share || st.starved && st.inflight == 0 {
		return true
	}
	st.heldByShare = true
	return false
}

// release returns the reservation and learns the bucket's state from the
// response's X-Rate-Limit-* headers.
func (p *pacer) release(b bucket, resp *http.Response) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := &p.buckets[b]
	st.inflight--
	defer p.notifyLocked()
	if resp == nil {
		return
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		st.starved = false
	}
	rl, ok := httpx.ParseRateLimit(resp.Header)
	if !ok || rl.Limit <= 0 {
		// No headers (nothing to pace by: stop probing one at a time), or
		// a concurrency 429 (limit and remaining 0), which says nothing
		// about the bucket.
		if !st.known && !ok {
			st.known, st.limit = true, 0
		}
		return
	}
	now := p.clock.Now()
	switch {
	case !st.known || st.limit <= 0 || rl.Reset.After(st.serverReset):
		// First answer, or the first of a newer window.
		if st.known && st.limit > 0 && !st.passed {
			st.endWindow(p.floor(st.limit))
		}
		st.known, st.limit, st.remaining, st.passed, st.ours = true, rl.Limit, rl.Remaining, false, 1
		st.serverReset, st.resetAt = rl.Reset, localReset(rl.Reset, resp.Header.Get("Date"), now)
	case rl.Reset.Before(st.serverReset):
		// A late answer from an older window: stale.
	default:
		st.limit = rl.Limit
		st.ours++
		if st.passed {
			// Our clock ran ahead of Okta's window: it is not over yet.
			st.passed, st.remaining = false, rl.Remaining
			st.resetAt = later(st.resetAt, localReset(rl.Reset, resp.Header.Get("Date"), now))
		} else {
			st.remaining = min(st.remaining, rl.Remaining)
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (p *pacer) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// localReset converts Okta's reset time (epoch seconds on the server's
// clock) to our clock, using the response's Date to cancel clock skew.
func localReset(reset time.Time, date string, now time.Time) time.Time {
	if reset.IsZero() {
		return now.Add(time.Minute)
	}
	if served, err := http.ParseTime(date); err == nil {
		if d := reset.Sub(served); d >= 0 && d <= 5*time.Minute {
			return now.Add(d + resetMargin)
		}
	}
	return reset.Add(resetMargin)
}

func (p *pacer) count(endpoint string) {
	c, ok := p.counts.Load(endpoint)
	if !ok {
		c, _ = p.counts.LoadOrStore(endpoint, new(atomic.Int64))
	}
	c.(*atomic.Int64).Add(1) //nolint:forcetypeassert // the map holds only *atomic.Int64
}

// tokenFormTransport moves the parameters of the SDK's OAuth token request
// from the query string into a form body (RFC 6749 §4.4), so the signed
// client assertion never appears in a URL, a log line or a proxy's access
// log.
//
// It also gives the token request the context of the call it is made for
// (ctx): the SDK builds it with context.Background(), so without this it
// would be missing from the TRACE log and outlive a cancelled plan.
type tokenFormTransport struct {
	next http.RoundTripper
	ctx  func() context.Context
}

func (t tokenFormTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || !strings.HasSuffix(req.URL.Path, "/oauth2/v1/token") {
		return t.next.RoundTrip(req)
	}
	ctx := req.Context()
	if c := t.ctx(); ctx == context.Background() && c != nil {
		ctx = c
	}
	if req.URL.RawQuery == "" || (req.Body != nil && req.Body != http.NoBody) {
		return t.next.RoundTrip(req.WithContext(ctx))
	}
	form := req.URL.RawQuery
	r := req.Clone(ctx)
	u := *req.URL
	u.RawQuery = ""
	r.URL = &u
	r.Body = io.NopCloser(strings.NewReader(form))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(form)), nil }
	r.ContentLength = int64(len(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return t.next.RoundTrip(r)
}

// relativeRef turns an absolute URL on the org's host into the path and
// query the SDK's request builder appends to the org URL.
func relativeRef(org, u *url.URL) string {
	p := strings.TrimPrefix(u.EscapedPath(), org.EscapedPath())
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}
