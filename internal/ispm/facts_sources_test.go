package ispm

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// sourcesISPM holds sources by id, lists an org's sources and counts the
// listings and the single reads.
type sourcesISPM struct {
	Client
	mu      sync.Mutex
	sources map[string]Source
	listErr error
	lists   atomic.Int32
	gets    atomic.Int32
}

func newSourcesISPM(ss ...Source) *sourcesISPM {
	c := &sourcesISPM{sources: map[string]Source{}}
	for _, s := range ss {
		c.sources[s.ID] = s
	}
	return c
}

func (c *sourcesISPM) ListSources(_ context.Context, f SourceFilter) ([]Source, error) {
	c.lists.Add(1)
	if c.listErr != nil {
		return nil, c.listErr
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Source
	for _, s := range c.sources {
		if s.OktaOrgID == f.OktaOrgID && (f.App == "" || s.App == f.App) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (c *sourcesISPM) GetSource(_ context.Context, id string) (*Source, error) {
	c.gets.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sources[id]
	if !ok {
		return nil, &APIError{Kind: KindNotFound, StatusCode: 404}
	}
	return &s, nil
}

func (c *sourcesISPM) set(s Source) {
	c.mu.Lock()
	c.sources[s.ID] = s
	c.mu.Unlock()
}

func (c *sourcesISPM) remove(id string) {
	c.mu.Lock()
	delete(c.sources, id)
	c.mu.Unlock()
}

func (c *sourcesISPM) counts() (lists, gets int) { return int(c.lists.Load()), int(c.gets.Load()) }

func orgSource(id, org, app string) Source {
	return Source{ID: id, OktaOrgID: org, App: app, Status: SourceConnected,
		Instances: []SourceInstance{{ID: "0oa_" + app, Label: app}}, Health: &Health{Status: HealthConnected}}
}

// TestSourceOneListingPerOrg: every source of an org, asked for at once,
// is answered from one listing of that org, without a single GET.
func TestSourceOneListingPerOrg(t *testing.T) {
	t.Parallel()
	var all []Source
	for i, app := range []string{"slack", "zoomus", "google", "box", "asana", "miro"} {
		org := "org1"
		if i%3 == 2 {
			org = "org2"
		}
		all = append(all, orgSource("src_"+app, org, app))
	}
	c := newSourcesISPM(all...)
	f := NewFacts(c)
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, 4*len(all))
	for range 4 {
		for _, want := range all {
			wg.Go(func() {
				got, err := f.Source(ctx, want.OktaOrgID, want.ID)
				switch {
				case err != nil:
					errs <- err
				case got.ID != want.ID || got.App != want.App || got.Health == nil:
					errs <- errors.New("wrong source for " + want.ID)
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if lists, gets := c.counts(); lists != 2 || gets != 0 {
		t.Fatalf("%d reads of 6 sources in 2 orgs sent %d listings and %d GETs; want 2 listings (one per org) and 0 GETs", 4*len(all), lists, gets)
	}

	// A caller changing its copy does not change what the others read.
	s, _ := f.Source(ctx, "org1", "src_slack")
	s.Instances[0].ID, s.Health.Status = "changed", HealthFailed
	if again, _ := f.Source(ctx, "org1", "src_slack"); again.Instances[0].ID != "0oa_slack" || again.Health.Status != HealthConnected {
		t.Fatalf("the shared listing was changed through a returned source: %+v", again)
	}
}

// TestSourceNotInListingIsReadAlone: an id the listing does not show is
// read on its own, so a source deleted since is reported not found and
// one created after the listing is still found.
func TestSourceNotInListingIsReadAlone(t *testing.T) {
	t.Parallel()
	c := newSourcesISPM(orgSource("src_slack", "org1", "slack"))
	f := NewFacts(c)
	ctx := context.Background()
	if _, err := f.Source(ctx, "org1", "src_slack"); err != nil {
		t.Fatal(err)
	}
	c.set(orgSource("src_late", "org1", "zoomus"))
	if s, err := f.Source(ctx, "org1", "src_late"); err != nil || s.App != "zoomus" {
		t.Fatalf("a source made after the listing: %+v, %v", s, err)
	}
	if _, err := f.Source(ctx, "org1", "src_gone"); !IsNotFound(err) {
		t.Fatalf("a source in no listing: err = %v, want not found", err)
	}
	// An import by id does not know the org: only the GET can answer.
	if s, err := f.Source(ctx, "", "src_slack"); err != nil || s.ID != "src_slack" {
		t.Fatalf("by id alone: %+v, %v", s, err)
	}
	if lists, gets := c.counts(); lists != 1 || gets != 3 {
		t.Fatalf("listings %d, GETs %d; want 1 and 3", lists, gets)
	}
}

// TestSourceChangedAppIsReadAfresh: after this process changed an app
// (create, update, delete), its source is read on its own; the listing
// still answers the others, and ForgetOrg lists the org again.
func TestSourceChangedAppIsReadAfresh(t *testing.T) {
	t.Parallel()
	c := newSourcesISPM(orgSource("src_slack", "org1", "slack"), orgSource("src_zoom", "org1", "zoomus"))
	f := NewFacts(c)
	ctx := context.Background()
	if _, err := f.Source(ctx, "org1", "src_slack"); err != nil {
		t.Fatal(err)
	}

	c.remove("src_slack") // deleted by this process
	f.Changed("org1", "slack")
	if _, err := f.Source(ctx, "org1", "src_slack"); !IsNotFound(err) {
		t.Fatalf("a source this process deleted: err = %v, want not found", err)
	}
	if _, err := f.Source(ctx, "org1", "src_zoom"); err != nil {
		t.Fatal(err)
	}
	if lists, gets := c.counts(); lists != 1 || gets != 1 {
		t.Fatalf("after a change: listings %d, GETs %d; want 1 and 1", lists, gets)
	}

	f.ForgetOrg("org1")
	if _, err := f.Source(ctx, "org1", "src_zoom"); err != nil {
		t.Fatal(err)
	}
	if lists, _ := c.counts(); lists != 2 {
		t.Fatalf("after ForgetOrg the org was listed %d times in all, want 2", lists)
	}
}

// TestSourceListingErrors: a listing that fails says so and is never taken
// for "the source is gone"; a listing's not-found (the org's) leaves the
// answer to the source's own read.
func TestSourceListingErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	c := newSourcesISPM(orgSource("src_slack", "org1", "slack"))
	c.listErr = &APIError{Kind: KindServer, StatusCode: 503}
	_, err := NewFacts(c).Source(ctx, "org1", "src_slack")
	if err == nil || IsNotFound(err) {
		t.Fatalf("a failed listing: err = %v, want an error that is not not-found", err)
	}
	if _, gets := c.counts(); gets != 0 {
		t.Fatalf("a failed listing was followed by %d GETs", gets)
	}

	c = newSourcesISPM(orgSource("src_slack", "org1", "slack"))
	c.listErr = &APIError{Kind: KindNotFound, StatusCode: 404}
	if s, err := NewFacts(c).Source(ctx, "org1", "src_slack"); err != nil || s.ID != "src_slack" {
		t.Fatalf("after the listing's not-found the GET must answer: %+v, %v", s, err)
	}
}

// galleryISPM serves a two-entry gallery and an org list, and counts the
// gallery reads with and without an org.
type galleryISPM struct {
	Client
	orgs              []Org
	plain, withStatus atomic.Int32
}

func (c *galleryISPM) ListOrgs(context.Context) ([]Org, error) { return c.orgs, nil }

func (c *galleryISPM) ListCatalog(_ context.Context, f CatalogFilter) ([]CatalogEntry, error) {
	entries := []CatalogEntry{{Key: "slack", DisplayName: "Slack"}, {Key: "zoomus", DisplayName: "Zoom"}}
	if f.OktaOrgID == "" {
		c.plain.Add(1)
		return entries, nil
	}
	c.withStatus.Add(1)
	for i := range entries {
		entries[i].OrgStatus = &AppStatus{App: entries[i].Key, Status: StatusAvailable}
	}
	return entries, nil
}

// TestCatalogFromAConnectedOrgsGallery: with a connected org, the gallery
// is read once, with the org's statuses, and serves both the catalog
// (statuses dropped) and the org's statuses; without one, the plain
// gallery is read.
func TestCatalogFromAConnectedOrgsGallery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := &galleryISPM{orgs: []Org{{ID: "org0", ConnectionState: OrgDisconnected}, {ID: "org1", ConnectionState: OrgConnected}}}
	f := NewFacts(c)
	cat, err := f.Catalog(ctx)
	if err != nil || len(cat) != 2 || cat["slack"].DisplayName != "Slack" || cat["slack"].OrgStatus != nil {
		t.Fatalf("catalog = %+v, %v; want both entries without an org status", cat, err)
	}
	if st, err := f.AppStatus(ctx, "org1", "slack"); err != nil || st == nil || st.Status != StatusAvailable {
		t.Fatalf("org status = %+v, %v", st, err)
	}
	if plain, with := c.plain.Load(), c.withStatus.Load(); plain != 0 || with != 1 {
		t.Fatalf("gallery reads: %d plain and %d with an org; want 0 and 1", plain, with)
	}

	c = &galleryISPM{orgs: []Org{{ID: "org0", ConnectionState: OrgDisconnected}}}
	if cat, err := NewFacts(c).Catalog(ctx); err != nil || len(cat) != 2 || c.plain.Load() != 1 || c.withStatus.Load() != 0 {
		t.Fatalf("without a connected org: %+v, %v; %d plain reads, %d with an org", cat, err, c.plain.Load(), c.withStatus.Load())
	}
}
