package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
	"github.com/ispm-community/terraform-provider-ispm/internal/memo"
)

const (
	// appsPageSize is Okta's largest page for GET /api/v1/apps.
	appsPageSize = 200
	// groupsPageSize keeps a page of groups a few megabytes at most.
	groupsPageSize = 1000
	// maxPages stops a listing whose server keeps sending next links.
	maxPages = 5000
)

// appIndex is one reading of GET /api/v1/apps: the org's whole listing, or
// the listing filtered to one app name (byName then holds that name only).
type appIndex struct {
	apps   []eligibility.AppObject
	byID   map[string]int
	byName map[string][]int // lower-case name → indexes, in listing order
	pages  int
	// filtered is the app name of a filtered listing; empty for the whole.
	filtered string
}

func (s *appIndex) get(id string) (eligibility.AppObject, bool) {
	i, ok := s.byID[id]
	if !ok {
		return eligibility.AppObject{}, false
	}
	return s.apps[i], true
}

func (s *appIndex) summaries(name string) []eligibility.InstanceSummary {
	idx := s.byName[strings.ToLower(name)]
	out := make([]eligibility.InstanceSummary, 0, len(idx))
	for _, i := range idx {
		a := s.apps[i]
		out = append(out, eligibility.InstanceSummary{ID: a.ID, Label: a.Label, Status: a.Status})
	}
	return out
}

// holds reports whether every id is an app object of the index.
func (s *appIndex) holds(ids []string) bool {
	for _, id := range ids {
		if _, ok := s.byID[id]; !ok {
			return false
		}
	}
	return true
}

// appJSON holds the fields of an app object the checks use; the rest of
// the (large) object is skipped while decoding.
type appJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Label       string    `json:"label"`
	Status      string    `json:"status"`
	SignOnMode  *string   `json:"signOnMode"`
	LastUpdated string    `json:"lastUpdated"`
	Features    *[]string `json:"features"`
}

func (a appJSON) object() eligibility.AppObject {
	o := eligibility.AppObject{ID: a.ID, Name: a.Name, Label: a.Label, Status: a.Status, LastUpdated: a.LastUpdated}
	if a.SignOnMode != nil {
		o.SignOnMode = *a.SignOnMode
	}
	if a.Features != nil {
		o.Features, o.FeaturesKnown = *a.Features, true
	}
	return o
}

// fetchListing reads every page of GET /api/v1/apps, filtered to the app
// objects named name when name is not empty.
func (o *Org) fetchListing(ctx context.Context, name string) (*appIndex, error) {
	s := &appIndex{byID: map[string]int{}, byName: map[string][]int{}, filtered: name}
	q := url.Values{"limit": {fmt.Sprint(appsPageSize)}}
	if name != "" {
		// Okta's apps filter takes one eq expression and compares values
		// exactly; filterable keeps name to characters that need no escape.
		q.Set("filter", fmt.Sprintf("name eq %q", name))
	}
	_, err := o.readApps(ctx, s, "/api/v1/apps?"+q.Encode(), 0)
	return s, err
}

// firstPage is the first page of the org's whole listing, read before
// anything else: an org whose listing is one page is answered by it alone.
type firstPage struct {
	idx  *appIndex
	next string // the next page's reference; empty when idx is the whole listing
}

func (o *Org) fetchFirstPage(ctx context.Context) (firstPage, error) {
	s := &appIndex{byID: map[string]int{}, byName: map[string][]int{}}
	next, err := o.readApps(ctx, s, fmt.Sprintf("/api/v1/apps?limit=%d", appsPageSize), 1)
	return firstPage{idx: s, next: next}, err
}

// fetchWhole reads the whole listing: the first page (shared with
// listingFor's look at the org's size) and every page after it.
func (o *Org) fetchWhole(ctx context.Context) (*appIndex, error) {
	first, err := o.state(ctx).first.Do(ctx, o.fetchFirstPage)
	if err != nil {
		return nil, err
	}
	if first.next == "" {
		return first.idx, nil
	}
	s := &appIndex{
		apps: slices.Clone(first.idx.apps), byID: maps.Clone(first.idx.byID),
		byName: make(map[string][]int, len(first.idx.byName)), pages: first.idx.pages,
	}
	for k, v := range first.idx.byName {
		s.byName[k] = slices.Clone(v)
	}
	_, err = o.readApps(ctx, s, first.next, 0)
	return s, err
}

// readApps reads the listing pages from ref on into s, at most limit pages
// when limit > 0, and returns the reference of the page after the last one
// read ("" at the end of the listing).
func (o *Org) readApps(ctx context.Context, s *appIndex, ref string, limit int) (string, error) {
	return o.paginate(ctx, ref, func(dec *json.Decoder) error {
		var a appJSON
		if err := dec.Decode(&a); err != nil {
			return err
		}
		if a.ID == "" {
			return nil
		}
		if i, dup := s.byID[a.ID]; dup {
			// The listing moved under us: keep the later copy.
			s.apps[i] = a.object()
			return nil
		}
		s.byID[a.ID] = len(s.apps)
		key := strings.ToLower(a.Name)
		s.byName[key] = append(s.byName[key], len(s.apps))
		s.apps = append(s.apps, a.object())
		return nil
	}, &s.pages, limit)
}

// filteredAppsMax is how many distinct apps one provider process lists by
// name before it reads the org's whole listing instead. A filtered listing
// costs one apps-bucket request per app (a page holds 200 instances); the
// whole listing costs one per 200 apps of the org (25 at 5,000). The plan's
// number of apps is not known in advance, so the first few distinct apps
// are listed by name and every later one shares the whole listing. The
// whole listing's first page is read first in any case (it tells a
// one-page org, where nothing else is needed): a plan of one app in a
// 5,000-app org pays 2 requests instead of 25, and no plan pays more than
// the whole listing plus filteredAppsMax.
const filteredAppsMax = 3

// FilteredListingsMax is filteredAppsMax for the benchmark, whose bound on
// a plan's Okta requests allows these listings on top of the whole one.
const FilteredListingsMax = filteredAppsMax

// snapshot is what this provider process has read, or is reading, of the
// org's app listing, plus what it has learned per app name. It is created
// once per Org (through Org.listing, which never fails) and holds the
// memos of the actual reads, so that concurrent callers share each read.
type snapshot struct {
	first *memo.Cell[firstPage]
	whole *memo.Cell[*appIndex]
	named *memo.Map[string, *appIndex]

	mu sync.Mutex
	// byName are the (lower-case) app names given a filtered listing.
	byName map[string]bool
	// wholeAsked is set once anyone needs the whole listing: from then on
	// a name not listed yet is answered from the whole listing.
	wholeAsked bool
	// connUnknown are the app names whose provisioning connection Okta
	// answered UNKNOWN, and probes the first connection request of each
	// app name, closed once answered (see Org.connectionProbe).
	connUnknown map[string]bool
	probes      map[string]chan struct{}
}

func newSnapshot(context.Context) (*snapshot, error) {
	kept := memo.Options{RememberFailures: true}
	return &snapshot{
		first: memo.NewCell[firstPage](kept), whole: memo.NewCell[*appIndex](kept), named: memo.New[string, *appIndex](kept),
		byName: map[string]bool{}, connUnknown: map[string]bool{}, probes: map[string]chan struct{}{},
	}, nil
}

// state returns the org's snapshot. Its creation cannot fail and does not
// wait on the network, so the caller's cancellation is not passed on.
func (o *Org) state(ctx context.Context) *snapshot {
	s, _ := o.listing.Do(context.WithoutCancel(ctx), newSnapshot)
	return s
}

// wholeListing returns the org's whole app listing, read once per process.
func (o *Org) wholeListing(ctx context.Context) (*appIndex, error) {
	s := o.state(ctx)
	s.mu.Lock()
	s.wholeAsked = true
	s.mu.Unlock()
	return s.whole.Do(ctx, o.fetchWhole)
}

// listingFor returns a listing that holds every app object named app: a
// filtered listing while the process has asked about few apps, else the
// whole listing (see filteredAppsMax). A filtered listing Okta refuses
// (400) falls back to the whole listing.
func (o *Org) listingFor(ctx context.Context, app string) (*appIndex, error) {
	s := o.state(ctx)
	key := strings.ToLower(app)
	s.mu.Lock()
	byName := filterable(app) && (s.byName[key] || (!s.wholeAsked && len(s.byName) < filteredAppsMax))
	if byName {
		s.byName[key] = true
	} else {
		s.wholeAsked = true
	}
	s.mu.Unlock()
	if !byName {
		return s.whole.Do(ctx, o.fetchWhole)
	}
	// The first page of the whole listing says whether the org is small:
	// then it is the whole listing, and no filtered listing is worth a
	// request. The page is the whole listing's own first page, not spent.
	first, err := s.first.Do(ctx, o.fetchFirstPage)
	if err != nil {
		return nil, err
	}
	if first.next == "" {
		return s.whole.Do(ctx, o.fetchWhole)
	}
	idx, err := s.named.Do(ctx, key, func(ctx context.Context) (*appIndex, error) { return o.fetchListing(ctx, app) })
	var ae *APIError
	if err != nil && !fatal(ctx, err) && errors.As(err, &ae) && ae.Status == http.StatusBadRequest {
		return o.wholeListing(ctx)
	}
	return idx, err
}

// filterable reports whether app can be listed with filter=name eq "app":
// Okta compares the value exactly while the listing's names are matched
// regardless of case, so only names already in lower case (as Okta's
// catalog keys and generated custom-app names are) and made of characters
// that need no quoting are filtered.
func filterable(app string) bool {
	if app == "" || len(app) > 100 {
		return false
	}
	for _, r := range app {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}

// groupIndex counts APP_GROUP groups per source app id.
type groupIndex map[string]int

type groupJSON struct {
	Type   string `json:"type"`
	Source *struct {
		ID string `json:"id"`
	} `json:"source"`
	Links struct {
		Source *struct {
			Href string `json:"href"`
		} `json:"source"`
	} `json:"_links"`
}

// sourceID is the app a group was imported from: Okta exposes it as
// _links.source (searchable as source.id); a top-level source.id is
// accepted too.
func (g groupJSON) sourceID() string {
	if g.Source != nil && g.Source.ID != "" {
		return g.Source.ID
	}
	if g.Links.Source != nil {
		if u, err := url.Parse(g.Links.Source.Href); err == nil {
			return path.Base(strings.TrimRight(u.Path, "/"))
		}
	}
	return ""
}

// fetchGroups reads every page of the org's APP_GROUP groups, once.
func (o *Org) fetchGroups(ctx context.Context) (groupIndex, error) {
	idx := groupIndex{}
	q := url.Values{"search": {`type eq "APP_GROUP"`}, "limit": {fmt.Sprint(groupsPageSize)}}
	var pages int
	_, err := o.paginate(ctx, "/api/v1/groups?"+q.Encode(), func(dec *json.Decoder) error {
		var g groupJSON
		if err := dec.Decode(&g); err != nil {
			return err
		}
		if id := g.sourceID(); id != "" && (g.Type == "" || g.Type == "APP_GROUP") {
			idx[id]++
		}
		return nil
	}, &pages, 0)
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// paginate GETs ref and every rel="next" page after it, handing each
// element of each page's JSON array to each; with limit > 0 it stops after
// that many pages and returns the next page's reference ("" when there is
// none). Next links are followed only on the org's own scheme and host.
func (o *Org) paginate(ctx context.Context, ref string, each func(*json.Decoder) error, pages *int, limit int) (string, error) {
	seen := map[string]bool{ref: true}
	for read := 0; ; read++ {
		if limit > 0 && read == limit {
			return ref, nil
		}
		if *pages >= maxPages {
			return "", fmt.Errorf("the Okta org %s kept sending next-page links after %d pages of %s; stopped", o.domain, maxPages, ref)
		}
		resp, err := o.get(ctx, ref)
		if err != nil {
			return "", err
		}
		*pages++
		base := o.url
		if resp.Request != nil && resp.Request.URL != nil {
			base = resp.Request.URL
		}
		err = notJSON(resp)
		if err == nil {
			if err = decodeArray(capped(resp.Body, maxPageBytes), each); err != nil && !errors.Is(err, errTooLarge) {
				err = fmt.Errorf("the answer is not the expected JSON list: %w", err)
			}
		}
		_ = resp.Body.Close()
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			endpoint, _ := endpointOf(o.url.EscapedPath(), http.MethodGet, base.Path)
			return "", fmt.Errorf("%s on the Okta org %s: %w", endpoint, o.domain, err)
		}
		next, err := httpx.ParseLinkNext(resp.Header, base)
		if err != nil {
			return "", fmt.Errorf("paging through %s on the Okta org %s: %w", strings.SplitN(ref, "?", 2)[0], o.domain, err)
		}
		if next == nil {
			return "", nil
		}
		ref = relativeRef(o.url, next)
		if seen[ref] {
			return "", fmt.Errorf("the Okta org %s sent a next-page link back to a page already read (%s); stopped", o.domain, next.Path)
		}
		seen[ref] = true
	}
}

// decodeArray streams a JSON array, one element at a time, so a page of
// large objects is never held whole.
func decodeArray(r io.Reader, each func(*json.Decoder) error) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return errors.New("expected a JSON array")
	}
	for dec.More() {
		if err := each(dec); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}
