package oktasim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Org is one simulated Okta org. It is safe for concurrent use.
type Org struct {
	name   string
	orgID  string
	clock  func() time.Time
	logger *slog.Logger

	mu         sync.RWMutex
	url        string
	lcm        bool
	apps       []*app
	appsByID   map[string]*app
	groups     []*group
	groupsByID map[string]*group
	// groupSeq remembers the position of every group ever listed, so a
	// pagination cursor naming a since-deleted group still works.
	groupSeq map[string]int64
	// groupCount counts the groups imported from each app.
	groupCount map[string]int
	nextSeq    int64
	installed  int
	tokens     map[string]APIToken
	// firstToken is the token the sandbox hands out for the org.
	firstToken string

	oauth    *oauthServer
	limiter  *limiter
	faults   faultState
	counters *counters
	served   atomic.Uint64

	srv      *http.Server
	closing  chan struct{}
	closeOne sync.Once
	started  bool
}

// Option configures an Org.
type Option func(*Org)

// WithClock sets the clock for rate-limit windows, token expiry, timestamps
// and the Date header, so tests need not wait for real time to pass.
func WithClock(now func() time.Time) Option {
	return func(o *Org) {
		if now != nil {
			o.clock = now
		}
	}
}

// WithLogger logs one line per request: org, endpoint, status and duration.
// Query strings and headers are never logged (the token endpoint carries
// client assertions in its query).
func WithLogger(l *slog.Logger) Option {
	return func(o *Org) {
		if l != nil {
			o.logger = l
		}
	}
}

var orgNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// NewOrg builds an org from its spec. It does not listen yet: see Start.
func NewOrg(spec OrgSpec, opts ...Option) (*Org, error) {
	if !orgNamePattern.MatchString(spec.Name) {
		return nil, fmt.Errorf(`name %q is not a valid org name; use lowercase letters, digits and "-", like "acme"`, spec.Name)
	}
	o := &Org{
		name:       spec.Name,
		orgID:      deterministicID("00o", spec.Name),
		clock:      time.Now,
		logger:     slog.New(slog.DiscardHandler),
		lcm:        spec.LifecycleManagement == nil || *spec.LifecycleManagement,
		appsByID:   map[string]*app{},
		groupsByID: map[string]*group{},
		groupSeq:   map[string]int64{},
		groupCount: map[string]int{},
		tokens:     map[string]APIToken{},
		counters:   newCounters(),
		closing:    make(chan struct{}),
	}
	for _, opt := range opts {
		opt(o)
	}
	if spec.AppsFile != "" {
		return nil, fmt.Errorf("apps_file %q was not read; load scenarios with sandbox.LoadScenario, which resolves it", spec.AppsFile)
	}
	for i, t := range spec.APITokens {
		switch {
		case strings.TrimSpace(t.Token) == "":
			return nil, fmt.Errorf("api_tokens[%d] is empty", i)
		case o.tokens[t.Token].Token != "":
			return nil, fmt.Errorf("api_tokens[%d] repeats an earlier token", i)
		}
		for _, s := range t.Scopes {
			if !strings.HasPrefix(s, "okta.") {
				return nil, fmt.Errorf("api_tokens[%d]: scope %q is not an Okta API scope like %q", i, s, ScopeAppsRead)
			}
		}
		o.tokens[t.Token] = t
		if o.firstToken == "" {
			o.firstToken = t.Token
		}
	}
	oauth, err := newOAuthServer(spec.OAuthClients)
	if err != nil {
		return nil, err
	}
	o.oauth = oauth
	if len(spec.APITokens) == 0 && len(spec.OAuthClients) == 0 {
		return nil, errors.New("the org has no credentials; add an API token to api_tokens (or an OAuth client to oauth_clients)")
	}
	limits := DefaultRateLimits().With(spec.RateLimits)
	if err := limits.validate(); err != nil {
		return nil, fmt.Errorf("rate_limits: %w", err)
	}
	o.limiter = newLimiter(limits)
	var faults Faults
	if spec.Faults != nil {
		faults = *spec.Faults
		if err := faults.validate(); err != nil {
			return nil, fmt.Errorf("faults: %w", err)
		}
	}
	o.faults.set(faults)

	for i, raw := range spec.Groups {
		obj, err := parseObject(raw)
		if err == nil {
			var g *group
			if g, err = o.newGroup(obj); err == nil {
				o.insertGroup(g)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("groups[%d]%s: %w", i, describeRaw(raw, "id"), err)
		}
	}
	for i, raw := range spec.Apps {
		a, err := loadApp(raw)
		if err != nil {
			return nil, fmt.Errorf("apps[%d]%s: %w", i, describeRaw(raw, "id", "label"), err)
		}
		if prev := o.appsByID[a.id]; prev != nil {
			return nil, fmt.Errorf("apps[%d] (id %q, label %q): the id is used twice (also by label %q)", i, a.id, a.label, prev.label)
		}
		o.insertApp(a)
	}
	for id := range spec.AppSettings {
		if o.appsByID[id] == nil {
			return nil, fmt.Errorf("app_settings[%q]: no app in apps has this id", id)
		}
	}
	for _, a := range o.apps {
		if err := o.applySettings(a, spec.AppSettings[a.id]); err != nil {
			return nil, fmt.Errorf("app_settings[%q] (label %q): %w", a.id, a.label, err)
		}
	}
	for _, g := range o.groups {
		if g.typ == "APP_GROUP" && g.sourceApp != "" && o.appsByID[g.sourceApp] == nil {
			return nil, fmt.Errorf("group %q is imported from app %q, which is not in apps", g.id, g.sourceApp)
		}
	}
	if spec.SyntheticApps != nil {
		if err := o.syntheticApps(*spec.SyntheticApps); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (o *Org) now() time.Time { return o.clock() }

// Name is the org's name in the scenario.
func (o *Org) Name() string { return o.name }

// URL is the org URL ("http://127.0.0.1:PORT"), empty until Start.
func (o *Org) URL() string {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.url
}

// Domain is the host of the org URL, the name ISPM knows the org by
// ("127.0.0.1:PORT" here, "acme.okta.com" in production).
func (o *Org) Domain() string {
	u, err := url.Parse(o.URL())
	if err != nil {
		return ""
	}
	return u.Host
}

// APIToken is the org's first API token, the one the sandbox hands out.
func (o *Org) APIToken() string { return o.firstToken }

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves the org
// until Close.
func (o *Org) Start(addr string) error {
	o.mu.Lock()
	if o.started {
		o.mu.Unlock()
		return fmt.Errorf("okta org %q is already started", o.name)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		o.mu.Unlock()
		return fmt.Errorf("okta org %q cannot listen on %s: %w", o.name, addr, err)
	}
	o.started = true
	o.url = "http://" + ln.Addr().String()
	o.localizeAll()
	o.srv = &http.Server{
		Handler:           o,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	srv := o.srv
	o.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// Close stops serving: requests in flight get a short grace period, requests
// held by injected latency are cut short.
func (o *Org) Close() error {
	o.closeOne.Do(func() { close(o.closing) })
	o.mu.RLock()
	srv := o.srv
	o.mu.RUnlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return srv.Close()
	}
	return nil
}

// RateLimits returns the org's current limits.
func (o *Org) RateLimits() RateLimits { return o.limiter.get() }

// SetRateLimits replaces the org's limits; open windows keep their counts.
func (o *Org) SetRateLimits(l RateLimits) error {
	if err := l.validate(); err != nil {
		return newStateError(ErrInvalid, "%v", err)
	}
	o.limiter.set(l)
	return nil
}

// RateLimitUsage reports each bucket's current window.
func (o *Org) RateLimitUsage() map[Bucket]BucketUsage { return o.limiter.usage(o.now()) }

// ResetRateLimitWindows closes every open window, as if a minute had passed.
func (o *Org) ResetRateLimitWindows() { o.limiter.resetWindows() }

// Faults returns the faults being injected.
func (o *Org) Faults() Faults { return o.faults.get() }

// SetFaults replaces the injected faults (the zero Faults clears them) and
// reseeds their random choices.
func (o *Org) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return newStateError(ErrInvalid, "%v", err)
	}
	o.faults.set(f)
	return nil
}

// RequestCounts returns the requests received per endpoint since the start
// or the last reset.
func (o *Org) RequestCounts() map[string]EndpointCount { return o.counters.snapshot() }

// ResetRequestCounts zeroes the request counters.
func (o *Org) ResetRequestCounts() { o.counters.reset() }

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP answers one request the way Okta does: concurrency limit, network
// faults, the rate-limit bucket, authentication, then the endpoint.
func (o *Org) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	rt := resolve(r.Method, r.URL.Path)
	o.counters.begin(rt.endpoint)
	sw := &statusWriter{ResponseWriter: w}
	dropped := false
	defer func() {
		if dropped {
			o.logger.Info("okta request", "org", o.name, "endpoint", rt.endpoint, "outcome", "connection dropped")
			return
		}
		o.counters.finish(rt.endpoint, sw.status)
		o.logger.Info("okta request", "org", o.name, "endpoint", rt.endpoint, "status", sw.status, "duration", time.Since(started).Round(time.Microsecond))
	}()

	n := o.served.Add(1)
	h := w.Header()
	h.Set("Date", o.now().UTC().Format(http.TimeFormat))
	h.Set("X-Okta-Request-Id", hashChars(idAlphabet, 27, o.name, "request", strconv.FormatUint(n, 10)))

	if !o.limiter.acquire() {
		// Okta's concurrency 429: limit and remaining are both 0.
		o.setRateHeaders(sw, rateDecision{reset: ceilUnix(o.now().Add(time.Second))})
		o.writeError(sw, errRateLimited())
		return
	}
	defer o.limiter.release()

	fault := o.faults.decide(rt.endpoint)
	if fault.latency > 0 {
		t := time.NewTimer(fault.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-o.closing:
			t.Stop()
		}
	}
	if fault.drop {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			dropped = true
			o.counters.dropped(rt.endpoint)
			_ = conn.Close()
			return
		}
	}
	rd := o.limiter.take(rt.bucket, o.now())
	o.setRateHeaders(sw, rd)
	if !rd.ok {
		o.writeError(sw, errRateLimited())
		return
	}
	if fault.fail {
		o.writeError(sw, errInternal())
		return
	}
	if a := fault.answer; a != nil {
		for k, v := range a.Headers {
			sw.Header().Set(k, v)
		}
		sw.WriteHeader(a.Status)
		_, _ = io.WriteString(sw, a.Body)
		return
	}
	if rt.bucket != BucketToken { // the token endpoint authenticates by client assertion
		if e := o.authorize(sw, r, rt); e != nil {
			o.writeError(sw, e)
			return
		}
	}
	rt.serve(o, sw, r, rt)
}

func (o *Org) setRateHeaders(w http.ResponseWriter, d rateDecision) {
	h := w.Header()
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(d.limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(d.remaining))
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(d.reset, 10))
}

func (o *Org) writeError(w http.ResponseWriter, e *apiError) {
	e.ErrorID = "oae" + hashChars(errorIDAlphabet, 22, o.name, "error", strconv.FormatUint(o.served.Load(), 10), e.ErrorCode)
	body, err := json.Marshal(e)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, e.status, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (o *Org) unsupported(w http.ResponseWriter, r *http.Request, _ route) {
	o.writeError(w, errNotFound(r.URL.Path, "Endpoint"))
}

func (o *Org) methodNotAllowed(w http.ResponseWriter, _ *http.Request, _ route) {
	o.writeError(w, errMethodNotAllowed())
}
