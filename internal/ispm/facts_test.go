package ispm

import (
	"context"
	"testing"
)

// countingISPM answers gallery and source reads from fixed data and counts
// them.
type countingISPM struct {
	Client
	catalogCalls, statusCalls, listCalls, filteredListCalls int
}

func (c *countingISPM) ListCatalog(_ context.Context, f CatalogFilter) ([]CatalogEntry, error) {
	c.catalogCalls++
	return []CatalogEntry{
		{Key: "slack", OrgStatus: &AppStatus{App: "slack", Status: StatusAvailable}},
		{Key: "zoomus", OrgStatus: &AppStatus{App: "zoomus", Status: StatusProvisioningDisabled}},
	}, nil
}

func (c *countingISPM) GetAppStatus(_ context.Context, _, app string) (*AppStatus, error) {
	c.statusCalls++
	return &AppStatus{App: app, Status: StatusConnected}, nil
}

func (c *countingISPM) ListSources(_ context.Context, f SourceFilter) ([]Source, error) {
	if f.App != "" {
		c.filteredListCalls++
		return []Source{{ID: "src_new", App: f.App}}, nil
	}
	c.listCalls++
	return nil, nil
}

// TestChangedRereadsOnlyThatApp: after a create, only the created app is
// read again; the org's gallery and source list stay cached.
func TestChangedRereadsOnlyThatApp(t *testing.T) {
	t.Parallel()
	c := &countingISPM{}
	d := NewFacts(c)
	ctx := context.Background()

	for range 3 {
		if st, _ := d.AppStatus(ctx, "org1", "slack"); st.Status != StatusAvailable {
			t.Fatalf("cached status = %s", st.Status)
		}
		if src, _ := d.AppSources(ctx, "org1", "slack"); len(src) != 0 {
			t.Fatalf("cached sources = %v", src)
		}
	}
	if c.catalogCalls != 1 || c.listCalls != 1 || c.statusCalls != 0 {
		t.Fatalf("reads before any change: catalog %d, sources %d, status %d; want 1, 1, 0", c.catalogCalls, c.listCalls, c.statusCalls)
	}

	d.Changed("org1", "slack")
	st, _ := d.AppStatus(ctx, "org1", "slack")
	src, _ := d.AppSources(ctx, "org1", "slack")
	other, _ := d.AppStatus(ctx, "org1", "zoomus")
	if st.Status != StatusConnected || len(src) != 1 || other.Status != StatusProvisioningDisabled {
		t.Fatalf("after the change: slack %s with %d sources, zoomus %s", st.Status, len(src), other.Status)
	}
	view, _ := d.Gallery(ctx, "org1")
	if view["slack"].OrgStatus.Status != StatusConnected || view["zoomus"].OrgStatus.Status != StatusProvisioningDisabled {
		t.Fatalf("gallery view: %+v", view)
	}
	cached, _ := d.orgGallery(ctx, "org1")
	if cached["slack"].OrgStatus.Status != StatusAvailable {
		t.Fatal("galleryView must not write into the shared cache")
	}
	if c.catalogCalls != 1 || c.listCalls != 1 || c.statusCalls != 2 || c.filteredListCalls != 1 {
		t.Fatalf("reads after the change: catalog %d, sources %d, status %d, app sources %d; want 1, 1, 2, 1",
			c.catalogCalls, c.listCalls, c.statusCalls, c.filteredListCalls)
	}
}

// refreshingISPM counts Refresh Data requests.
type refreshingISPM struct {
	Client
	refreshes int
}

func (f *refreshingISPM) RefreshAppStatus(context.Context, string, string) (*AppStatus, error) {
	f.refreshes++
	return &AppStatus{}, nil
}

func TestFactsSubmitWithRefresh(t *testing.T) {
	ctx := context.Background()
	refused := &APIError{Kind: KindValidation, StatusCode: 422}
	for _, tc := range []struct {
		name       string
		oktaReady  bool
		answers    []error
		wantCalls  int
		wantRefrsh int
		wantErr    bool
	}{
		{"accepted", true, []error{nil}, 1, 0, false},
		{"ISPM lags behind Okta", true, []error{refused, nil}, 2, 1, false},
		{"ISPM still refuses", true, []error{refused, refused}, 2, 1, true},
		{"Okta does not say ready", false, []error{refused}, 1, 0, true},
		{"conflict", true, []error{&APIError{Kind: KindConflict, StatusCode: 409}}, 1, 0, true},
		{"key reused", true, []error{&APIError{Kind: KindValidation, Type: ProblemIdempotencyKeyReused}}, 1, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &refreshingISPM{}
			calls := 0
			_, err := NewFacts(f).SubmitWithRefresh(ctx, OrgApp{"oktaorg_acme", "slack"}, tc.oktaReady, func() (*Source, error) {
				err := tc.answers[calls]
				calls++
				if err != nil {
					return nil, err
				}
				return &Source{ID: "src_1"}, nil
			})
			if calls != tc.wantCalls || f.refreshes != tc.wantRefrsh || (err != nil) != tc.wantErr {
				t.Errorf("calls %d, refreshes %d, err %v; want %d, %d, error %v", calls, f.refreshes, err, tc.wantCalls, tc.wantRefrsh, tc.wantErr)
			}
		})
	}
}

// detectingISPM's gallery gains a custom app once ISPM has detected it.
type detectingISPM struct {
	Client
	detected bool
}

func (c *detectingISPM) ListOrgs(context.Context) ([]Org, error) {
	return []Org{{ID: "org1", ConnectionState: OrgConnected}}, nil
}

func (c *detectingISPM) ListCatalog(context.Context, CatalogFilter) ([]CatalogEntry, error) {
	entries := []CatalogEntry{{Key: "slack", OrgStatus: &AppStatus{App: "slack", Status: StatusAvailable}}}
	if c.detected {
		entries = append(entries, CatalogEntry{Key: "acme_hr_1", PoweredBy: PoweredByCustom, OrgStatus: &AppStatus{App: "acme_hr_1", Status: StatusAvailable}})
	}
	return entries, nil
}

// TestForgetOrgForgetsTheCatalog: the catalog is built from a connected
// org's gallery; after that org is refreshed, the catalog shows what the
// new gallery shows (a custom app just detected).
func TestForgetOrgForgetsTheCatalog(t *testing.T) {
	t.Parallel()
	c := &detectingISPM{}
	f := NewFacts(c)
	ctx := context.Background()
	if cat, err := f.Catalog(ctx); err != nil || len(cat) != 1 {
		t.Fatalf("catalog before: %v %v", cat, err)
	}
	c.detected = true
	f.ForgetOrg("org1")
	if cat, err := f.Catalog(ctx); err != nil || cat["acme_hr_1"].Key != "acme_hr_1" {
		t.Fatalf("after the org's refresh the catalog is %v (%v); want the detected custom app in it", cat, err)
	}
}
