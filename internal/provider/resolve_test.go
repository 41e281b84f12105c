package provider

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// lookupISPM answers the org list and the gallery, or fails them.
type lookupISPM struct {
	ispm.Client
	orgsErr, catalogErr error
}

func (c *lookupISPM) ListOrgs(context.Context) ([]ispm.Org, error) {
	return []ispm.Org{
		{ID: "oktaorg_acme", Domain: "acme.okta.com", ConnectionState: ispm.OrgConnected},
		{ID: "oktaorg_globex", Domain: "globex.okta.com", ConnectionState: ispm.OrgDisconnected},
	}, c.orgsErr
}

func (c *lookupISPM) ListCatalog(context.Context, ispm.CatalogFilter) ([]ispm.CatalogEntry, error) {
	return []ispm.CatalogEntry{{Key: "slack"}, {Key: "zoomus"}}, c.catalogErr
}

// TestResolveReportsEveryFailureOnePlace: each way "which org, which app"
// can fail is a typed error, and addLookupError puts each on the attribute
// at fault; a failed read is never called an unknown org or app.
func TestResolveReportsEveryFailureOnePlace(t *testing.T) {
	t.Parallel()
	down := errors.New("ISPM answered 503")
	cases := []struct {
		name    string
		client  *lookupISPM
		q       lookup
		attr    string // "" for no attribute
		summary string
		detail  string
	}{
		{"unknown org", &lookupISPM{}, lookup{Org: "initech.okta.com"}, "okta_org", "Unknown Okta org", `No Okta org "initech.okta.com"`},
		{"org not connected", &lookupISPM{}, lookup{Org: "globex.okta.com", Need: orgConnected}, "okta_org", "Okta org not connected to ISPM", "DISCONNECTED in ISPM (id oktaorg_globex)"},
		{"org list unreadable", &lookupISPM{orgsErr: down}, lookup{Org: "acme.okta.com"}, "", "Cannot read the Okta orgs connected to ISPM", "503"},
		{"unknown app", &lookupISPM{}, lookup{Org: "acme.okta.com", App: "slak"}, "app_name", "App not in the ISPM Sources Gallery", "Did you mean: slack?"},
		{"gallery unreadable", &lookupISPM{catalogErr: down}, lookup{Org: "acme.okta.com", App: "slack"}, "", "Cannot read the ISPM Sources Gallery", "503"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := &providerData{ispm: tc.client, ispmFacts: ispm.NewFacts(tc.client)}
			_, err := d.resolve(context.Background(), tc.q)
			if err == nil {
				t.Fatal("resolved")
			}
			var diags diag.Diagnostics
			addLookupError(&diags, err)
			if len(diags) != 1 || diags[0].Summary() != tc.summary || !strings.Contains(diags[0].Detail(), tc.detail) {
				t.Fatalf("diagnostics %v, want %q with %q", diags, tc.summary, tc.detail)
			}
			want := path.Empty()
			if tc.attr != "" {
				want = path.Root(tc.attr)
			}
			if got := diagPath(diags[0]); !got.Equal(want) {
				t.Errorf("on %s, want %s", got, want)
			}
		})
	}
	d := &providerData{ispmFacts: ispm.NewFacts(&lookupISPM{})}
	if tg, err := d.resolve(context.Background(), lookup{Org: "oktaorg_acme", Need: orgConnected, App: "slack"}); err != nil || tg.Domain != "acme.okta.com" {
		t.Fatalf("resolve by ISPM id: %+v, %v", tg, err)
	}
}
