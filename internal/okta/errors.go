package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	oktasdk "github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
)

// Okta error codes the adapter acts on.
const (
	codeValidation   = "E0000001" // 400, e.g. provisioning not enabled on /features
	codeAccessDenied = "E0000006" // 403
	// codeOrgStateRefused is a 403 for an operation the org's state refuses.
	codeOrgStateRefused = "E0000148"
	codeNotFound        = "E0000007" // 404
	codeInvalidToken    = "E0000011" // 401
	codeProductMissing  = "E0000015" // 401, product or feature not in the org
	codeRateLimited     = "E0000047" // 429
	codeInvalidSession  = "E0000005" // 403, no or malformed Authorization header
)

// APIError is an Okta answer that is not a success, or a request that got
// no answer. Callers use Transient to tell a passing failure (rate limited
// after retries, 5xx, timeout) from an answer.
type APIError struct {
	Org      string // the org's domain
	Endpoint string // method and path, ids written as {id}
	Bucket   string // the rate-limit bucket the endpoint counts against
	Status   int    // 0 when no answer arrived
	Code     string // Okta's errorCode
	Summary  string // Okta's errorSummary
	Causes   []string
	// RateLimit is the bucket's state from the answer's headers, when sent.
	RateLimit *httpx.RateLimit
	Attempts  int
	Err       error // the transport error, when no answer arrived
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s on the Okta org %s ", e.Endpoint, e.Org)
	switch {
	case e.Err != nil && e.Status != 0:
		fmt.Fprintf(&b, "answered %d with a body that cannot be used: %v", e.Status, e.Err)
	case e.Err != nil:
		fmt.Fprintf(&b, "got no answer: %v", e.Err)
	case e.Status == http.StatusTooManyRequests:
		fmt.Fprintf(&b, "was rate limited (429 %s) in Okta's %s bucket", orDefault(e.Code, codeRateLimited), e.Bucket)
		if rl := e.RateLimit; rl != nil {
			if rl.Limit == 0 {
				b.WriteString(" by the org's concurrent-request limit")
			} else {
				fmt.Fprintf(&b, " (limit %d per minute, %d remaining", rl.Limit, rl.Remaining)
				if !rl.Reset.IsZero() {
					fmt.Fprintf(&b, ", resets at %s", rl.Reset.UTC().Format(time.RFC3339))
				}
				b.WriteString(")")
			}
		}
	default:
		fmt.Fprintf(&b, "answered %d", e.Status)
		if e.Code != "" {
			fmt.Fprintf(&b, " %s", e.Code)
		}
		if e.Summary != "" {
			fmt.Fprintf(&b, " %q", e.Summary)
		}
		if len(e.Causes) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(e.Causes, "; "))
		}
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	b.WriteString(".")
	switch {
	case e.Status == http.StatusTooManyRequests:
		b.WriteString(" Other clients share this bucket; lower okta_max_api_capacity or retry after the reset.")
	case e.Status == http.StatusForbidden && e.Err == nil:
		b.WriteString(forbiddenNote(e))
	}
	return b.String()
}

// Unwrap returns the transport error.
func (e *APIError) Unwrap() error { return e.Err }

// Transient reports whether the failure says nothing about the org's
// state: rate limited, busy (423 "… Please try again later."), a server
// error, or no answer. Any other error answer (400 E0000024 "not yet
// supported", a 404, a 403 that is not about the credentials) is Okta's
// answer: asking again gives the same one.
func (e *APIError) Transient() bool {
	return e.Err != nil || e.Status == http.StatusTooManyRequests || e.Status == http.StatusLocked || e.Status >= 500
}

// failureOf classes a lookup's error for the readiness engine.
func failureOf(err error) eligibility.FailureKind {
	var ae *APIError
	if errors.As(err, &ae) && !ae.Transient() {
		return eligibility.FailureAnswer
	}
	return eligibility.FailureTransient
}

// is reports whether the answer had the given status and Okta error code.
func (e *APIError) is(status int, code string) bool {
	return e.Err == nil && e.Status == status && (code == "" || e.Code == code)
}

// AuthError is Okta refusing the provider's credentials or their rights.
// It is an error the provider reports: no verdict can be drawn from it.
type AuthError struct {
	Org      string
	Endpoint string
	Status   int    // 401 or 403; 0 for a failed OAuth token request
	Code     string // Okta's errorCode, or the OAuth error (invalid_client, …)
	Summary  string
	OAuth    bool
	ClientID string
	// Scope is the OAuth scope the endpoint needs.
	Scope string
}

func (e *AuthError) Error() string {
	said := strings.TrimSpace(strings.TrimSpace(e.Code) + " " + quoteIf(e.Summary))
	switch {
	case e.Status == 0:
		msg := fmt.Sprintf("The Okta org %s refused an OAuth 2.0 access token to the service app %s (%s). Check the okta_org block's client_id, private_key and private_key_id: the public key with that key id must be registered on the service app, and the app must be granted the scopes %s.", e.Org, e.ClientID, said, e.scopes())
		if strings.Contains(strings.ToLower(e.Code+" "+e.Summary), "dpop") {
			msg += " The service app requires DPoP, which this provider cannot send: in the Okta Admin Console clear \"Require Demonstrating Proof of Possession (DPoP) header in token requests\" on the service app's General tab."
		}
		return msg
	case e.Status == http.StatusUnauthorized && e.OAuth:
		return fmt.Sprintf("The Okta org %s rejected the access token of the OAuth 2.0 service app %s on %s (401 %s). Check the okta_org block's client_id and private key, and that the service app is active.", e.Org, e.ClientID, e.Endpoint, said)
	case e.Status == http.StatusUnauthorized:
		return fmt.Sprintf("The Okta org %s rejected the provider's API token on %s (401 %s). Check the okta_org block's api_token (or OKTA_API_TOKEN): the token may be revoked, expired, or issued by another org.", e.Org, e.Endpoint, said)
	case e.OAuth:
		return fmt.Sprintf("The OAuth 2.0 service app %s may not call %s on the Okta org %s (403 %s). Grant it the %s scope under Okta API Scopes, list the scope in the okta_org block's scopes, and assign the app an admin role that can read apps and groups, such as Read-Only Administrator.", e.ClientID, e.Endpoint, e.Org, said, orDefault(e.Scope, e.scopes()))
	default:
		return fmt.Sprintf("The API token for the Okta org %s may not call %s (403 %s). An API token acts with the role of the admin who created it: create the token as an admin with at least the Read-Only Administrator role.", e.Org, e.Endpoint, said)
	}
}

func (e *AuthError) scopes() string { return eligibility.OktaReadScopesText() }

// oktaErrorBody is Okta's error document.
type oktaErrorBody struct {
	ErrorCode    string `json:"errorCode"`
	ErrorSummary string `json:"errorSummary"`
	ErrorCauses  []struct {
		ErrorSummary string `json:"errorSummary"`
	} `json:"errorCauses"`
	// OAuth endpoints answer with these instead.
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// apiError reads a failed response into an APIError, or an AuthError
// when Okta refused the credentials.
func (o *Org) apiError(endpoint string, b bucket, resp *http.Response, attempts int) error {
	e := &APIError{Org: o.domain, Endpoint: endpoint, Bucket: b.String(), Status: resp.StatusCode, Attempts: attempts}
	if rl, ok := httpx.ParseRateLimit(resp.Header); ok {
		e.RateLimit = &rl
	}
	var body oktaErrorBody
	if data, _, err := httpx.ReadBody(resp.Body, maxErrorBody); err == nil && len(data) > 0 {
		_ = json.Unmarshal(data, &body)
	}
	// The body is the server's text, or a proxy's: shown bounded, without
	// control characters, and without a credential it may echo.
	e.Code = cleanText(orDefault(body.ErrorCode, body.Error), 100, o.secrets)
	e.Summary = cleanText(orDefault(body.ErrorSummary, body.ErrorDescription), maxServerText, o.secrets)
	for _, c := range body.ErrorCauses {
		if c := cleanText(c.ErrorSummary, maxServerText, o.secrets); c != "" && len(e.Causes) < 10 {
			e.Causes = append(e.Causes, c)
		}
	}
	if e.Summary == "" {
		// Bearer token failures may come with an empty body and the
		// reason in WWW-Authenticate.
		e.Summary = cleanText(wwwAuthenticateParam(resp.Header.Get("WWW-Authenticate"), "error_description"), maxServerText, o.secrets)
	}
	if e.Summary == "" && e.Code == "" {
		if mt, ok := httpx.DeclaredNotJSON(resp.Header, unreadableType); ok {
			e.Summary = "the body is " + mt + ", not Okta's JSON error; a proxy or firewall in front of Okta may have answered"
		}
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized && e.Code == codeProductMissing:
		return e
	case resp.StatusCode == http.StatusUnauthorized, resp.StatusCode == http.StatusForbidden && credentialsRefused(e, resp.Header):
		scope := wwwAuthenticateParam(resp.Header.Get("WWW-Authenticate"), "scope")
		if scope == "" {
			scope = scopeFor(b)
		}
		return &AuthError{Org: o.domain, Endpoint: endpoint, Status: resp.StatusCode, Code: e.Code, Summary: e.Summary,
			OAuth: o.oauth, ClientID: o.clientID, Scope: scope}
	}
	return e
}

// forbiddenNote explains a 403 that credentialsRefused did not take for a
// credentials problem, claiming no more than Okta's answer says.
func forbiddenNote(e *APIError) string {
	switch {
	case e.Code == codeOrgStateRefused || (e.Code == codeAccessDenied && e.Summary != ""):
		// E0000006 here says a feature is not enabled (credentialsRefused).
		return " Okta refused this for a reason other than the provider's credentials (a feature the org has not enabled, or the org's state); other credentials would not change it."
	case e.Code == "":
		return " The answer does not say why (no Okta error code): check the admin role and scopes of the provider's token or service app, and any proxy or firewall between Terraform and Okta."
	}
	return fmt.Sprintf(" Okta's error code %s is not one of its credentials errors; if it persists, check the org's settings, and the admin role and scopes of the provider's token or service app.", e.Code)
}

// credentialsRefused tells a 403 about the provider's credentials or their
// rights from Okta's other 403s. Okta answers 403 E0000006 "You do not
// have permission to perform the requested action" for a token or service
// app without the role or scope, E0000005 "Invalid session" for a request
// without usable credentials, and a Bearer challenge naming
// insufficient_scope or invalid_token; it also answers 403 E0000006 for a
// feature the org has not enabled ("… isn't enabled") and 403 with other
// codes (E0000148: an operation the org's state refuses), which no change
// of credentials fixes.
func credentialsRefused(e *APIError, h http.Header) bool {
	switch strings.ToLower(wwwAuthenticateParam(h.Get("WWW-Authenticate"), "error")) {
	case "insufficient_scope", "invalid_token":
		return true
	}
	switch e.Code {
	case codeAccessDenied:
		s := strings.ToLower(e.Summary)
		return !strings.Contains(s, "not enabled") && !strings.Contains(s, "isn't enabled")
	case codeInvalidSession, codeInvalidToken:
		return true
	}
	return false
}

func scopeFor(b bucket) string {
	if b == bucketGroups {
		return "okta.groups.read"
	}
	return "okta.apps.read"
}

// tokenError classifies a failure of the SDK's request builder, which in
// OAuth mode fetches the access token.
func (o *Org) tokenError(err error) error {
	var se *oktasdk.Error
	if errors.As(err, &se) {
		code := orDefault(se.ErrorMessage, se.ErrorCode)
		summary := orDefault(se.ErrorDescription, se.ErrorSummary)
		if se.ErrorCode == codeRateLimited {
			return &APIError{Org: o.domain, Endpoint: "POST /oauth2/v1/token", Bucket: bucketToken.String(), Status: http.StatusTooManyRequests, Code: se.ErrorCode, Summary: summary}
		}
		return &AuthError{Org: o.domain, Endpoint: "POST /oauth2/v1/token", Code: code, Summary: summary, OAuth: true, ClientID: o.clientID}
	}
	if o.oauth {
		return &APIError{Org: o.domain, Endpoint: "POST /oauth2/v1/token", Bucket: bucketToken.String(), Err: err}
	}
	return fmt.Errorf("preparing a request to the Okta org %s: %w", o.domain, err)
}

// wwwAuthenticateParam reads one parameter of a WWW-Authenticate header.
func wwwAuthenticateParam(h, name string) string {
	for _, part := range strings.Split(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if i := strings.LastIndex(k, " "); i >= 0 {
			k = k[i+1:] // the first parameter follows the scheme name
		}
		if strings.EqualFold(k, name) {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

// fatal reports whether err must be returned to the caller rather than
// recorded as an unverified fact: the caller stopped (ctx is done), or
// Okta refused the credentials.
func fatal(ctx context.Context, err error) bool {
	var ae *AuthError
	return ctx.Err() != nil || errors.As(err, &ae)
}

// maxServerText bounds one piece of server text quoted in an error.
const maxServerText = 500

// maxErrorBody bounds how much of an error answer's body is read; a longer
// one is decoded as cut off there.
const maxErrorBody = 64 << 10

// unreadableType is how a message names a Content-Type that cannot be
// parsed.
const unreadableType = "of an unreadable content type"

// cleanText makes server text safe to show: secrets removed, control
// characters dropped (newlines, tabs and carriage returns become spaces),
// length bounded.
func cleanText(s string, limit int, secrets []string) string {
	return httpx.Sanitizer{Secrets: secrets, Mask: "(redacted)", Spaces: "\n\t\r"}.Clean(s, limit)
}

// notJSON reports an answer whose declared media type is not JSON, such as
// a proxy's HTML page.
func notJSON(resp *http.Response) error {
	if mt, ok := httpx.DeclaredNotJSON(resp.Header, unreadableType); ok {
		return fmt.Errorf("the body is %s, not JSON; a proxy or firewall in front of Okta may have answered", mt)
	}
	return nil
}

func quoteIf(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf("%q", s)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
