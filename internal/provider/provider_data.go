package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

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
	// okta holds a client per configured Okta org, by domain.
	okta map[string]*okta.Org

	orgs      once[[]ispm.Org]
	galleryMu sync.Mutex
	gallery   map[string]*once[map[string]ispm.CatalogEntry]
	sourcesMu sync.Mutex
	sources   map[string]*once[[]ispm.Source]
	catalog   once[map[string]ispm.CatalogEntry]
	refreshMu sync.Mutex
	refreshed map[string]*once[*ispm.AppStatus]
}

func newProviderData(_ context.Context, version string, cfg resolvedConfig) (*providerData, error) {
	d := &providerData{
		version:   version,
		cfg:       cfg,
		okta:      map[string]*okta.Org{},
		gallery:   map[string]*once[map[string]ispm.CatalogEntry]{},
		sources:   map[string]*once[[]ispm.Source]{},
		refreshed: map[string]*once[*ispm.AppStatus]{},
	}
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

// listOrgs returns the Okta orgs ISPM knows, read once per process.
func (d *providerData) listOrgs(ctx context.Context) ([]ispm.Org, error) {
	return d.orgs.do(ctx, func(ctx context.Context) ([]ispm.Org, error) { return d.ispm.ListOrgs(ctx) })
}

// catalogEntries returns the whole gallery by key, read once per process.
func (d *providerData) catalogEntries(ctx context.Context) (map[string]ispm.CatalogEntry, error) {
	return d.catalog.do(ctx, func(ctx context.Context) (map[string]ispm.CatalogEntry, error) {
		entries, err := d.ispm.ListCatalog(ctx, ispm.CatalogFilter{})
		if err != nil {
			return nil, err
		}
		return byKey(entries), nil
	})
}

// orgGallery returns the gallery with each entry's status in a connected
// org, read once per org per process.
func (d *providerData) orgGallery(ctx context.Context, orgID string) (map[string]ispm.CatalogEntry, error) {
	d.galleryMu.Lock()
	o, ok := d.gallery[orgID]
	if !ok {
		o = &once[map[string]ispm.CatalogEntry]{}
		d.gallery[orgID] = o
	}
	d.galleryMu.Unlock()
	return o.do(ctx, func(ctx context.Context) (map[string]ispm.CatalogEntry, error) {
		entries, err := d.ispm.ListCatalog(ctx, ispm.CatalogFilter{OktaOrgID: orgID})
		if err != nil {
			return nil, err
		}
		return byKey(entries), nil
	})
}

// orgSources returns the org's sources, read once per org per process.
func (d *providerData) orgSources(ctx context.Context, orgID string) ([]ispm.Source, error) {
	d.sourcesMu.Lock()
	o, ok := d.sources[orgID]
	if !ok {
		o = &once[[]ispm.Source]{}
		d.sources[orgID] = o
	}
	d.sourcesMu.Unlock()
	return o.do(ctx, func(ctx context.Context) ([]ispm.Source, error) {
		return d.ispm.ListSources(ctx, ispm.SourceFilter{OktaOrgID: orgID})
	})
}

// forgetOrg drops what is cached about an org's gallery and sources, after
// a change this process made to them.
func (d *providerData) forgetOrg(orgID string) {
	d.galleryMu.Lock()
	delete(d.gallery, orgID)
	d.galleryMu.Unlock()
	d.sourcesMu.Lock()
	delete(d.sources, orgID)
	d.sourcesMu.Unlock()
	d.refreshMu.Lock()
	for k := range d.refreshed {
		if strings.HasPrefix(k, orgID+"/") {
			delete(d.refreshed, k)
		}
	}
	d.refreshMu.Unlock()
}

func byKey(entries []ispm.CatalogEntry) map[string]ispm.CatalogEntry {
	m := make(map[string]ispm.CatalogEntry, len(entries))
	for _, e := range entries {
		m[e.Key] = e
	}
	return m
}

// once runs a fetch at most once at a time and keeps its first success;
// callers that arrive while it runs wait for it (single flight). A failure
// is not kept, so the next caller tries again; a caller whose context ends
// stops waiting without cancelling the fetch for the others.
type once[T any] struct {
	mu      sync.Mutex
	done    bool
	val     T
	running chan struct{}
	err     error
}

func (o *once[T]) do(ctx context.Context, fetch func(context.Context) (T, error)) (T, error) {
	for {
		o.mu.Lock()
		if o.done {
			v := o.val
			o.mu.Unlock()
			return v, nil
		}
		if ch := o.running; ch != nil {
			o.mu.Unlock()
			select {
			case <-ch:
				o.mu.Lock()
				err, done := o.err, o.done
				o.mu.Unlock()
				if !done && err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
					// The fetch failed for a reason of its own; a fetch
					// that ended with its caller's context is tried again.
					var zero T
					return zero, err
				}
				continue
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
		}
		ch := make(chan struct{})
		o.running = ch
		o.mu.Unlock()

		v, err := fetch(ctx)
		o.mu.Lock()
		o.running = nil
		o.err = err
		if err == nil {
			o.done, o.val = true, v
		}
		o.mu.Unlock()
		close(ch)
		return v, err
	}
}

// normalizeOrgRef lower-cases a domain and strips a scheme and path, so a
// user may write acme.okta.com, https://acme.okta.com or an ISPM id.
func normalizeOrgRef(ref string) string {
	ref = strings.TrimSpace(ref)
	if i := strings.Index(ref, "://"); i >= 0 {
		ref = ref[i+3:]
	}
	if i := strings.IndexByte(ref, '/'); i >= 0 {
		ref = ref[:i]
	}
	return strings.ToLower(ref)
}
