package provider

import (
	"context"
)

// providerData is built once per configured provider and handed to every
// resource and data source.
type providerData struct {
	version string
	cfg     resolvedConfig
}

func newProviderData(_ context.Context, version string, cfg resolvedConfig) (*providerData, error) {
	return &providerData{version: version, cfg: cfg}, nil
}

// userAgent is sent on every request.
func (d *providerData) userAgent() string { return "terraform-provider-ispm/" + d.version }
