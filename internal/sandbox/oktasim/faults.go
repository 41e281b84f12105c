package oktasim

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

type faultState struct {
	mu  sync.Mutex
	f   Faults
	rng *rand.Rand
}

func (s *faultState) set(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f.Endpoints = slices.Clone(f.Endpoints)
	s.f = f
	s.rng = rand.New(rand.NewPCG(uint64(f.Seed), 0x6f6b7461))
}

func (s *faultState) get() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.f
	f.Endpoints = slices.Clone(f.Endpoints)
	return f
}

type faultDecision struct {
	latency    time.Duration
	drop, fail bool
	answer     *Answer
}

// decide draws once per matching request, so a seeded run makes the same
// choices for the same sequence of requests.
func (s *faultState) decide(endpoint string) faultDecision {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.f
	if len(f.Endpoints) > 0 && !slices.Contains(f.Endpoints, endpoint) {
		return faultDecision{}
	}
	d := faultDecision{latency: time.Duration(f.LatencyMS) * time.Millisecond, answer: f.Answer}
	if f.DropRate > 0 || f.ErrorRate > 0 {
		x := s.rng.Float64()
		d.drop = x < f.DropRate
		d.fail = !d.drop && x < f.DropRate+f.ErrorRate
	}
	return d
}

// EndpointCount counts the requests one endpoint received.
type EndpointCount struct {
	Requests int64 `json:"requests"`
	// RateLimited counts 429 answers (bucket or concurrency).
	RateLimited int64 `json:"rate_limited"`
	// ServerErrors counts 5xx answers.
	ServerErrors int64 `json:"server_errors"`
	// Dropped counts connections closed without an answer.
	Dropped int64 `json:"dropped"`
	// Statuses counts answers by HTTP status code.
	Statuses map[int]int64 `json:"statuses"`
}

type counters struct {
	mu sync.Mutex
	m  map[string]*EndpointCount
}

func newCounters() *counters { return &counters{m: map[string]*EndpointCount{}} }

func (c *counters) entry(endpoint string) *EndpointCount {
	e := c.m[endpoint]
	if e == nil {
		e = &EndpointCount{Statuses: map[int]int64{}}
		c.m[endpoint] = e
	}
	return e
}

func (c *counters) begin(endpoint string) {
	c.mu.Lock()
	c.entry(endpoint).Requests++
	c.mu.Unlock()
}

func (c *counters) finish(endpoint string, status int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(endpoint)
	e.Statuses[status]++
	switch {
	case status == 429:
		e.RateLimited++
	case status >= 500:
		e.ServerErrors++
	}
}

func (c *counters) dropped(endpoint string) {
	c.mu.Lock()
	c.entry(endpoint).Dropped++
	c.mu.Unlock()
}

func (c *counters) snapshot() map[string]EndpointCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]EndpointCount, len(c.m))
	for k, v := range c.m {
		cp := *v
		cp.Statuses = make(map[int]int64, len(v.Statuses))
		for s, n := range v.Statuses {
			cp.Statuses[s] = n
		}
		out[k] = cp
	}
	return out
}

func (c *counters) reset() {
	c.mu.Lock()
	c.m = map[string]*EndpointCount{}
	c.mu.Unlock()
}
