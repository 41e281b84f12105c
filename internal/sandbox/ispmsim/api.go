package ispmsim

import (
	"cmp"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
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
	h     http.HandlerFunc
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
		{http.MethodPost, "/api/v1/sources", true, s.createSource},
		{http.MethodGet, "/api/v1/sources/{sourceId}", false, s.getSource},
		{http.MethodPatch, "/api/v1/sources/{sourceId}", true, s.updateSource},
		{http.MethodDelete, "/api/v1/sources/{sourceId}", true, s.deleteSource},
	}
}

// APIHandler serves the ISPM API under /api/v1/.
func (s *Service) APIHandler() http.Handler {
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range s.routes() {
		pattern := rt.method + " " + rt.path
		mux.HandleFunc(pattern, s.endpoint(pattern, rt.write, rt.h))
		if _, seen := allowed[rt.path]; !seen {
			paths = append(paths, rt.path)
		}
		allowed[rt.path] = append(allowed[rt.path], rt.method)
	}
	for _, p := range paths {
		allow := strings.Join(allowed[p], ", ")
		mux.HandleFunc(p, s.endpoint("unmatched", false, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			s.problem(w, r, http.StatusMethodNotAllowed, ispm.ProblemMethodNotAllowed,
				fmt.Sprintf("%s is not supported on this resource; use %s", r.Method, allow), nil)
		}))
	}
	mux.HandleFunc("/", s.endpoint("unmatched", false, func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, http.StatusNotFound, ispm.ProblemNotFound, fmt.Sprintf("the ISPM API has no resource at %s", r.URL.Path), nil)
	}))
	return mux
}

// endpoint wraps a route with request ids, counting, faults and auth.
func (s *Service) endpoint(name string, write bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", s.requestID())
		action, f := s.decideFault(r, name)
		if !sleepCtx(r, time.Duration(f.Latency)) {
			return
		}
		switch action {
		case faultDrop:
			dropConnection(w)
			return
		case faultRateLimit:
			secs := retryAfterSeconds(f.RetryAfter)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			s.problem(w, r, http.StatusTooManyRequests, ispm.ProblemRateLimited,
				fmt.Sprintf("this API token sent too many requests; retry after %d seconds", secs),
				func(p *ispm.Problem) { p.RetryAfter = &secs })
			return
		case faultError:
			status := cmp.Or(f.ErrorStatus, http.StatusServiceUnavailable)
			if status == http.StatusServiceUnavailable {
				secs := retryAfterSeconds(f.RetryAfter)
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				s.problem(w, r, status, ispm.ProblemUnavailable, "ISPM is briefly unavailable; retry the request",
					func(p *ispm.Problem) { p.RetryAfter = &secs })
				return
			}
			s.problem(w, r, status, ispm.ProblemInternal, "ISPM failed to handle the request; retry it", nil)
			return
		}
		if !s.authorize(w, r, write) {
			return
		}
		if action == faultDropResponse {
			h(&bufferedWriter{header: http.Header{}}, r)
			dropConnection(w)
			return
		}
		h(w, r)
	}
}

func (s *Service) requestID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextReq++
	return fmt.Sprintf("req_%08x%s", s.nextReq, s.randomString(8))
}

func (s *Service) authorize(w http.ResponseWriter, r *http.Request, write bool) bool {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	readOnly := false
	switch {
	case !strings.EqualFold(scheme, "Bearer") || token == "":
		w.Header().Set("WWW-Authenticate", `Bearer realm="ispm"`)
		s.problem(w, r, http.StatusUnauthorized, ispm.ProblemUnauthorized,
			"the request has no bearer token; send Authorization: Bearer <ISPM API token>", nil)
		return false
	case subtle.ConstantTimeCompare([]byte(token), []byte(s.token)) == 1:
	case s.roToken != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.roToken)) == 1:
		readOnly = true
	default:
		w.Header().Set("WWW-Authenticate", `Bearer realm="ispm", error="invalid_token"`)
		s.problem(w, r, http.StatusUnauthorized, ispm.ProblemUnauthorized,
			"the bearer token is not a valid ISPM API token; it may be mistyped, expired or revoked", nil)
		return false
	}
	if write && readOnly {
		s.problem(w, r, http.StatusForbidden, ispm.ProblemForbidden,
			"this API token is read-only; changing sources needs a token with write access", nil)
		return false
	}
	return true
}

// problem writes an RFC 9457 answer.
func (s *Service) problem(w http.ResponseWriter, r *http.Request, status int, typ, detail string, extend func(*ispm.Problem)) {
	p := ispm.Problem{
		Type: typ, Title: problemTitles[typ], Status: status, Detail: detail,
		Instance: r.URL.Path, RequestID: w.Header().Get("X-Request-Id"),
	}
	if extend != nil {
		extend(&p)
	}
	w.Header().Set("Content-Type", ispm.ContentTypeProblem)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encoding the answer: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

type listBody[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageOf cuts one page out of items. The cursor is bound to the listing's
// filters, so a cursor from another listing is refused.
func (s *Service) pageOf(w http.ResponseWriter, r *http.Request, filters string) (offset, limit int, ok bool) {
	limit = defaultLimit
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest,
				fmt.Sprintf("limit %q is not a whole number from 1 to %d", v, maxLimit), nil)
			return 0, 0, false
		}
		limit = n
	}
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		parts := strings.SplitN(string(raw), ":", 3)
		if err != nil || len(parts) != 3 || parts[0] != "v1" || parts[2] != fingerprint(filters)[:16] {
			s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest,
				"cursor is not a next_cursor of this listing with these filters; start again without a cursor", nil)
			return 0, 0, false
		}
		n, err := strconv.Atoi(parts[1])
		if err != nil || n < 0 {
			s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, "cursor is corrupted; start again without a cursor", nil)
			return 0, 0, false
		}
		offset = n
	}
	return offset, limit, true
}

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

// pathID reads and checks a path parameter.
func (s *Service) pathID(w http.ResponseWriter, r *http.Request, name, what string) (string, bool) {
	v := r.PathValue(name)
	pattern := idPattern
	if name == "appKey" {
		pattern = keyPattern
	}
	if !pattern.MatchString(v) {
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("%s %q is malformed", what, v), nil)
		return "", false
	}
	return v, true
}

// orgFor finds the org named in the path; when connected is set, a
// disconnected org is a 409.
func (s *Service) orgForLocked(w http.ResponseWriter, r *http.Request, id string, connected bool) (*orgState, bool) {
	org, ok := s.orgs[id]
	if !ok {
		s.problem(w, r, http.StatusNotFound, ispm.ProblemNotFound,
			fmt.Sprintf("no Okta org with id %q is connected to ISPM; list the connected orgs with GET /api/v1/okta-orgs", id), nil)
		return nil, false
	}
	if connected && org.state != ispm.OrgConnected {
		s.problem(w, r, http.StatusConflict, ispm.ProblemOrgNotConnected,
			fmt.Sprintf("Okta org %s (%s) is %s in ISPM, so its apps cannot be read; reconnect it in the ISPM console", org.id, org.okta.Domain(), org.state), nil)
		return nil, false
	}
	return org, true
}

func (s *Service) listOrgs(w http.ResponseWriter, r *http.Request) {
	domain := ispm.NormalizeDomain(r.URL.Query().Get("domain"))
	offset, limit, ok := s.pageOf(w, r, "orgs|"+domain)
	if !ok {
		return
	}
	s.mu.Lock()
	orgs := s.orgListLocked()
	s.mu.Unlock()
	if domain != "" {
		orgs = slices.DeleteFunc(orgs, func(o ispm.Org) bool { return ispm.NormalizeDomain(o.Domain) != domain })
	}
	writeJSON(w, http.StatusOK, paginate(orgs, offset, limit, "orgs|"+domain))
}

func (s *Service) getOrg(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "orgId", "org id")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org, ok := s.orgForLocked(w, r, id, false)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, org.view())
}

func (s *Service) refreshOrg(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "orgId", "org id")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org, ok := s.orgForLocked(w, r, id, true)
	if !ok {
		return
	}
	n := s.refreshOrgLocked(org)
	writeJSON(w, http.StatusOK, ispm.OrgRefresh{OktaOrgID: org.id, RefreshedAt: s.now().UTC(), Apps: n})
}

func (s *Service) appFromPath(w http.ResponseWriter, r *http.Request) (*orgState, string, bool) {
	id, ok := s.pathID(w, r, "orgId", "org id")
	if !ok {
		return nil, "", false
	}
	app, ok := s.pathID(w, r, "appKey", "app key")
	if !ok {
		return nil, "", false
	}
	org, ok := s.orgForLocked(w, r, id, true)
	if !ok {
		return nil, "", false
	}
	if _, ok := s.catalog[app]; !ok {
		s.problem(w, r, http.StatusNotFound, ispm.ProblemNotFound,
			fmt.Sprintf("app %q is not in the ISPM Sources Gallery; list it with GET /api/v1/catalog", app), nil)
		return nil, "", false
	}
	return org, app, true
}

func (s *Service) getAppStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	org, app, ok := s.appFromPath(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.appStatusLocked(org, app))
}

func (s *Service) refreshApp(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	org, app, ok := s.appFromPath(w, r)
	if !ok {
		return
	}
	s.refreshAppLocked(org, app)
	writeJSON(w, http.StatusOK, s.appStatusLocked(org, app))
}

func (s *Service) listCatalog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	poweredBy := ispm.PoweredBy(q.Get("powered_by"))
	status := ispm.GalleryStatus(q.Get("status"))
	orgID := q.Get("okta_org_id")
	category, text := q.Get("category"), q.Get("q")
	switch {
	case poweredBy != "" && poweredBy != ispm.PoweredByOIN && poweredBy != ispm.PoweredByCustom:
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("powered_by %q is not OIN or CUSTOM", poweredBy), nil)
		return
	case status != "" && !slices.Contains([]ispm.GalleryStatus{ispm.StatusNotIntegrated, ispm.StatusProvisioningDisabled, ispm.StatusAvailable, ispm.StatusConnected}, status):
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest,
			fmt.Sprintf("status %q is not NOT_INTEGRATED, PROVISIONING_DISABLED, AVAILABLE or CONNECTED", status), nil)
		return
	case status != "" && orgID == "":
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, "status filters by an org's app status, so it needs okta_org_id", nil)
		return
	case orgID != "" && !idPattern.MatchString(orgID):
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("okta_org_id %q is malformed", orgID), nil)
		return
	}
	filters := strings.Join([]string{"catalog", string(poweredBy), string(status), orgID, category, text}, "|")
	offset, limit, ok := s.pageOf(w, r, filters)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var org *orgState
	if orgID != "" {
		if org, ok = s.orgForLocked(w, r, orgID, true); !ok {
			return
		}
	}
	var out []ispm.CatalogEntry
	for _, e := range s.sortedCatalogLocked() {
		if poweredBy != "" && e.PoweredBy != poweredBy {
			continue
		}
		if category != "" && !slices.ContainsFunc(e.Categories, func(c string) bool { return strings.EqualFold(c, category) }) {
			continue
		}
		if text != "" && !strings.Contains(strings.ToLower(e.Key+"\x00"+e.DisplayName), strings.ToLower(text)) {
			continue
		}
		if org != nil {
			st := s.appStatusLocked(org, e.Key)
			if status != "" && st.Status != status {
				continue
			}
			e.OrgStatus = &st
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, paginate(out, offset, limit, filters))
}

func (s *Service) sortedCatalogLocked() []ispm.CatalogEntry {
	out := make([]ispm.CatalogEntry, 0, len(s.catalog))
	for _, e := range s.catalog {
		e.Categories = slices.Clone(e.Categories)
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b ispm.CatalogEntry) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func (s *Service) getCatalogEntry(w http.ResponseWriter, r *http.Request) {
	app, ok := s.pathID(w, r, "appKey", "app key")
	if !ok {
		return
	}
	orgID := r.URL.Query().Get("okta_org_id")
	if orgID != "" && !idPattern.MatchString(orgID) {
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("okta_org_id %q is malformed", orgID), nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.catalog[app]
	if !ok {
		s.problem(w, r, http.StatusNotFound, ispm.ProblemNotFound,
			fmt.Sprintf("app %q is not in the ISPM Sources Gallery; list it with GET /api/v1/catalog", app), nil)
		return
	}
	e.Categories = slices.Clone(e.Categories)
	if orgID != "" {
		org, ok := s.orgForLocked(w, r, orgID, true)
		if !ok {
			return
		}
		st := s.appStatusLocked(org, app)
		e.OrgStatus = &st
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Service) listSources(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	orgID, app := q.Get("okta_org_id"), q.Get("app")
	status, health := ispm.SourceStatus(q.Get("status")), ispm.HealthStatus(q.Get("health"))
	switch {
	case orgID != "" && !idPattern.MatchString(orgID):
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("okta_org_id %q is malformed", orgID), nil)
		return
	case app != "" && !keyPattern.MatchString(app):
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("app %q is malformed", app), nil)
		return
	case status != "" && status != ispm.SourceConnecting && status != ispm.SourceConnected:
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("status %q is not CONNECTING or CONNECTED", status), nil)
		return
	case health != "" && health != ispm.HealthConnected && health != ispm.HealthFailed:
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("health %q is not CONNECTED or FAILED", health), nil)
		return
	}
	filters := strings.Join([]string{"sources", orgID, app, string(status), string(health)}, "|")
	offset, limit, ok := s.pageOf(w, r, filters)
	if !ok {
		return
	}
	s.mu.Lock()
	var out []ispm.Source
	for _, st := range s.sources {
		if (orgID != "" && st.src.OktaOrgID != orgID) || (app != "" && st.src.App != app) {
			continue
		}
		s.touchLocked(st, true)
		if status != "" && st.src.Status != status {
			continue
		}
		if health != "" && (st.src.Health == nil || st.src.Health.Status != health) {
			continue
		}
		out = append(out, cloneSource(st.src))
	}
	s.mu.Unlock()
	sortSources(out)
	writeJSON(w, http.StatusOK, paginate(out, offset, limit, filters))
}

func (s *Service) getSource(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "sourceId", "source id")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[id]
	if !ok {
		s.sourceNotFound(w, r, id)
		return
	}
	s.touchLocked(st, true)
	writeJSON(w, http.StatusOK, st.src)
}

func (s *Service) sourceNotFound(w http.ResponseWriter, r *http.Request, id string) {
	s.problem(w, r, http.StatusNotFound, ispm.ProblemNotFound,
		fmt.Sprintf("no source has the id %q; it may have been deleted in the ISPM console", id), nil)
}

// decodeBody reads a JSON request body strictly into dst.
func (s *Service) decodeBody(w http.ResponseWriter, r *http.Request, dst any) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		s.problem(w, r, http.StatusUnsupportedMediaType, ispm.ProblemUnsupportedMediaType,
			fmt.Sprintf("the body must be application/json, not %q", r.Header.Get("Content-Type")), nil)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.problem(w, r, http.StatusRequestEntityTooLarge, ispm.ProblemPayloadTooLarge,
				fmt.Sprintf("the body is larger than %d bytes", maxRequestBody), nil)
			return false
		}
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("the body is not valid JSON for this request: %v", err), nil)
		return false
	}
	if dec.More() {
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, "the body has data after its JSON object", nil)
		return false
	}
	return true
}

// checkInstanceIDs validates an instance_ids member's shape.
func checkInstanceIDs(ids []string) []ispm.InstanceProblem {
	var problems []ispm.InstanceProblem
	if len(ids) == 0 || len(ids) > maxInstances {
		problems = append(problems, ispm.InstanceProblem{Field: "instance_ids",
			Detail: fmt.Sprintf("give 1 to %d instance ids, not %d", maxInstances, len(ids))})
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !idPattern.MatchString(id) {
			problems = append(problems, ispm.InstanceProblem{Field: "instance_ids", Detail: fmt.Sprintf("instance id %q is malformed", id)})
		} else if seen[id] {
			problems = append(problems, ispm.InstanceProblem{Field: "instance_ids", Detail: fmt.Sprintf("instance id %s is listed twice", id)})
		}
		seen[id] = true
	}
	return problems
}

func checkDisplayName(name *string) []ispm.InstanceProblem {
	if name != nil && (len(*name) == 0 || len(*name) > 200) {
		return []ispm.InstanceProblem{{Field: "display_name", Detail: "display_name must be 1 to 200 characters"}}
	}
	return nil
}

func (s *Service) badFields(w http.ResponseWriter, r *http.Request, problems []ispm.InstanceProblem) {
	s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, "the request body does not fit the contract",
		func(p *ispm.Problem) { p.Errors = problems })
}

// idempotencyKey reads and checks the Idempotency-Key header.
func (s *Service) idempotencyKey(w http.ResponseWriter, r *http.Request, required bool) (string, bool) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" && !required {
		return "", true
	}
	valid := len(key) >= 1 && len(key) <= 255
	for i := 0; i < len(key) && valid; i++ {
		valid = key[i] >= 0x21 && key[i] <= 0x7e
	}
	if !valid {
		detail := "the Idempotency-Key header must be 1 to 255 visible ASCII characters"
		if key == "" {
			detail = "creating a source needs an Idempotency-Key header, the same on every retry, so that retries cannot create it twice"
		}
		s.problem(w, r, http.StatusBadRequest, ispm.ProblemBadRequest, detail, nil)
		return "", false
	}
	return key, true
}

// replayLocked answers from a stored idempotent response, or refuses a key
// reused with another body. It reports whether it answered.
func (s *Service) replayLocked(w http.ResponseWriter, r *http.Request, k idemKey, fp string) bool {
	e := s.lookupIdemLocked(k)
	if e == nil {
		return false
	}
	if e.fingerprint != fp {
		s.problem(w, r, http.StatusUnprocessableEntity, ispm.ProblemIdempotencyKeyReused,
			"this Idempotency-Key was already used with a different request body; use a new key for a different request", nil)
		return true
	}
	if e.location != "" {
		w.Header().Set("Location", e.location)
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.status)
	_, _ = w.Write(e.body)
	return true
}

func (s *Service) storeIdemLocked(k idemKey, fp string, status int, body []byte, location, sourceID string) {
	if k.key == "" {
		return
	}
	s.idem[k] = &idemEntry{fingerprint: fp, status: status, body: body, location: location, sourceID: sourceID,
		expires: s.now().Add(s.idemTTL)}
}

type createBody struct {
	OktaOrgID   string   `json:"okta_org_id"`
	App         string   `json:"app"`
	InstanceIDs []string `json:"instance_ids"`
	DisplayName *string  `json:"display_name"`
}

func (s *Service) createSource(w http.ResponseWriter, r *http.Request) {
	key, ok := s.idempotencyKey(w, r, true)
	if !ok {
		return
	}
	var body createBody
	if !s.decodeBody(w, r, &body) {
		return
	}
	var bad []ispm.InstanceProblem
	if !idPattern.MatchString(body.OktaOrgID) {
		bad = append(bad, ispm.InstanceProblem{Field: "okta_org_id", Detail: fmt.Sprintf("okta_org_id %q is missing or malformed", body.OktaOrgID)})
	}
	if !keyPattern.MatchString(body.App) {
		bad = append(bad, ispm.InstanceProblem{Field: "app", Detail: fmt.Sprintf("app %q is missing or malformed", body.App)})
	}
	bad = append(bad, checkInstanceIDs(body.InstanceIDs)...)
	bad = append(bad, checkDisplayName(body.DisplayName)...)
	if len(bad) > 0 {
		s.badFields(w, r, bad)
		return
	}
	sorted := slices.Sorted(slices.Values(body.InstanceIDs))
	fp := fingerprint(append([]string{body.OktaOrgID, body.App, cmp.Or(ptrString(body.DisplayName), "\x00")}, sorted...)...)
	k := idemKey{http.MethodPost, "/api/v1/sources", key}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replayLocked(w, r, k, fp) {
		return
	}
	org, ok := s.orgs[body.OktaOrgID]
	if !ok {
		s.problem(w, r, http.StatusUnprocessableEntity, ispm.ProblemInvalidReference,
			fmt.Sprintf("no Okta org with id %q is connected to ISPM", body.OktaOrgID),
			func(p *ispm.Problem) {
				p.Errors = []ispm.InstanceProblem{{Field: "okta_org_id", Prerequisite: ispm.P1OrgConnected,
					Detail: fmt.Sprintf("Okta org %q is not connected to ISPM; connect it in the ISPM console first", body.OktaOrgID)}}
			})
		return
	}
	entry, ok := s.catalog[body.App]
	if !ok {
		s.problem(w, r, http.StatusUnprocessableEntity, ispm.ProblemInvalidReference,
			fmt.Sprintf("app %q is not in the ISPM Sources Gallery", body.App),
			func(p *ispm.Problem) {
				p.Errors = []ispm.InstanceProblem{{Field: "app", Detail: fmt.Sprintf("app %q is not in the Sources Gallery; list the supported apps with GET /api/v1/catalog", body.App)}}
			})
		return
	}
	if existing := s.sourceForLocked(org.id, body.App); existing != nil {
		id := existing.src.ID
		s.problem(w, r, http.StatusConflict, ispm.ProblemSourceExists,
			fmt.Sprintf("Okta org %s already has source %s for app %q; ISPM allows one source per org and app, so change that source's instances instead", org.id, id, body.App),
			func(p *ispm.Problem) { p.ExistingSourceID = id })
		return
	}
	instances, problems := s.checkInstancesLocked(org, body.App, body.InstanceIDs)
	// ISPM read the app from Okta just now: the gallery shows what it saw.
	s.refreshAppLocked(org, body.App)
	if len(problems) > 0 {
		s.problem(w, r, http.StatusUnprocessableEntity, ispm.ProblemPrerequisitesUnmet,
			fmt.Sprintf("%d prerequisite(s) of connecting %q in Okta org %s are not met", len(problems), body.App, org.id),
			func(p *ispm.Problem) { p.Errors = problems })
		return
	}
	st := s.newSourceLocked(org, entry, instances, ptrString(body.DisplayName))
	if s.connectDelay == 0 && s.connectReads == 0 {
		s.connectLocked(st)
	}
	b, _ := json.Marshal(st.src)
	location := "/api/v1/sources/" + st.src.ID
	s.storeIdemLocked(k, fp, http.StatusCreated, b, location, st.src.ID)
	w.Header().Set("Location", location)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(b)
}

func ptrString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type updateBody struct {
	InstanceIDs []string `json:"instance_ids"`
	DisplayName *string  `json:"display_name"`
}

func (s *Service) updateSource(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "sourceId", "source id")
	if !ok {
		return
	}
	key, ok := s.idempotencyKey(w, r, false)
	if !ok {
		return
	}
	var body updateBody
	if !s.decodeBody(w, r, &body) {
		return
	}
	var bad []ispm.InstanceProblem
	if body.InstanceIDs == nil && body.DisplayName == nil {
		bad = append(bad, ispm.InstanceProblem{Detail: "give instance_ids, display_name or both"})
	}
	if body.InstanceIDs != nil {
		bad = append(bad, checkInstanceIDs(body.InstanceIDs)...)
	}
	bad = append(bad, checkDisplayName(body.DisplayName)...)
	if len(bad) > 0 {
		s.badFields(w, r, bad)
		return
	}
	parts := []string{id, cmp.Or(ptrString(body.DisplayName), "\x00")}
	if body.InstanceIDs != nil {
		parts = append(parts, slices.Sorted(slices.Values(body.InstanceIDs))...)
	}
	fp := fingerprint(parts...)
	k := idemKey{http.MethodPatch, "/api/v1/sources/" + id, key}

	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[id]
	if !ok {
		s.sourceNotFound(w, r, id)
		return
	}
	if key != "" && s.replayLocked(w, r, k, fp) {
		return
	}
	s.touchLocked(st, false)
	if body.InstanceIDs != nil {
		org := s.orgs[st.src.OktaOrgID]
		var added []string
		for _, iid := range body.InstanceIDs {
			if !slices.ContainsFunc(st.src.Instances, func(x ispm.SourceInstance) bool { return x.ID == iid }) {
				added = append(added, iid)
			}
		}
		if len(added) > 0 {
			_, problems := s.checkInstancesLocked(org, st.src.App, added)
			s.refreshAppLocked(org, st.src.App)
			if len(problems) > 0 {
				s.problem(w, r, http.StatusUnprocessableEntity, ispm.ProblemPrerequisitesUnmet,
					fmt.Sprintf("%d prerequisite(s) of the added instances are not met", len(problems)),
					func(p *ispm.Problem) { p.Errors = problems })
				return
			}
		}
		labels := map[string]string{}
		for _, in := range st.src.Instances {
			labels[in.ID] = in.Label
		}
		for _, in := range org.okta.Instances() {
			labels[in.ID] = in.Label
		}
		instances := make([]ispm.SourceInstance, len(body.InstanceIDs))
		for i, iid := range body.InstanceIDs {
			instances[i] = ispm.SourceInstance{ID: iid, Label: cmp.Or(labels[iid], iid)}
		}
		st.src.Instances = instances
	}
	if body.DisplayName != nil {
		st.src.DisplayName = *body.DisplayName
	}
	st.src.UpdatedAt = s.now().UTC()
	if body.InstanceIDs != nil {
		s.runHealthCheckLocked(st)
	}
	b, _ := json.Marshal(st.src)
	s.storeIdemLocked(k, fp, http.StatusOK, b, "", st.src.ID)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (s *Service) deleteSource(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r, "sourceId", "source id")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sources[id]; !ok {
		s.sourceNotFound(w, r, id)
		return
	}
	delete(s.sources, id)
	w.WriteHeader(http.StatusNoContent)
}
