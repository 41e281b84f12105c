package oktasim

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors of out-of-band changes, for errors.Is: the control API answers 404,
// 409 and 400 for them.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflicts with the current state")
	ErrInvalid  = errors.New("invalid change")
)

type stateError struct {
	kind error
	msg  string
}

func (e *stateError) Error() string        { return e.msg }
func (e *stateError) Is(target error) bool { return target == e.kind }

func newStateError(kind error, format string, args ...any) error {
	return &stateError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Okta error codes the simulator answers with. Summaries are Okta's own
// wording (see testdata for the recorded and documented bodies).
const (
	codeAPIValidation   = "E0000001"
	codeInvalidSession  = "E0000005"
	codeAccessDenied    = "E0000006"
	codeNotFound        = "E0000007"
	codeInternal        = "E0000009"
	codeInvalidToken    = "E0000011"
	codeFeatureDisabled = "E0000015"
	codeMethodNotAllow  = "E0000022"
	codeInvalidSearch   = "E0000031"
	codeRateLimited     = "E0000047"
)

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// apiError is Okta's error body; field order follows Okta's responses.
type apiError struct {
	status       int
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

func newAPIError(status int, code, summary string, causes ...string) *apiError {
	e := &apiError{status: status, ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorCauses: []errorCause{}}
	for _, c := range causes {
		e.ErrorCauses = append(e.ErrorCauses, errorCause{ErrorSummary: c})
	}
	return e
}

func errInvalidSession() *apiError {
	return newAPIError(http.StatusForbidden, codeInvalidSession, "Invalid session")
}

func errAccessDenied() *apiError {
	return newAPIError(http.StatusForbidden, codeAccessDenied, "You do not have permission to perform the requested action")
}

func errNotFound(id, typ string) *apiError {
	return newAPIError(http.StatusNotFound, codeNotFound, fmt.Sprintf("Not found: Resource not found: %s (%s)", id, typ))
}

func errInternal() *apiError {
	return newAPIError(http.StatusInternalServerError, codeInternal, "Internal Server Error")
}

func errInvalidToken() *apiError {
	return newAPIError(http.StatusUnauthorized, codeInvalidToken, "Invalid token provided")
}

func errFeatureDisabled() *apiError {
	return newAPIError(http.StatusUnauthorized, codeFeatureDisabled, "You do not have permission to access the feature you are requesting")
}

func errMethodNotAllowed() *apiError {
	return newAPIError(http.StatusMethodNotAllowed, codeMethodNotAllow, "The endpoint does not support the provided HTTP method")
}

func errInvalidSearch(causes ...string) *apiError {
	return newAPIError(http.StatusBadRequest, codeInvalidSearch, "Invalid search criteria.", causes...)
}

func errProvisioningNotEnabled() *apiError {
	return newAPIError(http.StatusBadRequest, codeAPIValidation, "Api validation failed: feature", "Provisioning is not enabled for the app instance.")
}

func errValidation(field, cause string) *apiError {
	return newAPIError(http.StatusBadRequest, codeAPIValidation, "Api validation failed: "+field, cause)
}

func errRateLimited() *apiError {
	return newAPIError(http.StatusTooManyRequests, codeRateLimited, "API call exceeded rate limit due to too many requests.")
}
