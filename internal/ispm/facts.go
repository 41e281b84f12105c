package ispm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/memo"
)

// Facts is ISPM's side of the readiness path, the counterpart of
// okta.Org.AppFacts: it gathers what ISPM knows of an app in an org into the
// engine's facts, and owns what that costs. It lives as long as the
// provider process (one Terraform command), so every resource and data
// source of a plan shares one read of the org list, the gallery and each
// org's gallery and sources; apps this process changed are read afresh, one
// app at a time.
type Facts struct {
	c         Client
	orgs      *memo.Cell[[]Org]
	catalog   *memo.Cell[map[string]CatalogEntry]
	gallery   *memo.Map[string, map[string]CatalogEntry] // by org id
	sources   *memo.Map[string, *sourceList]             // by org id
	refreshed *memo.Map[OrgApp, *AppStatus]

	mu      sync.Mutex
	changed map[OrgApp]bool
}

// OrgApp names an app in an org, by ISPM's org id and the gallery key.
type OrgApp struct{ OrgID, App string }

// NewFacts returns an empty view over c.
func NewFacts(c Client) *Facts {
	return &Facts{
		c:         c,
		orgs:      memo.NewCell[[]Org](memo.Options{}),
		catalog:   memo.NewCell[map[string]CatalogEntry](memo.Options{}),
		gallery:   memo.New[string, map[string]CatalogEntry](memo.Options{}),
		sources:   memo.New[string, *sourceList](memo.Options{}),
		refreshed: memo.New[OrgApp, *AppStatus](memo.Options{}),
		changed:   map[OrgApp]bool{},
	}
}

// Orgs returns the Okta orgs ISPM knows.
func (f *Facts) Orgs(ctx context.Context) ([]Org, error) {
	return f.orgs.Do(ctx, f.c.ListOrgs)
}

// Catalog returns the whole gallery by key, without org statuses.
func (f *Facts) Catalog(ctx context.Context) (map[string]CatalogEntry, error) {
	return f.catalog.Do(ctx, func(ctx context.Context) (map[string]CatalogEntry, error) {
		// A connected org's gallery is the whole gallery with that org's
		// statuses attached (okta_org_id does not filter): the plan reads
		// it anyway, so one read of the gallery serves both, instead of
		// two on every plan.
		if orgs, err := f.Orgs(ctx); err == nil {
			for _, o := range orgs {
				if o.ConnectionState != OrgConnected {
					continue
				}
				if g, err := f.orgGallery(ctx, o.ID); err == nil {
					return withoutStatus(g), nil
				}
				break
			}
		}
		entries, err := f.c.ListCatalog(ctx, CatalogFilter{})
		return byKey(entries), err
	})
}

// withoutStatus copies an org's gallery without the org's statuses.
func withoutStatus(g map[string]CatalogEntry) map[string]CatalogEntry {
	out := make(map[string]CatalogEntry, len(g))
	for k, e := range g {
		e.OrgStatus = nil
		out[k] = e
	}
	return out
}

// orgGallery is the gallery with each entry's status in a connected org.
func (f *Facts) orgGallery(ctx context.Context, orgID string) (map[string]CatalogEntry, error) {
	return f.gallery.Do(ctx, orgID, func(ctx context.Context) (map[string]CatalogEntry, error) {
		entries, err := f.c.ListCatalog(ctx, CatalogFilter{OktaOrgID: orgID})
		return byKey(entries), err
	})
}

// sourceList is one listing of an org's sources, indexed by id.
type sourceList struct {
	all  []Source
	byID map[string]int // index into all
}

// orgSources are the org's sources: one paged listing per org per process,
// shared by every resource and data source of the run.
func (f *Facts) orgSources(ctx context.Context, orgID string) (*sourceList, error) {
	return f.sources.Do(ctx, orgID, func(ctx context.Context) (*sourceList, error) {
		all, err := f.c.ListSources(ctx, SourceFilter{OktaOrgID: orgID})
		if err != nil {
			return nil, err
		}
		l := &sourceList{all: all, byID: make(map[string]int, len(all))}
		for i, s := range all {
			l.byID[s.ID] = i
		}
		return l, nil
	})
}

// Source returns the source with id, which belongs to the org orgID: from
// the org's listing, so that refreshing N connections costs ISPM one paged
// listing instead of N reads. It asks ISPM for the one source (GET) when
// the org is not known (an import by id), when the listing does not show
// the id (deleted since, which the GET's not-found says, or created after
// the listing), or when this process changed the source's app.
func (f *Facts) Source(ctx context.Context, orgID, id string) (*Source, error) {
	if orgID != "" {
		l, err := f.orgSources(ctx, orgID)
		switch {
		case IsNotFound(err):
			// The listing's not-found is about the org, not this source:
			// only the source's own read may say that it is gone.
		case err != nil:
			return nil, fmt.Errorf("listing the ISPM connections of the org %s: %w", orgID, err)
		default:
			if i, ok := l.byID[id]; ok && !f.isChanged(orgID, l.all[i].App) {
				return cloneSource(l.all[i]), nil
			}
		}
	}
	return f.c.GetSource(ctx, id)
}

// ForgetOrg drops what is kept of an org's gallery and sources, after the
// org was refreshed as a whole.
func (f *Facts) ForgetOrg(orgID string) {
	f.gallery.Forget(orgID)
	// The catalog may have been built from this org's gallery (a custom
	// app ISPM has just detected is in the new one); built again, it
	// costs no request beyond the galleries read anyway.
	f.catalog.Forget()
	f.sources.Forget(orgID)
	inOrg := func(k OrgApp) bool { return k.OrgID == orgID }
	f.refreshed.ForgetFunc(inOrg)
	f.mu.Lock()
	for k := range f.changed {
		if inOrg(k) {
			delete(f.changed, k)
		}
	}
	f.mu.Unlock()
}

// Changed marks one app of an org as changed by this process. Only that
// app is read again: re-reading the org's whole gallery after every create
// would cost ISPM two listings per connection on a large apply.
func (f *Facts) Changed(orgID, app string) {
	k := OrgApp{orgID, app}
	f.mu.Lock()
	f.changed[k] = true
	f.mu.Unlock()
	f.refreshed.Forget(k)
}

func (f *Facts) isChanged(orgID, app string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed[OrgApp{orgID, app}]
}

// AppStatus is ISPM's status of app in a connected org: from the org's
// cached gallery, or read afresh when this process changed the app. A nil
// status without error means ISPM reports none.
func (f *Facts) AppStatus(ctx context.Context, orgID, app string) (*AppStatus, error) {
	if f.isChanged(orgID, app) {
		return f.c.GetAppStatus(ctx, orgID, app)
	}
	gallery, err := f.orgGallery(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return gallery[app].OrgStatus, nil
}

// Gallery is the org's gallery with fresh statuses for the apps this
// process changed.
func (f *Facts) Gallery(ctx context.Context, orgID string) (map[string]CatalogEntry, error) {
	cached, err := f.orgGallery(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var view map[string]CatalogEntry // a copy, made at the first changed app
	for key, e := range cached {
		if !f.isChanged(orgID, key) {
			continue
		}
		st, err := f.c.GetAppStatus(ctx, orgID, key)
		if err != nil {
			return nil, err
		}
		if view == nil {
			view = make(map[string]CatalogEntry, len(cached))
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

// AppSources are the org's connections for app (at most one), from the
// cached source list, or read afresh when this process changed the app.
func (f *Facts) AppSources(ctx context.Context, orgID, app string) ([]Source, error) {
	if f.isChanged(orgID, app) {
		return f.c.ListSources(ctx, SourceFilter{OktaOrgID: orgID, App: app})
	}
	all, err := f.orgSources(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out []Source
	for _, s := range all.all {
		if s.App == app {
			out = append(out, s)
		}
	}
	return out, nil
}

// cloneSource copies a source of a shared listing, so that no caller can
// change what the others read.
func cloneSource(s Source) *Source {
	s.Instances = slices.Clone(s.Instances)
	if s.Health != nil {
		h := *s.Health
		s.Health = &h
	}
	return &s
}

// AppQuery names an app in an org for AppFacts.
type AppQuery struct {
	// Org is ISPM's record of the org, nil when ISPM does not know it.
	Org *Org
	// Domain is the org's Okta domain, for messages.
	Domain string
	App    string
}

// AppFacts is ISPM's view of an app in an org, for the engine. The error is
// for a read that failed; facts that say ISPM does not know the org or the
// app are not errors.
func (f *Facts) AppFacts(ctx context.Context, q AppQuery) (eligibility.ISPMAppFacts, error) {
	var out eligibility.ISPMAppFacts
	switch {
	case q.Org == nil:
		out.OrgConnected = eligibility.No
		out.Reason = fmt.Sprintf("ISPM does not know the Okta org %s", q.Domain)
		return out, nil
	case q.Org.ConnectionState != OrgConnected:
		out.OrgConnected = eligibility.No
		out.Reason = fmt.Sprintf("the Okta org %s is %s in ISPM", q.Domain, strings.ToLower(string(q.Org.ConnectionState)))
		return out, nil
	}
	out.OrgConnected = eligibility.Yes
	st, err := f.AppStatus(ctx, q.Org.ID, q.App)
	if err != nil {
		return out, fmt.Errorf("reading the ISPM gallery of %s: %w", q.Domain, err)
	}
	if st == nil {
		out.Reason = fmt.Sprintf("ISPM reports no status for %s in %s", q.App, q.Domain)
		return out, nil
	}
	return f.factsFromStatus(ctx, q, st)
}

// Reconciled returns ISPM's view refreshed when the cached one lags behind
// the verdict Okta's live facts gave (eligibility.ISPMAppFacts.LagsBehind):
// the console's Refresh Data, done at most once per app per process, rather
// than a stale answer. It reports false, with have, when no refresh was
// needed or the refresh failed for a reason other than the context's.
func (f *Facts) Reconciled(ctx context.Context, q AppQuery, have eligibility.ISPMAppFacts, v eligibility.Verdict) (eligibility.ISPMAppFacts, bool, error) {
	if q.Org == nil || !have.LagsBehind(v) {
		return have, false, nil
	}
	k := OrgApp{q.Org.ID, q.App}
	st, err := f.refreshed.Do(ctx, k, func(ctx context.Context) (*AppStatus, error) {
		return f.c.RefreshAppStatus(ctx, k.OrgID, k.App)
	})
	if err == nil {
		var fresh eligibility.ISPMAppFacts
		if fresh, err = f.factsFromStatus(ctx, q, st); err == nil {
			return fresh, true, nil
		}
	}
	if ctx.Err() != nil {
		return have, false, err
	}
	return have, false, nil
}

// factsFromStatus turns ISPM's status of an app in a connected org into
// engine facts, adding the instances of the org's connection for the app.
func (f *Facts) factsFromStatus(ctx context.Context, q AppQuery, st *AppStatus) (eligibility.ISPMAppFacts, error) {
	out := eligibility.ISPMAppFacts{OrgConnected: eligibility.Yes, Status: st.Status.AppStatus()}
	for _, in := range st.Instances {
		out.Instances = append(out.Instances, instanceFacts(in))
	}
	if st.Status == StatusConnected {
		sources, err := f.AppSources(ctx, q.Org.ID, st.App)
		if err != nil {
			return out, fmt.Errorf("reading the ISPM sources of %s: %w", q.Domain, err)
		}
		for _, s := range sources {
			out.ConnectedInstanceIDs = s.InstanceIDs()
		}
	}
	return out, nil
}

func instanceFacts(in Instance) eligibility.ISPMInstanceFacts {
	fi := eligibility.ISPMInstanceFacts{ID: in.ID, Label: in.Label, Eligible: eligibility.No}
	for _, p := range in.UnmetPrerequisites {
		fi.Failing = append(fi.Failing, p.CheckID())
	}
	switch {
	case in.Eligible:
		fi.Eligible, fi.ImportGroups = eligibility.Yes, eligibility.Yes
	case slices.Contains(in.UnmetPrerequisites, P7ImportGroups):
		fi.ImportGroups = eligibility.No
	}
	return fi
}

func byKey(entries []CatalogEntry) map[string]CatalogEntry {
	m := make(map[string]CatalogEntry, len(entries))
	for _, e := range entries {
		m[e.Key] = e
	}
	return m
}

// SubmitWithRefresh sends a create or an update. When ISPM refuses it (422)
// although Okta itself verified the instances ready, ISPM's cached view of
// the app is likely behind: it has ISPM re-read the app (the console's
// Refresh Data) and sends the request once more.
func (f *Facts) SubmitWithRefresh(ctx context.Context, k OrgApp, oktaReady bool, submit func() (*Source, error)) (*Source, error) {
	src, err := submit()
	if IsValidation(err) && !IsIdempotencyKeyReused(err) && oktaReady {
		if _, rerr := f.c.RefreshAppStatus(ctx, k.OrgID, k.App); rerr == nil {
			src, err = submit()
		}
	}
	return src, err
}
