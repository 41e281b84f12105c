package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

var (
	_ resource.ResourceWithConfigure   = &sourceConnectionResource{}
	_ resource.ResourceWithModifyPlan  = &sourceConnectionResource{}
	_ resource.ResourceWithImportState = &sourceConnectionResource{}
)

// Default timeouts. Connecting is usually quick; ISPM may take a few
// minutes under load.
const (
	defaultCreateTimeout = 5 * time.Minute
	defaultUpdateTimeout = 5 * time.Minute
	defaultDeleteTimeout = 2 * time.Minute
)

// NewSourceConnectionResource returns the ispm_source_connection resource.
func NewSourceConnectionResource() resource.Resource { return &sourceConnectionResource{} }

type sourceConnectionResource struct {
	data *providerData
	// pollPause overrides firstPollPause (tests).
	pollPause time.Duration
}

type sourceConnectionModel struct {
	ID                 types.String   `tfsdk:"id"`
	OktaOrg            types.String   `tfsdk:"okta_org"`
	AppName            types.String   `tfsdk:"app_name"`
	InstanceIDs        instanceIDSet  `tfsdk:"instance_ids"`
	PrerequisiteChecks types.String   `tfsdk:"prerequisite_checks"`
	OktaOrgID          types.String   `tfsdk:"okta_org_id"`
	DisplayName        types.String   `tfsdk:"display_name"`
	PoweredBy          types.String   `tfsdk:"powered_by"`
	Status             types.String   `tfsdk:"status"`
	Health             types.Object   `tfsdk:"health"`
	ConnectedAt        types.String   `tfsdk:"connected_at"`
	Instances          types.List     `tfsdk:"instances"`
	Readiness          types.List     `tfsdk:"readiness"`
	Timeouts           timeouts.Value `tfsdk:"timeouts"`
}

// fill copies what ISPM says about the source into m, except the instance
// ids, which the caller sets from the plan (create, update) or from ISPM
// (read).
func (m *sourceConnectionModel) fill(src *ispm.Source) {
	m.ID = types.StringValue(src.ID)
	m.OktaOrgID = types.StringValue(src.OktaOrgID)
	m.AppName = types.StringValue(src.App)
	m.DisplayName = types.StringValue(src.DisplayName)
	m.PoweredBy = optString(string(src.PoweredBy))
	m.Status = types.StringValue(string(src.Status))
	m.Health = sourceHealthValue(src.Health)
	m.ConnectedAt = timeString(src.ConnectedAt)
	m.Instances = sourceInstancesValue(src)
}

// copyComputed takes the computed values ISPM owns from a prior state.
func (m *sourceConnectionModel) copyComputed(from *sourceConnectionModel) {
	m.ID, m.OktaOrgID = from.ID, from.OktaOrgID
	m.DisplayName, m.PoweredBy = from.DisplayName, from.PoweredBy
	m.Status, m.Health, m.ConnectedAt, m.Instances = from.Status, from.Health, from.ConnectedAt, from.Instances
	m.Readiness = from.Readiness
}

func (r *sourceConnectionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_source_connection"
}

func (r *sourceConnectionResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Connects instances of a SCIM provisioning-enabled app of an Okta org to Okta Identity Security Posture " +
			"Management (ISPM) as a source, as the ISPM console's Sources Gallery does. `terraform plan` checks every prerequisite of " +
			"every instance live against Okta and ISPM (P1 org connected, P2 Lifecycle Management, P3 installed, P4 active, " +
			"P5 provisioning, P6 Import New Users and Profile Updates, P7 Import Groups) and, by default, fails with a per-instance " +
			"diagnostic naming the fix and the Okta Admin Console page before anything is created. Refresh detects drift: a " +
			"connection deleted or changed in the console, a failed connection test, and instances whose prerequisites regressed in Okta.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: sourceIDDescription,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"okta_org": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The Okta org hosting the app: its Okta domain (`acme.okta.com`, or its URL) or its ISPM id " +
					"(`oktaorg_…`). Kept as written. Changing it to another org replaces the connection; switching between forms " +
					"that name the same org does not.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"app_name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The app's catalog key in the ISPM Sources Gallery, which is the Okta app's name (`slack`, " +
					"`office365`, or a custom app's generated name such as `acme_hrportal_1`), not its label. The " +
					"`ispm_sources_gallery` data source lists them. Changing it replaces the connection.",
				Validators: []validator.String{stringvalidator.RegexMatches(appKeyPattern,
					"must be a gallery key: letters, digits, '_', '.' or '-', such as slack or acme_hrportal_1")},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"instance_ids": schema.SetAttribute{
				Required:    true,
				ElementType: types.StringType,
				CustomType:  newInstanceIDSetType(),
				MarkdownDescription: "The Okta app instances to connect (their `0oa…` ids), at least one. Every instance must meet the " +
					"prerequisites when it is added. Changing the set updates the connection in place.",
				Validators: []validator.Set{setvalidator.SizeAtLeast(1), setvalidator.ValueStringsAre(instanceIDValidator())},
			},
			"prerequisite_checks": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Overrides the provider's `prerequisite_checks` for this connection: `enforce` makes a failing " +
					"prerequisite of an instance being connected a plan error, `warn` a warning, `off` skips the checks. Unverified " +
					"prerequisites, and regressions of instances already connected, are warnings in every mode but `off`.",
				Validators: []validator.String{stringvalidator.OneOf(ModeEnforce, ModeWarn, ModeOff)},
			},
			"okta_org_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ISPM's id of the Okta org.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"display_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: sourceDisplayNameDescription,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"powered_by": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: sourcePoweredByDescription,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"status": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: sourceStatusDescription,
			},
			"health": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: sourceHealthDescription,
				Attributes: map[string]schema.Attribute{
					"status":       schema.StringAttribute{Computed: true, MarkdownDescription: sourceHealthStatusDescription},
					"reason":       schema.StringAttribute{Computed: true, MarkdownDescription: sourceHealthReasonDescription},
					"message":      schema.StringAttribute{Computed: true, MarkdownDescription: sourceHealthMessageDescription},
					"last_checked": schema.StringAttribute{Computed: true, MarkdownDescription: sourceHealthCheckedDescription},
				},
			},
			"connected_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: sourceConnectedAtDescription,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseNonNullStateForUnknown()},
			},
			"instances": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: sourceInstancesDescription,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":    schema.StringAttribute{Computed: true, MarkdownDescription: sourceInstanceIDDescription},
					"label": schema.StringAttribute{Computed: true, MarkdownDescription: sourceInstanceLabelDescription},
				}},
			},
			"readiness": readinessSchema(),
		},
		Blocks: map[string]schema.Block{
			"timeouts": describedBlock(timeouts.Block(ctx, timeouts.Opts{
				Create: true,
				Update: true,
				Delete: true,
				CreateDescription: fmt.Sprintf("How long creating may take, including the prerequisite checks and the wait for ISPM to "+
					"report the connection `CONNECTED`, as a duration such as `10m`. Defaults to `%s`.", durationText(defaultCreateTimeout)),
				UpdateDescription: fmt.Sprintf("How long changing the instances may take. Defaults to `%s`.", durationText(defaultUpdateTimeout)),
				DeleteDescription: fmt.Sprintf("How long disconnecting may take. Defaults to `%s`.", durationText(defaultDeleteTimeout)),
			}), "How long creating, changing and disconnecting may take."),
		},
	}
}

// describedBlock adds a description to a single nested block built
// elsewhere (the timeouts package leaves it empty).
func describedBlock(b schema.Block, description string) schema.Block {
	if nb, ok := b.(schema.SingleNestedBlock); ok {
		nb.MarkdownDescription = description
		return nb
	}
	return b
}

// durationText renders a whole number of minutes as Terraform users write
// it ("5m").
func durationText(d time.Duration) string {
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

func (r *sourceConnectionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

// mode is the effective prerequisite_checks, and false when the resource's
// own setting is not known yet.
func (r *sourceConnectionResource) mode(m sourceConnectionModel) (string, bool) {
	switch {
	case m.PrerequisiteChecks.IsUnknown():
		return r.data.cfg.Mode, false
	case m.PrerequisiteChecks.ValueString() != "":
		return m.PrerequisiteChecks.ValueString(), true
	}
	return r.data.cfg.Mode, true
}

// setStrings returns a set's strings sorted, and false when the set or an
// element is unknown.
func setStrings(ctx context.Context, s types.Set) ([]string, bool) {
	if s.IsUnknown() || s.IsNull() {
		return nil, !s.IsUnknown()
	}
	var vals []types.String
	if diags := s.ElementsAs(ctx, &vals, false); diags.HasError() {
		return nil, false
	}
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if v.IsUnknown() {
			return nil, false
		}
		out = append(out, v.ValueString())
	}
	slices.Sort(out)
	return out, true
}

// target resolves okta_org and checks app_name against the gallery, adding
// an error on the attribute at fault.
func (r *sourceConnectionResource) target(ctx context.Context, m sourceConnectionModel, need orgNeed, diags *diag.Diagnostics) (orgTarget, bool) {
	t, err := r.data.resolve(ctx, lookup{Org: m.OktaOrg.ValueString(), Need: need, App: m.AppName.ValueString()})
	if err != nil {
		addLookupError(diags, err)
		return orgTarget{}, false
	}
	return t, true
}

func (r *sourceConnectionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan sourceConnectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	a := &applyRun{r: r, ctx: ctx, opCtx: opCtx, op: "create", timeout: timeout, plan: &plan,
		state: &resp.State, identity: resp.Identity, private: resp.Private, diags: &resp.Diagnostics}
	a.create()
}

func (r *sourceConnectionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if !r.data.requireISPM(&resp.Diagnostics, "The ispm_source_connection resource") {
		return
	}
	var state sourceConnectionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The identity of the state as read, on every path: the framework
	// refuses a read, even one that drops the resource, without one.
	defer func() {
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, state.OktaOrgID.ValueString(), state.AppName.ValueString())...)
	}()
	// One listing of the org answers every connection of the run.
	src, err := r.data.ispmFacts.Source(ctx, state.OktaOrgID.ValueString(), state.ID.ValueString())
	if ispm.IsNotFound(err) {
		// Deleted in the console: the next plan creates it again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the ISPM connection",
			fmt.Sprintf("Reading ISPM connection %s failed: %s", state.ID.ValueString(), ensureSentence(err.Error())))
		return
	}
	if state.OktaOrg.ValueString() == "" {
		// Imported by id: name the org by its Okta domain.
		state.OktaOrg = types.StringValue(src.OktaOrgID)
		if orgs, err := r.data.ispmFacts.Orgs(ctx); err == nil {
			if d := orgDomains(orgs)[src.OktaOrgID]; d != "" {
				state.OktaOrg = types.StringValue(d)
			}
		}
	}
	state.fill(src)
	ids := sourceInstanceIDs(src)
	state.InstanceIDs = instanceIDSetOf(ids)
	r.readReadiness(ctx, &state, req.Private, &resp.Diagnostics)
	addStatusWarning(&resp.Diagnostics, src)
	addHealthWarning(&resp.Diagnostics, src)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)

	if trusted := readTrusted(ctx, req.Private); len(trusted) > 0 {
		kept := map[string]bool{}
		for _, id := range ids {
			kept[id] = true
		}
		for id := range trusted {
			if !kept[id] {
				delete(trusted, id)
			}
		}
		resp.Diagnostics.Append(writeTrusted(ctx, resp.Private, trusted)...)
	}
}

func (r *sourceConnectionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state sourceConnectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ids, _ := setStrings(ctx, plan.InstanceIDs.SetValue)
	old, _ := setStrings(ctx, state.InstanceIDs.SetValue)
	if slices.Equal(ids, old) {
		// Only the okta_org spelling, prerequisite_checks or timeouts
		// changed: nothing to tell ISPM. Readiness is as planned: null
		// when the checks were turned off, checked now when turned on.
		planned := plan.Readiness
		plan.copyComputed(&state)
		switch {
		case planned.IsNull():
			plan.Readiness = planned
		case planned.IsUnknown():
			var d diag.Diagnostics
			plan.Readiness, _, d = r.connectedReadiness(ctx, &plan, ids, req.Private)
			resp.Diagnostics.Append(d...)
		}
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, plan.OktaOrgID.ValueString(), plan.AppName.ValueString())...)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	a := &applyRun{r: r, ctx: ctx, opCtx: opCtx, op: "update", timeout: timeout, plan: &plan, ids: ids,
		state: &resp.State, identity: resp.Identity, private: resp.Private, diags: &resp.Diagnostics}
	a.update(&state, old, req.Private)
}

func (r *sourceConnectionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if !r.data.requireISPM(&resp.Diagnostics, "Deleting an ispm_source_connection") {
		return
	}
	var state sourceConnectionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := r.data.ispm.DeleteSource(opCtx, state.ID.ValueString())
	r.data.ispmFacts.Changed(state.OktaOrgID.ValueString(), state.AppName.ValueString())
	if err != nil && !ispm.IsNotFound(err) {
		resp.Diagnostics.AddError("Cannot delete the ISPM connection",
			fmt.Sprintf("Disconnecting ISPM connection %s failed: %s", state.ID.ValueString(), ensureSentence(err.Error())))
	}
}

// ImportState accepts a connection's id, or <okta_org>/<app_name> where
// okta_org is the org's Okta domain, URL or ISPM id, or an identity
// (source_connection_identity.go).
func (r *sourceConnectionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if r.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "The ispm provider must be configured before a connection can be imported.")
		return
	}
	if !r.data.requireISPM(&resp.Diagnostics, "Importing an ispm_source_connection") {
		return
	}
	if req.ID == "" && req.Identity != nil {
		r.importByIdentity(ctx, req, resp)
		return
	}
	sourceID, orgRef, app, err := parseImportID(id)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	if sourceID != "" {
		// Terraform's own answer to an import whose read finds nothing is a
		// bare "Cannot import non-existent remote object": say which id and
		// where to find the right one instead.
		src, err := r.data.ispm.GetSource(ctx, sourceID)
		if ispm.IsNotFound(err) {
			resp.Diagnostics.AddError("No such ISPM connection",
				fmt.Sprintf("ISPM has no connection with the id %q; it may have been deleted in the ISPM console, or the id is mistyped. "+
					"The ispm_source_connections data source lists every connection with its id; you can also import by "+
					"<okta_org>/<app_name>, for example acme.okta.com/slack.", sourceID))
			return
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), sourceID)...)
		if err == nil {
			// The org and app let the read that follows use the org's
			// listing, and keep the identity should that read fail.
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("okta_org_id"), src.OktaOrgID)...)
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("app_name"), src.App)...)
			resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, src.OktaOrgID, src.App)...)
		}
		return
	}
	r.importOrgApp(ctx, orgRef, app, false, resp)
}

// parseImportID reads an import ID: a source id, or <okta_org>/<app_name>
// split at the last slash (okta_org may be a URL).
func parseImportID(id string) (sourceID, orgRef, app string, err error) {
	id = strings.TrimSpace(id)
	i := strings.LastIndex(id, "/")
	if i < 0 {
		if !sourceIDPattern.MatchString(id) {
			return "", "", "", errors.New(badImportID(id))
		}
		return id, "", "", nil
	}
	orgRef, app = strings.TrimSpace(id[:i]), strings.TrimSpace(id[i+1:])
	if ispm.NormalizeDomain(orgRef) == "" || !appKeyPattern.MatchString(app) {
		return "", "", "", errors.New(badImportID(id))
	}
	return "", orgRef, app, nil
}

func badImportID(id string) string {
	return fmt.Sprintf("%q is not an ID ispm_source_connection can import. Use either the connection's id in ISPM (for example "+
		"src_office365acme01; the ispm_source_connections data source lists them), or <okta_org>/<app_name>, where okta_org is the "+
		"org's Okta domain or ISPM id and app_name the app's catalog key, for example acme.okta.com/slack or oktaorg_acme/slack.", id)
}
