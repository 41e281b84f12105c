package ispm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
)

// Defaults of Config.
const (
	DefaultUserAgent = "terraform-provider-ispm"
	// DefaultMaxResponseBytes bounds one response body; a page of 200
	// sources is far below it.
	DefaultMaxResponseBytes = 4 << 20
	// pageSize is the largest page the contract allows: fewer round trips.
	pageSize = 200
	// maxPages stops a server that never ends a listing.
	maxPages = 10000
)

// Config configures NewClient.
type Config struct {
	// Endpoint is the ISPM API's base URL, e.g. https://ispm.example.com
	// (a trailing /api/v1 is accepted). Plain http is accepted only on
	// loopback.
	Endpoint string
	// APIToken is sent as a bearer token. It never appears in errors.
	APIToken string
	// HTTPClient sends the requests. Nil means an httpx client with its
	// default retries that masks the token in its logs. A caller-supplied
	// client should be an httpx client too (with the token in
	// Options.Secrets): CreateSource and UpdateSource rely on its retries
	// resending their Idempotency-Key.
	HTTPClient *http.Client
	// UserAgent is sent on every request; empty means DefaultUserAgent.
	UserAgent string
	// MaxResponseBytes bounds one response body; zero means
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Now returns the current time (to read HTTP-date Retry-After); nil
	// means time.Now.
	Now func() time.Time
}

// RESTClient implements Client over the contract in package contract.
type RESTClient struct {
	base     *url.URL
	token    string
	hc       *http.Client
	ua       string
	maxBytes int64
	now      func() time.Time
}

var _ Client = (*RESTClient)(nil)

// NewClient checks cfg and returns a client. It does not contact ISPM.
func NewClient(cfg Config) (*RESTClient, error) {
	base, err := httpx.ParseEndpoint("the ISPM endpoint", cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	base.Path = strings.TrimSuffix(base.Path, "/api/v1")
	token := strings.TrimSpace(cfg.APIToken)
	if token == "" {
		return nil, errors.New("the ISPM API token is empty; set the provider's api_token or ISPM_API_TOKEN")
	}
	for _, r := range token {
		if r < 0x21 || r > 0x7e {
			return nil, errors.New("the ISPM API token contains spaces or characters that cannot be sent in an HTTP header; copy it again from the ISPM console")
		}
	}
	c := &RESTClient{
		base:     base,
		token:    token,
		hc:       cfg.HTTPClient,
		ua:       cfg.UserAgent,
		maxBytes: cfg.MaxResponseBytes,
		now:      cfg.Now,
	}
	if c.ua == "" {
		c.ua = DefaultUserAgent
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxResponseBytes
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.hc == nil {
		c.hc = httpx.NewClient(httpx.Options{UserAgent: c.ua, Secrets: []string{token}})
	}
	return c, nil
}

// Endpoint returns the base URL the client talks to.
func (c *RESTClient) Endpoint() string { return c.base.String() }

// call is one API request.
type call struct {
	method string
	path   string // under the base URL, starting with /api/v1
	query  url.Values
	body   any
	header http.Header
	// want is the success status; anything else is an error.
	want int
}

// do sends cl and decodes a success body into out (nil: no body expected).
func (c *RESTClient) do(ctx context.Context, cl call, out any) error {
	u := *c.base
	// cl.path is already escaped segment by segment.
	u.RawPath = c.base.EscapedPath() + cl.path
	if p, err := url.PathUnescape(u.RawPath); err == nil {
		u.Path = p
	}
	if len(cl.query) > 0 {
		u.RawQuery = cl.query.Encode()
	}
	ctx, outcome := httpx.WithOutcome(ctx)
	var body io.Reader
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return fmt.Errorf("encoding the ISPM %s %s request: %w", cl.method, cl.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), body)
	if err != nil {
		return fmt.Errorf("building the ISPM %s %s request: %w", cl.method, cl.path, err)
	}
	for k, vs := range cl.header {
		req.Header[k] = vs
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json, "+ContentTypeProblem)
	req.Header.Set("User-Agent", c.ua)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("ISPM API %s %s: %w", cl.method, cl.path, ctxErr)
		}
		return fmt.Errorf("ISPM API %s %s: no answer from %s: %s", cl.method, cl.path, c.base.Host, c.redact(httpx.UnwrapURLError(err)))
	}
	defer resp.Body.Close()

	data, tooLarge, readErr := httpx.ReadBody(resp.Body, c.maxBytes)
	if readErr != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("ISPM API %s %s: %w", cl.method, cl.path, ctxErr)
		}
		return &APIError{Kind: KindInvalidResponse, StatusCode: resp.StatusCode, Method: cl.method, Path: cl.path,
			RequestID: clean(resp.Header.Get("X-Request-Id"), maxRequestID, []string{c.token}),
			Err:       fmt.Errorf("the answer was cut off while reading it (%s); try again", c.redact(readErr))}
	}
	if tooLarge {
		return &APIError{Kind: KindInvalidResponse, StatusCode: resp.StatusCode, Method: cl.method, Path: cl.path,
			RequestID: clean(resp.Header.Get("X-Request-Id"), maxRequestID, []string{c.token}),
			Err:       fmt.Errorf("the answer is larger than the %d bytes this client accepts", c.maxBytes)}
	}

	if resp.StatusCode != cl.want {
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return &APIError{Kind: KindInvalidResponse, StatusCode: resp.StatusCode, Method: cl.method, Path: cl.path,
				RequestID: clean(resp.Header.Get("X-Request-Id"), maxRequestID, []string{c.token}),
				Err:       fmt.Errorf("expected %d %s", cl.want, http.StatusText(cl.want))}
		}
		e := errorFromResponse(cl.method, cl.path, errorAnswer{status: resp.StatusCode, header: resp.Header, body: data}, c.now(), c.token)
		e.Outcome = *outcome
		return e
	}
	if out == nil {
		return nil
	}
	invalid := func(err error) error {
		return &APIError{Kind: KindInvalidResponse, StatusCode: resp.StatusCode, Method: cl.method, Path: cl.path,
			RequestID: clean(resp.Header.Get("X-Request-Id"), maxRequestID, []string{c.token}), Err: err}
	}
	if mt, ok := httpx.DeclaredNotJSON(resp.Header, unparseableType); ok {
		return invalid(fmt.Errorf("the body is %s, not JSON; a proxy or load balancer in front of ISPM may have answered", mt))
	}
	if len(data) == 0 {
		return invalid(errors.New("the body is empty where JSON was expected"))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return invalid(fmt.Errorf("the body is not the expected JSON (%s)", httpx.DescribeJSONError(err)))
	}
	if v, ok := out.(interface{ check() error }); ok {
		if err := v.check(); err != nil {
			return invalid(err)
		}
	}
	return nil
}

// redact removes the token from an error text that may quote a request.
func (c *RESTClient) redact(err error) string {
	return sanitizer([]string{c.token}).Redact(err.Error())
}

type page[T any] struct {
	Data       *[]T   `json:"data"`
	NextCursor string `json:"next_cursor"`
}

func (p *page[T]) check() error {
	if p.Data == nil {
		return errors.New(`the list has no "data" member`)
	}
	for i := range *p.Data {
		if v, ok := any(&(*p.Data)[i]).(interface{ check() error }); ok {
			if err := v.check(); err != nil {
				return fmt.Errorf("item %d: %w", i, err)
			}
		}
	}
	return nil
}

// listAll follows next_cursor to the end of a listing.
func listAll[T any](ctx context.Context, c *RESTClient, path string, query url.Values) ([]T, error) {
	if query == nil {
		query = url.Values{}
	}
	query.Set("limit", strconv.Itoa(pageSize))
	var all []T
	seen := map[string]bool{}
	for n := 0; ; n++ {
		if n == maxPages {
			return nil, &APIError{Kind: KindInvalidResponse, Method: http.MethodGet, Path: path,
				Err: fmt.Errorf("the listing did not end after %d pages", maxPages)}
		}
		var p page[T]
		if err := c.do(ctx, call{method: http.MethodGet, path: path, query: query, want: http.StatusOK}, &p); err != nil {
			return nil, err
		}
		all = append(all, *p.Data...)
		if p.NextCursor == "" {
			return all, nil
		}
		if seen[p.NextCursor] {
			return nil, &APIError{Kind: KindInvalidResponse, Method: http.MethodGet, Path: path,
				Err: errors.New("the server sent the same next_cursor twice; the listing would never end")}
		}
		seen[p.NextCursor] = true
		query.Set("cursor", p.NextCursor)
	}
}

func required(what, value string) error {
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("%s is empty", what)
	}
	return nil
}

func seg(s string) string { return url.PathEscape(s) }

func (o *Org) check() error {
	if o.ID == "" || o.Domain == "" {
		return errors.New(`an org lacks its "id" or "domain"`)
	}
	return nil
}

func (r *OrgRefresh) check() error {
	if r.OktaOrgID == "" {
		return errors.New(`the refresh answer lacks "okta_org_id"`)
	}
	return nil
}

func (e *CatalogEntry) check() error {
	if e.Key == "" {
		return errors.New(`a catalog entry lacks its "key"`)
	}
	if e.OrgStatus != nil {
		return e.OrgStatus.check()
	}
	return nil
}

func (s *AppStatus) check() error {
	if s.App == "" || s.Status == "" || s.OktaOrgID == "" {
		return errors.New(`an app status lacks "okta_org_id", "app" or "status"`)
	}
	for _, in := range s.Instances {
		if in.ID == "" {
			return errors.New(`an app instance lacks its "id"`)
		}
	}
	return nil
}

func (s *Source) check() error {
	if s.ID == "" || s.OktaOrgID == "" || s.App == "" {
		return errors.New(`a source lacks its "id", "okta_org_id" or "app"`)
	}
	for _, in := range s.Instances {
		if in.ID == "" {
			return errors.New(`a source instance lacks its "id"`)
		}
	}
	return nil
}

// ListOrgs implements Client.
func (c *RESTClient) ListOrgs(ctx context.Context) ([]Org, error) {
	return listAll[Org](ctx, c, "/api/v1/okta-orgs", nil)
}

// GetOrg implements Client.
func (c *RESTClient) GetOrg(ctx context.Context, orgID string) (*Org, error) {
	if err := required("the ISPM org id", orgID); err != nil {
		return nil, err
	}
	var o Org
	err := c.do(ctx, call{method: http.MethodGet, path: "/api/v1/okta-orgs/" + seg(orgID), want: http.StatusOK}, &o)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// NormalizeDomain reduces an Okta org URL or domain to the lower-case host
// (with port) that ISPM identifies the org by.
func NormalizeDomain(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

// FindOrgByDomain implements Client.
func (c *RESTClient) FindOrgByDomain(ctx context.Context, domain string) (*Org, error) {
	d := NormalizeDomain(domain)
	if d == "" {
		return nil, errors.New("the Okta org domain is empty; give the org's host, such as acme.okta.com")
	}
	orgs, err := listAll[Org](ctx, c, "/api/v1/okta-orgs", url.Values{"domain": {d}})
	if err != nil {
		return nil, err
	}
	// Compare again: a server that ignored the filter must not make us
	// pick the wrong org.
	for i := range orgs {
		if NormalizeDomain(orgs[i].Domain) == d {
			return &orgs[i], nil
		}
	}
	return nil, fmt.Errorf("no Okta org with domain %q is connected to ISPM; connect it in the ISPM console (Settings, Okta orgs) or check the domain: %w", d, ErrNotFound)
}

// RefreshOrg implements Client.
func (c *RESTClient) RefreshOrg(ctx context.Context, orgID string) (*OrgRefresh, error) {
	if err := required("the ISPM org id", orgID); err != nil {
		return nil, err
	}
	var r OrgRefresh
	err := c.do(ctx, call{method: http.MethodPost, path: "/api/v1/okta-orgs/" + seg(orgID) + "/refresh", header: retryableRefresh(), want: http.StatusOK}, &r)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// ListCatalog implements Client.
func (c *RESTClient) ListCatalog(ctx context.Context, f CatalogFilter) ([]CatalogEntry, error) {
	if f.Status != "" && f.OktaOrgID == "" {
		return nil, errors.New("filtering the ISPM gallery by status needs an Okta org: status is per org")
	}
	q := url.Values{}
	setIf(q, "powered_by", string(f.PoweredBy))
	setIf(q, "category", f.Category)
	setIf(q, "q", f.Query)
	setIf(q, "okta_org_id", f.OktaOrgID)
	setIf(q, "status", string(f.Status))
	return listAll[CatalogEntry](ctx, c, "/api/v1/catalog", q)
}

// GetCatalogEntry implements Client.
func (c *RESTClient) GetCatalogEntry(ctx context.Context, appKey, orgID string) (*CatalogEntry, error) {
	if err := required("the app key", appKey); err != nil {
		return nil, err
	}
	q := url.Values{}
	setIf(q, "okta_org_id", orgID)
	var e CatalogEntry
	err := c.do(ctx, call{method: http.MethodGet, path: "/api/v1/catalog/" + seg(appKey), query: q, want: http.StatusOK}, &e)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

func appPath(orgID, appKey string) (string, error) {
	if err := required("the ISPM org id", orgID); err != nil {
		return "", err
	}
	if err := required("the app key", appKey); err != nil {
		return "", err
	}
	return "/api/v1/okta-orgs/" + seg(orgID) + "/apps/" + seg(appKey), nil
}

// GetAppStatus implements Client.
func (c *RESTClient) GetAppStatus(ctx context.Context, orgID, appKey string) (*AppStatus, error) {
	p, err := appPath(orgID, appKey)
	if err != nil {
		return nil, err
	}
	var s AppStatus
	if err := c.do(ctx, call{method: http.MethodGet, path: p, want: http.StatusOK}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// RefreshAppStatus implements Client.
func (c *RESTClient) RefreshAppStatus(ctx context.Context, orgID, appKey string) (*AppStatus, error) {
	p, err := appPath(orgID, appKey)
	if err != nil {
		return nil, err
	}
	var s AppStatus
	if err := c.do(ctx, call{method: http.MethodPost, path: p + "/refresh", header: retryableRefresh(), want: http.StatusOK}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// retryableRefresh marks a Refresh Data call safe to send again (it only
// re-reads Okta), so the transport retries it after a 5xx or a dropped
// connection as it does a read.
func retryableRefresh() http.Header {
	h := http.Header{}
	h.Set("Idempotency-Key", NewIdempotencyKey())
	return h
}

// NewIdempotencyKey returns a random key for one intended create.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "ik_" + hex.EncodeToString(b[:])
}

// CreateSource implements Client.
func (c *RESTClient) CreateSource(ctx context.Context, req CreateSourceRequest) (*Source, error) {
	if err := required("the ISPM org id", req.OktaOrgID); err != nil {
		return nil, err
	}
	if err := required("the app key", req.App); err != nil {
		return nil, err
	}
	if len(req.InstanceIDs) == 0 {
		return nil, errors.New("a source needs at least one app instance id")
	}
	key := req.IdempotencyKey
	if key == "" {
		key = NewIdempotencyKey()
	}
	h := http.Header{}
	h.Set("Idempotency-Key", key)
	var s Source
	err := c.do(ctx, call{method: http.MethodPost, path: "/api/v1/sources", body: req, header: h, want: http.StatusCreated}, &s)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// GetSource implements Client.
func (c *RESTClient) GetSource(ctx context.Context, sourceID string) (*Source, error) {
	if err := required("the source id", sourceID); err != nil {
		return nil, err
	}
	var s Source
	if err := c.do(ctx, call{method: http.MethodGet, path: "/api/v1/sources/" + seg(sourceID), want: http.StatusOK}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// ListSources implements Client.
func (c *RESTClient) ListSources(ctx context.Context, f SourceFilter) ([]Source, error) {
	q := url.Values{}
	setIf(q, "okta_org_id", f.OktaOrgID)
	setIf(q, "app", f.App)
	setIf(q, "status", string(f.Status))
	setIf(q, "health", string(f.Health))
	return listAll[Source](ctx, c, "/api/v1/sources", q)
}

// UpdateSource implements Client. The request carries a fresh
// Idempotency-Key so that the transport may retry it.
func (c *RESTClient) UpdateSource(ctx context.Context, sourceID string, req UpdateSourceRequest) (*Source, error) {
	if err := required("the source id", sourceID); err != nil {
		return nil, err
	}
	if req.InstanceIDs == nil && req.DisplayName == nil {
		return nil, errors.New("an update of a source must change its instance ids or its display name")
	}
	if req.InstanceIDs != nil && len(req.InstanceIDs) == 0 {
		return nil, errors.New("a source needs at least one app instance id; delete the source instead of removing all of them")
	}
	h := http.Header{}
	h.Set("Idempotency-Key", NewIdempotencyKey())
	var s Source
	err := c.do(ctx, call{method: http.MethodPatch, path: "/api/v1/sources/" + seg(sourceID), body: req, header: h, want: http.StatusOK}, &s)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// DeleteSource implements Client.
func (c *RESTClient) DeleteSource(ctx context.Context, sourceID string) error {
	if err := required("the source id", sourceID); err != nil {
		return err
	}
	return c.do(ctx, call{method: http.MethodDelete, path: "/api/v1/sources/" + seg(sourceID), want: http.StatusNoContent}, nil)
}

func setIf(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}
