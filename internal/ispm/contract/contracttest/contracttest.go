// Package contracttest checks HTTP exchanges against the ISPM OpenAPI
// document in tests: a RoundTripper for clients and a middleware for
// servers. Violations are collected and reported as test errors when the
// test ends, so servers' goroutines never call into a finished test.
package contracttest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm/contract"
)

// Mode says which halves of an exchange are checked.
type Mode int

const (
	// Both checks the request and the response.
	Both Mode = iota
	// RequestOnly checks what a client sends; use it against deliberately
	// hostile servers whose answers break the contract on purpose.
	RequestOnly
	// ResponseOnly checks what a server answers; use it for deliberately
	// malformed requests, whose answers must still follow the contract.
	ResponseOnly
)

// maxBody bounds what the validator buffers of one body.
const maxBody = 8 << 20

// Validator checks exchanges against the contract and remembers every
// violation.
type Validator struct {
	router routers.Router

	mu         sync.Mutex
	violations []string
	checked    int
}

// TB is the part of testing.TB a Validator uses.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Cleanup(func())
}

var _ TB = testing.TB(nil)

// New returns a Validator whose violations fail tb when it ends.
func New(tb TB) *Validator {
	tb.Helper()
	doc, err := contract.Shared()
	if err != nil {
		tb.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		tb.Fatalf("building the contract router: %v", err)
	}
	v := &Validator{router: router}
	tb.Cleanup(func() {
		for _, msg := range v.Violations() {
			tb.Errorf("contract violation: %s", msg)
		}
	})
	return v
}

// Violations returns what has broken the contract so far.
func (v *Validator) Violations() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.violations...)
}

// Checked is how many exchanges have been validated (at least one half);
// tests assert it to prove the validator was really in the path.
func (v *Validator) Checked() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.checked
}

func (v *Validator) record(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.violations = append(v.violations, fmt.Sprintf(format, args...))
}

func (v *Validator) count() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.checked++
}

func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		IncludeResponseStatus: true,
		SkipSettingDefaults:   true,
		MultiError:            true,
		AuthenticationFunc:    requireBearer,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.EnableFormatValidation(),
		},
	}
}

// requireBearer accepts any request that presents a bearer token; whether
// the token is right is the server's business, not the contract's.
func requireBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecuritySchemeName != "bearerAuth" {
		return fmt.Errorf("unknown security scheme %q", in.SecuritySchemeName)
	}
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") || strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")) == "" {
		return errors.New("no bearer token in the Authorization header")
	}
	return nil
}

// Transport wraps base (nil means http.DefaultTransport) so that every
// exchange through it is checked as mode says.
func (v *Validator) Transport(base http.RoundTripper, mode Mode) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper{v: v, base: base, mode: mode}
}

// Client is an *http.Client whose exchanges are all checked both ways.
func (v *Validator) Client() *http.Client {
	return &http.Client{Transport: v.Transport(nil, Both)}
}

type roundTripper struct {
	v    *Validator
	base http.RoundTripper
	mode Mode
}

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readAll(req.Body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	in := rt.v.requestInput(req, body, rt.mode != ResponseOnly)
	resp, err := rt.base.RoundTrip(req)
	if err != nil || in == nil || rt.mode == RequestOnly {
		return resp, err
	}
	respBody, rerr := readAll(resp.Body)
	if rerr != nil {
		// A connection dropped mid-body is a transport event, not a contract
		// answer; hand the error on as the client would see it.
		return nil, rerr
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	rt.v.checkResponse(in, resp.StatusCode, resp.Header, respBody)
	return resp, nil
}

// requestInput finds the request's operation and, if validate is set,
// checks the request. It returns nil when no operation matches (then the
// response cannot be checked either).
func (v *Validator) requestInput(req *http.Request, body []byte, validate bool) *openapi3filter.RequestValidationInput {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		if validate {
			v.record("%s %s: no operation of the contract matches: %v", req.Method, req.URL.Path, err)
			v.count()
		}
		return nil
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    req.Clone(req.Context()),
		PathParams: params,
		Route:      route,
		Options:    options(),
	}
	if body != nil {
		in.Request.Body = io.NopCloser(bytes.NewReader(body))
	}
	if validate {
		v.count()
		if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
			v.record("request %s %s: %v", req.Method, req.URL.RequestURI(), err)
		}
	}
	return in
}

func (v *Validator) checkResponse(in *openapi3filter.RequestValidationInput, status int, header http.Header, body []byte) {
	v.count()
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                in.Options,
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		v.record("response %d to %s %s: %v (body %q)", status, in.Request.Method, in.Request.URL.RequestURI(), err, truncate(body))
	}
	if status >= 400 && len(body) > 0 && !strings.HasPrefix(header.Get("Content-Type"), "application/problem+json") {
		v.record("response %d to %s %s has Content-Type %q, not application/problem+json", status, in.Request.Method, in.Request.URL.RequestURI(), header.Get("Content-Type"))
	}
	if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && header.Get("Retry-After") == "" {
		v.record("response %d to %s %s has no Retry-After", status, in.Request.Method, in.Request.URL.RequestURI())
	}
}

// Middleware checks every exchange that next serves, as mode says.
// Connections the handler hijacks (dropped on purpose) are not checked.
func (v *Validator) Middleware(next http.Handler, mode Mode) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readAll(r.Body)
		if err != nil {
			http.Error(w, "reading the request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		in := v.requestInput(r, body, mode != ResponseOnly)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if in == nil || mode == RequestOnly || rec.hijacked {
			return
		}
		if !rec.wroteHeader && r.Context().Err() != nil {
			// The client went away before the handler answered.
			return
		}
		v.checkResponse(in, rec.status, w.Header(), rec.body.Bytes())
	})
}

type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	hijacked    bool
	body        bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	if r.body.Len() < maxBody {
		r.body.Write(p)
	}
	return r.ResponseWriter.Write(p)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the underlying ResponseWriter cannot be hijacked")
	}
	r.hijacked = true
	return h.Hijack()
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func readAll(rc io.ReadCloser) ([]byte, error) {
	if rc == nil || rc == http.NoBody {
		return nil, nil
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxBody))
	if err != nil {
		return nil, err
	}
	return b, nil
}

func truncate(b []byte) string {
	const n = 300
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
