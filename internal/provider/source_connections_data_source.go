package provider

import (
	"cmp"
	"context"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

var _ datasource.DataSourceWithConfigure = &sourceConnectionsDataSource{}

// NewSourceConnectionsDataSource returns the ispm_source_connections data source.
func NewSourceConnectionsDataSource() datasource.DataSource { return &sourceConnectionsDataSource{} }

type sourceConnectionsDataSource struct {
	data *providerData
}

type sourceConnectionsModel struct {
	OktaOrg     types.String `tfsdk:"okta_org"`
	AppName     types.String `tfsdk:"app_name"`
	Status      types.String `tfsdk:"status"`
	Health      types.String `tfsdk:"health"`
	OktaOrgID   types.String `tfsdk:"okta_org_id"`
	IDs         types.List   `tfsdk:"ids"`
	Connections types.List   `tfsdk:"connections"`
}

var sourceConnectionAttrTypes = map[string]attr.Type{
	"id":           types.StringType,
	"okta_org":     types.StringType,
	"okta_org_id":  types.StringType,
	"app_name":     types.StringType,
	"display_name": types.StringType,
	"powered_by":   types.StringType,
	"status":       types.StringType,
	"health":       sourceHealthObjectType,
	"connected_at": types.StringType,
	"instance_ids": types.SetType{ElemType: types.StringType},
	"instances":    types.ListType{ElemType: sourceInstanceObjectType},
}

func (d *sourceConnectionsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_source_connections"
}

func (d *sourceConnectionsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Every connection of an app to ISPM (the ISPM console's *Connected Sources*), whether made by " +
			"Terraform or in the console, optionally filtered by org, app, status and health. Each connection carries exactly the " +
			"values an `ispm_source_connection` needs, so that with Terraform 1.7 or later `import` blocks with `for_each` over " +
			"`connections` adopt every console-made connection in one apply.",
		Attributes: map[string]schema.Attribute{
			"okta_org": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only the connections of this Okta org: its Okta domain (`acme.okta.com`) or its ISPM id.",
			},
			"app_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only the connections of this app (its catalog key, such as `slack`).",
				Validators: []validator.String{stringvalidator.RegexMatches(appKeyPattern,
					"must be a gallery key: letters, digits, '_', '.' or '-', such as slack or acme_hrportal_1")},
			},
			"status": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only connections in this state: `CONNECTING` or `CONNECTED`.",
				Validators:          []validator.String{stringvalidator.OneOf(string(ispm.SourceConnecting), string(ispm.SourceConnected))},
			},
			"health": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Keep only connections whose last ISPM connection test had this result: `CONNECTED` or `FAILED` " +
					"(connections not tested yet match neither).",
				Validators: []validator.String{stringvalidator.OneOf(string(ispm.HealthConnected), string(ispm.HealthFailed))},
			},
			"okta_org_id": schema.StringAttribute{Computed: true, MarkdownDescription: "ISPM's id of `okta_org`, or null without it."},
			"ids": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The ids of the connections kept, in the order of `connections`.",
			},
			"connections": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The connections kept, sorted by Okta org domain and app.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           schema.StringAttribute{Computed: true, MarkdownDescription: sourceIDDescription + " Use it as the import ID."},
					"okta_org":     schema.StringAttribute{Computed: true, MarkdownDescription: "The Okta org's domain (its ISPM id when ISPM does not say), ready for `okta_org`."},
					"okta_org_id":  schema.StringAttribute{Computed: true, MarkdownDescription: "ISPM's id of the Okta org."},
					"app_name":     schema.StringAttribute{Computed: true, MarkdownDescription: "The app's catalog key, ready for `app_name`."},
					"display_name": schema.StringAttribute{Computed: true, MarkdownDescription: sourceDisplayNameDescription},
					"powered_by":   schema.StringAttribute{Computed: true, MarkdownDescription: sourcePoweredByDescription},
					"status":       schema.StringAttribute{Computed: true, MarkdownDescription: sourceStatusDescription},
					"health":       sourceHealthDataSchema(),
					"connected_at": schema.StringAttribute{Computed: true, MarkdownDescription: sourceConnectedAtDescription},
					"instance_ids": schema.SetAttribute{
						Computed:            true,
						ElementType:         types.StringType,
						MarkdownDescription: "The ids of the connected app instances, ready for `instance_ids`.",
					},
					"instances": sourceInstancesDataSchema(),
				}},
			},
		},
	}
}

func (d *sourceConnectionsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *sourceConnectionsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.data.requireISPM(&resp.Diagnostics, "The ispm_source_connections data source") {
		return
	}
	var m sourceConnectionsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := ispm.SourceFilter{
		App:    m.AppName.ValueString(),
		Status: ispm.SourceStatus(m.Status.ValueString()),
		Health: ispm.HealthStatus(m.Health.ValueString()),
	}
	m.OktaOrgID = types.StringNull()
	if ref := m.OktaOrg.ValueString(); ref != "" {
		t, err := d.data.resolve(ctx, lookup{Org: ref, Need: orgInISPM})
		if err != nil {
			addLookupError(&resp.Diagnostics, err)
			return
		}
		filter.OktaOrgID = t.ID()
		m.OktaOrgID = types.StringValue(t.ID())
	}
	sources, err := d.data.ispm.ListSources(ctx, filter)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list the ISPM connections", ensureSentence(err.Error()))
		return
	}
	orgs, err := d.data.ispmFacts.Orgs(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the Okta orgs connected to ISPM", ensureSentence(err.Error()))
		return
	}
	domains := orgDomains(orgs)
	domainOf := func(s ispm.Source) string { return cmp.Or(domains[s.OktaOrgID], s.OktaOrgID) }
	slices.SortFunc(sources, func(a, b ispm.Source) int {
		return cmp.Or(cmp.Compare(domainOf(a), domainOf(b)), cmp.Compare(a.App, b.App), cmp.Compare(a.ID, b.ID))
	})

	ids := make([]string, 0, len(sources))
	vals := make([]attr.Value, 0, len(sources))
	for i := range sources {
		s := &sources[i]
		ids = append(ids, s.ID)
		vals = append(vals, types.ObjectValueMust(sourceConnectionAttrTypes, map[string]attr.Value{
			"id":           types.StringValue(s.ID),
			"okta_org":     types.StringValue(domainOf(*s)),
			"okta_org_id":  types.StringValue(s.OktaOrgID),
			"app_name":     types.StringValue(s.App),
			"display_name": types.StringValue(s.DisplayName),
			"powered_by":   optString(string(s.PoweredBy)),
			"status":       types.StringValue(string(s.Status)),
			"health":       sourceHealthValue(s.Health),
			"connected_at": timeString(s.ConnectedAt),
			"instance_ids": stringSet(sourceInstanceIDs(s)),
			"instances":    sourceInstancesValue(s),
		}))
	}
	m.IDs = stringList(ids)
	m.Connections = types.ListValueMust(types.ObjectType{AttrTypes: sourceConnectionAttrTypes}, vals)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
