package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// Polling of a source that is still connecting: the first read at once,
// then with doubling pauses up to the cap.
const (
	firstPollPause = 250 * time.Millisecond
	maxPollPause   = 10 * time.Second
)

// applyRun is one create or update, from the plan to the saved state. Its
// phases (recheck, submit, settle) share these values, which would
// otherwise be passed to each of them.
type applyRun struct {
	r *sourceConnectionResource
	// ctx is Terraform's; opCtx ends with the operation's timeout. The
	// state is saved with ctx so that a timed-out wait still saves it.
	ctx, opCtx context.Context
	op         string // "create" or "update", as the timeouts block names it
	timeout    time.Duration
	plan       *sourceConnectionModel
	target     orgTarget // set once okta_org is resolved
	ids        []string  // the planned instance ids, sorted
	state      *tfsdk.State
	identity   *tfsdk.ResourceIdentity
	checked    *eligibility.Verdict // the apply's own check of a.ids; nil while prerequisite_checks is off
	private    privateSetter
	diags      *diag.Diagnostics
}

// create connects the planned instances as a new source.
func (a *applyRun) create() {
	t, ok := a.r.target(a.opCtx, *a.plan, orgInISPM, a.diags)
	if !ok {
		return
	}
	a.target = t
	app := a.plan.AppName.ValueString()
	a.ids, _ = setStrings(a.ctx, a.plan.InstanceIDs.SetValue)
	// A new connection has no instances connected before it.
	rd, ok := a.recheck(checkReport{Existing: map[string]bool{}}, nil)
	if !ok {
		return
	}

	creq := ispm.CreateSourceRequest{OktaOrgID: t.ID(), App: app, InstanceIDs: a.ids, IdempotencyKey: createIdempotencyKey(t.ID(), app, a.ids)}
	src, err := a.r.data.ispmFacts.SubmitWithRefresh(a.opCtx, ispm.OrgApp{OrgID: t.ID(), App: app}, rd.Verdict.OktaVerified(), func() (*ispm.Source, error) {
		return a.r.data.ispm.CreateSource(a.opCtx, creq)
	})
	a.r.data.ispmFacts.Changed(t.ID(), app)
	if err != nil {
		addCreateError(a.diags, err, t, app)
		return
	}

	a.settle(src, trustedFrom(rd.Okta, a.ids))
}

// update changes the instances of the connection in prior, which has the
// instances old connected; trusted holds the checks prior's apply
// remembered.
func (a *applyRun) update(prior *sourceConnectionModel, old []string, trusted privateGetter) {
	t, ok := a.r.target(a.opCtx, *a.plan, orgKnown, a.diags)
	if !ok {
		return
	}
	a.target = t
	rep := checkReport{Existing: map[string]bool{}, SourceID: prior.ID.ValueString()}
	for _, id := range old {
		rep.Existing[id] = true
	}
	rd, ok := a.recheck(rep, trusted)
	if !ok {
		return
	}

	id := prior.ID.ValueString()
	k := ispm.OrgApp{OrgID: prior.OktaOrgID.ValueString(), App: a.plan.AppName.ValueString()}
	src, err := a.r.data.ispmFacts.SubmitWithRefresh(a.opCtx, k, rd.Verdict.OktaVerified(), func() (*ispm.Source, error) {
		return a.r.data.ispm.UpdateSource(a.opCtx, id, ispm.UpdateSourceRequest{InstanceIDs: a.ids})
	})
	a.r.data.ispmFacts.Changed(prior.OktaOrgID.ValueString(), prior.AppName.ValueString())
	if addUpdateError(a.diags, err, id) {
		return
	}

	a.settle(src, trustedFrom(rd.Okta, a.ids))
}

// recheck runs the prerequisite checks again at apply and adds only their
// errors: the plan Terraform made right before already showed the warnings.
func (a *applyRun) recheck(rep checkReport, trusted privateGetter) (readiness, bool) {
	mode, _ := a.r.mode(*a.plan)
	if mode == ModeOff {
		return readiness{}, true
	}
	rd, err := a.r.data.evaluate(a.opCtx, readinessQuery{Org: a.target, App: a.plan.AppName.ValueString(), InstanceIDs: a.ids, Trusted: readTrusted(a.opCtx, trusted)})
	if err != nil {
		a.diags.AddError("Cannot check the connection's prerequisites", ensureSentence(err.Error()))
		return rd, false
	}
	rep.Verdict, rep.Mode, rep.ErrorsOnly = rd.Verdict, mode, true
	a.checked = &rd.Verdict
	d := rep.diagnostics()
	a.diags.Append(d...)
	return rd, !d.HasError()
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

// addUpdateError explains a failed update of connection id, and reports
// whether there was one.
func addUpdateError(diags *diag.Diagnostics, err error, id string) bool {
	switch {
	case ispm.IsNotFound(err):
		diags.AddError("ISPM connection no longer exists",
			fmt.Sprintf("ISPM connection %s was deleted, probably in the ISPM console, while Terraform was changing it. Run terraform "+
				"apply again: the next plan connects the instances anew.", id))
	case ispm.IsValidation(err):
		diags.AddAttributeError(path.Root("instance_ids"), "ISPM refused to connect the added instances",
			problemsDetail(err)+"\n\nterraform plan names the Okta setting behind each failing prerequisite and where to change it.")
	case err != nil:
		diags.AddError("Cannot change the ISPM connection", fmt.Sprintf("Changing the instances of ISPM connection %s failed: %s", id, ensureSentence(err.Error())))
	default:
		return false
	}
	return true
}

// settle waits for a created or changed connection to be CONNECTED and saves
// it with the checks to trust next time. A wait that was interrupted, or
// whose read failed, saves it untainted with a warning: the connection
// exists. A wait that ran out of time, or met a state this provider does
// not know, still saves the connection (Terraform marks it tainted) rather
// than orphan it in ISPM.
func (a *applyRun) settle(src *ispm.Source, trusted map[string]eligibility.Trusted) {
	a.plan.fill(src)
	a.diags.Append(setIdentity(a.ctx, a.identity, src.OktaOrgID, src.App)...)
	if src.Status != ispm.SourceConnected {
		var werr error
		src, werr = waitConnected(a.opCtx, a.r.data.ispm, src, a.r.firstPause(), a.timeout, a.op)
		a.plan.fill(src)
		var lost *lostReadError
		if errors.As(werr, &lost) {
			// ISPM made the connection; only reading it back failed. An
			// error would taint it, and the next apply would delete a
			// healthy connection to make it again: keep it, say what is
			// not known, and let the next refresh read it.
			a.diags.AddWarning("ISPM connection status not known yet",
				fmt.Sprintf("ISPM %s connection %s, but reading it back failed: %s Its status is not known yet. The connection "+
					"is kept in the Terraform state (not tainted); the next plan or refresh reads it again.", pastTense(a.op), src.ID, ensureSentence(lost.err.Error())))
			werr = nil
		}
		var stopped *interruptedError
		if errors.As(werr, &stopped) {
			// Terraform was interrupted (Ctrl-C) while ISPM was still
			// connecting. The connection exists and is likely healthy: a
			// taint would have the next apply delete and remake it. Keep
			// it, and say its status is not known.
			a.diags.AddWarning("ISPM connection status not known: Terraform was interrupted",
				fmt.Sprintf("Terraform was interrupted while ISPM connection %s was still %s. The connection is kept in the Terraform "+
					"state (not tainted), so it is neither orphaned in ISPM nor replaced; the next plan or refresh reads its status "+
					"again.", src.ID, src.Status))
			werr = nil
		}
		if werr != nil {
			a.recordReadiness()
			a.diags.Append(a.state.Set(a.ctx, a.plan)...)
			a.diags.AddError("ISPM connection did not become CONNECTED", ensureSentence(werr.Error()))
			return
		}
	}
	addHealthWarning(a.diags, src)
	a.recordReadiness()
	a.diags.Append(a.state.Set(a.ctx, a.plan)...)
	a.diags.Append(writeTrusted(a.ctx, a.private, trusted)...)
}

// recordReadiness fills the readiness attribute from the check this apply
// made of the same instances moments before the submit, so that a refresh
// right after the apply shows no change, without asking Okta and ISPM
// again (issue 13: an apply costs creates plus a few reads per app). The
// next refresh checks them afresh.
func (a *applyRun) recordReadiness() {
	if a.checked == nil || len(a.ids) == 0 {
		a.plan.Readiness = types.ListNull(readinessObjectType)
		return
	}
	a.plan.Readiness = readinessValue(*a.checked, a.ids)
}

// pastTense is what ISPM did for op ("create" or "update").
func pastTense(op string) string {
	if op == "update" {
		return "updated"
	}
	return "created"
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
			return src, &lostReadError{id: src.ID, err: err}
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
		return &interruptedError{id: src.ID, status: src.Status}
	}
	return waitTimeout(src, timeout, op)
}

// interruptedError is a wait for a connection that Terraform cut short
// (Ctrl-C): the connection exists, its status is not known.
type interruptedError struct {
	id     string
	status ispm.SourceStatus
}

func (e *interruptedError) Error() string {
	return fmt.Sprintf("Terraform was interrupted while ISPM connection %s was still %s", e.id, e.status)
}

func waitTimeout(src *ispm.Source, timeout time.Duration, op string) error {
	return fmt.Errorf("ISPM connection %s was still %s when the %s timeout of %s ran out. The connection is kept in the Terraform "+
		"state and marked tainted, so it is not orphaned in ISPM: the next apply replaces it. If ISPM is only slow, raise "+
		"timeouts.%s, or run terraform untaint on the resource once the ISPM console shows the connection as Connected",
		src.ID, src.Status, op, timeout, op)
}

// addStatusWarning warns at refresh about a connection that is not
// CONNECTED: one kept in the state after Terraform was interrupted (or
// lost its read) while ISPM was still connecting it, or one ISPM has not
// finished since. Nothing else would show it: it is neither tainted nor
// different from the configuration.
func addStatusWarning(diags *diag.Diagnostics, src *ispm.Source) {
	if src.Status == ispm.SourceConnected {
		return
	}
	diags.AddAttributeWarning(path.Root("status"), fmt.Sprintf("ISPM connection %s is %s", src.ID, src.Status),
		fmt.Sprintf("ISPM has not finished connecting %s (status %s), so it ingests no identity data from it yet. ISPM usually "+
			"connects a source within minutes; if the status stays %s across refreshes, open the source in the ISPM console to "+
			"see why, or delete it there and apply again.", src.ID, src.Status, src.Status))
}

// addHealthWarning warns about a connection whose last test failed.
func addHealthWarning(diags *diag.Diagnostics, src *ispm.Source) {
	if summary, detail, failed := healthFailure(src); failed {
		diags.AddAttributeWarning(path.Root("health"), summary, detail)
	}
}

// lostReadError is a failed read of a connection ISPM has made: the
// connection exists, only its status is unknown.
type lostReadError struct {
	id  string
	err error
}

func (e *lostReadError) Error() string {
	return fmt.Sprintf("reading ISPM connection %s while waiting for it to connect: %v", e.id, e.err)
}

func (e *lostReadError) Unwrap() error { return e.err }
