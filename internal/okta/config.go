package okta

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v3"
	oktasdk "github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
	"github.com/ispm-community/terraform-provider-ispm/internal/memo"
)

// Defaults used when Config leaves a field at its zero value.
const (
	// DefaultMaxAPICapacity is the share of each rate-limit bucket used by
	// default: Okta lets one token or service app use half a bucket.
	DefaultMaxAPICapacity = 50
	// DefaultMaxConcurrentRequests bounds the requests in flight per org,
	// well under the smallest org's concurrency limit.
	DefaultMaxConcurrentRequests = 10
)

// DefaultScopes are the OAuth scopes requested when Config.Scopes is empty:
// apps for P3–P6, groups for the Import Groups evidence.
var DefaultScopes = eligibility.OktaReadScopes

// Config describes one Okta org and how to reach it. Exactly one kind of
// credentials is set: APIToken, or ClientID with PrivateKeyPEM.
type Config struct {
	// OrgURL is the org's URL, e.g. https://acme.okta.com; plain http is
	// accepted on loopback addresses only (the sandbox).
	OrgURL string
	// APIToken is an SSWS API token.
	APIToken string
	// ClientID, PrivateKeyPEM (PKCS#1 or PKCS#8 RSA), PrivateKeyID and
	// Scopes are an OAuth 2.0 service app's credentials (client_credentials
	// with private_key_jwt).
	ClientID      string
	PrivateKeyPEM string
	PrivateKeyID  string
	Scopes        []string
	// MaxRetries bounds the retries of a request after 429, 5xx or a
	// dropped connection; zero means httpx.DefaultMaxRetries, negative none.
	MaxRetries int
	// RequestTimeout bounds each attempt; zero means httpx's default.
	RequestTimeout time.Duration
	// MaxAPICapacity is the percentage (1–100) of each Okta rate-limit
	// bucket this provider may use, as the Okta provider's
	// max_api_capacity; zero means DefaultMaxAPICapacity.
	MaxAPICapacity int
	// MaxConcurrentRequests bounds requests in flight to the org; zero
	// means DefaultMaxConcurrentRequests.
	MaxConcurrentRequests int
	// UserAgent is appended to the SDK's User-Agent.
	UserAgent string
	// Transport sends the requests; nil means a fresh transport with TLS
	// verification on.
	Transport http.RoundTripper
	// Clock paces and times retries; nil means the real clock.
	Clock Clock
}

// Org is one Okta org: its client and the facts gathered from it, shared by
// every caller in the provider process.
type Org struct {
	url      *url.URL
	domain   string
	oauth    bool
	clientID string
	sdk      *oktasdk.Client
	http     *http.Client
	pacer    *pacer
	// secrets are removed from any server text an error quotes.
	secrets []string

	// reqMu serialises the SDK's request builder, which is not safe for
	// concurrent use and, in OAuth mode, fetches the access token: one
	// fetch serves everyone waiting.
	reqMu sync.Mutex
	// callCtx is the context of the call holding reqMu. The SDK sends its
	// token request with context.Background(), which carries no logger
	// and no deadline: the token request is sent with this instead, so it
	// is logged at TRACE like every other request and ends with its call.
	callCtx context.Context

	// The listing, the group index and each app's provisioning answer are
	// read once per process, failures included: a failure after the
	// transport's retries would only fail again and spend the org's rate
	// limit doing so.
	listing *memo.Cell[*snapshot]
	groups  *memo.Cell[groupIndex]
	prov    *memo.Map[provKey, eligibility.ProvisioningFacts]

	lcmMu sync.Mutex
	lcm   lifecycle
}

// New checks cfg and builds the org's client. It makes no request.
func New(cfg Config) (*Org, error) {
	u, err := httpx.ParseEndpoint("Okta org URL", cfg.OrgURL)
	if err != nil {
		return nil, err
	}
	kept := memo.Options{RememberFailures: true}
	o := &Org{
		url:     u,
		domain:  strings.ToLower(u.Host),
		listing: memo.NewCell[*snapshot](kept),
		groups:  memo.NewCell[groupIndex](kept),
		prov:    memo.New[provKey, eligibility.ProvisioningFacts](kept),
	}

	token := strings.TrimSpace(cfg.APIToken)
	oauth := cfg.ClientID != "" || cfg.PrivateKeyPEM != "" || cfg.PrivateKeyID != ""
	switch {
	case token != "" && oauth:
		return nil, fmt.Errorf("the Okta org %s has both an API token and OAuth 2.0 service-app credentials; configure one of them", o.domain)
	case token == "" && !oauth:
		return nil, fmt.Errorf("the Okta org %s has no credentials; configure an API token, or a client id and private key for an OAuth 2.0 service app", o.domain)
	case oauth && (strings.TrimSpace(cfg.ClientID) == "" || strings.TrimSpace(cfg.PrivateKeyPEM) == ""):
		return nil, fmt.Errorf("OAuth 2.0 access to the Okta org %s needs both the service app's client id and its private key", o.domain)
	}

	capacity := cfg.MaxAPICapacity
	if capacity == 0 {
		capacity = DefaultMaxAPICapacity
	}
	if capacity < 1 || capacity > 100 {
		return nil, fmt.Errorf("the Okta API capacity share for %s is %d%%; give a percentage from 1 to 100", o.domain, capacity)
	}
	concurrent := cfg.MaxConcurrentRequests
	if concurrent <= 0 {
		concurrent = DefaultMaxConcurrentRequests
	}
	clock := cfg.Clock
	if clock == nil {
		clock = realClock{}
	}
	base := cfg.Transport
	if base == nil {
		base = httpx.NewBaseTransport()
	}
	o.pacer = newPacer(base, clock, capacity, concurrent, u.EscapedPath())
	var secrets []string
	for _, s := range []string{token, cfg.PrivateKeyPEM} {
		if s != "" {
			secrets = append(secrets, s)
		}
	}
	o.secrets = secrets
	o.http = httpx.NewClient(httpx.Options{
		MaxRetries:     cfg.MaxRetries,
		RequestTimeout: cfg.RequestTimeout,
		UserAgent:      cfg.UserAgent,
		Secrets:        secrets,
		Base:           o.pacer,
		Sleep:          func(ctx context.Context, d time.Duration) error { return clock.SleepUntil(ctx, clock.Now().Add(d)) },
		Now:            clock.Now,
		// The pacer starts each attempt's timeout when it sends it.
		AdmissionStartsTimeout: true,
	})
	o.http.Transport = tokenFormTransport{next: o.http.Transport, ctx: o.tokenContext}

	timeout := cfg.RequestTimeout
	if timeout <= 0 {
		timeout = httpx.DefaultRequestTimeout
	}
	// Every setting the SDK would otherwise take from ~/.okta/okta.yaml or
	// OKTA_CLIENT_* variables is set here explicitly, so neither can leak
	// into the provider.
	setters := []oktasdk.ConfigSetter{
		oktasdk.WithOrgUrl(u.String()),
		oktasdk.WithCache(false),
		oktasdk.WithCacheTtl(0),
		oktasdk.WithCacheTti(0),
		oktasdk.WithHttpClientPtr(o.http),
		oktasdk.WithTestingDisableHttpsCheck(httpx.IsLoopbackHost(u.Host)),
		oktasdk.WithUserAgentExtra(cfg.UserAgent),
		oktasdk.WithConnectionTimeout(int64(timeout / time.Second)),
		oktasdk.WithRequestTimeout(0),
		// Retries are the transport's: it knows the buckets and reports
		// them; the SDK's own 429 loop would hide both.
		oktasdk.WithRateLimitMaxRetries(0),
		oktasdk.WithRateLimitMaxBackOff(0),
		oktasdk.WithProxyHost(""),
		oktasdk.WithProxyPort(0),
		oktasdk.WithProxyUsername(""),
		oktasdk.WithProxyPassword(""),
		oktasdk.WithClientAssertion(""),
		oktasdk.WithPrivateKey(""),
	}
	if oauth {
		signer, err := newSigner(cfg.PrivateKeyPEM, cfg.PrivateKeyID)
		if err != nil {
			return nil, fmt.Errorf("the private key for the Okta org %s cannot be used: %w", o.domain, err)
		}
		scopes := cfg.Scopes
		if len(scopes) == 0 {
			scopes = DefaultScopes
		}
		o.oauth, o.clientID = true, strings.TrimSpace(cfg.ClientID)
		setters = append(setters,
			oktasdk.WithAuthorizationMode("PrivateKey"),
			oktasdk.WithToken(""),
			oktasdk.WithClientId(o.clientID),
			oktasdk.WithScopes(append([]string(nil), scopes...)),
			oktasdk.WithPrivateKeyId(cfg.PrivateKeyID),
			oktasdk.WithPrivateKeySigner(signer),
		)
	} else {
		setters = append(setters,
			oktasdk.WithAuthorizationMode("SSWS"),
			oktasdk.WithToken(token),
			oktasdk.WithClientId(""),
			oktasdk.WithScopes(nil),
			oktasdk.WithPrivateKeyId(""),
			oktasdk.WithPrivateKeySigner(nil),
		)
	}
	_, client, err := oktasdk.NewClient(context.Background(), setters...)
	if err != nil {
		return nil, fmt.Errorf("configuring the Okta client for %s: %s", o.domain, redact(err.Error(), secrets))
	}
	o.sdk = client
	return o, nil
}

// newSigner builds the RS256 signer of the client assertion from a PKCS#1
// or PKCS#8 PEM (the SDK itself reads PKCS#1 only).
func newSigner(pemText, keyID string) (jose.Signer, error) {
	block, _ := pem.Decode([]byte(strings.ReplaceAll(strings.TrimSpace(pemText), `\n`, "\n")))
	if block == nil {
		return nil, errors.New("it is not PEM text (expected -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)")
	}
	var key *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("the PKCS#1 RSA key does not parse")
		}
		key = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("the PKCS#8 key does not parse")
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("the PKCS#8 key is a %T; Okta service apps used by this provider need an RSA key", k)
		}
		key = rk
	default:
		return nil, fmt.Errorf("the PEM block is a %q; an RSA private key (PKCS#1 or PKCS#8) is needed", block.Type)
	}
	opts := &jose.SignerOptions{}
	if keyID != "" {
		opts = opts.WithHeader("kid", keyID)
	}
	return jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, opts)
}

func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "(redacted)")
		}
	}
	return s
}

// tokenContext is the context of the call the SDK is fetching an access
// token for. It is read only from inside NewRequest, in the goroutine
// that holds reqMu.
func (o *Org) tokenContext() context.Context { return o.callCtx }

// Domain is the org's host, the key ISPM knows the org by.
func (o *Org) Domain() string { return o.domain }

// URL is the org's URL.
func (o *Org) URL() string { return o.url.String() }

// SDK returns the org's okta-sdk-golang client (cache off, our transport).
func (o *Org) SDK() *oktasdk.Client { return o.sdk }

// Stats counts the work done against the org so far.
type Stats struct {
	// Requests counts HTTP requests sent per endpoint ("GET
	// /api/v1/apps/{id}/connections/default"); each retry counts.
	Requests map[string]int64
	// RateLimited counts 429 answers.
	RateLimited int64
	// PacingWaits counts the times a request waited for a bucket's reset
	// rather than risk a 429, and PacingWaited adds up those waits (waits
	// of requests held at the same time overlap, so this exceeds the wall
	// time lost).
	PacingWaits  int64
	PacingWaited time.Duration
}

// Total is the number of requests sent.
func (s Stats) Total() int64 {
	var n int64
	for _, v := range s.Requests {
		n += v
	}
	return n
}

// Stats returns the counters.
func (o *Org) Stats() Stats {
	s := Stats{Requests: map[string]int64{}}
	o.pacer.counts.Range(func(k, v any) bool {
		s.Requests[k.(string)] = v.(interface{ Load() int64 }).Load() //nolint:forcetypeassert // the map holds only string → *atomic.Int64
		return true
	})
	s.RateLimited = o.pacer.rateLimited.Load()
	s.PacingWaits = o.pacer.waits.Load()
	s.PacingWaited = time.Duration(o.pacer.waited.Load())
	return s
}

// get sends an authenticated GET for ref (path and query, relative to the
// org URL). A non-2xx answer is returned as an *APIError or *AuthError,
// and the response body is then already closed.
func (o *Org) get(ctx context.Context, ref string) (*http.Response, error) {
	// The SDK's token request (OAuth) runs under the caller's context, not
	// the one counting this call's attempts: it is not an attempt of ref.
	callCtx := ctx
	ctx, attempts := withAttempts(ctx)
	o.reqMu.Lock()
	o.callCtx = callCtx
	req, err := o.sdk.CloneRequestExecutor().NewRequest(http.MethodGet, ref, nil)
	o.callCtx = nil
	o.reqMu.Unlock()
	if err != nil {
		return nil, o.tokenError(err)
	}
	req = req.WithContext(ctx)
	endpoint, b := endpointOf(o.url.EscapedPath(), req.Method, req.URL.Path)
	resp, err := o.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, &APIError{Org: o.domain, Endpoint: endpoint, Bucket: b.String(), Err: err, Attempts: int(attempts.Load())}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, o.apiError(endpoint, b, resp, int(attempts.Load()))
	}
	return resp, nil
}
