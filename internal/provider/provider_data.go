package provider

import (
	"context"
	"fmt"

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
	ispm    ispm.Client
	// ispmFacts is ISPM's side of the readiness path and every cached ISPM
	// read (the org list, the gallery, each org's gallery and sources).
	ispmFacts *ispm.Facts
	// okta holds a client per configured Okta org, by domain.
	okta map[string]*okta.Org
}

func newProviderData(_ context.Context, version string, cfg resolvedConfig) (*providerData, error) {
	d := &providerData{version: version, cfg: cfg, okta: map[string]*okta.Org{}}
	retries := cfg.MaxRetries
	if retries == 0 {
		retries = -1 // httpx reads 0 as "the default"; the user asked for none
	}
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
	}
	return d, nil
}

// userAgent is sent on every request.
func (d *providerData) userAgent() string { return "terraform-provider-ispm/" + d.version }
