// Package memo is the provider's one single-flight memo: a fetch runs at
// most once at a time per key, everyone who asks meanwhile waits for it,
// and its outcome is kept for the life of the memo (one Terraform command).
package memo

import (
	"context"
	"errors"
	"sync"
)

// Options say what a memo keeps.
type Options struct {
	// RememberFailures keeps a failed fetch's error for the life of the
	// memo (the Okta adapter's choice: a failure after the transport's
	// retries would only fail again, and spend the org's rate limit doing
	// so). When false, a failure is handed to the callers that waited for
	// that fetch and the next caller fetches again.
	RememberFailures bool
}

// Map is a keyed single-flight memo. Construct it with New.
type Map[K comparable, V any] struct {
	opts  Options
	mu    sync.Mutex
	kept  map[K]outcome[V]
	calls map[K]*call[V]
}

type outcome[V any] struct {
	val V
	err error
}

// call is one running fetch. Its context is detached from every caller's
// and cancelled only when all of them have given up.
type call[V any] struct {
	done    chan struct{}
	waiters int
	cancel  context.CancelFunc
	forgot  bool // Forget ran while it was running: do not keep it
	res     outcome[V]
}

// New returns an empty memo.
func New[K comparable, V any](opts Options) *Map[K, V] {
	return &Map[K, V]{opts: opts, kept: map[K]outcome[V]{}, calls: map[K]*call[V]{}}
}

// Do returns the kept outcome for key, or waits for the running fetch, or
// starts fetch. A caller whose ctx ends gets ctx.Err() at once; the fetch
// goes on for the others and is cancelled when nobody waits for it any
// more. A fetch that ended that way is never kept.
func (m *Map[K, V]) Do(ctx context.Context, key K, fetch func(context.Context) (V, error)) (V, error) {
	m.mu.Lock()
	if o, ok := m.kept[key]; ok {
		m.mu.Unlock()
		return o.val, o.err
	}
	c := m.calls[key]
	if c == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &call[V]{done: make(chan struct{}), cancel: cancel}
		m.calls[key] = c
		go m.run(fctx, key, c, fetch)
	}
	c.waiters++
	m.mu.Unlock()

	select {
	case <-c.done:
		return c.res.val, c.res.err
	case <-ctx.Done():
		m.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			c.cancel()
			if m.calls[key] == c {
				delete(m.calls, key) // the next caller starts afresh
			}
		}
		m.mu.Unlock()
		var zero V
		return zero, ctx.Err()
	}
}

func (m *Map[K, V]) run(fctx context.Context, key K, c *call[V], fetch func(context.Context) (V, error)) {
	v, err := fetch(fctx)
	m.mu.Lock()
	c.res = outcome[V]{v, err}
	abandoned := fctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	if !abandoned && !c.forgot && (err == nil || m.opts.RememberFailures) {
		m.kept[key] = c.res
	}
	if m.calls[key] == c {
		delete(m.calls, key)
	}
	m.mu.Unlock()
	c.cancel()
	close(c.done)
}

// Forget drops what is kept for key. A fetch running for key finishes for
// its waiters but is not kept.
func (m *Map[K, V]) Forget(key K) {
	m.ForgetFunc(func(k K) bool { return k == key })
}

// ForgetFunc drops every key for which drop reports true, kept or running.
func (m *Map[K, V]) ForgetFunc(drop func(K) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.kept {
		if drop(k) {
			delete(m.kept, k)
		}
	}
	for k, c := range m.calls {
		if drop(k) {
			c.forgot = true
			delete(m.calls, k)
		}
	}
}

// Cell is a memo of one value, read once per process.
type Cell[V any] struct{ m *Map[struct{}, V] }

// NewCell returns an empty cell.
func NewCell[V any](opts Options) *Cell[V] { return &Cell[V]{m: New[struct{}, V](opts)} }

// Do is Map.Do for the cell's one value.
func (c *Cell[V]) Do(ctx context.Context, fetch func(context.Context) (V, error)) (V, error) {
	return c.m.Do(ctx, struct{}{}, fetch)
}

// Forget drops the kept value.
func (c *Cell[V]) Forget() { c.m.Forget(struct{}{}) }
