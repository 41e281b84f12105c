package ispm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
)

// Problem types (RFC 9457 "type" members) of the ISPM sources API.
const (
	ProblemBadRequest           = "urn:ispm:problem:bad-request"
	ProblemUnauthorized         = "urn:ispm:problem:unauthorized"
	ProblemForbidden            = "urn:ispm:problem:forbidden"
	ProblemNotFound             = "urn:ispm:problem:not-found"
	ProblemMethodNotAllowed     = "urn:ispm:problem:method-not-allowed"
	ProblemSourceExists         = "urn:ispm:problem:source-exists"
	ProblemOrgNotConnected      = "urn:ispm:problem:org-not-connected"
	ProblemPayloadTooLarge      = "urn:ispm:problem:payload-too-large"
	ProblemUnsupportedMediaType = "urn:ispm:problem:unsupported-media-type"
	ProblemPrerequisitesUnmet   = "urn:ispm:problem:prerequisites-unmet"
	ProblemInvalidReference     = "urn:ispm:problem:invalid-reference"
	ProblemIdempotencyKeyReused = "urn:ispm:problem:idempotency-key-reused"
	ProblemRateLimited          = "urn:ispm:problem:rate-limited"
	ProblemInternal             = "urn:ispm:problem:internal"
	ProblemUnavailable          = "urn:ispm:problem:unavailable"
)

// ContentTypeProblem is the media type of error bodies.
const ContentTypeProblem = "application/problem+json"

// Problem is an RFC 9457 problem details body with this API's extension
// members.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
	// RequestID repeats the X-Request-Id response header.
	RequestID string `json:"request_id,omitempty"`
	// ExistingSourceID names the source that makes a create conflict.
	ExistingSourceID string `json:"existing_source_id,omitempty"`
	// RetryAfter repeats the Retry-After header, in seconds.
	RetryAfter *int `json:"retry_after,omitempty"`
	// Errors lists each problem of a 422, per instance where it is about
	// one.
	Errors []InstanceProblem `json:"errors,omitempty"`
}

// InstanceProblem is one reason a request could not be done.
type InstanceProblem struct {
	InstanceID   string       `json:"instance_id,omitempty"`
	Prerequisite Prerequisite `json:"prerequisite,omitempty"`
	// Field names the request field the problem is about when it is not
	// an instance (okta_org_id, app, instance_ids).
	Field  string `json:"field,omitempty"`
	Detail string `json:"detail"`
}

// ErrorKind classifies an API error so that callers can act on it without
// reading messages.
type ErrorKind string

// Error kinds.
const (
	// KindBadRequest: the client sent something the contract does not
	// allow (400, 405, 413, 415). A bug on our side, not the user's.
	KindBadRequest ErrorKind = "bad_request"
	// KindUnauthorized: the API token is missing, wrong or expired (401).
	KindUnauthorized ErrorKind = "unauthorized"
	// KindForbidden: the token may not do this (403).
	KindForbidden ErrorKind = "forbidden"
	// KindNotFound: the org, app or source does not exist (404).
	KindNotFound ErrorKind = "not_found"
	// KindConflict: the org already has a source for the app
	// (ExistingSourceID), or the org is not connected (409).
	KindConflict ErrorKind = "conflict"
	// KindValidation: the request cannot be done as asked (422); Problems
	// lists each reason.
	KindValidation ErrorKind = "validation"
	// KindRateLimited: too many requests, even after the retries (429).
	KindRateLimited ErrorKind = "rate_limited"
	// KindServer: the service failed (5xx), even after the retries.
	KindServer ErrorKind = "server"
	// KindInvalidResponse: the answer could not be understood (not JSON,
	// truncated, too large, missing required members, or a status the
	// contract does not know).
	KindInvalidResponse ErrorKind = "invalid_response"
)

// ErrNotFound matches (with errors.Is) every error that means "no such
// thing": a 404 from the API and a lookup that found nothing.
var ErrNotFound = errors.New("not found")

// APIError is an error answer of the ISPM API, or an answer that could not
// be understood. It never contains the API token.
type APIError struct {
	Kind       ErrorKind
	StatusCode int
	// Method and Path are the request's, without host or query.
	Method string
	Path   string
	// Type, Title, Detail and Instance are the problem details' members;
	// empty when the body was not problem details.
	Type     string
	Title    string
	Detail   string
	Instance string
	// RequestID identifies the request in the server's logs.
	RequestID string
	// ExistingSourceID is set on a create conflict.
	ExistingSourceID string
	// Problems lists each reason of a validation error.
	Problems []InstanceProblem
	// RetryAfter is how long the server asked to wait (rate limited or
	// unavailable); zero when it did not say.
	RetryAfter time.Duration
	// Err is the underlying decoding error of an invalid response.
	Err error
	// Outcome is what the retrying transport did before this answer: the
	// attempts made and why no further one was. Attempts is 0 when the
	// HTTP client did not report it.
	Outcome httpx.Outcome
}

// Error renders the error as sentences a user can act on.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ISPM API %s %s", e.Method, e.Path)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	switch {
	case e.Detail != "":
		fmt.Fprintf(&b, ": %s", e.Detail)
	case e.Title != "":
		fmt.Fprintf(&b, ": %s", e.Title)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	if !strings.HasSuffix(b.String(), ".") {
		b.WriteString(".")
	}
	for _, p := range e.Problems {
		b.WriteString(" ")
		b.WriteString(p.String())
	}
	if e.ExistingSourceID != "" {
		fmt.Fprintf(&b, " The existing source is %s.", e.ExistingSourceID)
	}
	if hint := e.hint(); hint != "" {
		b.WriteString(" ")
		b.WriteString(hint)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

func (e *APIError) hint() string {
	switch e.Kind {
	case KindUnauthorized:
		return "Check the ISPM API token (the provider's api_token or ISPM_API_TOKEN): it may be wrong, expired or revoked."
	case KindForbidden:
		return "The ISPM API token is valid but lacks the permission for this; use a token of an ISPM administrator."
	case KindRateLimited:
		// Say what was done, not what may have been: "retries were
		// exhausted" after a single attempt would send the user looking
		// at max_retries for nothing.
		again := "Try again later or lower the request rate."
		if e.RetryAfter > 0 {
			again = fmt.Sprintf("Try again in %s or lower the request rate.", e.RetryAfter.Round(time.Second))
		}
		return joinSentences("ISPM is rate limiting this token.", e.Outcome.Retried(), again)
	case KindServer:
		return joinSentences("ISPM answered with a server error.", e.Outcome.Retried(), "Try again later.")
	case KindBadRequest:
		return "This is a bug in the ISPM client; please report it with the request id."
	}
	return ""
}

func joinSentences(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " ")
}

// Is makes errors.Is(err, ErrNotFound) true for a not-found API error.
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.Kind == KindNotFound
}

// Unwrap returns the underlying decoding error, if any.
func (e *APIError) Unwrap() error { return e.Err }

// String renders one problem as a sentence.
func (p InstanceProblem) String() string {
	var subject string
	switch {
	case p.InstanceID != "" && p.Prerequisite != "":
		subject = fmt.Sprintf("Instance %s fails %s", p.InstanceID, p.Prerequisite)
	case p.InstanceID != "":
		subject = fmt.Sprintf("Instance %s", p.InstanceID)
	case p.Prerequisite != "":
		subject = fmt.Sprintf("Prerequisite %s", p.Prerequisite)
	case p.Field != "":
		subject = fmt.Sprintf("Field %s", p.Field)
	}
	s := p.Detail
	if subject != "" {
		s = subject + ": " + p.Detail
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// AsAPIError returns the *APIError in err's chain.
func AsAPIError(err error) (*APIError, bool) {
	var e *APIError
	ok := errors.As(err, &e)
	return e, ok
}

func isKind(err error, k ErrorKind) bool {
	e, ok := AsAPIError(err)
	return ok && e.Kind == k
}

// IsNotFound reports whether err means the org, app or source does not
// exist.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsConflict reports a 409: a second source for the same org and app (see
// ExistingSourceID) or an org that is not connected.
func IsConflict(err error) bool { return isKind(err, KindConflict) }

// IsValidation reports a 422 (see Problems).
func IsValidation(err error) bool { return isKind(err, KindValidation) }

// IsUnauthorized reports a 401.
func IsUnauthorized(err error) bool { return isKind(err, KindUnauthorized) }

// IsForbidden reports a 403.
func IsForbidden(err error) bool { return isKind(err, KindForbidden) }

// IsRateLimited reports a 429 left after the retries (see RetryAfter).
func IsRateLimited(err error) bool { return isKind(err, KindRateLimited) }

// IsServer reports a 5xx left after the retries.
func IsServer(err error) bool { return isKind(err, KindServer) }

// IsInvalidResponse reports an answer that could not be understood.
func IsInvalidResponse(err error) bool { return isKind(err, KindInvalidResponse) }

// ExistingSourceID returns the id of the source a create conflicted with.
func ExistingSourceID(err error) (string, bool) {
	e, ok := AsAPIError(err)
	if !ok || e.Kind != KindConflict || e.ExistingSourceID == "" {
		return "", false
	}
	return e.ExistingSourceID, true
}

// IsOrgNotConnected reports that ISPM knows the org but cannot read it.
func IsOrgNotConnected(err error) bool {
	e, ok := AsAPIError(err)
	return ok && e.Type == ProblemOrgNotConnected
}

// IsIdempotencyKeyReused reports a create whose Idempotency-Key was
// already used with a different body.
func IsIdempotencyKeyReused(err error) bool {
	e, ok := AsAPIError(err)
	return ok && e.Type == ProblemIdempotencyKeyReused
}

func kindForStatus(status int) ErrorKind {
	switch {
	case status == http.StatusUnauthorized:
		return KindUnauthorized
	case status == http.StatusForbidden:
		return KindForbidden
	case status == http.StatusNotFound:
		return KindNotFound
	case status == http.StatusConflict:
		return KindConflict
	case status == http.StatusUnprocessableEntity:
		return KindValidation
	case status == http.StatusTooManyRequests:
		return KindRateLimited
	case status >= 500:
		return KindServer
	case status == http.StatusBadRequest, status == http.StatusMethodNotAllowed,
		status == http.StatusRequestEntityTooLarge, status == http.StatusUnsupportedMediaType:
		return KindBadRequest
	}
	return KindInvalidResponse
}

// Limits on what a hostile or broken server can make us carry around.
const (
	maxDetailLen   = 1000
	maxProblems    = 100
	maxIDLen       = 128
	maxRequestID   = 128
	maxRetryAfterS = 24 * 60 * 60
)

// errorAnswer is an error answer as read off the wire: its status, its
// header and its (capped) body.
type errorAnswer struct {
	status int
	header http.Header
	body   []byte
}

// errorFromResponse turns an error answer into an *APIError. It accepts any
// body: problem details, another JSON shape, an HTML page from a proxy, or
// nothing; secrets are stripped from whatever text it keeps.
func errorFromResponse(method, path string, ans errorAnswer, now time.Time, secrets ...string) *APIError {
	status, header, body := ans.status, ans.header, ans.body
	e := &APIError{
		Kind:       kindForStatus(status),
		StatusCode: status,
		Method:     method,
		Path:       path,
		RequestID:  clean(header.Get("X-Request-Id"), maxRequestID, secrets),
	}
	if d, ok := httpx.RetryAfter(header, now); ok {
		e.RetryAfter = d
	}
	mediaType, notJSON := httpx.DeclaredNotJSON(header, unparseableType)
	var p Problem
	switch {
	case len(body) == 0:
		// Nothing to add: the status says it all.
	case !notJSON:
		if err := json.Unmarshal(body, &p); err != nil {
			e.Detail = fmt.Sprintf("the error body is not valid problem details JSON (%s)", httpx.DescribeJSONError(err))
			break
		}
		e.Type = clean(p.Type, maxDetailLen, secrets)
		e.Title = clean(p.Title, maxDetailLen, secrets)
		e.Detail = clean(p.Detail, maxDetailLen, secrets)
		e.Instance = clean(p.Instance, maxDetailLen, secrets)
		e.ExistingSourceID = clean(p.ExistingSourceID, maxIDLen, secrets)
		if e.RequestID == "" {
			e.RequestID = clean(p.RequestID, maxRequestID, secrets)
		}
		if e.RetryAfter == 0 && p.RetryAfter != nil && *p.RetryAfter > 0 {
			e.RetryAfter = time.Duration(min(*p.RetryAfter, maxRetryAfterS)) * time.Second
		}
		for i, pe := range p.Errors {
			if i == maxProblems {
				e.Problems = append(e.Problems, InstanceProblem{Detail: fmt.Sprintf("%d more problems were not shown", len(p.Errors)-maxProblems)})
				break
			}
			e.Problems = append(e.Problems, InstanceProblem{
				InstanceID:   clean(pe.InstanceID, maxIDLen, secrets),
				Prerequisite: Prerequisite(clean(string(pe.Prerequisite), maxIDLen, secrets)),
				Field:        clean(pe.Field, maxIDLen, secrets),
				Detail:       clean(pe.Detail, maxDetailLen, secrets),
			})
		}
	default:
		e.Detail = fmt.Sprintf("the body is %s, not problem details; a proxy or load balancer in front of ISPM may have answered", mediaType)
	}
	return e
}

// unparseableType is how a message names a Content-Type that cannot be
// parsed.
const unparseableType = "an unparseable content type"

// clean makes server-supplied text safe to show: no secrets (each becomes
// [redacted]), no control characters (newlines and tabs become spaces),
// bounded length.
func clean(s string, limit int, secrets []string) string {
	return sanitizer(secrets).Clean(s, limit)
}

// sanitizer is how this package makes server text and transport errors
// safe to quote.
func sanitizer(secrets []string) httpx.Sanitizer {
	return httpx.Sanitizer{Secrets: secrets, Mask: "[redacted]", Spaces: "\n\t"}
}
