package provider

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// The readiness attribute: each connected instance's prerequisites as the
// last refresh found them. It exists so that a refresh alone (terraform
// plan -refresh-only, the drift guide's scheduled check) shows an
// Okta-side regression as a change, not only as a warning of the next
// plan.

// Readiness states of a connected instance.
const (
	readinessReady      = "ready"
	readinessFailing    = "failing"
	readinessUnverified = "unverified"
)

var readinessAttrTypes = map[string]attr.Type{
	"id":         types.StringType,
	"status":     types.StringType,
	"failing":    types.ListType{ElemType: types.StringType},
	"unverified": types.ListType{ElemType: types.StringType},
}

var readinessObjectType = types.ObjectType{AttrTypes: readinessAttrTypes}

const readinessDescription = "The prerequisites of each connected instance, sorted by id, as the last refresh (or the apply that connected them) checked them live " +
	"against Okta and ISPM (null while `prerequisite_checks` is `off`). `status` is `ready` (every prerequisite passes), " +
	"`failing` (one fails: `failing` lists the prerequisites, `P1` to `P7`, that fail at the root, leaving out those that only " +
	"follow from them) or `unverified` (none fails, but Okta or ISPM could not settle those listed in `unverified`). An instance " +
	"deactivated, removed, or whose provisioning or imports were turned off in Okta changes it, so `terraform plan -refresh-only` " +
	"reports the regression as a change made outside Terraform."

func readinessSchema() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: readinessDescription,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"id":         schema.StringAttribute{Computed: true, MarkdownDescription: sourceInstanceIDDescription},
			"status":     schema.StringAttribute{Computed: true, MarkdownDescription: "`ready`, `failing` or `unverified`."},
			"failing":    schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The prerequisites that fail, in order."},
			"unverified": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The prerequisites that could not be verified, in order."},
		}},
	}
}

// readinessValue is the attribute for the instances ids (sorted) judged in
// v. An instance the verdict lacks is unverified on every prerequisite.
func readinessValue(v eligibility.Verdict, ids []string) types.List {
	byID := make(map[string]int, len(v.Instances))
	for i, iv := range v.Instances {
		byID[iv.ID] = i
	}
	vals := make([]attr.Value, 0, len(ids))
	for _, id := range ids {
		var failing, unverified []string
		if i, ok := byID[id]; ok {
			for _, c := range v.Instances[i].Checks {
				switch {
				case c.Cause != "":
					// Follows from a root listed already.
				case c.Result == eligibility.Fail:
					failing = append(failing, c.ID.Short())
				case c.Result == eligibility.Unverified:
					unverified = append(unverified, c.ID.Short())
				}
			}
		} else {
			for _, c := range eligibility.CheckIDs {
				unverified = append(unverified, c.Short())
			}
		}
		vals = append(vals, readinessObject(id, failing, unverified))
	}
	return types.ListValueMust(readinessObjectType, vals)
}

// readinessNotChecked is the attribute when no verdict could be had: every
// instance unverified on every prerequisite. "Could not ask" is never
// "ready", so a scheduled check sees it.
func readinessNotChecked(ids []string) types.List {
	return readinessValue(eligibility.Verdict{}, ids)
}

func readinessObject(id string, failing, unverified []string) types.Object {
	status := readinessReady
	switch {
	case len(failing) > 0:
		status = readinessFailing
	case len(unverified) > 0:
		status = readinessUnverified
	}
	return types.ObjectValueMust(readinessAttrTypes, map[string]attr.Value{
		"id":         types.StringValue(id),
		"status":     types.StringValue(status),
		"failing":    stringList(failing),
		"unverified": stringList(unverified),
	})
}

// reportedByRead reports whether this process's refresh already warned
// about the regressions of connection sourceID (see providerData.readReported).
func (r *sourceConnectionResource) reportedByRead(sourceID string) bool {
	_, ok := r.data.readReported.Load(sourceID)
	return ok
}

// connectedReadiness checks the prerequisites of the connected instances
// of m (ids, sorted), through the same per-process evaluation the plan
// uses (Okta's listing and answers are shared, so a plan after the refresh
// asks Okta nothing more). It returns the readiness attribute and the
// regression warnings, and whether it reached a verdict (false when the
// checks could not be made, or are off); it never returns an error, since
// a refresh must not fail for a check it could not make.
func (r *sourceConnectionResource) connectedReadiness(ctx context.Context, m *sourceConnectionModel, ids []string, trusted privateGetter) (types.List, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	mode, _ := r.mode(*m)
	if mode == ModeOff || len(ids) == 0 {
		return types.ListNull(readinessObjectType), false, diags
	}
	var lookupDiags diag.Diagnostics
	t, ok := r.target(ctx, *m, orgKnown, &lookupDiags)
	if !ok {
		for _, d := range lookupDiags {
			diags.AddWarning("Cannot check the connected instances' prerequisites: "+d.Summary(), d.Detail())
		}
		return readinessNotChecked(ids), false, diags
	}
	rd, err := r.data.evaluate(ctx, readinessQuery{Org: t, App: m.AppName.ValueString(), InstanceIDs: ids, Trusted: readTrusted(ctx, trusted)})
	if err != nil {
		diags.AddWarning("Cannot check the connected instances' prerequisites",
			fmt.Sprintf("%s readiness records every instance of connection %s as unverified until a refresh can check them.",
				ensureSentence(err.Error()), m.ID.ValueString()))
		return readinessNotChecked(ids), false, diags
	}
	rep := checkReport{Verdict: rd.Verdict, Mode: mode, Existing: make(map[string]bool, len(ids)), SourceID: m.ID.ValueString()}
	for _, id := range ids {
		rep.Existing[id] = true
	}
	diags.Append(rep.diagnostics()...)
	return readinessValue(rd.Verdict, ids), true, diags
}

// readReadiness is Read's part: it records the connected instances'
// readiness in m, warns about regressions, and notes that it did. A
// refresh that could not check them notes nothing, so the plan that
// follows (which may reach Okta and ISPM) still reports what it finds.
func (r *sourceConnectionResource) readReadiness(ctx context.Context, m *sourceConnectionModel, priv privateGetter, diags *diag.Diagnostics) {
	ids, _ := setStrings(ctx, m.InstanceIDs.SetValue)
	var d diag.Diagnostics
	var checked bool
	m.Readiness, checked, d = r.connectedReadiness(ctx, m, ids, priv)
	diags.Append(d...)
	if checked {
		r.data.readReported.Store(m.ID.ValueString(), true)
	}
}

// withoutExisting drops from rep what a refresh in this process already
// reported: the regressions of the instances already connected.
func withoutExisting(rep checkReport) checkReport {
	v := rep.Verdict
	v.Instances = slices.DeleteFunc(slices.Clone(v.Instances), func(iv eligibility.InstanceVerdict) bool { return rep.Existing[iv.ID] })
	if len(v.Instances) == 0 {
		v.OrgChecks = nil
	}
	rep.Verdict = v
	return rep
}
