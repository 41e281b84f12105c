package provider

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/okta"
)

// providerData is built once per configured provider and handed to every
// resource and data source. Everything it caches lives as long as the
// provider process, which is one Terraform command: every resource and data
// source of a plan shares one Okta app listing per org and one ISPM read of
// each org's gallery.
type providerData struct {
	version string
	cfg     resolvedConfig
	// ispm and ispmFacts are nil when ISPM is not configured: readiness is
	// then judged from Okta alone (see requireISPM).
	ispm ispm.Client
	// ispmFacts is ISPM's side of the readiness path and every cached ISPM
	// read (the org list, the gallery, each org's gallery and sources).
	ispmFacts *ispm.Facts
	// okta holds a client per configured Okta org, by domain; oktaNames
	// maps each org's name (acme) to its domain.
	okta      map[string]*okta.Org
	oktaNames map[string]string
	// readReported holds the ids of the connections whose regressions a
	// refresh of this process has warned about, so that the plan that
	// follows need not warn again. It is kept in memory, not in private
	// state: a private-state change counts as a change to Terraform, and
	// terraform plan -refresh-only would then always exit 2.
	readReported sync.Map // connection id → true
}

func newProviderData(_ context.Context, version string, cfg resolvedConfig) (*providerData, error) {
	d := &providerData{version: version, cfg: cfg, okta: map[string]*okta.Org{}, oktaNames: map[string]string{}}
	retries := cfg.MaxRetries
	if retries == 0 {
		retries = -1 // httpx reads 0 as "the default"; the user asked for none
	}
	if cfg.ISPMConfigured() {
		client, err := ispm.NewClient(ispm.Config{
			Endpoint:  cfg.ISPMEndpoint.String(),
			APIToken:  cfg.ISPMAPIToken,
			UserAgent: d.userAgent(),
			HTTPClient: httpx.NewClient(httpx.Options{
				MaxRetries:     retries,
				RequestTimeout: cfg.RequestTimeout,
				UserAgent:      d.userAgent(),
				Secrets:        cfg.secrets(),
			}),
		})
		if err != nil {
			return nil, fmt.Errorf("ISPM client: %w", err)
		}
		d.ispm = client
		d.ispmFacts = ispm.NewFacts(client)
	}
	for _, o := range cfg.OktaOrgs {
		org, err := okta.New(okta.Config{
			OrgURL:         o.URL.String(),
			APIToken:       o.APIToken,
			ClientID:       o.ClientID,
			PrivateKeyPEM:  o.PrivateKeyPEM,
			PrivateKeyID:   o.PrivateKeyID,
			Scopes:         o.Scopes,
			MaxRetries:     retries,
			RequestTimeout: cfg.RequestTimeout,
			MaxAPICapacity: cfg.OktaMaxAPICapacity,
			UserAgent:      d.userAgent(),
		})
		if err != nil {
			return nil, fmt.Errorf("Okta org %s: %w", o.Domain(), err)
		}
		d.okta[org.Domain()] = org
		if o.Name != "" {
			d.oktaNames[o.Name] = org.Domain()
		}
	}
	return d, nil
}

// userAgent is sent on every request.
func (d *providerData) userAgent() string { return "terraform-provider-ispm/" + d.version }

// errISPMNotConfigured is the error of everything that needs ISPM when the
// provider has no ISPM API configured.
type errISPMNotConfigured struct{ what string }

func (e *errISPMNotConfigured) Error() string {
	return fmt.Sprintf("%s needs the ISPM API, and the provider has none configured: it is checking readiness from Okta alone. "+
		"Set endpoint and api_token in the provider block (or the %s and %s environment variables) to use it; "+
		"ispm_app_eligibility and ispm_sources_gallery work without ISPM.", e.what, EnvISPMEndpoint, EnvISPMAPIToken)
}

// requireISPM reports, as an error diagnostic, that what needs ISPM when
// the provider has none; it returns whether ISPM is configured.
func (d *providerData) requireISPM(diags *diag.Diagnostics, what string) bool {
	if d == nil {
		diags.AddError("Provider not configured", "The ispm provider must be configured first.")
		return false
	}
	if d.ispmFacts != nil {
		return true
	}
	diags.AddError("ISPM is not configured", (&errISPMNotConfigured{what: what}).Error())
	return false
}
