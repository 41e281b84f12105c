package okta

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestFlightRunsOnceForConcurrentCallers(t *testing.T) {
	t.Parallel()
	var f flight[int]
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func(ctx context.Context) (int, error) {
		calls.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	started := make(chan struct{}, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started <- struct{}{}
			if v, err := f.do(context.Background(), fetch); v != 42 || err != nil {
				t.Errorf("got %d, %v", v, err)
			}
		}()
	}
	for range 32 {
		<-started
	}
	close(release)
	wg.Wait()
	if v, err := f.do(context.Background(), fetch); v != 42 || err != nil {
		t.Errorf("later caller got %d, %v", v, err)
	}
	if calls.Load() != 1 {
		t.Errorf("fetched %d times", calls.Load())
	}
}

func TestFlightRemembersFailures(t *testing.T) {
	t.Parallel()
	var f flight[int]
	var calls int
	boom := errors.New("okta answered 500")
	for range 3 {
		if _, err := f.do(context.Background(), func(context.Context) (int, error) { calls++; return 0, boom }); !errors.Is(err, boom) {
			t.Errorf("err %v", err)
		}
	}
	if calls != 1 {
		t.Errorf("a failed fetch ran %d times", calls)
	}
}

func TestFlightCancellation(t *testing.T) {
	t.Parallel()
	var f flight[string]
	fetchStarted := make(chan struct{})
	release := make(chan struct{})
	fetch := func(ctx context.Context) (string, error) {
		close(fetchStarted)
		select {
		case <-release:
			return "done", nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	// The first caller gives up; the second still gets the answer.
	ctx1, cancel1 := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := f.do(ctx1, fetch); first <- err }()
	<-fetchStarted
	second := make(chan string, 1)
	joined := make(chan struct{})
	go func() {
		close(joined)
		v, _ := f.do(context.Background(), fetch)
		second <- v
	}()
	<-joined
	// Let the second caller register before the first leaves.
	for {
		f.mu.Lock()
		n := 0
		if f.call != nil {
			n = f.call.waiters
		}
		f.mu.Unlock()
		if n == 2 {
			break
		}
	}
	cancel1()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("first caller: %v", err)
	}
	close(release)
	if v := <-second; v != "done" {
		t.Errorf("second caller got %q", v)
	}

	// When every caller gives up the fetch stops and is not remembered.
	var g flight[string]
	stopped := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := g.do(ctx, func(ctx context.Context) (string, error) {
			<-ctx.Done()
			close(stopped)
			return "", ctx.Err()
		})
		done <- err
	}()
	for {
		g.mu.Lock()
		running := g.call != nil
		g.mu.Unlock()
		if running {
			break
		}
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("abandoned fetch: %v", err)
	}
	<-stopped
	if v, err := g.do(context.Background(), func(context.Context) (string, error) { return "fresh", nil }); v != "fresh" || err != nil {
		t.Errorf("after an abandoned fetch: %q, %v", v, err)
	}
}
