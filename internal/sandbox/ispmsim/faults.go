package ispmsim

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Faults make the API misbehave the way networks and overloaded services
// do. Counted faults (…Next) are used up first, in the order: drop, rate
// limit, fail, drop response; rates apply to every other request in scope.
type Faults struct {
	// Methods and PathPrefix limit the faults to matching API requests;
	// empty means all.
	Methods    []string `json:"methods,omitempty"`
	PathPrefix string   `json:"path_prefix,omitempty"`

	// Latency is added before every request in scope is answered.
	Latency Duration `json:"latency,omitempty"`

	// ErrorRate (0–1) of requests answer ErrorStatus without being done.
	ErrorRate float64 `json:"error_rate,omitempty"`
	// FailNext requests answer ErrorStatus without being done.
	FailNext int `json:"fail_next,omitempty"`
	// ErrorStatus is 500, 502, 503 or 504; 0 means 503.
	ErrorStatus int `json:"error_status,omitempty"`

	// RateLimitNext requests answer 429 with Retry-After.
	RateLimitNext int `json:"rate_limit_next,omitempty"`
	// RetryAfter is sent on 429 and 503, rounded up to whole seconds;
	// absent means 0 (retry at once), which keeps tests fast.
	RetryAfter Duration `json:"retry_after,omitempty"`

	// DropRate (0–1) of connections are closed before the request is done.
	DropRate float64 `json:"drop_rate,omitempty"`
	// DropNext connections are closed before the request is done.
	DropNext int `json:"drop_next,omitempty"`
	// DropResponseRate (0–1) of requests are done, then their connection
	// is closed without an answer: the client cannot know it succeeded.
	DropResponseRate float64 `json:"drop_response_rate,omitempty"`
	// DropResponseNext requests are done, then their answer is dropped.
	DropResponseNext int `json:"drop_response_next,omitempty"`
}

func (f Faults) validate() error {
	for name, r := range map[string]float64{"error_rate": f.ErrorRate, "drop_rate": f.DropRate, "drop_response_rate": f.DropResponseRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("%s is %v; give a fraction from 0 to 1", name, r)
		}
	}
	for name, n := range map[string]int{"fail_next": f.FailNext, "rate_limit_next": f.RateLimitNext, "drop_next": f.DropNext, "drop_response_next": f.DropResponseNext} {
		if n < 0 {
			return fmt.Errorf("%s is %d; give 0 or more", name, n)
		}
	}
	switch f.ErrorStatus {
	case 0, 500, 502, 503, 504:
	default:
		return fmt.Errorf("error_status is %d; use 500, 502, 503 or 504", f.ErrorStatus)
	}
	if f.Latency < 0 || f.RetryAfter < 0 {
		return fmt.Errorf("latency and retry_after must not be negative")
	}
	return nil
}

func (f Faults) inScope(r *http.Request) bool {
	if len(f.Methods) > 0 && !slices.ContainsFunc(f.Methods, func(m string) bool { return strings.EqualFold(m, r.Method) }) {
		return false
	}
	return strings.HasPrefix(r.URL.Path, f.PathPrefix)
}

// SetFaults replaces the active faults.
func (s *Service) SetFaults(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	f.Methods = slices.Clone(f.Methods)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	return nil
}

// CurrentFaults returns the active faults, with counters as used so far.
func (s *Service) CurrentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	f.Methods = slices.Clone(f.Methods)
	return f
}

// ClearFaults stops all faults.
func (s *Service) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = Faults{}
}

// RequestCounts returns how many API requests each endpoint received
// (keyed "GET /api/v1/sources/{sourceId}"; "unmatched" for the rest),
// faulted ones included.
func (s *Service) RequestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// ResetRequestCounts zeroes the request counters.
func (s *Service) ResetRequestCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.counts)
}

type faultAction int

const (
	faultNone faultAction = iota
	faultDrop
	faultRateLimit
	faultError
	faultDropResponse
)

// decideFault counts the request and picks the fault it gets, if any.
func (s *Service) decideFault(r *http.Request, endpoint string) (faultAction, Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[endpoint]++
	f := &s.faults
	if !f.inScope(r) {
		return faultNone, Faults{}
	}
	snapshot := *f
	switch {
	case f.DropNext > 0:
		f.DropNext--
		return faultDrop, snapshot
	case f.RateLimitNext > 0:
		f.RateLimitNext--
		return faultRateLimit, snapshot
	case f.FailNext > 0:
		f.FailNext--
		return faultError, snapshot
	case f.DropResponseNext > 0:
		f.DropResponseNext--
		return faultDropResponse, snapshot
	case f.DropRate > 0 && s.rnd.Float64() < f.DropRate:
		return faultDrop, snapshot
	case f.ErrorRate > 0 && s.rnd.Float64() < f.ErrorRate:
		return faultError, snapshot
	case f.DropResponseRate > 0 && s.rnd.Float64() < f.DropResponseRate:
		return faultDropResponse, snapshot
	}
	return faultNone, snapshot
}

func retryAfterSeconds(d Duration) int {
	secs := time.Duration(d) / time.Second
	if time.Duration(d)%time.Second != 0 {
		secs++
	}
	return int(secs)
}

// sleepCtx waits d or until the request is abandoned.
func sleepCtx(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// dropConnection closes the client's connection without an answer.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked: abort the stream instead.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// bufferedWriter collects an answer that is then dropped.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }
func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferedWriter) Write(p []byte) (int, error) { return b.body.Write(p) }
