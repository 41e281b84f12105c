package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

var _ datasource.DataSourceWithConfigure = &oktaOrgsDataSource{}

// NewOktaOrgsDataSource returns the ispm_okta_orgs data source.
func NewOktaOrgsDataSource() datasource.DataSource { return &oktaOrgsDataSource{} }

type oktaOrgsDataSource struct {
	data *providerData
}

type oktaOrgsModel struct {
	Orgs types.List `tfsdk:"orgs"`
}

var oktaOrgAttrTypes = map[string]attr.Type{
	"id":               types.StringType,
	"domain":           types.StringType,
	"display_name":     types.StringType,
	"connection_state": types.StringType,
	"connected_at":     types.StringType,
	"okta_credentials": types.BoolType,
}

func (d *oktaOrgsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_okta_orgs"
}

func (d *oktaOrgsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Okta orgs ISPM knows, and whether this provider holds Okta credentials for each. Without " +
			"credentials for an org, prerequisite checks rest on ISPM's evidence alone and say so.",
		Attributes: map[string]schema.Attribute{
			"orgs": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The orgs, in ISPM's order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":               schema.StringAttribute{Computed: true, MarkdownDescription: "ISPM's id of the org; usable wherever `okta_org` is asked for."},
					"domain":           schema.StringAttribute{Computed: true, MarkdownDescription: "The org's Okta domain, for example `acme.okta.com`; usable wherever `okta_org` is asked for."},
					"display_name":     schema.StringAttribute{Computed: true, MarkdownDescription: "The org's name in ISPM."},
					"connection_state": schema.StringAttribute{Computed: true, MarkdownDescription: "`CONNECTED` when ISPM can read the org (prerequisite P1), else why not, for example `DISCONNECTED`."},
					"connected_at":     schema.StringAttribute{Computed: true, MarkdownDescription: "When the org was connected to ISPM (RFC 3339), or null."},
					"okta_credentials": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the provider configuration holds Okta credentials for the org (an `okta_org` block or the `OKTA_*` environment variables), so that checks are verified against Okta itself."},
				}},
			},
		},
	}
}

func (d *oktaOrgsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *oktaOrgsDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	if !d.data.requireISPM(&resp.Diagnostics, "The ispm_okta_orgs data source") {
		return
	}
	orgs, err := d.data.ispmFacts.Orgs(ctx)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the Okta orgs connected to ISPM", err.Error())
		return
	}
	vals := make([]attr.Value, 0, len(orgs))
	for _, o := range orgs {
		connectedAt := types.StringNull()
		if !o.ConnectedAt.IsZero() {
			connectedAt = types.StringValue(o.ConnectedAt.UTC().Format(time.RFC3339))
		}
		_, creds := d.data.okta[ispm.NormalizeDomain(o.Domain)]
		vals = append(vals, types.ObjectValueMust(oktaOrgAttrTypes, map[string]attr.Value{
			"id":               types.StringValue(o.ID),
			"domain":           types.StringValue(o.Domain),
			"display_name":     types.StringValue(o.DisplayName),
			"connection_state": types.StringValue(string(o.ConnectionState)),
			"connected_at":     connectedAt,
			"okta_credentials": types.BoolValue(creds),
		}))
	}
	m := oktaOrgsModel{Orgs: types.ListValueMust(types.ObjectType{AttrTypes: oktaOrgAttrTypes}, vals)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
