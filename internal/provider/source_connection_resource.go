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
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
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

// Polling of a source that is still connecting: the first read at once,
// then with doubling pauses up to the cap.
const (
	firstPollPause = 250 * time.Millisecond
	maxPollPause   = 10 * time.Second
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
func (r *sourceConnectionResource) target(ctx context.Context, m sourceConnectionModel, diags *diag.Diagnostics) (orgTarget, bool) {
	t, err := r.data.resolveOrg(ctx, m.OktaOrg.ValueString())
	if err != nil {
		var unknown *errUnknownOrg
		if errors.As(err, &unknown) {
			diags.AddAttributeError(path.Root("okta_org"), "Unknown Okta org", err.Error())
		} else {
			diags.AddError("Cannot read the Okta orgs connected to ISPM", ensureSentence(err.Error()))
		}
		return orgTarget{}, false
	}
	if _, err := r.data.catalogEntry(ctx, m.AppName.ValueString()); err != nil {
		if errors.Unwrap(err) != nil {
			diags.AddError("Cannot read the ISPM Sources Gallery", ensureSentence(err.Error()))
		} else {
			diags.AddAttributeError(path.Root("app_name"), "App not in the ISPM Sources Gallery", ensureSentence(err.Error()))
		}
		return orgTarget{}, false
	}
	return t, true
}

// ModifyPlan previews readiness: it checks every prerequisite of every
// planned instance against Okta and ISPM and reports what fails, so that a
// plan that would fail at ISPM fails before anything is created.
func (r *sourceConnectionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan sourceConnectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	var state *sourceConnectionModel
	if !req.State.Raw.IsNull() {
		state = &sourceConnectionModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}

	if state != nil && !plan.OktaOrg.Equal(state.OktaOrg) && !r.sameOrg(ctx, plan.OktaOrg, state.OktaOrgID) {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("okta_org"))
	}
	mode, modeKnown := r.mode(plan)
	ids, idsKnown := setStrings(ctx, plan.InstanceIDs)
	if pending := pendingAttribute(plan, idsKnown, modeKnown); pending != "" {
		if mode != ModeOff || !modeKnown {
			resp.Diagnostics.AddAttributeWarning(path.Root(pending), "Prerequisites will be checked at apply",
				fmt.Sprintf("%s is known only after apply (for example an app created by the Okta provider in the same run), so the "+
					"connection's prerequisites cannot be checked now. Terraform checks them at apply, right before it connects the "+
					"instances, and stops there if one fails while prerequisite_checks is \"enforce\".", pending))
		}
		return
	}
	t, ok := r.target(ctx, plan, &resp.Diagnostics)
	if !ok {
		return
	}

	var stateIDs []string
	same := state != nil && t.ID() != "" && state.OktaOrgID.ValueString() == t.ID() && state.AppName.Equal(plan.AppName)
	if same {
		stateIDs, _ = setStrings(ctx, state.InstanceIDs)
		if slices.Equal(ids, stateIDs) {
			// Only Terraform-side settings changed: ISPM's values stay.
			plan.copyComputed(state)
			resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
		}
	} else {
		r.checkExisting(ctx, t, plan.AppName.ValueString(), ids, &resp.Diagnostics)
	}
	if mode == ModeOff || resp.Diagnostics.HasError() {
		return
	}

	rd, err := r.data.evaluate(ctx, readinessQuery{Org: t, App: plan.AppName.ValueString(), InstanceIDs: ids, Trusted: readTrusted(ctx, req.Private)})
	if err != nil {
		resp.Diagnostics.AddError("Cannot check the connection's prerequisites", ensureSentence(err.Error()))
		return
	}
	rep := checkReport{Verdict: rd.Verdict, Mode: mode, Existing: map[string]bool{}}
	if same {
		rep.SourceID = state.ID.ValueString()
		for _, id := range stateIDs {
			rep.Existing[id] = true
		}
	}
	resp.Diagnostics.Append(rep.diagnostics()...)
	resp.Diagnostics.Append(writeTrusted(ctx, resp.Private, trustedFrom(rd.Okta, ids))...)
}

// sameOrg reports whether ref names the org with ISPM id orgID: a change
// between the forms of okta_org that name one org (domain, URL, ISPM id)
// does not replace the connection, a change to another org does. The
// framework gives attribute plan modifiers no provider data, so this
// decision is made here.
func (r *sourceConnectionResource) sameOrg(ctx context.Context, ref, orgID types.String) bool {
	if ref.IsUnknown() || orgID.ValueString() == "" {
		return false
	}
	t, err := r.data.resolveOrg(ctx, ref.ValueString())
	return err == nil && t.ID() == orgID.ValueString()
}

// pendingAttribute names the first attribute the checks need that is not
// known yet, or "".
func pendingAttribute(m sourceConnectionModel, idsKnown, modeKnown bool) string {
	switch {
	case m.OktaOrg.IsUnknown():
		return "okta_org"
	case m.AppName.IsUnknown():
		return "app_name"
	case !idsKnown:
		return "instance_ids"
	case !modeKnown:
		return "prerequisite_checks"
	}
	return ""
}

// checkExisting reports a connection the org already has for the app,
// which ISPM allows only once. One with the same instances may be the
// source an earlier apply of this resource made before its answer was
// lost: the create adopts it then, so that is only a warning.
func (r *sourceConnectionResource) checkExisting(ctx context.Context, t orgTarget, app string, ids []string, diags *diag.Diagnostics) {
	if t.ID() == "" || !t.Connected() {
		return
	}
	sources, err := r.data.appSources(ctx, t.ID(), app)
	if err != nil {
		// The create itself will tell; the plan need not fail on a read.
		return
	}
	for i := range sources {
		s := &sources[i]
		if s.App != app {
			continue
		}
		if slices.Equal(sourceInstanceIDs(s), ids) {
			diags.AddAttributeWarning(path.Root("app_name"), "ISPM already has a connection for this app",
				fmt.Sprintf("The Okta org %s already has ISPM connection %s for %s, with the same instances. If an earlier apply of this "+
					"resource made it and its answer was lost, apply adopts it. If it was made in the ISPM console, apply fails.\n\n%s",
					t.Domain, s.ID, app, importAdvice(s.ID)))
			return
		}
		diags.AddAttributeError(path.Root("app_name"), "ISPM already has a connection for this app",
			fmt.Sprintf("The Okta org %s already has ISPM connection %s for %s, with the instances %s.\n\n%s",
				t.Domain, s.ID, app, strings.Join(sourceInstanceIDs(s), ", "), importAdvice(s.ID)))
		return
	}
}

// recheck runs the prerequisite checks again at apply and adds only their
// errors: the plan Terraform made right before already showed the warnings.
func (r *sourceConnectionResource) recheck(ctx context.Context, m sourceConnectionModel, t orgTarget, ids []string, rep checkReport, trusted privateGetter, diags *diag.Diagnostics) (readiness, bool) {
	mode, _ := r.mode(m)
	if mode == ModeOff {
		return readiness{}, true
	}
	rd, err := r.data.evaluate(ctx, readinessQuery{Org: t, App: m.AppName.ValueString(), InstanceIDs: ids, Trusted: readTrusted(ctx, trusted)})
	if err != nil {
		diags.AddError("Cannot check the connection's prerequisites", ensureSentence(err.Error()))
		return rd, false
	}
	rep.Verdict, rep.Mode, rep.ErrorsOnly = rd.Verdict, mode, true
	d := rep.diagnostics()
	diags.Append(d...)
	return rd, !d.HasError()
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

	t, ok := r.target(opCtx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	if t.ID() == "" {
		resp.Diagnostics.AddAttributeError(path.Root("okta_org"), "Okta org not connected to ISPM", notConnectedDetail(t))
		return
	}
	app := plan.AppName.ValueString()
	ids, _ := setStrings(ctx, plan.InstanceIDs)
	rd, ok := r.recheck(opCtx, plan, t, ids, checkReport{Existing: map[string]bool{}}, nil, &resp.Diagnostics)
	if !ok {
		return
	}

	creq := ispm.CreateSourceRequest{OktaOrgID: t.ID(), App: app, InstanceIDs: ids, IdempotencyKey: createIdempotencyKey(t.ID(), app, ids)}
	src, err := submitWithRefresh(opCtx, r.data.ispm, t.ID(), app, oktaSaysReady(rd.Verdict), func() (*ispm.Source, error) {
		return r.data.ispm.CreateSource(opCtx, creq)
	})
	r.data.forgetApp(t.ID(), app)
	if err != nil {
		addCreateError(&resp.Diagnostics, err, t, app)
		return
	}

	r.settle(ctx, opCtx, &plan, src, timeout, "create", &resp.State, resp.Private, trustedFrom(rd.Okta, ids), &resp.Diagnostics)
}

// addCreateError explains a failed create.
func addCreateError(diags *diag.Diagnostics, err error, t orgTarget, app string) {
	if id, ok := ispm.ExistingSourceID(err); ok {
		diags.AddAttributeError(path.Root("app_name"), "ISPM already has a connection for this app",
			fmt.Sprintf("The Okta org %s already has ISPM connection %s for %s, made outside this Terraform resource.\n\n%s", t.Domain, id, app, importAdvice(id)))
		return
	}
	switch {
	case ispm.IsOrgNotConnected(err):
		diags.AddAttributeError(path.Root("okta_org"), "Okta org not connected to ISPM", ensureSentence(err.Error())+"\n\n"+notConnectedDetail(t))
	case ispm.IsValidation(err) && !ispm.IsIdempotencyKeyReused(err):
		diags.AddAttributeError(path.Root("instance_ids"), "ISPM refused to connect the instances",
			problemsDetail(err)+"\n\nterraform plan names the Okta setting behind each failing prerequisite and where to change it.")
	default:
		detail := ensureSentence(err.Error())
		if _, api := ispm.AsAPIError(err); !api || ispm.IsServer(err) || ispm.IsRateLimited(err) {
			detail += " If ISPM made the connection before the failure, the next terraform apply adopts it instead of making " +
				"another: the provider sends the same idempotency key for the same org, app and instances."
		}
		diags.AddError("Cannot create the ISPM connection", detail)
	}
}

// submitWithRefresh sends a create or an update. When ISPM refuses it
// (422) although Okta itself verified the instances ready, ISPM's cached
// view of the app is likely behind: it has ISPM re-read the app (the
// console's Refresh Data) and sends the request once more.
func submitWithRefresh(ctx context.Context, c ispm.Client, orgID, app string, oktaReady bool, submit func() (*ispm.Source, error)) (*ispm.Source, error) {
	src, err := submit()
	if ispm.IsValidation(err) && !ispm.IsIdempotencyKeyReused(err) && oktaReady {
		if _, rerr := c.RefreshAppStatus(ctx, orgID, app); rerr == nil {
			src, err = submit()
		}
	}
	return src, err
}

// firstPause is the pause after the first read of a connecting source.
func (r *sourceConnectionResource) firstPause() time.Duration {
	if r.pollPause > 0 {
		return r.pollPause
	}
	return firstPollPause
}

// waitConnected polls a source until ISPM reports it CONNECTED, with
// doubling pauses from pause, until ctx ends. It returns the last source
// read.
func waitConnected(ctx context.Context, c ispm.Client, src *ispm.Source, pause, timeout time.Duration, op string) (*ispm.Source, error) {
	for {
		s, err := c.GetSource(ctx, src.ID)
		switch {
		case err == nil:
			src = s
		case ctx.Err() != nil:
			return src, waitEnded(ctx, src, timeout, op)
		case ispm.IsNotFound(err):
			return src, fmt.Errorf("ISPM connection %s disappeared while Terraform waited for it to connect: it was deleted in the "+
				"ISPM console or by ISPM itself; run terraform apply again to connect the instances anew", src.ID)
		default:
			return src, fmt.Errorf("reading ISPM connection %s while waiting for it to connect: %w", src.ID, err)
		}
		switch src.Status {
		case ispm.SourceConnected:
			return src, nil
		case ispm.SourceConnecting:
		default:
			// A state this provider does not know (a newer ISPM): waiting
			// longer would only run out the timeout.
			return src, fmt.Errorf("ISPM connection %s is in the state %q, which this provider version does not know, instead of "+
				"CONNECTING or CONNECTED. The connection is kept in the Terraform state and marked tainted; check it in the ISPM "+
				"console, and upgrade the provider if a newer version knows this state", src.ID, src.Status)
		}
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return src, waitEnded(ctx, src, timeout, op)
		case <-timer.C:
		}
		pause = min(2*pause, maxPollPause)
	}
}

// waitEnded says why the wait for a connection stopped: Terraform was
// interrupted (Ctrl-C), or the timeout ran out.
func waitEnded(ctx context.Context, src *ispm.Source, timeout time.Duration, op string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("Terraform was interrupted while ISPM connection %s was still %s. The connection is kept in the Terraform "+
			"state and marked tainted, so it is not orphaned in ISPM: the next apply replaces it, or run terraform untaint on the "+
			"resource once the ISPM console shows the connection as Connected", src.ID, src.Status)
	}
	return waitTimeout(src, timeout, op)
}

func waitTimeout(src *ispm.Source, timeout time.Duration, op string) error {
	return fmt.Errorf("ISPM connection %s was still %s when the %s timeout of %s ran out. The connection is kept in the Terraform "+
		"state and marked tainted, so it is not orphaned in ISPM: the next apply replaces it. If ISPM is only slow, raise "+
		"timeouts.%s, or run terraform untaint on the resource once the ISPM console shows the connection as Connected",
		src.ID, src.Status, op, timeout, op)
}

// addHealthWarning warns about a connection whose last test failed.
func addHealthWarning(diags *diag.Diagnostics, src *ispm.Source) {
	if summary, detail, failed := healthFailure(src); failed {
		diags.AddAttributeWarning(path.Root("health"), summary, detail)
	}
}

func (r *sourceConnectionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state sourceConnectionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	src, err := r.data.ispm.GetSource(ctx, state.ID.ValueString())
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
		if orgs, err := r.data.listOrgs(ctx); err == nil {
			if d := orgDomains(orgs)[src.OktaOrgID]; d != "" {
				state.OktaOrg = types.StringValue(d)
			}
		}
	}
	state.fill(src)
	ids := sourceInstanceIDs(src)
	state.InstanceIDs = stringSet(ids)
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
	ids, _ := setStrings(ctx, plan.InstanceIDs)
	old, _ := setStrings(ctx, state.InstanceIDs)
	if slices.Equal(ids, old) {
		// Only the okta_org spelling, prerequisite_checks or timeouts
		// changed: nothing to tell ISPM.
		plan.copyComputed(&state)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	opCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	t, ok := r.target(opCtx, plan, &resp.Diagnostics)
	if !ok {
		return
	}
	rep := checkReport{Existing: map[string]bool{}, SourceID: state.ID.ValueString()}
	for _, id := range old {
		rep.Existing[id] = true
	}
	rd, ok := r.recheck(opCtx, plan, t, ids, rep, req.Private, &resp.Diagnostics)
	if !ok {
		return
	}

	id := state.ID.ValueString()
	src, err := submitWithRefresh(opCtx, r.data.ispm, state.OktaOrgID.ValueString(), plan.AppName.ValueString(), oktaSaysReady(rd.Verdict),
		func() (*ispm.Source, error) {
			return r.data.ispm.UpdateSource(opCtx, id, ispm.UpdateSourceRequest{InstanceIDs: ids})
		})
	r.data.forgetApp(state.OktaOrgID.ValueString(), state.AppName.ValueString())
	switch {
	case ispm.IsNotFound(err):
		resp.Diagnostics.AddError("ISPM connection no longer exists",
			fmt.Sprintf("ISPM connection %s was deleted, probably in the ISPM console, while Terraform was changing it. Run terraform "+
				"apply again: the next plan connects the instances anew.", id))
		return
	case ispm.IsValidation(err):
		resp.Diagnostics.AddAttributeError(path.Root("instance_ids"), "ISPM refused to connect the added instances",
			problemsDetail(err)+"\n\nterraform plan names the Okta setting behind each failing prerequisite and where to change it.")
		return
	case err != nil:
		resp.Diagnostics.AddError("Cannot change the ISPM connection", fmt.Sprintf("Changing the instances of ISPM connection %s failed: %s", id, ensureSentence(err.Error())))
		return
	}

	r.settle(ctx, opCtx, &plan, src, timeout, "update", &resp.State, resp.Private, trustedFrom(rd.Okta, ids), &resp.Diagnostics)
}

// settle waits for a created or changed connection to be CONNECTED and saves
// it. A wait that fails still saves the connection (Terraform marks it
// tainted) rather than orphan it in ISPM.
func (r *sourceConnectionResource) settle(ctx, opCtx context.Context, plan *sourceConnectionModel, src *ispm.Source, timeout time.Duration,
	op string, state *tfsdk.State, private privateSetter, trusted map[string]eligibility.Trusted, diags *diag.Diagnostics) {
	plan.fill(src)
	if src.Status != ispm.SourceConnected {
		var werr error
		src, werr = waitConnected(opCtx, r.data.ispm, src, r.firstPause(), timeout, op)
		plan.fill(src)
		if werr != nil {
			diags.Append(state.Set(ctx, plan)...)
			diags.AddError("ISPM connection did not become CONNECTED", ensureSentence(werr.Error()))
			return
		}
	}
	addHealthWarning(diags, src)
	diags.Append(state.Set(ctx, plan)...)
	diags.Append(writeTrusted(ctx, private, trusted)...)
}

func (r *sourceConnectionResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
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
	r.data.forgetApp(state.OktaOrgID.ValueString(), state.AppName.ValueString())
	if err != nil && !ispm.IsNotFound(err) {
		resp.Diagnostics.AddError("Cannot delete the ISPM connection",
			fmt.Sprintf("Disconnecting ISPM connection %s failed: %s", state.ID.ValueString(), ensureSentence(err.Error())))
	}
}

// ImportState accepts a connection's id, or <okta_org>/<app_name> where
// okta_org is the org's Okta domain, URL or ISPM id.
func (r *sourceConnectionResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if r.data == nil {
		resp.Diagnostics.AddError("Provider not configured", "The ispm provider must be configured before a connection can be imported.")
		return
	}
	sourceID, orgRef, app, err := parseImportID(id)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import ID", err.Error())
		return
	}
	if sourceID != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), sourceID)...)
		return
	}
	t, err := r.data.resolveOrg(ctx, orgRef)
	if err != nil {
		resp.Diagnostics.AddError("Cannot import the ISPM connection", ensureSentence(err.Error()))
		return
	}
	if t.ID() == "" {
		resp.Diagnostics.AddError("Cannot import the ISPM connection", notConnectedDetail(t))
		return
	}
	sources, err := r.data.ispm.ListSources(ctx, ispm.SourceFilter{OktaOrgID: t.ID(), App: app})
	if err != nil {
		resp.Diagnostics.AddError("Cannot import the ISPM connection", fmt.Sprintf("Listing the ISPM connections of %s failed: %s", t.Domain, ensureSentence(err.Error())))
		return
	}
	if len(sources) == 0 {
		resp.Diagnostics.AddError("No such ISPM connection",
			fmt.Sprintf("The Okta org %s has no ISPM connection for the app %q. Check the app's catalog key (the ispm_source_connections "+
				"data source lists every connection), or let this resource create the connection: no import is needed for that.", t.Domain, app))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), sources[0].ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("okta_org"), orgRef)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("okta_org_id"), t.ID())...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("app_name"), app)...)
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
