package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// holdingBase holds each request for hold (as a rate-limit pacer does),
// then admits it and answers after answerIn, or never when answerIn < 0.
type holdingBase struct {
	hold, answerIn time.Duration
	sent           int
}

func (b *holdingBase) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	select {
	case <-time.After(b.hold):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	Admitted(ctx)
	b.sent++
	if b.answerIn < 0 {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	select {
	case <-time.After(b.answerIn):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("{}")), Header: http.Header{}, Request: req}, nil
}

func doGet(ctx context.Context, c *http.Client, url string) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := c.Do(req)
	if err == nil {
		_ = resp.Body.Close()
	}
	return resp, err
}

// A Base that holds a request longer than RequestTimeout before sending it
// does not make the attempt time out: the timeout starts on admission. It
// still bounds the wait for the answer, and the caller's context still
// bounds the hold.
func TestAdmissionStartsTheAttemptTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		base := &holdingBase{hold: 2 * time.Minute, answerIn: 20 * time.Second}
		c := NewClient(Options{MaxRetries: -1, RequestTimeout: 30 * time.Second, Base: base, AdmissionStartsTimeout: true})
		if _, err := doGet(context.Background(), c, "http://127.0.0.1:1/x"); err != nil || base.sent != 1 {
			t.Fatalf("held 2m, answered 20s after admission: err %v, sent %d", err, base.sent)
		}

		base = &holdingBase{hold: 2 * time.Minute, answerIn: -1}
		c = NewClient(Options{MaxRetries: -1, RequestTimeout: 30 * time.Second, Base: base, AdmissionStartsTimeout: true})
		began := time.Now()
		_, err := doGet(context.Background(), c, "http://127.0.0.1:1/x")
		if err == nil || !strings.Contains(err.Error(), "no answer within 30s") || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a server that never answers: %v", err)
		}
		if d := time.Since(began); d != 2*time.Minute+30*time.Second {
			t.Errorf("gave up after %s of bubble time, want the hold plus 30s", d)
		}

		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		base = &holdingBase{hold: 2 * time.Minute}
		c = NewClient(Options{MaxRetries: -1, RequestTimeout: 30 * time.Second, Base: base, AdmissionStartsTimeout: true})
		if _, err := doGet(ctx, c, "http://127.0.0.1:1/x"); !errors.Is(err, context.DeadlineExceeded) || base.sent != 0 {
			t.Errorf("the caller's deadline must end the hold: err %v, sent %d", err, base.sent)
		}

		// Without the option the timeout runs from the hand-over, as for
		// any base that sends at once.
		base = &holdingBase{hold: 2 * time.Minute, answerIn: time.Second}
		c = NewClient(Options{MaxRetries: -1, RequestTimeout: 30 * time.Second, Base: base})
		if _, err := doGet(context.Background(), c, "http://127.0.0.1:1/x"); err == nil || base.sent != 0 {
			t.Errorf("without AdmissionStartsTimeout: err %v, sent %d", err, base.sent)
		}
	})
}

// Okta's 423 "… Please try again later." is retried after the wait its
// headers name, like a 429.
func TestLockedIsRetriedAfterItsWait(t *testing.T) {
	t.Parallel()
	srv, n := scripted(t, []int{423, 200}, func(w http.ResponseWriter, i int) {
		if i == 0 {
			w.Header().Set("Retry-After", "3")
		}
	})
	c, rs := newTestClient(t, Options{MaxRetries: 2})
	resp := get(t, c, srv.URL)
	if resp.StatusCode != 200 || n.Load() != 2 {
		t.Fatalf("status %d after %d attempts, want 200 after 2", resp.StatusCode, n.Load())
	}
	if len(rs.waits) != 1 || rs.waits[0] < 3*time.Second || rs.waits[0] > 4*time.Second {
		t.Errorf("waits %v, want one of about 3s", rs.waits)
	}
}

// The Outcome tells a caller how many attempts were made and why they
// stopped.
func TestOutcomeReportsWhyRetriesStopped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		header   map[string]string
		o        Options
		attempts int
		stop     Stop
		say      string
	}{
		{"answered", 404, nil, Options{MaxRetries: 3}, 1, StopAnswered, ""},
		{"retries off", 503, nil, Options{MaxRetries: -1}, 1, StopRetriesOff, "retries are off"},
		{"exhausted", 500, nil, Options{MaxRetries: 2}, 3, StopRetriesExhausted, "Each of 3 attempts failed: all 2 retries"},
		{"wait too long", 429, map[string]string{"Retry-After": "600"}, Options{MaxRetries: 3}, 1, StopWaitTooLong, "asked to wait 10m0s, longer than the 1m15s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, n := scripted(t, []int{tc.status}, func(w http.ResponseWriter, _ int) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
			})
			c, _ := newTestClient(t, tc.o)
			ctx, out := WithOutcome(context.Background())
			if _, err := doGet(ctx, c, srv.URL); err != nil {
				t.Fatal(err)
			}
			if out.Attempts != tc.attempts || int(n.Load()) != tc.attempts || out.Stop != tc.stop {
				t.Errorf("outcome %+v, server saw %d; want %d attempts, stop %d", *out, n.Load(), tc.attempts, tc.stop)
			}
			if got := out.Retried(); !strings.Contains(got, tc.say) || (tc.say == "" && got != "") {
				t.Errorf("Retried() = %q, want it to say %q", got, tc.say)
			}
		})
	}
}
