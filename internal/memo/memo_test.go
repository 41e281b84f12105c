package memo

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// Every test runs in a synctest bubble: synctest.Wait sequences the
// goroutines (it returns once all of them are blocked, e.g. waiting in Do),
// so nothing is timed, and synctest.Test fails if any goroutine, such as a
// fetch nobody cancelled, is still blocked when the test ends.

var errDown = errors.New("okta answered 500")

// gate is a fetch that counts its calls and returns val, err once released,
// or its context's error if that ends first.
type gate[V any] struct {
	calls   atomic.Int32
	release chan struct{}
	val     V
	err     error
}

func newGate[V any](val V, err error) *gate[V] {
	return &gate[V]{release: make(chan struct{}), val: val, err: err}
}

func (g *gate[V]) fetch(ctx context.Context) (V, error) {
	g.calls.Add(1)
	select {
	case <-g.release:
		return g.val, g.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// async runs m.Do in a goroutine; the channel has its answer.
func async[K comparable, V any](ctx context.Context, m *Map[K, V], key K, fetch func(context.Context) (V, error)) <-chan result[V] {
	out := make(chan result[V], 1)
	go func() {
		v, err := m.Do(ctx, key, fetch)
		out <- result[V]{v, err}
	}()
	return out
}

func want[V comparable](t *testing.T, what string, got result[V], val V, err error) {
	t.Helper()
	if got.val != val || !errors.Is(got.err, err) || (err == nil && got.err != nil) {
		t.Errorf("%s: got %v, %v; want %v, %v", what, got.val, got.err, val, err)
	}
}

func do[K comparable, V any](m *Map[K, V], key K, fetch func(context.Context) (V, error)) result[V] {
	v, err := m.Do(context.Background(), key, fetch)
	return result[V]{v, err}
}

func TestConcurrentCallersShareOneFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New[string, int](Options{})
		g := newGate(42, nil)
		var answers []<-chan result[int]
		for range 32 {
			answers = append(answers, async(context.Background(), m, "k", g.fetch))
		}
		synctest.Wait()
		if n := g.calls.Load(); n != 1 {
			t.Fatalf("32 concurrent callers started %d fetches", n)
		}
		close(g.release)
		for _, a := range answers {
			want(t, "waiting caller", <-a, 42, nil)
		}
		// The success is kept: a later caller does not fetch.
		want(t, "later caller", do(m, "k", g.fetch), 42, nil)
		if n := g.calls.Load(); n != 1 {
			t.Errorf("fetched %d times", n)
		}
	})
}

func TestFailures(t *testing.T) {
	for _, remember := range []bool{true, false} {
		t.Run(map[bool]string{true: "remembered", false: "forgotten"}[remember], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := New[string, int](Options{RememberFailures: remember})
				g := newGate(0, errDown)
				a1 := async(context.Background(), m, "k", g.fetch)
				a2 := async(context.Background(), m, "k", g.fetch)
				synctest.Wait()
				close(g.release)
				// Either way, everyone who waited for the fetch gets its failure.
				want(t, "first waiter", <-a1, 0, errDown)
				want(t, "second waiter", <-a2, 0, errDown)

				ok := newGate(7, nil)
				close(ok.release)
				got := do(m, "k", ok.fetch)
				if remember {
					want(t, "after a remembered failure", got, 0, errDown)
					if ok.calls.Load() != 0 {
						t.Error("a remembered failure was fetched again")
					}
					return
				}
				want(t, "after a failure not remembered", got, 7, nil)
				// The success that followed is kept.
				want(t, "later", do(m, "k", ok.fetch), 7, nil)
				if g.calls.Load() != 1 || ok.calls.Load() != 1 {
					t.Errorf("fetched %d then %d times, want once each", g.calls.Load(), ok.calls.Load())
				}
			})
		})
	}
}

func TestAbandonedFetchIsCancelledAndNotKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// RememberFailures: the fetch's context error must still not be kept.
		m := New[string, string](Options{RememberFailures: true})
		stopped := make(chan error, 1)
		fetch := func(ctx context.Context) (string, error) {
			<-ctx.Done()
			stopped <- ctx.Err()
			return "", ctx.Err()
		}
		ctx1, cancel1 := context.WithCancel(context.Background())
		ctx2, cancel2 := context.WithCancel(context.Background())
		a1 := async(ctx1, m, "k", fetch)
		a2 := async(ctx2, m, "k", fetch)
		synctest.Wait()

		cancel1()
		want(t, "first caller to give up", <-a1, "", context.Canceled)
		synctest.Wait()
		select {
		case <-stopped:
			t.Fatal("the fetch was cancelled while a caller still waited")
		default:
		}

		cancel2()
		want(t, "last caller to give up", <-a2, "", context.Canceled)
		if err := <-stopped; !errors.Is(err, context.Canceled) {
			t.Fatalf("the abandoned fetch's context: %v", err)
		}

		fresh := newGate("fresh", nil)
		close(fresh.release)
		want(t, "after an abandoned fetch", do(m, "k", fresh.fetch), "fresh", nil)
		if fresh.calls.Load() != 1 {
			t.Error("no new fetch after an abandoned one")
		}
	})
}

// A fetch that ignores its cancellation and succeeds late is still not
// kept, and does not overwrite the fetch that replaced it.
func TestAbandonedFetchFinishingLateIsNotKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New[string, string](Options{RememberFailures: true})
		stale := newGate("stale", nil)
		stubborn := func(ctx context.Context) (string, error) {
			stale.calls.Add(1)
			<-stale.release
			return stale.val, nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		a := async(ctx, m, "k", stubborn)
		synctest.Wait()
		cancel()
		want(t, "abandoning caller", <-a, "", context.Canceled)

		fresh := newGate("fresh", nil)
		b := async(context.Background(), m, "k", fresh.fetch)
		synctest.Wait()
		if fresh.calls.Load() != 1 {
			t.Fatal("a new caller waited for the abandoned fetch")
		}
		close(stale.release)
		synctest.Wait() // the stale fetch has finished
		close(fresh.release)
		want(t, "new caller", <-b, "fresh", nil)
		want(t, "kept", do(m, "k", stubborn), "fresh", nil)
		if stale.calls.Load() != 1 {
			t.Errorf("%d stale fetches", stale.calls.Load())
		}
	})
}

func TestOneCallerGivingUpDoesNotCancelOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New[string, string](Options{})
		g := newGate("done", nil)
		// The caller who starts the fetch is the one who gives up.
		ctx, cancel := context.WithCancel(context.Background())
		starter := async(ctx, m, "k", g.fetch)
		synctest.Wait()
		patient := async(context.Background(), m, "k", g.fetch)
		synctest.Wait()
		cancel()
		want(t, "impatient caller", <-starter, "", context.Canceled)
		close(g.release)
		want(t, "patient caller", <-patient, "done", nil)
		want(t, "kept", do(m, "k", g.fetch), "done", nil)
		if g.calls.Load() != 1 {
			t.Errorf("fetched %d times", g.calls.Load())
		}
	})
}

// The fetch's context keeps the starting caller's values but neither its
// deadline nor its cancellation: the starter's deadline passing leaves the
// fetch running for the others.
func TestFetchContextIsDetached(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type key struct{}
		m := New[string, string](Options{})
		ctx, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Hour)
		defer cancel()
		hasDeadline := make(chan bool, 1)
		release := make(chan struct{})
		fetch := func(fctx context.Context) (string, error) {
			_, ok := fctx.Deadline()
			hasDeadline <- ok
			select {
			case <-release:
				v, _ := fctx.Value(key{}).(string)
				return v, nil
			case <-fctx.Done():
				return "", fctx.Err()
			}
		}
		starter := async(ctx, m, "k", fetch)
		if <-hasDeadline {
			t.Error("the fetch inherited the caller's deadline")
		}
		patient := async(context.Background(), m, "k", fetch)
		synctest.Wait()
		time.Sleep(time.Hour) // the bubble's clock: the starter's deadline passes
		want(t, "starter past its deadline", <-starter, "", context.DeadlineExceeded)
		close(release)
		want(t, "patient caller", <-patient, "v", nil)
	})
}

// A caller who has already given up gets its error and starts nothing,
// but a kept answer is still an answer.
func TestCallerAlreadyDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New[string, int](Options{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		g := newGate(1, nil)
		close(g.release)
		_, err := m.Do(ctx, "k", g.fetch)
		synctest.Wait() // a fetch, had one started, has run
		if !errors.Is(err, context.Canceled) || g.calls.Load() != 0 {
			t.Fatalf("got %v after %d fetches", err, g.calls.Load())
		}
		do(m, "k", g.fetch)
		if v, err := m.Do(ctx, "k", g.fetch); v != 1 || err != nil {
			t.Errorf("kept answer for a done caller: %d, %v", v, err)
		}
	})
}

func TestForgetAfterFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New[string, int](Options{RememberFailures: true})
		var mu sync.Mutex
		calls := map[string]int{}
		fetch := func(k string) func(context.Context) (int, error) {
			return func(context.Context) (int, error) {
				mu.Lock()
				defer mu.Unlock()
				calls[k]++
				if k == "a/bad" {
					return 0, errDown
				}
				return calls[k], nil
			}
		}
		for _, k := range []string{"a/1", "a/2", "a/bad", "b/1"} {
			do(m, k, fetch(k))
		}
		m.Forget("a/1")
		want(t, "forgotten key", do(m, "a/1", fetch("a/1")), 2, nil)
		want(t, "other key", do(m, "a/2", fetch("a/2")), 1, nil)

		m.ForgetFunc(func(k string) bool { return strings.HasPrefix(k, "a/") })
		want(t, "a/1 after ForgetFunc", do(m, "a/1", fetch("a/1")), 3, nil)
		want(t, "a/2 after ForgetFunc", do(m, "a/2", fetch("a/2")), 2, nil)
		want(t, "a kept failure after ForgetFunc", do(m, "a/bad", fetch("a/bad")), 0, errDown)
		want(t, "b/1 after ForgetFunc", do(m, "b/1", fetch("b/1")), 1, nil)
		if calls["a/bad"] != 2 {
			t.Errorf("a forgotten failure was fetched %d times, want 2", calls["a/bad"])
		}
		m.Forget("never seen") // no-op
	})
}

// Forget while a fetch runs: its waiters get its result, it is not kept,
// and the next caller starts a fetch of its own rather than waiting for one
// that began before the forget.
func TestForgetDuringFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New[string, int](Options{})
		old := newGate(1, nil)
		a := async(context.Background(), m, "k", old.fetch)
		synctest.Wait()
		m.Forget("k")

		fresh := newGate(2, nil)
		b := async(context.Background(), m, "k", fresh.fetch)
		synctest.Wait()
		if fresh.calls.Load() != 1 {
			t.Fatal("the caller after Forget joined the forgotten fetch")
		}
		close(old.release)
		want(t, "waiter of the forgotten fetch", <-a, 1, nil)
		close(fresh.release)
		want(t, "caller after Forget", <-b, 2, nil)
		want(t, "kept", do(m, "k", old.fetch), 2, nil)
		if old.calls.Load() != 1 || fresh.calls.Load() != 1 {
			t.Errorf("fetches: %d old, %d fresh", old.calls.Load(), fresh.calls.Load())
		}
	})
}

// When the waiters of a forgotten fetch give up, it is cancelled, and the
// fetch that replaced it is not.
func TestAbandoningAForgottenFetchLeavesItsSuccessor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New[string, int](Options{})
		old := newGate(1, nil)
		ctx, cancel := context.WithCancel(context.Background())
		a := async(ctx, m, "k", old.fetch)
		synctest.Wait()
		m.Forget("k")
		fresh := newGate(2, nil)
		b := async(context.Background(), m, "k", fresh.fetch)
		synctest.Wait()
		cancel() // ends the old fetch (else synctest reports it blocked)
		want(t, "gave up", <-a, 0, context.Canceled)
		close(fresh.release)
		want(t, "successor", <-b, 2, nil)
		want(t, "kept", do(m, "k", fresh.fetch), 2, nil)
		if fresh.calls.Load() != 1 {
			t.Errorf("the successor was fetched %d times: giving up on the old fetch dropped it", fresh.calls.Load())
		}
	})
}

func TestForgetFuncDuringFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New[string, int](Options{})
		ga, gb := newGate(1, nil), newGate(1, nil)
		a := async(context.Background(), m, "a", ga.fetch)
		b := async(context.Background(), m, "b", gb.fetch)
		synctest.Wait()
		m.ForgetFunc(func(k string) bool { return k == "a" })
		close(ga.release)
		close(gb.release)
		want(t, "a's waiter", <-a, 1, nil)
		want(t, "b's waiter", <-b, 1, nil)

		again := newGate(2, nil)
		close(again.release)
		want(t, "a, forgotten while running", do(m, "a", again.fetch), 2, nil)
		want(t, "b, kept", do(m, "b", again.fetch), 1, nil)
		if again.calls.Load() != 1 {
			t.Errorf("%d fetches after ForgetFunc, want 1 (for a)", again.calls.Load())
		}
	})
}

func TestKeysAreIndependent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := New[string, int](Options{})
		slow := newGate(1, nil)
		s := async(context.Background(), m, "slow", slow.fetch)
		ctx, cancel := context.WithCancel(context.Background())
		abandoned := async(ctx, m, "abandoned", newGate(0, nil).fetch)
		synctest.Wait()

		// Another key neither waits for a running fetch (that would leave
		// this goroutine blocked forever, which synctest reports) nor shares
		// its outcome or its failure.
		bad := newGate(0, errDown)
		close(bad.release)
		want(t, "failing key", do(m, "bad", bad.fetch), 0, errDown)
		good := newGate(2, nil)
		close(good.release)
		want(t, "other key", do(m, "good", good.fetch), 2, nil)

		// Abandoning one key's fetch leaves the others running.
		cancel()
		want(t, "abandoned key", <-abandoned, 0, context.Canceled)
		close(slow.release)
		want(t, "slow key", <-s, 1, nil)
		want(t, "good key kept", do(m, "good", bad.fetch), 2, nil)
	})
}

func TestCell(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := NewCell[string](Options{RememberFailures: true})
		g := newGate("v", nil)
		a1 := make(chan result[string], 2)
		for range 2 {
			go func() {
				v, err := c.Do(context.Background(), g.fetch)
				a1 <- result[string]{v, err}
			}()
		}
		synctest.Wait()
		close(g.release)
		want(t, "first", <-a1, "v", nil)
		want(t, "second", <-a1, "v", nil)
		if v, err := c.Do(context.Background(), g.fetch); v != "v" || err != nil || g.calls.Load() != 1 {
			t.Fatalf("kept: %q, %v after %d fetches", v, err, g.calls.Load())
		}

		c.Forget()
		bad := newGate("", errDown)
		close(bad.release)
		for range 2 {
			if _, err := c.Do(context.Background(), bad.fetch); !errors.Is(err, errDown) {
				t.Errorf("after Forget: %v", err)
			}
		}
		if bad.calls.Load() != 1 {
			t.Errorf("a remembered failure was fetched %d times", bad.calls.Load())
		}
	})
}
