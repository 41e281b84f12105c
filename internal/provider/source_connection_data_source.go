package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

var (
	_ datasource.DataSourceWithConfigure        = &sourceConnectionDataSource{}
	_ datasource.DataSourceWithConfigValidators = &sourceConnectionDataSource{}
)

// NewSourceConnectionDataSource returns the ispm_source_connection data source.
func NewSourceConnectionDataSource() datasource.DataSource { return &sourceConnectionDataSource{} }

type sourceConnectionDataSource struct {
	data *providerData
}

type sourceConnectionDataModel struct {
	ID          types.String `tfsdk:"id"`
	OktaOrg     types.String `tfsdk:"okta_org"`
	AppName     types.String `tfsdk:"app_name"`
	OktaOrgID   types.String `tfsdk:"okta_org_id"`
	DisplayName types.String `tfsdk:"display_name"`
	PoweredBy   types.String `tfsdk:"powered_by"`
	Status      types.String `tfsdk:"status"`
	Health      types.Object `tfsdk:"health"`
	ConnectedAt types.String `tfsdk:"connected_at"`
	CreatedAt   types.String `tfsdk:"created_at"`
	UpdatedAt   types.String `tfsdk:"updated_at"`
	InstanceIDs types.Set    `tfsdk:"instance_ids"`
	Instances   types.List   `tfsdk:"instances"`
}

func (d *sourceConnectionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_source_connection"
}

// sourceHealthDataSchema is the health attribute of both data sources.
func sourceHealthDataSchema() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Computed:            true,
		MarkdownDescription: sourceHealthDescription,
		Attributes: map[string]schema.Attribute{
			"status":       schema.StringAttribute{Computed: true, MarkdownDescription: sourceHealthStatusDescription},
			"reason":       schema.StringAttribute{Computed: true, MarkdownDescription: sourceHealthReasonDescription},
			"message":      schema.StringAttribute{Computed: true, MarkdownDescription: sourceHealthMessageDescription},
			"last_checked": schema.StringAttribute{Computed: true, MarkdownDescription: sourceHealthCheckedDescription},
		},
	}
}

// sourceInstancesDataSchema is the instances attribute of both data sources.
func sourceInstancesDataSchema() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: sourceInstancesDescription,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"id":    schema.StringAttribute{Computed: true, MarkdownDescription: sourceInstanceIDDescription},
			"label": schema.StringAttribute{Computed: true, MarkdownDescription: sourceInstanceLabelDescription},
		}},
	}
}

func (d *sourceConnectionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "One connection of an app to ISPM (an ISPM source), looked up by its `id` or by `okta_org` and " +
			"`app_name` (ISPM allows one connection per org and app), whether it was made by Terraform or in the ISPM console.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: sourceIDDescription + " Give either `id`, or `okta_org` with `app_name`.",
				Validators:          []validator.String{stringvalidator.RegexMatches(sourceIDPattern, "must be an ISPM source id such as src_office365acme01")},
			},
			"okta_org": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The Okta org: its Okta domain (`acme.okta.com`) or its ISPM id. Kept as written; when the " +
					"connection is looked up by `id`, the org's Okta domain.",
			},
			"app_name": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "The app's catalog key (`slack`, `office365`, or a custom app's generated name).",
				Validators: []validator.String{stringvalidator.RegexMatches(appKeyPattern,
					"must be a gallery key: letters, digits, '_', '.' or '-', such as slack or acme_hrportal_1")},
			},
			"okta_org_id":  schema.StringAttribute{Computed: true, MarkdownDescription: "ISPM's id of the Okta org."},
			"display_name": schema.StringAttribute{Computed: true, MarkdownDescription: sourceDisplayNameDescription},
			"powered_by":   schema.StringAttribute{Computed: true, MarkdownDescription: sourcePoweredByDescription},
			"status":       schema.StringAttribute{Computed: true, MarkdownDescription: sourceStatusDescription},
			"health":       sourceHealthDataSchema(),
			"connected_at": schema.StringAttribute{Computed: true, MarkdownDescription: sourceConnectedAtDescription},
			"created_at":   schema.StringAttribute{Computed: true, MarkdownDescription: "When the connection was made (RFC 3339)."},
			"updated_at":   schema.StringAttribute{Computed: true, MarkdownDescription: "When the connection last changed (RFC 3339)."},
			"instance_ids": schema.SetAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The ids of the connected app instances, ready for an `ispm_source_connection`'s `instance_ids`.",
			},
			"instances": sourceInstancesDataSchema(),
		},
	}
}

func (d *sourceConnectionDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("app_name")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("okta_org"), path.MatchRoot("app_name")),
	}
}

func (d *sourceConnectionDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *sourceConnectionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.data.requireISPM(&resp.Diagnostics, "The ispm_source_connection data source") {
		return
	}
	var m sourceConnectionDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var src *ispm.Source
	if id := m.ID.ValueString(); id != "" {
		s, err := d.data.ispm.GetSource(ctx, id)
		switch {
		case ispm.IsNotFound(err):
			resp.Diagnostics.AddAttributeError(path.Root("id"), "No such ISPM connection",
				fmt.Sprintf("ISPM has no connection with the id %q; it may have been deleted in the ISPM console. The "+
					"ispm_source_connections data source lists every connection.", id))
			return
		case err != nil:
			resp.Diagnostics.AddError("Cannot read the ISPM connection", ensureSentence(err.Error()))
			return
		}
		src = s
		m.OktaOrg = types.StringValue(src.OktaOrgID)
		if orgs, err := d.data.ispmFacts.Orgs(ctx); err == nil {
			if dom := orgDomains(orgs)[src.OktaOrgID]; dom != "" {
				m.OktaOrg = types.StringValue(dom)
			}
		}
	} else {
		t, err := d.data.resolve(ctx, lookup{Org: m.OktaOrg.ValueString(), Need: orgInISPM})
		if err != nil {
			addLookupError(&resp.Diagnostics, err)
			return
		}
		sources, err := d.data.ispmFacts.AppSources(ctx, t.ID(), m.AppName.ValueString())
		if err != nil {
			resp.Diagnostics.AddError("Cannot list the ISPM connections", fmt.Sprintf("Listing the ISPM connections of %s failed: %s", t.Domain, ensureSentence(err.Error())))
			return
		}
		for i := range sources {
			if sources[i].App == m.AppName.ValueString() {
				src = &sources[i]
				break
			}
		}
		if src == nil {
			resp.Diagnostics.AddAttributeError(path.Root("app_name"), "No such ISPM connection",
				fmt.Sprintf("The Okta org %s has no ISPM connection for the app %q. The ispm_source_connections data source lists every connection.",
					t.Domain, m.AppName.ValueString()))
			return
		}
	}
	m.ID = types.StringValue(src.ID)
	m.AppName = types.StringValue(src.App)
	m.OktaOrgID = types.StringValue(src.OktaOrgID)
	m.DisplayName = types.StringValue(src.DisplayName)
	m.PoweredBy = optString(string(src.PoweredBy))
	m.Status = types.StringValue(string(src.Status))
	m.Health = sourceHealthValue(src.Health)
	m.ConnectedAt = timeString(src.ConnectedAt)
	m.CreatedAt = timeString(src.CreatedAt)
	m.UpdatedAt = timeString(src.UpdatedAt)
	m.InstanceIDs = stringSet(sourceInstanceIDs(src))
	m.Instances = sourceInstancesValue(src)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
