package httpx

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// The per-attempt timeout measures how long a server takes to answer. A
// Base transport that holds requests before sending them (the Okta pacer
// waits for a rate-limit window) must not have that wait counted: a wait of
// a minute would otherwise end every attempt before it was sent, and be
// retried as if the server had not answered. Such a transport sets
// Options.AdmissionStartsTimeout and calls Admitted when it lets a request
// go; the caller's own context bounds the wait.

// errAttemptTimedOut is the cancellation cause of an attempt whose
// timeout ran out.
var errAttemptTimedOut = errors.New("attempt timed out")

type attemptTimerKey struct{}

// attemptTimer cancels one attempt's context RequestTimeout after it is
// started.
type attemptTimer struct {
	d      time.Duration
	cancel context.CancelCauseFunc

	mu      sync.Mutex
	timer   *time.Timer
	stopped bool
}

func (a *attemptTimer) start() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.timer != nil || a.stopped {
		return
	}
	a.timer = time.AfterFunc(a.d, func() { a.cancel(errAttemptTimedOut) })
}

// stop ends the attempt: its timer, and its context.
func (a *attemptTimer) stop() {
	a.mu.Lock()
	a.stopped = true
	if a.timer != nil {
		a.timer.Stop()
	}
	a.mu.Unlock()
	a.cancel(nil)
}

// Admitted starts the per-attempt timeout of the request whose context is
// ctx, when the Transport left it to its Base (AdmissionStartsTimeout). It
// is a no-op for any other context, and when called twice.
func Admitted(ctx context.Context) {
	if a, ok := ctx.Value(attemptTimerKey{}).(*attemptTimer); ok {
		a.start()
	}
}

// withAttemptTimer derives one attempt's context from parent. Unless the
// Base starts it on admission, the timeout runs from now.
func (t *Transport) withAttemptTimer(parent context.Context) (context.Context, *attemptTimer) {
	ctx, cancel := context.WithCancelCause(parent)
	a := &attemptTimer{d: t.o.RequestTimeout, cancel: cancel}
	if !t.o.AdmissionStartsTimeout {
		a.start()
	}
	return context.WithValue(ctx, attemptTimerKey{}, a), a
}

// timedOut reports whether an attempt's context ended because its own
// timeout ran out (not because the caller stopped).
func timedOut(ctx, parent context.Context) bool {
	return parent.Err() == nil && errors.Is(context.Cause(ctx), errAttemptTimedOut)
}

// Stop says why the transport made no further attempt after the last one.
type Stop int

// Reasons to stop.
const (
	// StopAnswered: the last attempt's outcome is not one to retry (a
	// success, or an answer a retry would not change).
	StopAnswered Stop = iota
	// StopRetriesExhausted: every retry allowed (MaxRetries) was made.
	StopRetriesExhausted
	// StopRetriesOff: retries are off (a negative MaxRetries).
	StopRetriesOff
	// StopNotRetryable: the request may not be sent twice (a POST without
	// an Idempotency-Key, or a body that cannot be read again).
	StopNotRetryable
	// StopWaitTooLong: the server asked for a longer wait than MaxWait.
	StopWaitTooLong
	// StopDeadline: the wait would have outlasted the caller's deadline.
	StopDeadline
	// StopCancelled: the caller's context ended.
	StopCancelled
)

// Outcome is what the retrying transport did with one call: how many
// attempts it sent and why it stopped. The transport fills it in before
// RoundTrip returns; read it after the call.
type Outcome struct {
	Attempts int
	Stop     Stop
	// Wait is the wait the server asked for, when Stop is StopWaitTooLong
	// or StopDeadline.
	Wait time.Duration
	// MaxRetries and MaxWait are the transport's settings.
	MaxRetries int
	MaxWait    time.Duration
}

type outcomeKey struct{}

// WithOutcome returns a context whose calls through a Transport report
// their Outcome into the returned value.
func WithOutcome(ctx context.Context) (context.Context, *Outcome) {
	o := new(Outcome)
	return context.WithValue(ctx, outcomeKey{}, o), o
}

func (t *Transport) report(ctx context.Context, attempts int, stop Stop, wait time.Duration) {
	if o, ok := ctx.Value(outcomeKey{}).(*Outcome); ok {
		*o = Outcome{Attempts: attempts, Stop: stop, Wait: wait, MaxRetries: t.o.MaxRetries, MaxWait: t.o.MaxWait}
	}
}

// Retried says, as a sentence, what the transport did about a failed
// answer: how many attempts were made and why no further one was. It is
// empty for a call that was not reported.
func (o Outcome) Retried() string {
	attempts := "1 attempt"
	if o.Attempts != 1 {
		attempts = fmt.Sprintf("%d attempts", o.Attempts)
	}
	switch o.Stop {
	case StopRetriesExhausted:
		if o.MaxRetries == 1 {
			return fmt.Sprintf("Each of %s failed: the one retry allowed (max_retries) was made.", attempts)
		}
		return fmt.Sprintf("Each of %s failed: all %d retries allowed (max_retries) were made.", attempts, o.MaxRetries)
	case StopRetriesOff:
		return "No retry was made: retries are off (max_retries = 0)."
	case StopNotRetryable:
		return "No retry was made: the request may not be sent twice."
	case StopWaitTooLong:
		return fmt.Sprintf("No retry was made after %s: the server asked to wait %s, longer than the %s the provider waits.", attempts, o.Wait.Round(time.Second), o.MaxWait.Round(time.Second))
	case StopDeadline:
		return fmt.Sprintf("No retry was made after %s: waiting the %s the server asked for would pass the operation's deadline.", attempts, o.Wait.Round(time.Second))
	case StopAnswered:
		if o.Attempts > 1 {
			return fmt.Sprintf("It was answered so after %s.", attempts)
		}
	}
	return ""
}
