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
	// changed holds the org/app pairs this process connected, changed or
	// disconnected: their entries in the cached gallery and source list
	// are stale, and are read afresh, one app at a time.
	changedMu sync.Mutex
	changed   map[string]bool
}

func newProviderData(_ context.Context, version string, cfg resolvedConfig) (*providerData, error) {
	d := &providerData{
		version:   version,
		cfg:       cfg,
		okta:      map[string]*okta.Org{},
		gallery:   map[string]*once[map[string]ispm.CatalogEntry]{},
		sources:   map[string]*once[[]ispm.Source]{},
		refreshed: map[string]*once[*ispm.AppStatus]{},
		changed:   map[string]bool{},
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
// the org was refreshed as a whole.
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
	d.changedMu.Lock()
	for k := range d.changed {
		if strings.HasPrefix(k, orgID+"/") {
			delete(d.changed, k)
		}
	}
	d.changedMu.Unlock()
}

// forgetApp marks one app of an org as changed by this process. Only that
// app is read again: re-reading the org's whole gallery after every create
// would cost ISPM two listings per connection on a large apply.
func (d *providerData) forgetApp(orgID, app string) {
	d.changedMu.Lock()
	d.changed[orgID+"/"+app] = true
	d.changedMu.Unlock()
	d.refreshMu.Lock()
	delete(d.refreshed, orgID+"/"+app)
	d.refreshMu.Unlock()
}

func (d *providerData) isChanged(orgID, app string) bool {
	d.changedMu.Lock()
	defer d.changedMu.Unlock()
	return d.changed[orgID+"/"+app]
}

// appStatus is ISPM's status of app in a connected org: from the org's
// cached gallery, or read afresh when this process changed the app. A nil
// status without error means ISPM reports none.
func (d *providerData) appStatus(ctx context.Context, orgID, app string) (*ispm.AppStatus, error) {
	if d.isChanged(orgID, app) {
		return d.ispm.GetAppStatus(ctx, orgID, app)
	}
	gallery, err := d.orgGallery(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return gallery[app].OrgStatus, nil
}

// galleryView is the org's gallery with fresh statuses for the apps this
// process changed.
func (d *providerData) galleryView(ctx context.Context, orgID string) (map[string]ispm.CatalogEntry, error) {
	cached, err := d.orgGallery(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var view map[string]ispm.CatalogEntry // a copy, made at the first changed app
	for key, e := range cached {
		if !d.isChanged(orgID, key) {
			continue
		}
		st, err := d.ispm.GetAppStatus(ctx, orgID, key)
		if err != nil {
			return nil, err
		}
		if view == nil {
			view = make(map[string]ispm.CatalogEntry, len(cached))
			for k, v := range cached {
				view[k] = v
			}
		}
		e.OrgStatus = st
		view[key] = e
	}
	if view == nil {
		return cached, nil
	}
	return view, nil
}

// appSources are the org's connections for app (at most one), from the
// cached source list, or read afresh when this process changed the app.
func (d *providerData) appSources(ctx context.Context, orgID, app string) ([]ispm.Source, error) {
	if d.isChanged(orgID, app) {
		return d.ispm.ListSources(ctx, ispm.SourceFilter{OktaOrgID: orgID, App: app})
	}
	all, err := d.orgSources(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out []ispm.Source
	for _, s := range all {
		if s.App == app {
			out = append(out, s)
		}
	}
	return out, nil
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
