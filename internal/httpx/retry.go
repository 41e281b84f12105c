// Package httpx is the HTTP plumbing shared by the Okta and ISPM clients:
// retries with backoff that honour the servers' rate-limit answers, prompt
// cancellation, a fixed User-Agent, endpoint rules, safe pagination, and
// the handling of answers' bodies: bounded reads, media-type checks, and
// sanitising of server text quoted in errors.
package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Defaults used when Options leaves a field at its zero value.
const (
	DefaultMaxRetries     = 5
	DefaultRequestTimeout = 30 * time.Second
	DefaultMinBackoff     = 250 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	// DefaultMaxWait bounds a single server-requested wait (Retry-After or
	// X-Rate-Limit-Reset); Okta's windows are 60 seconds.
	DefaultMaxWait = 75 * time.Second
)

// Options configure NewClient and NewTransport.
type Options struct {
	// MaxRetries is how many times a request is retried after the first
	// attempt. Negative means no retries; zero means DefaultMaxRetries.
	MaxRetries int
	// RequestTimeout bounds each attempt (not the whole retried call).
	RequestTimeout time.Duration
	// UserAgent is set on every request that does not carry one.
	UserAgent string
	// MinBackoff and MaxBackoff bound the exponential backoff used when the
	// server does not say how long to wait.
	MinBackoff, MaxBackoff time.Duration
	// MaxWait caps a wait the server asked for; a longer wait is not made
	// and the last response is returned instead.
	MaxWait time.Duration
	// Secrets are masked in every log line this package writes.
	Secrets []string
	// Base is the transport that sends requests; nil means a clone of
	// http.DefaultTransport with TLS verification on.
	Base http.RoundTripper
	// Sleep waits for d or until ctx is done; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// AdmissionStartsTimeout says that Base holds requests before sending
	// them and calls Admitted when it sends one: RequestTimeout then counts
	// from that moment, not from the hand-over to Base.
	AdmissionStartsTimeout bool
}

func (o Options) withDefaults() Options {
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = DefaultMaxRetries
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultMinBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxWait <= 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.Base == nil {
		o.Base = NewBaseTransport()
	}
	if o.Sleep == nil {
		o.Sleep = SleepContext
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// NewBaseTransport returns a transport with sane timeouts and TLS
// verification always on.
func NewBaseTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // the standard library's default is always *http.Transport
	if t.TLSClientConfig != nil {
		t.TLSClientConfig.InsecureSkipVerify = false
	}
	t.MaxIdleConnsPerHost = 32
	t.ResponseHeaderTimeout = 0 // bounded per attempt by RequestTimeout instead
	return t
}

// NewClient returns an *http.Client whose transport retries as Transport
// does. The client itself has no timeout: each attempt is bounded by
// Options.RequestTimeout and the whole call by the request's context.
func NewClient(o Options) *http.Client {
	return &http.Client{
		Transport: NewTransport(o),
		// Never follow a redirect: a redirect to another host would carry
		// the Authorization header with it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Transport retries requests on 429, 5xx and dropped connections.
type Transport struct {
	o Options
}

// NewTransport returns a retrying RoundTripper.
func NewTransport(o Options) *Transport { return &Transport{o: o.withDefaults()} }

// Retryable reports whether a request may be sent again without risk of
// doing its work twice: safe and idempotent methods, and any request that
// carries an Idempotency-Key.
func Retryable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return req.Header.Get("Idempotency-Key") != ""
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if len(t.o.Secrets) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, t.o.Secrets...)
		ctx = tflog.MaskMessageStrings(ctx, t.o.Secrets...)
	}
	canRetry := Retryable(req) && (req.Body == nil || req.Body == http.NoBody || req.GetBody != nil)
	for attempt := 0; ; attempt++ {
		r, err := t.attemptRequest(req, attempt)
		if err != nil {
			t.report(ctx, attempt, StopAnswered, 0)
			return nil, err
		}
		resp, err := t.send(r)
		if ctx.Err() != nil {
			if resp != nil {
				drain(resp)
			}
			t.report(ctx, attempt+1, StopCancelled, 0)
			return nil, ctx.Err()
		}
		retry, wait := t.decide(resp, err, attempt)
		var stop Stop
		switch {
		case !retry:
			stop = StopAnswered
		case t.o.MaxRetries == 0:
			stop = StopRetriesOff
		case !canRetry:
			stop = StopNotRetryable
		case attempt >= t.o.MaxRetries:
			stop = StopRetriesExhausted
		case wait > t.o.MaxWait:
			// The server asked for a longer pause than we are willing to
			// block for: hand its answer (and its reset time) to the caller.
			stop = StopWaitTooLong
		default:
			if deadline, ok := ctx.Deadline(); ok && t.o.Now().Add(wait).After(deadline) {
				stop = StopDeadline
			}
		}
		if !retry || stop != StopAnswered {
			a := attemptLog{attempt: attempt}
			if stop == StopWaitTooLong || stop == StopDeadline {
				a.wait = wait
			}
			logAttempt(ctx, req, resp, err, a)
			t.report(ctx, attempt+1, stop, a.wait)
			return resp, err
		}
		logAttempt(ctx, req, resp, err, attemptLog{attempt: attempt, retrying: true, wait: wait})
		if resp != nil {
			drain(resp)
		}
		if serr := t.o.Sleep(ctx, wait); serr != nil {
			t.report(ctx, attempt+1, StopCancelled, 0)
			return nil, serr
		}
	}
}

// attemptRequest clones req for one attempt, with a fresh body and the
// per-attempt timeout.
func (t *Transport) attemptRequest(req *http.Request, attempt int) (*http.Request, error) {
	r := req.Clone(req.Context())
	if attempt > 0 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("preparing retry of %s %s: %w", req.Method, redactURL(req), err)
		}
		r.Body = body
	}
	if r.Body != nil && r.Body != http.NoBody {
		// Without GetBody, net/http's Transport never replays a request
		// with a body by itself (it does so silently, on a reused
		// connection that breaks, for any request carrying an
		// Idempotency-Key): every resend of a body is this loop's,
		// counted and bounded by MaxRetries. A bodiless GET may still be
		// resent once by net/http when its reused connection breaks
		// before an answer; reads are safe to repeat, and that resend is
		// not counted.
		r.GetBody = nil
	}
	if t.o.UserAgent != "" && r.Header.Get("User-Agent") == "" {
		r.Header.Set("User-Agent", t.o.UserAgent)
	}
	return r, nil
}

func (t *Transport) send(r *http.Request) (*http.Response, error) {
	parent := r.Context()
	ctx, timer := t.withAttemptTimer(parent)
	resp, err := t.o.Base.RoundTrip(r.WithContext(ctx))
	if err != nil {
		expired := timedOut(ctx, parent)
		timer.stop()
		if expired {
			// Reported as a deadline (a net.Error that decide retries),
			// whatever error the base transport made of the cancellation.
			return nil, fmt.Errorf("%s %s: no answer within %s: %w", r.Method, redactURL(r), t.o.RequestTimeout, context.DeadlineExceeded)
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: timer.stop}
	return resp, nil
}

// decide says whether an attempt's outcome is worth retrying and after how
// long.
func (t *Transport) decide(resp *http.Response, err error, attempt int) (bool, time.Duration) {
	if err != nil {
		var nerr net.Error
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &nerr) || isConnReset(err) {
			return true, t.backoff(attempt)
		}
		return false, 0
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusLocked:
		// Okta answers 423 (E0000239) "… Please try again later." for a
		// resource that is busy: retried like a 429, after the wait its
		// Retry-After or X-Rate-Limit-Reset names.
		if d, ok := ServerWait(resp.Header, t.o.Now()); ok {
			return true, d + jitter(t.o.MinBackoff)
		}
		return true, t.backoff(attempt)
	case http.StatusServiceUnavailable:
		if d, ok := RetryAfter(resp.Header, t.o.Now()); ok {
			return true, d
		}
		return true, t.backoff(attempt)
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true, t.backoff(attempt)
	}
	return false, 0
}

// backoff is full-jitter exponential backoff: a random wait in
// [min, min*2^attempt], capped at MaxBackoff.
func (t *Transport) backoff(attempt int) time.Duration {
	ceiling := t.o.MinBackoff << min(attempt, 16)
	if ceiling > t.o.MaxBackoff || ceiling <= 0 {
		ceiling = t.o.MaxBackoff
	}
	span := ceiling - t.o.MinBackoff
	if span <= 0 {
		return t.o.MinBackoff
	}
	return t.o.MinBackoff + time.Duration(rand.Int64N(int64(span)+1))
}

func jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(max)))
}

// ServerWait is how long the server asked the client to wait: Retry-After
// first, then Okta's X-Rate-Limit-Reset (epoch seconds).
func ServerWait(h http.Header, now time.Time) (time.Duration, bool) {
	if d, ok := RetryAfter(h, now); ok {
		return d, true
	}
	if rl, ok := ParseRateLimit(h); ok && !rl.Reset.IsZero() {
		return untilServerTime(rl.Reset, h, now), true
	}
	return 0, false
}

// maxClockSkewRead bounds how far apart an answer's Date and an instant it
// names may be for the Date to be trusted as the server's "now".
const maxClockSkewRead = 5 * time.Minute

// untilServerTime is how long until at, an instant on the server's clock.
// It is measured from the answer's Date header (the server's clock when it
// answered), so a local clock minutes off neither gives up at once nor
// retries too early; without a plausible Date it falls back to now.
func untilServerTime(at time.Time, h http.Header, now time.Time) time.Duration {
	d := at.Sub(now)
	if served, err := http.ParseTime(h.Get("Date")); err == nil {
		if sd := at.Sub(served); sd >= -maxClockSkewRead && sd <= maxClockSkewRead {
			d = sd
		}
	}
	return min(max(d, 0), maxRetryAfterSeconds*time.Second)
}

// RetryAfter parses a Retry-After header given in seconds or as an HTTP date.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Far beyond any wait we make, and a Duration cannot overflow.
		return time.Duration(min(secs, maxRetryAfterSeconds)) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return untilServerTime(at, h, now), true
	}
	return 0, false
}

// maxRetryAfterSeconds caps a server-requested wait (about 34 years), so
// that adding jitter to it cannot overflow a Duration.
const maxRetryAfterSeconds = 1 << 30

// RateLimit is Okta's view of one rate-limit bucket, from X-Rate-Limit-*.
type RateLimit struct {
	Limit     int
	Remaining int
	Reset     time.Time
}

// ParseRateLimit reads X-Rate-Limit-Limit, -Remaining and -Reset. ok is
// false when the limit or remaining count is missing or malformed.
func ParseRateLimit(h http.Header) (RateLimit, bool) {
	limit, err1 := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Limit")))
	remaining, err2 := strconv.Atoi(strings.TrimSpace(h.Get("X-Rate-Limit-Remaining")))
	if err1 != nil || err2 != nil || limit < 0 || remaining < 0 {
		return RateLimit{}, false
	}
	rl := RateLimit{Limit: limit, Remaining: remaining}
	if reset, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-Rate-Limit-Reset")), 10, 64); err == nil && reset > 0 {
		rl.Reset = time.Unix(reset, 0)
	}
	return rl, true
}

// SleepContext waits for d, returning early with the context's error.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

func isConnReset(err error) bool {
	s := err.Error()
	return strings.Contains(s, "connection reset") || strings.Contains(s, "broken pipe") ||
		strings.Contains(s, "server closed idle connection") || strings.Contains(s, "EOF")
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// attemptLog is what logAttempt says about an attempt besides its request
// and outcome: its zero-based number, and whether (and after how long) it
// will be retried.
type attemptLog struct {
	attempt  int
	retrying bool
	wait     time.Duration
}

func logAttempt(ctx context.Context, req *http.Request, resp *http.Response, err error, a attemptLog) {
	fields := map[string]any{
		"method":  req.Method,
		"url":     redactURL(req),
		"attempt": a.attempt + 1,
	}
	if resp != nil {
		fields["status"] = resp.StatusCode
		if rl, ok := ParseRateLimit(resp.Header); ok {
			fields["rate_limit_limit"] = rl.Limit
			fields["rate_limit_remaining"] = rl.Remaining
		}
	}
	if err != nil {
		fields["error"] = err.Error()
	}
	if a.retrying {
		fields["retry_in"] = a.wait.String()
		tflog.Debug(ctx, "HTTP request will be retried", fields)
		return
	}
	tflog.Trace(ctx, "HTTP request", fields)
}

// redactURL drops userinfo and every query value from a request URL for
// logging: a query may carry a secret (an OAuth client assertion, say).
func redactURL(req *http.Request) string {
	u := *req.URL
	u.User = nil
	if q := u.Query(); len(q) > 0 {
		for k := range q {
			q[k] = []string{"REDACTED"}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}
