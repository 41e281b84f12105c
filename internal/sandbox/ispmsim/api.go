package ispmsim

import (
	"cmp"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

const (
	maxRequestBody = 1 << 20
	defaultLimit   = 50
	maxLimit       = 200
	maxInstances   = 100
)

var problemTitles = map[string]string{
	ispm.ProblemBadRequest:           "Bad request",
	ispm.ProblemUnauthorized:         "Unauthorized",
	ispm.ProblemForbidden:            "Forbidden",
	ispm.ProblemNotFound:             "Not found",
	ispm.ProblemMethodNotAllowed:     "Method not allowed",
	ispm.ProblemSourceExists:         "Source already exists",
	ispm.ProblemOrgNotConnected:      "Okta org not connected",
	ispm.ProblemPayloadTooLarge:      "Request body too large",
	ispm.ProblemUnsupportedMediaType: "Unsupported media type",
	ispm.ProblemPrerequisitesUnmet:   "Prerequisites not met",
	ispm.ProblemInvalidReference:     "Unknown org or app",
	ispm.ProblemIdempotencyKeyReused: "Idempotency key reused",
	ispm.ProblemRateLimited:          "Too many requests",
	ispm.ProblemInternal:             "Internal server error",
	ispm.ProblemUnavailable:          "Service unavailable",
}

type route struct {
	method string
	path   string
	// write routes are refused to the read-only token.
	write bool
	h     func(*call)
}

func (s *Service) routes() []route {
	return []route{
		{http.MethodGet, "/api/v1/okta-orgs", false, s.listOrgs},
		{http.MethodGet, "/api/v1/okta-orgs/{orgId}", false, s.getOrg},
		// Refresh changes only ISPM's cache, so a read-only token may.
		{http.MethodPost, "/api/v1/okta-orgs/{orgId}/refresh", false, s.refreshOrg},
		{http.MethodGet, "/api/v1/okta-orgs/{orgId}/apps/{appKey}", false, s.getAppStatus},
		{http.MethodPost, "/api/v1/okta-orgs/{orgId}/apps/{appKey}/refresh", false, s.refreshApp},
		{http.MethodGet, "/api/v1/catalog", false, s.listCatalog},
		{http.MethodGet, "/api/v1/catalog/{appKey}", false, s.getCatalogEntry},
		{http.MethodGet, "/api/v1/sources", false, s.listSources},
		{http.MethodPost, "/api/v1/sources", true, withBody(idempotencyRequired, s.createSource)},
		{http.MethodGet, "/api/v1/sources/{sourceId}", false, s.getSource},
		{http.MethodPatch, "/api/v1/sources/{sourceId}", true, withBody(idempotencyOptional, s.updateSource)},
		{http.MethodDelete, "/api/v1/sources/{sourceId}", true, s.deleteSource},
	}
}

// APIHandler serves the ISPM API under /api/v1/.
func (s *Service) APIHandler() http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range s.routes() {
		mux.HandleFunc(rt.method+" "+rt.path, s.endpoint(rt))
		if _, seen := allowed[rt.path]; !seen {
			paths = append(paths, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	for _, p := range paths {
		allow := strings.Join(allowed[p], ", ")
		mux.HandleFunc(p, s.endpoint(route{h: func(c *call) {
			c.w.Header().Set("Allow", allow)
			c.problem(http.StatusMethodNotAllowed, ispm.ProblemMethodNotAllowed,
				fmt.Sprintf("%s is not supported on this resource; use %s", c.r.Method, allow), nil)
		}}))
	}
	mux.HandleFunc("/", s.endpoint(route{h: func(c *call) {
		c.problem(http.StatusNotFound, ispm.ProblemNotFound, fmt.Sprintf("the ISPM API has no resource at %s", c.r.URL.Path), nil)
	}}))
	return mux
}

// call is one API request on its way through its endpoint.
type call struct {
	w http.ResponseWriter
	r *http.Request
	// orgID, app and sourceID are the route's {orgId}, {appKey} and
	// {sourceId}, checked.
	orgID, app, sourceID string
	// idemKey is the Idempotency-Key header, on routes that read it.
	idemKey string
}

// endpoint is the one way into every API handler: it gives the request an
// id, counts it, injects faults, authenticates it, then checks what the
// route reads of the path and headers before the handler runs. Unmatched
// requests (a route without method) count as "unmatched".
func (s *Service) endpoint(rt route) http.HandlerFunc {
	name := "unmatched"
	if rt.method != "" {
		name = rt.method + " " + rt.path
	}
	return func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r}
		w.Header().Set("X-Request-Id", s.requestID())
		action, f := s.decideFault(r, name)
		if !sleepCtx(r, time.Duration(f.Latency)) {
			return
		}
		if c.answerFault(action, f) || !s.authorize(c, rt.write) {
			return
		}
		if action == faultDropResponse {
			c.w = &bufferedWriter{header: http.Header{}}
			s.serve(c, rt)
			dropConnection(w)
			return
		}
		s.serve(c, rt)
	}
}

// answerFault answers with the injected fault, if it is one that keeps the
// request from being done, and reports whether it did.
func (c *call) answerFault(action faultAction, f Faults) bool {
	switch action {
	case faultDrop:
		dropConnection(c.w)
	case faultRateLimit:
		secs := retryAfterSeconds(f.RetryAfter)
		c.w.Header().Set("Retry-After", strconv.Itoa(secs))
		c.problem(http.StatusTooManyRequests, ispm.ProblemRateLimited,
			fmt.Sprintf("this API token sent too many requests; retry after %d seconds", secs),
			func(p *ispm.Problem) { p.RetryAfter = &secs })
	case faultError:
		status := cmp.Or(f.ErrorStatus, http.StatusServiceUnavailable)
		if status == http.StatusServiceUnavailable {
			secs := retryAfterSeconds(f.RetryAfter)
			c.w.Header().Set("Retry-After", strconv.Itoa(secs))
			c.problem(status, ispm.ProblemUnavailable, "ISPM is briefly unavailable; retry the request",
				func(p *ispm.Problem) { p.RetryAfter = &secs })
			return true
		}
		c.problem(status, ispm.ProblemInternal, "ISPM failed to handle the request; retry it", nil)
	default:
		return false
	}
	return true
}

// serve checks the route's path parameters, in the order they appear, then
// runs its handler.
func (s *Service) serve(c *call, rt route) {
	params := []struct {
		name, what string
		pattern    *regexp.Regexp
		dst        *string
	}{
		{"orgId", "org id", idPattern, &c.orgID},
		{"appKey", "app key", keyPattern, &c.app},
		{"sourceId", "source id", idPattern, &c.sourceID},
	}
	for _, p := range params {
		if !strings.Contains(rt.path, "{"+p.name+"}") {
			continue
		}
		v := c.r.PathValue(p.name)
		if !p.pattern.MatchString(v) {
			c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("%s %q is malformed", p.what, v), nil)
			return
		}
		*p.dst = v
	}
	rt.h(c)
}

// requestBody is a JSON request body that knows how it fits the contract.
type requestBody[T any] interface {
	*T
	// problems lists how the body does not fit the contract.
	problems() []ispm.InstanceProblem
}

// withBody makes the handler of a route that changes sources: before h
// runs, the Idempotency-Key header is read (and checked), the body is
// decoded strictly and checked against the contract.
func withBody[T any, B requestBody[T]](idem idempotency, h func(*call, B)) func(*call) {
	return func(c *call) {
		key, ok := c.idempotencyKey(idem == idempotencyRequired)
		if !ok {
			return
		}
		c.idemKey = key
		body := B(new(T))
		if c.decode(body) && !c.badFields(body.problems()) {
			h(c, body)
		}
	}
}

func (s *Service) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextReq++
	return fmt.Sprintf("req_%08x%s", s.nextReq, s.randomString(8))
}

func (s *Service) authorize(c *call, write bool) bool {
	scheme, token, _ := strings.Cut(c.r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	readOnly := false
	switch {
	case !strings.EqualFold(scheme, "Bearer") || token == "":
		c.w.Header().Set("WWW-Authenticate", `Bearer realm="ispm"`)
		c.problem(http.StatusUnauthorized, ispm.ProblemUnauthorized,
			"the request has no bearer token; send Authorization: Bearer <ISPM API token>", nil)
		return false
	case subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1:
	case s.roToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.roToken)) == 1:
		readOnly = true
	default:
		c.w.Header().Set("WWW-Authenticate", `Bearer realm="ispm", error="invalid_token"`)
		c.problem(http.StatusUnauthorized, ispm.ProblemUnauthorized,
			"the bearer token is not a valid ISPM API token; it may be mistyped, expired or revoked", nil)
		return false
	}
	if write && readOnly {
		c.problem(http.StatusForbidden, ispm.ProblemForbidden,
			"this API token is read-only; changing sources needs a token with write access", nil)
		return false
	}
	return true
}

// problem writes an RFC 9457 answer.
func (c *call) problem(status int, typ, detail string, extend func(*ispm.Problem)) {
	p := ispm.Problem{
		Type: typ, Title: problemTitles[typ], Status: status, Detail: detail,
		Instance: c.r.URL.Path, RequestID: c.w.Header().Get("X-Request-Id"),
	}
	if extend != nil {
		extend(&p)
	}
	c.w.Header().Set("Content-Type", ispm.ContentTypeProblem)
	c.w.Header().Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_ = json.NewEncoder(c.w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeBody(w, status, b)
}

// writeBody answers with an encoded JSON body.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

type listBody[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// page reads which page of a listing is asked for. The cursor is bound to
// the listing's filters, so a cursor from another listing is refused.
func (c *call) page(filters string) (offset, limit int, ok bool) {
	limit = defaultLimit
	q := c.r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			c.problem(http.StatusBadRequest, ispm.ProblemBadRequest,
				fmt.Sprintf("limit %q is not a whole number from 1 to %d", v, maxLimit), nil)
			return 0, 0, false
		}
		limit = n
	}
	if cur := q.Get("cursor"); cur != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		parts := strings.SplitN(string(raw), ":", 3)
		if err != nil || len(parts) != 3 || parts[0] != "v1" || parts[2] != fingerprint(filters)[:16] {
			c.problem(http.StatusBadRequest, ispm.ProblemBadRequest,
				"cursor is not a next_cursor of this listing with these filters; start again without a cursor", nil)
			return 0, 0, false
		}
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 0 {
			c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, "cursor is corrupted; start again without a cursor", nil)
			return 0, 0, false
		}
		offset = n
	}
	return offset, limit, true
}

// paginate cuts one page out of items.
func paginate[T any](items []T, offset, limit int, filters string) listBody[T] {
	if offset > len(items) {
		offset = len(items)
	}
	end := min(offset+limit, len(items))
	out := listBody[T]{Data: items[offset:end]}
	if out.Data == nil {
		out.Data = []T{}
	}
	if end < len(items) {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("v1:%d:%s", end, fingerprint(filters)[:16])))
	}
	return out
}
