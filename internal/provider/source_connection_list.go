package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// The ispm_source_connection list resource: `terraform query` (Terraform
// 1.14+) lists an org's connections with their identities, so that
// -generate-config-out writes the import and resource blocks that adopt
// every connection made in the ISPM console.

var (
	_ list.ListResourceWithConfigure = &sourceConnectionListResource{}
)

// NewSourceConnectionListResource returns the ispm_source_connection list resource.
func NewSourceConnectionListResource() list.ListResource { return &sourceConnectionListResource{} }

type sourceConnectionListResource struct {
	data *providerData
}

type sourceConnectionListModel struct {
	OktaOrg types.String `tfsdk:"okta_org"`
	AppName types.String `tfsdk:"app_name"`
	Status  types.String `tfsdk:"status"`
}

// listStatuses are the values of the status filter.
var listStatuses = []string{string(ispm.SourceConnecting), string(ispm.SourceConnected)}

func (l *sourceConnectionListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_source_connection"
}

func (l *sourceConnectionListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{
		MarkdownDescription: "Lists the connections of an Okta org to ISPM, whether made by Terraform or in the ISPM console, " +
			"each with its identity (`okta_org_id` and `app_name`) and, with `include_resource = true`, the whole " +
			"`ispm_source_connection` object, so that `terraform query -generate-config-out=adopted.tf` writes the `import` " +
			"and `resource` blocks that adopt them. Needs Terraform 1.14 or later; with earlier versions and OpenTofu use " +
			"`import` blocks with `for_each` over the `ispm_source_connections` data source. Connections are listed by app; " +
			"Terraform stops at the list block's `limit` (100 unless set).",
		Attributes: map[string]listschema.Attribute{
			"okta_org": listschema.StringAttribute{
				Required: true,
				MarkdownDescription: "The Okta org whose connections to list: its Okta domain (`acme.okta.com`, or its URL) or its " +
					"ISPM id (`oktaorg_…`).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"app_name": listschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "List only the connection of this app (its catalog key, such as `slack`).",
				Validators: []validator.String{stringvalidator.RegexMatches(appKeyPattern,
					"must be a gallery key: letters, digits, '_', '.' or '-', such as slack or acme_hrportal_1")},
			},
			"status": listschema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "List only connections in this state: `CONNECTING` or `CONNECTED`.",
				Validators:          []validator.String{stringvalidator.OneOf(listStatuses...)},
			},
		},
	}
}

func (l *sourceConnectionListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *sourceConnectionListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	sources, domain, diags := l.find(ctx, req)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i := range sources {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			if !push(listResult(ctx, req, &sources[i], domain)) {
				return
			}
		}
	}
}

// find reads the config, checks its filters and lists the connections
// they keep, sorted by app, once each; domain is the org's Okta domain.
func (l *sourceConnectionListResource) find(ctx context.Context, req list.ListRequest) ([]ispm.Source, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	if !l.data.requireISPM(&diags, "The ispm_source_connection list resource") {
		return nil, "", diags
	}
	var m sourceConnectionListModel
	diags.Append(req.Config.Get(ctx, &m)...)
	if diags.HasError() {
		return nil, "", diags
	}
	// Terraform validates the config before it lists, but a client that
	// skips validation must not send ISPM a filter it would refuse.
	app, status := strings.TrimSpace(m.AppName.ValueString()), m.Status.ValueString()
	if app != "" && !appKeyPattern.MatchString(app) {
		diags.AddAttributeError(path.Root("app_name"), "Invalid app_name filter",
			fmt.Sprintf("app_name %q is not a gallery key: letters, digits, '_', '.' or '-', such as slack or acme_hrportal_1. "+
				"Use the app's catalog key (the Okta app's name), not its label; the ispm_sources_gallery data source lists them.", app))
	}
	if status != "" && !slices.Contains(listStatuses, status) {
		diags.AddAttributeError(path.Root("status"), "Invalid status filter",
			fmt.Sprintf("status %q is not a connection state: use %s, or leave status out to list both.", status, strings.Join(listStatuses, " or ")))
	}
	if strings.TrimSpace(m.OktaOrg.ValueString()) == "" {
		diags.AddAttributeError(path.Root("okta_org"), "Missing okta_org",
			"okta_org is empty. Give the Okta org's domain (for example acme.okta.com) or its ISPM id.")
	}
	if diags.HasError() {
		return nil, "", diags
	}
	t, err := l.data.resolve(ctx, lookup{Org: m.OktaOrg.ValueString(), Need: orgInISPM})
	if err != nil {
		addLookupError(&diags, err)
		return nil, "", diags
	}
	sources, err := l.data.ispm.ListSources(ctx, ispm.SourceFilter{OktaOrgID: t.ID(), App: app, Status: ispm.SourceStatus(status)})
	if err != nil {
		diags.AddError("Cannot list the ISPM connections", fmt.Sprintf("Listing the ISPM connections of %s failed: %s", t.Domain, ensureSentence(err.Error())))
		return nil, "", diags
	}
	if len(sources) == 0 && app != "" {
		// Nothing listed: say so when app_name is no gallery key (a typo
		// would otherwise list nothing, silently). A connection whose app
		// has left the gallery is still listed above.
		if _, err := l.data.catalogEntry(ctx, app); err != nil {
			addLookupError(&diags, err)
			return nil, "", diags
		}
	}
	return uniqueSources(sources), t.Domain, diags
}

// uniqueSources sorts sources by app and id and keeps one of each id: a
// connection made or deleted while ISPM's pages are read can shift a page
// and show another connection twice.
func uniqueSources(sources []ispm.Source) []ispm.Source {
	slices.SortFunc(sources, func(a, b ispm.Source) int { return cmp.Or(cmp.Compare(a.App, b.App), cmp.Compare(a.ID, b.ID)) })
	return slices.CompactFunc(sources, func(a, b ispm.Source) bool { return a.ID == b.ID })
}

// listResult is one connection as terraform query shows it: its identity,
// a display name and, when asked, the resource as an import would read it.
func listResult(ctx context.Context, req list.ListRequest, src *ispm.Source, domain string) list.ListResult {
	res := req.NewListResult(ctx)
	res.DisplayName = fmt.Sprintf("%s (%s) on %s, %d instance(s)", src.DisplayName, src.App, domain, len(src.Instances))
	res.Diagnostics.Append(setIdentity(ctx, res.Identity, src.OktaOrgID, src.App)...)
	if req.IncludeResource {
		m := sourceConnectionModel{
			OktaOrg:            types.StringValue(domain),
			InstanceIDs:        instanceIDSetOf(sourceInstanceIDs(src)),
			Readiness:          types.ListNull(readinessObjectType),
			PrerequisiteChecks: types.StringNull(),
			Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
				"create": types.StringType, "update": types.StringType, "delete": types.StringType,
			})},
		}
		m.fill(src)
		res.Diagnostics.Append(res.Resource.Set(ctx, &m)...)
	}
	return res
}
