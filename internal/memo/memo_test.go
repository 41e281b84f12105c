package memo

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var errDown = errors.New("down")

// TestConcurrentCallersShareOneFetch: callers that arrive while a fetch
// runs wait for it; the success is kept.
func TestConcurrentCallersShareOneFetch(t *testing.T) {
	m := New[string, int](Options{})
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func(context.Context) (int, error) {
		calls.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	results := make(chan int, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := m.Do(context.Background(), "k", fetch)
			if err != nil {
				t.Error(err)
			}
			results <- v
		}()
	}
	waitFor(t, func() bool { return waiters(m, "k") == 8 })
	close(release)
	wg.Wait()
	close(results)
	for v := range results {
		if v != 42 {
			t.Errorf("got %d", v)
		}
	}
	if v, _ := m.Do(context.Background(), "k", fetch); v != 42 || calls.Load() != 1 {
		t.Fatalf("kept value %d after %d fetches, want 42 after 1", v, calls.Load())
	}
}

// TestFailuresKeptOnlyWhenAsked: the option decides whether an error is
// the memo's answer from then on.
func TestFailuresKeptOnlyWhenAsked(t *testing.T) {
	for _, remember := range []bool{false, true} {
		m := New[string, int](Options{RememberFailures: remember})
		calls := 0
		fetch := func(context.Context) (int, error) {
			calls++
			if calls == 1 {
				return 0, errDown
			}
			return 7, nil
		}
		if _, err := m.Do(context.Background(), "k", fetch); !errors.Is(err, errDown) {
			t.Fatalf("first call: %v", err)
		}
		v, err := m.Do(context.Background(), "k", fetch)
		switch {
		case remember && (!errors.Is(err, errDown) || calls != 1):
			t.Errorf("remembering failures: %d, %v after %d fetches; want the kept error after 1", v, err, calls)
		case !remember && (err != nil || v != 7 || calls != 2):
			t.Errorf("not remembering failures: %d, %v after %d fetches; want 7 after 2", v, err, calls)
		}
	}
}

// TestAbandonedFetchIsCancelledAndNotKept: when every caller gives up, the
// fetch's context ends, its goroutine returns, and the next caller fetches
// again.
func TestAbandonedFetchIsCancelledAndNotKept(t *testing.T) {
	m := New[string, int](Options{RememberFailures: true})
	before := runtime.NumGoroutine()
	ended := make(chan struct{})
	started := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	_, err := m.Do(ctx, "k", func(fctx context.Context) (int, error) {
		close(started)
		<-fctx.Done()
		close(ended)
		return 0, fctx.Err()
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned caller got %v", err)
	}
	<-ended // the fetch saw its context end
	waitFor(t, func() bool { return runtime.NumGoroutine() <= before })
	v, err := m.Do(context.Background(), "k", func(context.Context) (int, error) { return 3, nil })
	if err != nil || v != 3 {
		t.Fatalf("after an abandoned fetch: %d, %v; want a new fetch", v, err)
	}
}

// TestOneCallerGivingUpDoesNotCancelOthers.
func TestOneCallerGivingUpDoesNotCancelOthers(t *testing.T) {
	m := New[string, int](Options{})
	release := make(chan struct{})
	fetch := func(fctx context.Context) (int, error) {
		select {
		case <-release:
			return 5, nil
		case <-fctx.Done():
			return 0, fctx.Err()
		}
	}
	patient := make(chan error, 1)
	go func() {
		_, err := m.Do(context.Background(), "k", fetch)
		patient <- err
	}()
	waitFor(t, func() bool { return waiters(m, "k") == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	impatient := make(chan error, 1)
	go func() {
		_, err := m.Do(ctx, "k", fetch)
		impatient <- err
	}()
	waitFor(t, func() bool { return waiters(m, "k") == 2 })
	cancel()
	if err := <-impatient; !errors.Is(err, context.Canceled) {
		t.Fatalf("impatient caller: %v", err)
	}
	close(release)
	if err := <-patient; err != nil {
		t.Fatalf("the other caller's fetch was cancelled: %v", err)
	}
}

// TestForget: forgetting a kept key, or a running one, makes the next
// caller fetch again; other keys are untouched.
func TestForget(t *testing.T) {
	m := New[string, int](Options{})
	calls := map[string]int{}
	var mu sync.Mutex
	fetch := func(k string) func(context.Context) (int, error) {
		return func(context.Context) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			calls[k]++
			return calls[k], nil
		}
	}
	ctx := context.Background()
	m.Do(ctx, "a/1", fetch("a/1"))
	m.Do(ctx, "a/2", fetch("a/2"))
	m.Do(ctx, "b/1", fetch("b/1"))
	m.Forget("a/1")
	if v, _ := m.Do(ctx, "a/1", fetch("a/1")); v != 2 {
		t.Errorf("forgotten key: %d, want a second fetch", v)
	}
	m.ForgetFunc(func(k string) bool { return k[0] == 'a' })
	a2, _ := m.Do(ctx, "a/2", fetch("a/2"))
	b1, _ := m.Do(ctx, "b/1", fetch("b/1"))
	if a2 != 2 || b1 != 1 {
		t.Errorf("after ForgetFunc: a/2 %d (want 2), b/1 %d (want 1)", a2, b1)
	}

	// Forget while a fetch runs: its waiter gets the result, nothing is kept.
	release := make(chan struct{})
	got := make(chan int, 1)
	go func() {
		v, _ := m.Do(ctx, "c", func(context.Context) (int, error) { <-release; return 1, nil })
		got <- v
	}()
	waitFor(t, func() bool { return waiters(m, "c") == 1 })
	m.Forget("c")
	close(release)
	if v := <-got; v != 1 {
		t.Fatalf("waiter got %d", v)
	}
	if v, _ := m.Do(ctx, "c", func(context.Context) (int, error) { return 2, nil }); v != 2 {
		t.Errorf("a fetch forgotten while running was kept: %d", v)
	}
}

func TestCell(t *testing.T) {
	c := NewCell[string](Options{})
	n := 0
	fetch := func(context.Context) (string, error) { n++; return "v", nil }
	c.Do(context.Background(), fetch)
	c.Do(context.Background(), fetch)
	c.Forget()
	c.Do(context.Background(), fetch)
	if n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
}

func waiters[K comparable, V any](m *Map[K, V], k K) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c := m.calls[k]; c != nil {
		return c.waiters
	}
	return 0
}

// waitFor polls cond, a bounded number of times: an ordering aid, not a
// timing assertion.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("condition never held")
}
