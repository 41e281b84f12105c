package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// The resource identity of ispm_source_connection (Terraform 1.12+,
// OpenTofu 1.12+): okta_org_id and app_name.
//
// Why these two and not the source id: ISPM keeps one connection per org
// and app (a second create answers 409), so the pair names exactly one
// connection, and it is what a user knows of a connection made in the
// console: the app's catalog key and the org, whose ISPM id
// ispm_okta_orgs lists (an identity whose okta_org_id is a domain is
// refused with the id to write instead). The source id would name the
// connection just as well but is opaque: adopting a console-made
// connection by it needs a lookup first.
//
// Both values are fixed for the life of the resource, as an identity must
// be: app_name forces replacement, okta_org may change only between forms
// that name the same org (another org forces replacement, see
// source_connection_plan.go), and okta_org_id is ISPM's own id of that org,
// which Terraform never sets. A connection deleted in the console and made
// again there keeps the same identity but gets a new source id: the next
// refresh drops the old one and an import adopts the new one, by the same
// identity. (The resource page, templates/resources/source_connection.md.tmpl,
// says the same to users.)
var _ resource.ResourceWithIdentity = &sourceConnectionResource{}

type sourceConnectionIdentityModel struct {
	OktaOrgID types.String `tfsdk:"okta_org_id"`
	AppName   types.String `tfsdk:"app_name"`
}

func (r *sourceConnectionResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"okta_org_id": identityschema.StringAttribute{
				RequiredForImport: true,
				Description: "ISPM's id of the Okta org (oktaorg_…), not its domain; the ispm_okta_orgs data source " +
					"lists each org's id.",
			},
			"app_name": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "The app's catalog key in the ISPM Sources Gallery, such as slack or acme_hrportal_1.",
			},
		},
	}
}

// setIdentity sets a connection's identity in a response. Empty values
// (a state imported by source id and not read yet) leave it as it is.
func setIdentity(ctx context.Context, id *tfsdk.ResourceIdentity, orgID, app string) diag.Diagnostics {
	if id == nil || orgID == "" || app == "" {
		return nil
	}
	return id.Set(ctx, sourceConnectionIdentityModel{OktaOrgID: types.StringValue(orgID), AppName: types.StringValue(app)})
}

// importByIdentity imports from an import block's identity = {…}.
func (r *sourceConnectionResource) importByIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id sourceConnectionIdentityModel
	resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	org, app := strings.TrimSpace(id.OktaOrgID.ValueString()), strings.TrimSpace(id.AppName.ValueString())
	switch {
	case org == "":
		resp.Diagnostics.AddAttributeError(path.Root("okta_org_id"), "Invalid import identity",
			"okta_org_id is empty. Give ISPM's id of the Okta org, for example okta_org_id = \"oktaorg_acme\"; the "+
				"ispm_okta_orgs data source lists each org's id.")
		return
	case !appKeyPattern.MatchString(app):
		resp.Diagnostics.AddAttributeError(path.Root("app_name"), "Invalid import identity",
			fmt.Sprintf("app_name %q is not a gallery key: letters, digits, '_', '.' or '-', such as slack or acme_hrportal_1. "+
				"Use the app's catalog key (the Okta app's name), not its label.", app))
		return
	}
	r.importOrgApp(ctx, org, app, true, resp)
}

// importOrgApp imports the org's connection for app, where orgRef is the
// org as the import named it. Import IDs of the form <okta_org>/<app_name>
// and identities share it, and so its errors: unknown org, org not
// connected, no such connection. An identity must name the org by its
// ISPM id, so that the identity Terraform stores is the one Read returns.
func (r *sourceConnectionResource) importOrgApp(ctx context.Context, orgRef, app string, byIdentity bool, resp *resource.ImportStateResponse) {
	t, err := r.data.resolveOrg(ctx, orgRef)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import the ISPM connection", ensureSentence(err.Error()))
		return
	}
	if t.ID() == "" {
		resp.Diagnostics.AddError("Cannot import the ISPM connection", notConnectedDetail(t))
		return
	}
	okta := orgRef
	if byIdentity {
		if t.ID() != orgRef {
			resp.Diagnostics.AddAttributeError(path.Root("okta_org_id"), "Invalid import identity",
				fmt.Sprintf("okta_org_id %q names the Okta org %s, but an identity takes ISPM's id of the org: write "+
					"okta_org_id = %q. (An import block's id = \"%s/%s\" takes the domain too.)", orgRef, t.Domain, t.ID(), t.Domain, app))
			return
		}
		// The domain is what users write in okta_org.
		okta = t.Domain
	}
	sources, err := r.data.ispm.ListSources(ctx, ispm.SourceFilter{OktaOrgID: t.ID(), App: app})
	if err != nil {
		resp.Diagnostics.AddError("Cannot import the ISPM connection", fmt.Sprintf("Listing the ISPM connections of %s failed: %s", t.Domain, ensureSentence(err.Error())))
		return
	}
	// ISPM's app filter is exact; a source of another app is never taken.
	sources = slices.DeleteFunc(sources, func(s ispm.Source) bool { return s.App != app })
	if len(sources) == 0 {
		resp.Diagnostics.AddError("No such ISPM connection",
			fmt.Sprintf("The Okta org %s has no ISPM connection for the app %q. Check the app's catalog key (the ispm_source_connections "+
				"data source lists every connection), or let this resource create the connection: no import is needed for that.", t.Domain, app))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), sources[0].ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("okta_org"), okta)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("okta_org_id"), t.ID())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("app_name"), app)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, t.ID(), app)...)
}
