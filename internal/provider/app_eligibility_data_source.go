package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

var _ datasource.DataSourceWithConfigure = &appEligibilityDataSource{}

// NewAppEligibilityDataSource returns the ispm_app_eligibility data source.
func NewAppEligibilityDataSource() datasource.DataSource { return &appEligibilityDataSource{} }

type appEligibilityDataSource struct {
	data *providerData
}

type appEligibilityModel struct {
	OktaOrg             types.String `tfsdk:"okta_org"`
	AppName             types.String `tfsdk:"app_name"`
	InstanceIDs         types.Set    `tfsdk:"instance_ids"`
	OktaOrgID           types.String `tfsdk:"okta_org_id"`
	DisplayName         types.String `tfsdk:"display_name"`
	PoweredBy           types.String `tfsdk:"powered_by"`
	Status              types.String `tfsdk:"status"`
	StatusEvidence      types.String `tfsdk:"status_evidence"`
	StatusMessage       types.String `tfsdk:"status_message"`
	OktaVerified        types.Bool   `tfsdk:"okta_verified"`
	EligibleInstanceIDs types.List   `tfsdk:"eligible_instance_ids"`
	OktaReadyIDs        types.List   `tfsdk:"okta_ready_instance_ids"`
	OrgChecks           types.List   `tfsdk:"org_checks"`
	Instances           types.List   `tfsdk:"instances"`
}

var eligibilityInstanceAttrTypes = map[string]attr.Type{
	"id":         types.StringType,
	"label":      types.StringType,
	"eligible":   types.BoolType,
	"okta_ready": types.BoolType,
	"checks":     types.ListType{ElemType: checkObjectType},
}

func (d *appEligibilityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_app_eligibility"
}

func (d *appEligibilityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Whether each instance of an app in an Okta org can be connected to ISPM: every prerequisite " +
			"(P1–P7), checked live against Okta and ISPM, with its result, how it was verified, what to do about a failure, " +
			"and the Okta Admin Console page where to do it. Reading it never changes anything, except that ISPM is asked to " +
			"refresh its cached status of the app when Okta shows an instance ready that ISPM's cache does not.",
		Attributes: map[string]schema.Attribute{
			"okta_org": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The Okta org: its Okta domain (`acme.okta.com`), its URL, its org name (`acme`) or its ISPM id. Without ISPM, one of the provider's `okta_org` blocks.",
			},
			"app_name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The app's catalog key in the Sources Gallery, which is the Okta app's name (`slack`, `office365`, or a custom app's generated name such as `acme_hrportal_1`).",
			},
			"instance_ids": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Judge only these instances (Okta app ids). By default every instance of the app in the org is judged.",
				Validators:          []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(instanceIDValidator())},
			},
			"okta_org_id":  schema.StringAttribute{Computed: true, MarkdownDescription: "ISPM's id of the org; null without ISPM."},
			"display_name": schema.StringAttribute{Computed: true, MarkdownDescription: "The app's name in the gallery (without ISPM: in the provider's list of OIN SCIM apps), or null."},
			"powered_by":   schema.StringAttribute{Computed: true, MarkdownDescription: "`OIN` or `CUSTOM`; null without ISPM for an app the provider's list of OIN SCIM apps does not hold."},
			"status": schema.StringAttribute{Computed: true, MarkdownDescription: "The app's status in the org: `NOT_INTEGRATED` (no instance installed), " +
				"`PROVISIONING_DISABLED` (installed, no instance eligible), `AVAILABLE` (an instance is eligible) or `CONNECTED` (connected to ISPM); null when neither Okta nor ISPM could tell."},
			"status_evidence": schema.StringAttribute{Computed: true, MarkdownDescription: "How `status` was established: `okta_api`, `ispm_api` or `inferred`."},
			"status_message":  schema.StringAttribute{Computed: true, MarkdownDescription: "Why the app has that status."},
			"okta_verified": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether Okta itself was asked. False when the provider holds no Okta credentials " +
				"for the org or Okta could not be read: the checks then rest on ISPM's evidence and are marked so."},
			"eligible_instance_ids": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The judged instances whose every prerequisite passes."},
			"okta_ready_instance_ids": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The judged instances that are ready as far as Okta can show " +
				"(`okta_ready`): usable in `for_each` and `check` blocks, with or without ISPM configured."},
			"org_checks": checkSchema(),
			"instances": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "Every judged instance with its checks P1–P7, in order.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":       schema.StringAttribute{Computed: true, MarkdownDescription: "The Okta app instance id."},
					"label":    schema.StringAttribute{Computed: true, MarkdownDescription: "The instance's label in Okta, or null when unknown."},
					"eligible": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether every prerequisite passes."},
					"okta_ready": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the instance is ready as far as Okta can show: no check fails, " +
						"P3–P6 pass on Okta's own evidence, and the only checks that do not pass are ones Okta cannot decide (P1 without ISPM, P7 without Okta's `APP_GROUP` evidence). " +
						"Unlike `eligible`, it does not need ISPM."},
					"checks": checkSchema(),
				}},
			},
		},
	}
}

func (d *appEligibilityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *appEligibilityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m appEligibilityModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ids []string
	if !m.InstanceIDs.IsNull() {
		resp.Diagnostics.Append(m.InstanceIDs.ElementsAs(ctx, &ids, false)...)
	}
	app := m.AppName.ValueString()

	t, err := d.data.resolve(ctx, lookup{Org: m.OktaOrg.ValueString(), Need: orgConnected})
	if err != nil {
		addLookupError(&resp.Diagnostics, err)
		return
	}
	entry, err := d.data.catalogEntry(ctx, app)
	if err != nil {
		addLookupError(&resp.Diagnostics, err)
		return
	}
	r, err := d.data.evaluate(ctx, readinessQuery{Org: t, App: app, InstanceIDs: ids})
	if err != nil {
		resp.Diagnostics.AddError("Cannot check the prerequisites", err.Error())
		return
	}
	for _, id := range ids {
		if f, ok := r.Okta.Instance(id); ok && f.State == eligibility.AppFound && f.App.Name != app {
			resp.Diagnostics.AddAttributeError(path.Root("instance_ids"), "Instance of another app",
				fmt.Sprintf("The Okta app instance %s (%q) in %s is an instance of %q, not of %q. Remove it from instance_ids, "+
					"or ask about it with app_name = %q.", id, f.App.Label, t.Domain, f.App.Name, app, f.App.Name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	v := r.Verdict
	addNotFromOkta(&resp.Diagnostics, v, path.Empty())
	m.OktaOrgID = optString(t.ID())
	m.DisplayName = optString(entry.DisplayName)
	m.PoweredBy = optString(string(entry.PoweredBy))
	m.Status = optString(string(v.Status))
	m.StatusEvidence = optString(string(v.StatusEvidence))
	m.StatusMessage = types.StringValue(v.StatusMessage)
	m.OktaVerified = types.BoolValue(r.Okta.Available())
	m.EligibleInstanceIDs = stringList(v.EligibleInstanceIDs)
	m.OktaReadyIDs = stringList(v.OktaReadyInstanceIDs)
	m.OrgChecks = checksValue(v.OrgChecks)
	instances := make([]attr.Value, 0, len(v.Instances))
	for _, iv := range v.Instances {
		instances = append(instances, types.ObjectValueMust(eligibilityInstanceAttrTypes, map[string]attr.Value{
			"id":         types.StringValue(iv.ID),
			"label":      optString(iv.Label),
			"eligible":   types.BoolValue(iv.Eligible),
			"okta_ready": types.BoolValue(iv.OktaReady),
			"checks":     checksValue(iv.Checks),
		}))
	}
	m.Instances = types.ListValueMust(types.ObjectType{AttrTypes: eligibilityInstanceAttrTypes}, instances)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
