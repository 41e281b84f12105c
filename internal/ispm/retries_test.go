package ispm_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
)

// The hint of a rate-limited or failed call says what the transport did:
// how many attempts, and why it stopped. "Retries were exhausted" is true
// only when they were.
func TestErrorsSayWhatTheRetriesDid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		faults     ispmsim.Faults
		maxRetries int
		attempts   int
		say        string
	}{
		{
			name:       "a Retry-After over the cap is not waited for",
			faults:     ispmsim.Faults{RateLimitNext: 1, RetryAfter: ispmsim.Duration(10 * time.Minute)},
			maxRetries: 5,
			attempts:   1,
			say:        "ISPM is rate limiting this token. No retry was made after 1 attempt: the server asked to wait 10m0s, longer than the 1m15s the provider waits. Try again in 10m0s",
		},
		{
			name:       "max_retries = 0",
			faults:     ispmsim.Faults{RateLimitNext: 1},
			maxRetries: -1,
			attempts:   1,
			say:        "ISPM is rate limiting this token. No retry was made: retries are off (max_retries = 0). Try again later",
		},
		{
			name:       "retries used up",
			faults:     ispmsim.Faults{FailNext: 3, ErrorStatus: http.StatusBadGateway},
			maxRetries: 2,
			attempts:   3,
			say:        "ISPM answered with a server error. Each of 3 attempts failed: all 2 retries allowed (max_retries) were made. Try again later.",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			if err := f.svc.SetFaults(tc.faults); err != nil {
				t.Fatal(err)
			}
			_, err := f.newClient(t, token, tc.maxRetries).ListSources(context.Background(), ispm.SourceFilter{})
			ae, ok := ispm.AsAPIError(err)
			if !ok {
				t.Fatalf("err %v, want an *APIError", err)
			}
			if !strings.Contains(err.Error(), tc.say) {
				t.Errorf("error %q\ndoes not say %q", err, tc.say)
			}
			if tc.attempts == 1 && strings.Contains(err.Error(), "exhausted") {
				t.Errorf("error %q speaks of exhausted retries after one attempt", err)
			}
			if n := f.svc.RequestCounts()["GET /api/v1/sources"]; n != tc.attempts || ae.Outcome.Attempts != tc.attempts {
				t.Errorf("the server saw %d attempts, the error counts %d; want %d", n, ae.Outcome.Attempts, tc.attempts)
			}
		})
	}
}

// With max_retries = 0 a create whose answer is lost is sent once: net/http
// must not replay it on its own because it carries an Idempotency-Key
// (it does so, silently, when a reused keep-alive connection breaks).
func TestLostCreateAnswerIsSentOnceWithoutRetries(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ctx := context.Background()
	c := f.newClient(t, token, -1)
	// A first call leaves an idle keep-alive connection for the create.
	if _, err := c.ListSources(ctx, ispm.SourceFilter{}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetFaults(ispmsim.Faults{DropResponseNext: 1, Methods: []string{"POST"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}, IdempotencyKey: "plan-lost-1"})
	if err == nil {
		t.Error("the lost answer was replaced by a second send's answer")
	}
	if n := f.svc.RequestCounts()["POST /api/v1/sources"]; n != 1 {
		t.Errorf("the create was sent %d times, want 1 (no retries)", n)
	}
	// With retries on, the same loss costs exactly one retry, which the
	// key makes safe.
	f = newFixture(t, nil)
	if err := f.svc.SetFaults(ispmsim.Faults{DropResponseNext: 1, Methods: []string{"POST"}}); err != nil {
		t.Fatal(err)
	}
	c = f.newClient(t, token, 1)
	if _, err := c.ListSources(ctx, ispm.SourceFilter{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}, IdempotencyKey: "plan-lost-2"}); err != nil {
		t.Fatalf("one retry should ride out one lost answer: %v", err)
	}
	if n := f.svc.RequestCounts()["POST /api/v1/sources"]; n != 2 {
		t.Errorf("the create was sent %d times, want 2 (the first and one retry)", n)
	}
}
