package provider

import (
	"context"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// countingISPM answers gallery and source reads from fixed data and counts
// them.
type countingISPM struct {
	ispm.Client
	catalogCalls, statusCalls, listCalls, filteredListCalls int
}

func (c *countingISPM) ListCatalog(_ context.Context, f ispm.CatalogFilter) ([]ispm.CatalogEntry, error) {
	c.catalogCalls++
	return []ispm.CatalogEntry{
		{Key: "slack", OrgStatus: &ispm.AppStatus{App: "slack", Status: ispm.StatusAvailable}},
		{Key: "zoomus", OrgStatus: &ispm.AppStatus{App: "zoomus", Status: ispm.StatusProvisioningDisabled}},
	}, nil
}

func (c *countingISPM) GetAppStatus(_ context.Context, _, app string) (*ispm.AppStatus, error) {
	c.statusCalls++
	return &ispm.AppStatus{App: app, Status: ispm.StatusConnected}, nil
}

func (c *countingISPM) ListSources(_ context.Context, f ispm.SourceFilter) ([]ispm.Source, error) {
	if f.App != "" {
		c.filteredListCalls++
		return []ispm.Source{{ID: "src_new", App: f.App}}, nil
	}
	c.listCalls++
	return nil, nil
}

// TestForgetAppRereadsOnlyThatApp: after a create, only the created app is
// read again; the org's gallery and source list stay cached.
func TestForgetAppRereadsOnlyThatApp(t *testing.T) {
	t.Parallel()
	c := &countingISPM{}
	d := &providerData{ispm: c, gallery: map[string]*once[map[string]ispm.CatalogEntry]{}, sources: map[string]*once[[]ispm.Source]{},
		refreshed: map[string]*once[*ispm.AppStatus]{}, changed: map[string]bool{}}
	ctx := context.Background()

	for range 3 {
		if st, _ := d.appStatus(ctx, "org1", "slack"); st.Status != ispm.StatusAvailable {
			t.Fatalf("cached status = %s", st.Status)
		}
		if src, _ := d.appSources(ctx, "org1", "slack"); len(src) != 0 {
			t.Fatalf("cached sources = %v", src)
		}
	}
	if c.catalogCalls != 1 || c.listCalls != 1 || c.statusCalls != 0 {
		t.Fatalf("reads before any change: catalog %d, sources %d, status %d; want 1, 1, 0", c.catalogCalls, c.listCalls, c.statusCalls)
	}

	d.forgetApp("org1", "slack")
	st, _ := d.appStatus(ctx, "org1", "slack")
	src, _ := d.appSources(ctx, "org1", "slack")
	other, _ := d.appStatus(ctx, "org1", "zoomus")
	if st.Status != ispm.StatusConnected || len(src) != 1 || other.Status != ispm.StatusProvisioningDisabled {
		t.Fatalf("after the change: slack %s with %d sources, zoomus %s", st.Status, len(src), other.Status)
	}
	view, _ := d.galleryView(ctx, "org1")
	if view["slack"].OrgStatus.Status != ispm.StatusConnected || view["zoomus"].OrgStatus.Status != ispm.StatusProvisioningDisabled {
		t.Fatalf("gallery view: %+v", view)
	}
	cached, _ := d.orgGallery(ctx, "org1")
	if cached["slack"].OrgStatus.Status != ispm.StatusAvailable {
		t.Fatal("galleryView must not write into the shared cache")
	}
	if c.catalogCalls != 1 || c.listCalls != 1 || c.statusCalls != 2 || c.filteredListCalls != 1 {
		t.Fatalf("reads after the change: catalog %d, sources %d, status %d, app sources %d; want 1, 1, 2, 1",
			c.catalogCalls, c.listCalls, c.statusCalls, c.filteredListCalls)
	}
}
