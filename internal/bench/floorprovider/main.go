// Command floorprovider is a do-nothing Terraform provider whose one
// resource has the schema of ispm_source_connection. The benchmark plans it
// beside the real provider: what it costs is Terraform's plugin protocol
// and terraform-plugin-framework, which every framework provider pays
// before doing any work, so it separates that floor from the provider's own
// time and memory.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func main() {
	err := providerserver.Serve(context.Background(), func() provider.Provider { return floorProvider{} }, providerserver.ServeOpts{
		Address:         "registry.terraform.io/ispm-community/floor",
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "floor"
}

func (floorProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return connection{} }}
}

func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type connection struct{}

type connectionModel struct {
	ID                 types.String   `tfsdk:"id"`
	OktaOrg            types.String   `tfsdk:"okta_org"`
	AppName            types.String   `tfsdk:"app_name"`
	InstanceIDs        types.Set      `tfsdk:"instance_ids"`
	PrerequisiteChecks types.String   `tfsdk:"prerequisite_checks"`
	OktaOrgID          types.String   `tfsdk:"okta_org_id"`
	DisplayName        types.String   `tfsdk:"display_name"`
	PoweredBy          types.String   `tfsdk:"powered_by"`
	Status             types.String   `tfsdk:"status"`
	Health             types.Object   `tfsdk:"health"`
	ConnectedAt        types.String   `tfsdk:"connected_at"`
	Instances          types.List     `tfsdk:"instances"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

func (connection) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_source_connection"
}

var (
	healthTypes   = map[string]attr.Type{"status": types.StringType, "reason": types.StringType, "message": types.StringType, "last_checked": types.StringType}
	instanceTypes = map[string]attr.Type{"id": types.StringType, "label": types.StringType}
)

func (connection) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":                  schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"okta_org":            schema.StringAttribute{Required: true},
			"app_name":            schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
			"instance_ids":        schema.SetAttribute{Required: true, ElementType: types.StringType},
			"prerequisite_checks": schema.StringAttribute{Optional: true},
			"okta_org_id":         schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"display_name":        schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"powered_by":          schema.StringAttribute{Computed: true, PlanModifiers: keep},
			"status":              schema.StringAttribute{Computed: true},
			"health": schema.SingleNestedAttribute{Computed: true, Attributes: map[string]schema.Attribute{
				"status": schema.StringAttribute{Computed: true}, "reason": schema.StringAttribute{Computed: true},
				"message": schema.StringAttribute{Computed: true}, "last_checked": schema.StringAttribute{Computed: true},
			}},
			"connected_at": schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseNonNullStateForUnknown()}},
			"instances": schema.ListNestedAttribute{Computed: true, NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id": schema.StringAttribute{Computed: true}, "label": schema.StringAttribute{Computed: true},
			}}},
		},
		Blocks: map[string]schema.Block{"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})},
	}
}

// fill sets the computed values from the configuration alone.
func fill(ctx context.Context, m *connectionModel) {
	m.ID = types.StringValue("floor_" + m.AppName.ValueString())
	m.OktaOrgID = types.StringValue("oktaorg_floor")
	m.DisplayName = m.AppName
	m.PoweredBy = types.StringValue("OIN")
	m.Status = types.StringValue("CONNECTED")
	m.ConnectedAt = types.StringValue("2026-11-27T00:00:00Z")
	m.Health = types.ObjectValueMust(healthTypes, map[string]attr.Value{
		"status": types.StringValue("CONNECTED"), "reason": types.StringNull(), "message": types.StringNull(),
		"last_checked": types.StringValue("2026-11-27T00:00:00Z"),
	})
	var ids []string
	_ = m.InstanceIDs.ElementsAs(ctx, &ids, false)
	items := make([]attr.Value, 0, len(ids))
	for _, id := range ids {
		items = append(items, types.ObjectValueMust(instanceTypes, map[string]attr.Value{"id": types.StringValue(id), "label": types.StringValue(id)}))
	}
	m.Instances = types.ListValueMust(types.ObjectType{AttrTypes: instanceTypes}, items)
}

func (connection) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m connectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	fill(ctx, &m)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (connection) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m connectionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (connection) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m connectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	fill(ctx, &m)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (connection) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
