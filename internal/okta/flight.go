package okta

import (
	"context"
	"sync"
)

// flight runs a fetch once for everyone who asks, concurrently or later,
// and remembers its outcome, success or failure, for the life of the
// process: a failure after the transport's retries would only fail again
// and spend the org's rate limit doing so. The fetch runs on its own
// context, cancelled only when every caller waiting for it has given up;
// an abandoned fetch is not remembered, so the next caller starts afresh.
type flight[T any] struct {
	mu   sync.Mutex
	done bool
	val  T
	err  error
	call *flightCall[T]
}

type flightCall[T any] struct {
	finished chan struct{}
	waiters  int
	cancel   context.CancelFunc
	val      T
	err      error
}

func (f *flight[T]) do(ctx context.Context, fetch func(context.Context) (T, error)) (T, error) {
	f.mu.Lock()
	if f.done {
		defer f.mu.Unlock()
		return f.val, f.err
	}
	c := f.call
	if c == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &flightCall[T]{finished: make(chan struct{}), cancel: cancel}
		f.call = c
		go func() {
			v, err := fetch(fctx)
			f.mu.Lock()
			c.val, c.err = v, err
			if fctx.Err() == nil {
				f.done, f.val, f.err = true, v, err
			}
			if f.call == c {
				f.call = nil
			}
			f.mu.Unlock()
			cancel()
			close(c.finished)
		}()
	}
	c.waiters++
	f.mu.Unlock()

	select {
	case <-c.finished:
		return c.val, c.err
	case <-ctx.Done():
		f.mu.Lock()
		c.waiters--
		if c.waiters == 0 {
			// Nobody wants the answer any more: stop the fetch, and let
			// the next caller start a new one.
			c.cancel()
			if f.call == c {
				f.call = nil
			}
		}
		f.mu.Unlock()
		var zero T
		return zero, ctx.Err()
	}
}
