// Package sandbox runs local Okta orgs and the ISPM service (package ispmsim)
// for tests and for trying the provider without any account. Each Okta org
// listens on its own loopback port; the control API under /_sandbox changes
// state out of band the way an administrator would.
//
// Tests start one sandbox each, in parallel:
//
//	sb, err := sandbox.New(sandbox.DefaultScenario())
//	...
//	if err := sb.Start("127.0.0.1:0"); err != nil { ... }
//	defer sb.Close()
//	acme := sb.Org("acme")
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// Sandbox is a set of simulated services sharing one lifetime.
type Sandbox struct {
	orgs   []*oktasim.Org
	byName map[string]*oktasim.Org
	logger *slog.Logger
	mux    *http.ServeMux
	ispm   *ispmsim.Service

	mu      sync.Mutex
	srv     *http.Server
	url     string
	started bool
	closed  bool
}

type config struct {
	clock  func() time.Time
	logger *slog.Logger
}

// Option configures a Sandbox.
type Option func(*config)

// WithClock sets the clock of every simulated org (rate-limit windows, token
// expiry, lastUpdated, the Date header).
func WithClock(now func() time.Time) Option { return func(c *config) { c.clock = now } }

// WithLogger logs one line per request. Secrets are never logged.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// New builds a sandbox from a scenario. Nothing listens until Start.
func New(sc Scenario, opts ...Option) (*Sandbox, error) {
	cfg := config{logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&cfg)
	}
	if len(sc.OktaOrgs) == 0 {
		return nil, errors.New("the scenario has no Okta orgs; add at least one to okta_orgs")
	}
	s := &Sandbox{byName: map[string]*oktasim.Org{}, logger: cfg.logger}
	orgOpts := []oktasim.Option{oktasim.WithLogger(cfg.logger)}
	if cfg.clock != nil {
		orgOpts = append(orgOpts, oktasim.WithClock(cfg.clock))
	}
	for i, spec := range sc.OktaOrgs {
		if s.byName[spec.Name] != nil {
			return nil, fmt.Errorf("okta_orgs[%d]: the org name %q is used twice", i, spec.Name)
		}
		org, err := oktasim.NewOrg(spec, orgOpts...)
		if err != nil {
			return nil, fmt.Errorf("okta_orgs[%d] (%q): %w", i, spec.Name, err)
		}
		s.orgs = append(s.orgs, org)
		s.byName[spec.Name] = org
	}
	svc, err := newISPM(sc.ISPM, s.orgs, cfg.clock)
	if err != nil {
		return nil, err
	}
	s.ispm = svc
	s.mux = http.NewServeMux()
	s.mountControl()
	s.mux.Handle("/api/v1/", svc.APIHandler())
	s.mux.Handle(ispmsim.ControlPrefix+"/", svc.ControlHandler())
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, controlError{Error: fmt.Sprintf("the sandbox has no endpoint %s; its control API is under /_sandbox", r.URL.Path)})
	})
	return s, nil
}

// Start listens on addr, which must be a loopback address ("127.0.0.1:0"
// picks a free port), and starts each Okta org on its own free port of the
// same host.
func (s *Sandbox) Start(addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("the sandbox is already started")
	}
	host, err := loopbackHost(addr)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("the sandbox cannot listen on %s: %w", addr, err)
	}
	for _, org := range s.orgs {
		if err := org.Start(net.JoinHostPort(host, "0")); err != nil {
			_ = ln.Close()
			for _, o := range s.orgs {
				_ = o.Close()
			}
			return err
		}
	}
	s.started = true
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	srv := s.srv
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// loopbackHost refuses addresses other machines could reach: the sandbox
// hands out well-known fake credentials.
func loopbackHost(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("listen address %q is not host:port; use 127.0.0.1:0 for a free port", addr)
	}
	if host == "localhost" {
		return "127.0.0.1", nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return host, nil
	}
	return "", fmt.Errorf("listen address %q is not a loopback address; the sandbox serves fake credentials and listens on 127.0.0.1 only", addr)
}

// Close stops every listener. It is safe to call more than once.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	srv := s.srv
	s.mu.Unlock()
	var errs []error
	for _, org := range s.orgs {
		errs = append(errs, org.Close())
	}
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			errs = append(errs, srv.Close())
		}
	}
	return errors.Join(errs...)
}

// URL is the main listener's base URL, empty until Start.
func (s *Sandbox) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// ControlURL is the control API's base URL.
func (s *Sandbox) ControlURL() string { return s.URL() + controlPrefix }

// Handler serves the main listener's routes (the control API).
func (s *Sandbox) Handler() http.Handler { return s.mux }

// Org returns the Okta org with this name, or nil.
func (s *Sandbox) Org(name string) *oktasim.Org { return s.byName[name] }

// Orgs returns the Okta orgs in scenario order.
func (s *Sandbox) Orgs() []*oktasim.Org { return append([]*oktasim.Org(nil), s.orgs...) }

// SetOktaFaults injects the same faults into every Okta org; the zero
// Faults clears them.
func (s *Sandbox) SetOktaFaults(f oktasim.Faults) error {
	for _, org := range s.orgs {
		if err := org.SetFaults(f); err != nil {
			return err
		}
	}
	return nil
}

// Info is the first line the sandbox command prints: everything a script
// needs to point the provider at the sandbox.
type Info struct {
	// Env holds the provider's environment variables for the default
	// (first) Okta org, ready to export.
	Env      map[string]string `json:"env"`
	OktaOrgs []OktaOrgInfo     `json:"okta_orgs"`
	// Control is the control API's base URL.
	Control string `json:"control"`
	// ISPM is the ISPM API, served on the main listener.
	ISPM ISPMInfo `json:"ispm"`
}

// OktaOrgInfo describes one simulated Okta org.
type OktaOrgInfo struct {
	Name string `json:"name"`
	// URL is the org URL, for WithOrgUrl or the provider's org_url.
	URL string `json:"url"`
	// Domain is the URL's host, the name ISPM knows the org by.
	Domain              string `json:"domain"`
	APIToken            string `json:"api_token,omitempty"`
	LifecycleManagement bool   `json:"lifecycle_management"`
	// Control is the base URL of the org's control API.
	Control string `json:"control"`
}

// Info describes the running sandbox.
func (s *Sandbox) Info() Info {
	info := Info{Env: map[string]string{}, OktaOrgs: []OktaOrgInfo{}, Control: s.ControlURL(), ISPM: s.ispmInfo()}
	info.Env["ISPM_ENDPOINT"] = info.ISPM.Endpoint
	info.Env["ISPM_API_TOKEN"] = info.ISPM.APIToken
	for i, org := range s.orgs {
		oi := OktaOrgInfo{
			Name:                org.Name(),
			URL:                 org.URL(),
			Domain:              org.Domain(),
			APIToken:            org.APIToken(),
			LifecycleManagement: org.LifecycleManagement(),
			Control:             s.ControlURL() + "/okta/orgs/" + org.Name(),
		}
		info.OktaOrgs = append(info.OktaOrgs, oi)
		if i == 0 {
			// The provider takes a full URL in OKTA_BASE_URL, as the Okta
			// provider's tests do for local servers.
			info.Env["OKTA_ORG_NAME"] = oi.Name
			info.Env["OKTA_BASE_URL"] = oi.URL
			if oi.APIToken != "" {
				info.Env["OKTA_API_TOKEN"] = oi.APIToken
			}
		}
	}
	return info
}
