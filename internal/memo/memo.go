// Package memo keeps the outcome of an expensive read so that everyone who
// asks, at the same time or later, shares one fetch: the provider reads each
// remote fact once per Terraform command instead of once per resource.
//
// A fetch runs on its own context, detached from the caller that started it
// (context.WithoutCancel), because its answer belongs to every caller waiting
// for it: one caller giving up must not fail the others. It is cancelled only
// when every waiting caller has given up, and a fetch cancelled that way is
// never kept, so the next caller starts afresh instead of inheriting an error
// nobody asked for.
package memo

import (
	"context"
	"maps"
	"sync"
)

// Options say what a memo keeps.
type Options struct {
	// RememberFailures keeps a failed fetch's error for the life of the memo (the
	// okta adapter's choice: a failure after retries would only fail again). When
	// false, a failure is handed to the callers that waited for that fetch and the
	// next caller fetches again.
	RememberFailures bool
}

// Map is a keyed single-flight memo: Do runs fetch at most once at a time per key
// and keeps its outcome; callers that arrive while it runs wait for it.
type Map[K comparable, V any] struct {
	opts Options
	mu   sync.Mutex
	// A key is in at most one of kept and running: a kept key starts no fetch.
	kept    map[K]result[V]
	running map[K]*call[V]
}

type result[V any] struct {
	val V
	err error
}

// call is one running fetch. Its identity is what decides whether its result
// is kept: Forget and abandonment remove it from Map.running, and a call that
// is no longer there when it finishes is handed only to its own waiters.
type call[V any] struct {
	done    chan struct{} // closed once res is set
	res     result[V]
	waiters int
	cancel  context.CancelFunc
}

// New returns an empty memo that keeps what opts say.
func New[K comparable, V any](opts Options) *Map[K, V] {
	return &Map[K, V]{opts: opts, kept: map[K]result[V]{}, running: map[K]*call[V]{}}
}

// Do returns the kept outcome for key, or waits for the running fetch, or
// starts one. If ctx ends first Do returns ctx.Err() at once; the fetch goes
// on for the other waiters and is cancelled when the last of them leaves.
// fetch's context carries ctx's values but not its cancellation or deadline.
func (m *Map[K, V]) Do(ctx context.Context, key K, fetch func(context.Context) (V, error)) (V, error) {
	m.mu.Lock()
	if r, ok := m.kept[key]; ok {
		m.mu.Unlock()
		return r.val, r.err
	}
	c := m.running[key]
	if c == nil {
		if err := ctx.Err(); err != nil {
			// A caller who has already given up starts nothing.
			m.mu.Unlock()
			var zero V
			return zero, err
		}
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &call[V]{done: make(chan struct{}), cancel: cancel}
		m.running[key] = c
		go m.run(fctx, key, c, fetch)
	}
	c.waiters++
	m.mu.Unlock()

	select {
	case <-c.done:
		return c.res.val, c.res.err
	case <-ctx.Done():
		m.mu.Lock()
		if c.waiters--; c.waiters == 0 {
			// Nobody wants the answer any more: stop the fetch, and let the
			// next caller start a new one.
			c.cancel()
			if m.running[key] == c { // not forgotten and replaced
				delete(m.running, key)
			}
		}
		m.mu.Unlock()
		var zero V
		return zero, ctx.Err()
	}
}

// run is the fetch's goroutine; it ends when fetch returns, which a fetch
// that honours its context does once it is cancelled.
func (m *Map[K, V]) run(ctx context.Context, key K, c *call[V], fetch func(context.Context) (V, error)) {
	defer c.cancel()
	v, err := fetch(ctx)
	m.mu.Lock()
	c.res = result[V]{v, err}
	// Still running means neither forgotten nor abandoned, and so the
	// fetch's context was not cancelled: a context error is the fetch's own.
	if m.running[key] == c {
		delete(m.running, key)
		if err == nil || m.opts.RememberFailures {
			m.kept[key] = c.res
		}
	}
	m.mu.Unlock()
	close(c.done)
}

// Forget drops what is kept for key (a running fetch finishes for its waiters but is not kept).
// The next caller fetches again, without waiting for a fetch that began
// before the value was forgotten and may read what is now stale.
func (m *Map[K, V]) Forget(key K) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.kept, key)
	delete(m.running, key)
}

// ForgetFunc drops every kept key for which drop returns true (same rule for running fetches).
// drop is called with the memo locked and must not use it.
func (m *Map[K, V]) ForgetFunc(drop func(K) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	maps.DeleteFunc(m.kept, func(k K, _ result[V]) bool { return drop(k) })
	maps.DeleteFunc(m.running, func(k K, _ *call[V]) bool { return drop(k) })
}

// Cell is a Map with a single key, for values read once per process.
type Cell[V any] struct{ m *Map[struct{}, V] }

// NewCell returns an empty cell that keeps what opts say.
func NewCell[V any](opts Options) *Cell[V] { return &Cell[V]{New[struct{}, V](opts)} }

// Do is Map.Do for the cell's one value.
func (c *Cell[V]) Do(ctx context.Context, fetch func(context.Context) (V, error)) (V, error) {
	return c.m.Do(ctx, struct{}{}, fetch)
}

// Forget is Map.Forget for the cell's one value.
func (c *Cell[V]) Forget() { c.m.Forget(struct{}{}) }
