package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// ModifyPlan previews readiness: it checks every prerequisite of every
// planned instance against Okta and ISPM and reports what fails, so that a
// plan that would fail at ISPM fails before anything is created.
func (r *sourceConnectionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	if !r.data.requireISPM(&resp.Diagnostics, "The ispm_source_connection resource") {
		return
	}
	p := &planRun{r: r, ctx: ctx, req: &req, resp: resp}
	if !p.load() {
		return
	}
	p.replacement()
	if !p.unknowns() {
		return
	}
	if !p.resolve() {
		return
	}
	p.readiness()
}

// planRun is one ModifyPlan. Each step reads what the steps before it
// learned, so they run in the order ModifyPlan calls them.
type planRun struct {
	r    *sourceConnectionResource
	ctx  context.Context
	req  *resource.ModifyPlanRequest
	resp *resource.ModifyPlanResponse

	plan  sourceConnectionModel
	state *sourceConnectionModel // nil when the connection is new

	mode string   // effective prerequisite_checks (unknowns)
	ids  []string // planned instance ids, sorted (unknowns)

	target orgTarget // resolved okta_org (resolve)
	// same is true when the plan keeps the state's connection: same org
	// and app; stateIDs are then its connected instances (resolve).
	same     bool
	stateIDs []string
}

// load reads the plan and, for an existing connection, the state.
func (p *planRun) load() bool {
	p.resp.Diagnostics.Append(p.req.Plan.Get(p.ctx, &p.plan)...)
	if !p.req.State.Raw.IsNull() {
		p.state = &sourceConnectionModel{}
		p.resp.Diagnostics.Append(p.req.State.Get(p.ctx, p.state)...)
	}
	return !p.resp.Diagnostics.HasError()
}

// replacement replaces the connection when okta_org now names another org
// (app_name's own plan modifier handles a change of app).
func (p *planRun) replacement() {
	if p.state != nil && !p.plan.OktaOrg.Equal(p.state.OktaOrg) && !p.r.sameOrg(p.ctx, p.plan.OktaOrg, p.state.OktaOrgID) {
		p.resp.RequiresReplace = append(p.resp.RequiresReplace, path.Root("okta_org"))
	}
}

// unknowns reads the mode and the instances, and reports false, leaving
// the checks to apply, when an input they need is known only at apply.
func (p *planRun) unknowns() bool {
	var modeKnown, idsKnown bool
	p.mode, modeKnown = p.r.mode(p.plan)
	p.ids, idsKnown = setStrings(p.ctx, p.plan.InstanceIDs.SetValue)
	pending := pendingAttribute(p.plan, idsKnown, modeKnown)
	if pending == "" {
		return true
	}
	if p.mode != ModeOff || !modeKnown {
		p.resp.Diagnostics.AddAttributeWarning(path.Root(pending), "Prerequisites will be checked at apply",
			fmt.Sprintf("%s is known only after apply (for example an app created by the Okta provider in the same run), so the "+
				"connection's prerequisites cannot be checked now. Terraform checks them at apply, right before it connects the "+
				"instances, and stops there if one fails while prerequisite_checks is \"enforce\".", pending))
	}
	return false
}

// resolve resolves okta_org and app_name and relates the plan to the
// state: the same connection keeps ISPM's values when only Terraform-side
// settings changed; a new one must not clash with one the org already has.
func (p *planRun) resolve() bool {
	t, ok := p.r.target(p.ctx, p.plan, orgKnown, &p.resp.Diagnostics)
	if !ok {
		return false
	}
	p.target = t
	p.same = p.state != nil && t.ID() != "" && p.state.OktaOrgID.ValueString() == t.ID() && p.state.AppName.Equal(p.plan.AppName)
	if !p.same {
		p.checkExisting()
		return true
	}
	p.stateIDs, _ = setStrings(p.ctx, p.state.InstanceIDs.SetValue)
	if slices.Equal(p.ids, p.stateIDs) {
		// Only Terraform-side settings changed: ISPM's values stay, and
		// so does readiness unless prerequisite_checks turned it off
		// (null) or on (checked again at apply).
		p.plan.copyComputed(p.state)
		switch {
		case p.mode == ModeOff:
			p.plan.Readiness = types.ListNull(readinessObjectType)
		case p.state.Readiness.IsNull():
			p.plan.Readiness = types.ListUnknown(readinessObjectType)
		}
		p.resp.Diagnostics.Append(p.resp.Plan.Set(p.ctx, &p.plan)...)
	}
	return true
}

// readiness checks the prerequisites live and reports them in the mode,
// remembering the checks that passed so the next plan need not repeat them.
func (p *planRun) readiness() {
	if p.mode == ModeOff || p.resp.Diagnostics.HasError() {
		return
	}
	rd, err := p.r.data.evaluate(p.ctx, readinessQuery{Org: p.target, App: p.plan.AppName.ValueString(), InstanceIDs: p.ids, Trusted: readTrusted(p.ctx, p.req.Private)})
	if err != nil {
		p.resp.Diagnostics.AddError("Cannot check the connection's prerequisites", ensureSentence(err.Error()))
		return
	}
	rep := checkReport{Verdict: rd.Verdict, Mode: p.mode, Existing: map[string]bool{}}
	if p.same {
		// Instances already connected are regressions, not blockers.
		rep.SourceID = p.state.ID.ValueString()
		for _, id := range p.stateIDs {
			rep.Existing[id] = true
		}
		if p.r.reportedByRead(rep.SourceID) {
			// This process's refresh already warned about them.
			rep = withoutExisting(rep)
		}
	}
	p.resp.Diagnostics.Append(rep.diagnostics()...)
	p.resp.Diagnostics.Append(writeTrusted(p.ctx, p.resp.Private, trustedFrom(rd.Okta, p.ids))...)
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
func (p *planRun) checkExisting() {
	t, app, ids, diags := p.target, p.plan.AppName.ValueString(), p.ids, &p.resp.Diagnostics
	if t.ID() == "" || !t.Connected() {
		return
	}
	sources, err := p.r.data.ispmFacts.AppSources(p.ctx, t.ID(), app)
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
