package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// checkReport says how a verdict on a connection's instances becomes
// diagnostics.
type checkReport struct {
	Verdict eligibility.Verdict
	// Mode is enforce or warn (off never reports).
	Mode string
	// Existing are the instances already in the connection: a failure of
	// one is a regression, reported as a warning in every mode, since
	// Terraform does not change the connection for it.
	Existing map[string]bool
	// SourceID is the existing connection's id, for regression messages.
	SourceID string
	// ErrorsOnly drops warnings: at apply they were already shown by the
	// plan Terraform made just before.
	ErrorsOnly bool
}

// instanceName names an instance in diagnostics: its id and label.
func instanceName(id, label string) string {
	if label == "" {
		return id
	}
	return fmt.Sprintf("%s (%q)", id, label)
}

// detailedInstances is how many instances get diagnostics of their own;
// the rest are counted in one. A plan of thousands of instances that fail
// the same way is unreadable (and slow for Terraform to print) with a
// diagnostic each, and says nothing more than the count.
const detailedInstances = 20

// diagnostics turns the verdict into one diagnostic per failing or
// unverified root check: org-level checks once on okta_org, instance checks
// on instance_ids, for the first detailedInstances instances with a
// finding, then one diagnostic counting the rest. Checks that only follow
// from another (Cause set) are named in their root's detail instead of
// reported on their own.
func (r checkReport) diagnostics() diag.Diagnostics {
	var diags diag.Diagnostics
	allExisting := true
	for _, iv := range r.Verdict.Instances {
		if !r.Existing[iv.ID] {
			allExisting = false
		}
	}
	for _, c := range r.Verdict.OrgChecks {
		followers := r.followersOf(c.ID)
		subject := "Okta org " + r.Verdict.OrgDomain
		switch c.Result {
		case eligibility.Fail:
			summary := fmt.Sprintf("%s fails %s %s", subject, c.ID.Short(), c.Title)
			if allExisting && len(r.Verdict.Instances) > 0 {
				summary = fmt.Sprintf("%s of connection %s no longer meets %s %s", subject, r.SourceID, c.ID.Short(), c.Title)
				r.add(&diags, false, path.Root("okta_org"), summary, checkDetail(c, followers, r.regressionNote(c.ID, "The org")))
				continue
			}
			r.add(&diags, r.Mode == ModeEnforce, path.Root("okta_org"), summary, checkDetail(c, followers, r.failNote()))
		case eligibility.Unverified:
			summary := fmt.Sprintf("%s: %s %s could not be verified", subject, c.ID.Short(), c.Title)
			r.add(&diags, false, path.Root("okta_org"), summary, checkDetail(c, followers, unverifiedNote))
		}
	}
	rest := overflow{}
	shown := 0
	for _, iv := range r.Verdict.Instances {
		fs := r.instanceFindings(iv)
		if len(fs) == 0 {
			continue
		}
		if shown < detailedInstances {
			for _, f := range fs {
				r.add(&diags, f.isError, path.Root("instance_ids"), f.summary, f.detail)
			}
			shown++
			continue
		}
		rest.add(iv.ID, fs)
	}
	if d, ok := rest.diagnostic(r.Verdict, r.ErrorsOnly); ok {
		diags.Append(d)
	}
	return diags
}

// finding is one instance diagnostic before it is added: kind groups
// findings of every instance in the count of the rest.
type finding struct {
	isError         bool
	kind            string
	summary, detail string
}

// instanceFindings are the diagnostics of one instance, in check order.
func (r checkReport) instanceFindings(iv eligibility.InstanceVerdict) []finding {
	var out []finding
	name := instanceName(iv.ID, iv.Label)
	if s := iv.NotFromOkta; s != nil && !r.ErrorsOnly {
		summary, detail := notFromOktaText(iv, r.Verdict.OrgDomain)
		out = append(out, finding{kind: "Okta did not verify its prerequisites in this run", summary: summary, detail: detail})
	}
	for _, c := range iv.Checks {
		if c.ID.Scope() == eligibility.ScopeOrg || c.Cause != "" {
			continue
		}
		followers := followersIn(iv, c.ID)
		check := c.ID.Short() + " " + c.Title
		switch c.Result {
		case eligibility.Fail:
			if r.Existing[iv.ID] {
				out = append(out, finding{kind: "no longer meets " + check,
					summary: fmt.Sprintf("Instance %s of connection %s no longer meets %s", name, r.SourceID, check),
					detail:  checkDetail(c, followers, r.regressionNote(c.ID, "The instance"))})
				continue
			}
			out = append(out, finding{isError: r.Mode == ModeEnforce, kind: "fails " + check,
				summary: fmt.Sprintf("Instance %s fails %s", name, check), detail: checkDetail(c, followers, r.failNote())})
		case eligibility.Unverified:
			out = append(out, finding{kind: check + " could not be verified",
				summary: fmt.Sprintf("Instance %s: %s could not be verified", name, check), detail: checkDetail(c, followers, unverifiedNote)})
		}
	}
	if r.ErrorsOnly {
		kept := out[:0]
		for _, f := range out {
			if f.isError {
				kept = append(kept, f)
			}
		}
		out = kept
	}
	return out
}

// overflow counts the findings of the instances past detailedInstances.
type overflow struct {
	instances int
	isError   bool
	kinds     []string // in the order first met
	ids       map[string][]string
}

// add counts instance id's findings (instanceFindings has already left
// out what an errors-only report does not show).
func (o *overflow) add(id string, fs []finding) {
	if o.ids == nil {
		o.ids = map[string][]string{}
	}
	o.instances++
	for _, f := range fs {
		o.isError = o.isError || f.isError
		if _, ok := o.ids[f.kind]; !ok {
			o.kinds = append(o.kinds, f.kind)
		}
		o.ids[f.kind] = append(o.ids[f.kind], id)
	}
}

// namedInOverflow is how many ids of each kind the count names.
const namedInOverflow = 5

// diagnostic is the one diagnostic for the rest: how many instances have
// which finding, a few of their ids, and where to read every instance's
// checks.
func (o *overflow) diagnostic(v eligibility.Verdict, errorsOnly bool) (diag.Diagnostic, bool) {
	if o.instances == 0 || (errorsOnly && !o.isError) {
		return nil, false
	}
	summary := fmt.Sprintf("%d more instances have prerequisite findings", o.instances)
	var b strings.Builder
	fmt.Fprintf(&b, "The diagnostics above detail the first %d instances with a finding; these %d more instances of %s in %s have:",
		detailedInstances, o.instances, v.App, v.OrgDomain)
	for _, k := range o.kinds {
		ids := o.ids[k]
		named := strings.Join(ids[:min(len(ids), namedInOverflow)], ", ")
		if more := len(ids) - namedInOverflow; more > 0 {
			named += fmt.Sprintf(" and %d more", more)
		}
		fmt.Fprintf(&b, "\n  - %s: %d (%s)", k, len(ids), named)
	}
	if o.isError {
		b.WriteString("\n\nEvery instance that fails a prerequisite stops the plan while prerequisite_checks is \"enforce\".")
	}
	fmt.Fprintf(&b, "\n\nTo see every instance's checks, with the fix and the Okta Admin Console page of each, read them with the "+
		"ispm_app_eligibility data source (its instances attribute), for example:\n\n"+
		"  data \"ispm_app_eligibility\" \"check\" {\n    okta_org     = %q\n    app_name     = %q\n    instance_ids = <the same list>\n  }\n\n"+
		"  output \"checks\" {\n    value = data.ispm_app_eligibility.check.instances\n  }", v.OrgDomain, v.App)
	p := path.Root("instance_ids")
	if o.isError {
		return diag.NewAttributeErrorDiagnostic(p, summary, b.String()), true
	}
	return diag.NewAttributeWarningDiagnostic(p, summary, b.String()), true
}

// addNotFromOkta warns, per instance, when its P3–P6 verdict did not come
// from Okta in this run although the provider holds Okta credentials for the
// org: a plan must never look verified by Okta when it was not.
func addNotFromOkta(diags *diag.Diagnostics, v eligibility.Verdict, p path.Path) {
	var n notFromOkta
	n.add(diags, v, p)
	n.flush(diags, p)
}

// notFromOkta gathers the not-from-Okta warnings of one or more verdicts
// (a gallery judges every app): the first detailedInstances instances get
// their own warning, the rest one count.
type notFromOkta struct {
	detailed int
	more     []string // "id (app in domain)"
}

func (n *notFromOkta) add(diags *diag.Diagnostics, v eligibility.Verdict, p path.Path) {
	for _, iv := range v.Instances {
		if iv.NotFromOkta == nil {
			continue
		}
		if n.detailed == detailedInstances {
			n.more = append(n.more, fmt.Sprintf("%s (%s in %s)", iv.ID, v.App, v.OrgDomain))
			continue
		}
		n.detailed++
		summary, detail := notFromOktaText(iv, v.OrgDomain)
		addWarningAt(diags, p, summary, detail)
	}
}

// flush adds the one warning for the instances past the detailed ones.
func (n *notFromOkta) flush(diags *diag.Diagnostics, p path.Path) {
	if len(n.more) == 0 {
		return
	}
	named := strings.Join(n.more[:min(len(n.more), namedInOverflow)], ", ")
	if rest := len(n.more) - namedInOverflow; rest > 0 {
		named += fmt.Sprintf(" and %d more", rest)
	}
	addWarningAt(diags, p, fmt.Sprintf("%d more instances: Okta did not verify their prerequisites in this run", len(n.more)),
		fmt.Sprintf("As for the %d instances above, the verdicts on P3–P6 of %s did not come from Okta in this run: each "+
			"instance's checks (the instances attribute) name the evidence used instead. The next plan asks Okta again.", n.detailed, named))
	n.more = nil
}

func addWarningAt(diags *diag.Diagnostics, p path.Path, summary, detail string) {
	if p.Equal(path.Empty()) {
		diags.AddWarning(summary, detail)
		return
	}
	diags.AddAttributeWarning(p, summary, detail)
}

// notFromOktaText is the warning for an instance whose P3–P6 verdict did
// not come from Okta (iv.NotFromOkta is set).
func notFromOktaText(iv eligibility.InstanceVerdict, domain string) (summary, detail string) {
	s := iv.NotFromOkta
	summary = fmt.Sprintf("Instance %s: Okta did not verify its prerequisites in this run", instanceName(iv.ID, iv.Label))
	detail = fmt.Sprintf("%s The verdict on P3–P6 for instance %s in %s rests on %s.\n\nThe next plan asks Okta again; "+
		"until Okta answers, treat the result as ISPM's or an earlier check's word, not Okta's.", ensureSentence(s.Reason), iv.ID, domain, s.Evidence)
	return summary, detail
}

func (r checkReport) add(diags *diag.Diagnostics, isError bool, p path.Path, summary, detail string) {
	switch {
	case isError:
		diags.AddAttributeError(p, summary, detail)
	case !r.ErrorsOnly:
		diags.AddAttributeWarning(p, summary, detail)
	}
}

// followersOf lists, per instance, the checks that follow from the org
// check id.
func (r checkReport) followersOf(id eligibility.CheckID) []string {
	var out []string
	named, more := 0, 0
	for _, iv := range r.Verdict.Instances {
		fs := followersIn(iv, id)
		if len(fs) == 0 {
			continue
		}
		if named == detailedInstances {
			more++
			continue
		}
		named++
		for _, f := range fs {
			out = append(out, f+" of instance "+instanceName(iv.ID, iv.Label))
		}
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("the same checks of %d more instances", more))
	}
	return out
}

// followersIn lists the checks of iv that follow from id.
func followersIn(iv eligibility.InstanceVerdict, id eligibility.CheckID) []string {
	var out []string
	for _, c := range iv.Checks {
		if c.Cause == id && c.Result != eligibility.Pass {
			out = append(out, c.ID.Short()+" "+c.Title)
		}
	}
	return out
}

func (r checkReport) failNote() string {
	if r.Mode == ModeEnforce {
		return "Terraform does not connect the instances while a prerequisite fails. To plan anyway, set prerequisite_checks = \"warn\" " +
			"on this resource or on the provider; ISPM itself still refuses an instance that fails a prerequisite."
	}
	return "prerequisite_checks is \"warn\", so this does not stop the plan, but ISPM refuses to connect an instance that fails a " +
		"prerequisite: apply fails until it is fixed."
}

func (r checkReport) regressionNote(id eligibility.CheckID, what string) string {
	return fmt.Sprintf("%s was ready when connection %s was made and has changed in Okta since. Terraform does not change or replace "+
		"the connection for this, but ISPM's daily connection test will mark it FAILED (%s) until the prerequisite passes again.",
		what, r.SourceID, ispm.HealthReasonFor(id))
}

const unverifiedNote = "An unverified prerequisite does not stop the plan; ISPM checks it again when it connects the instance."

// checkDetail is a diagnostic's detail: what was found, how sure it is,
// the numbered fix, the Admin Console page, what follows from it, and a
// closing note.
func checkDetail(c eligibility.Check, followers []string, note string) string {
	var b strings.Builder
	b.WriteString(ensureSentence(c.Message))
	if c.Evidence != "" {
		fmt.Fprintf(&b, "\n\nEvidence: %s (%s).", c.Evidence, evidenceDescription(c.Evidence))
	}
	if len(c.Remediation) > 0 {
		b.WriteString("\n\nTo fix it:")
		for i, s := range c.Remediation {
			fmt.Fprintf(&b, "\n  %d. %s", i+1, s)
		}
	}
	if c.AdminConsoleURL != "" {
		fmt.Fprintf(&b, "\n\nOkta Admin Console: %s", c.AdminConsoleURL)
	}
	if len(followers) > 0 {
		fmt.Fprintf(&b, "\n\nBecause of this, %s cannot pass either; they need no separate fix.", strings.Join(followers, ", "))
	}
	if note != "" {
		b.WriteString("\n\n")
		b.WriteString(note)
	}
	return b.String()
}

// createIdempotencyKey is the Idempotency-Key of the create of a connection
// of app in an org with these instances. It is the same in every run, so a
// create whose answer was lost is answered with the source it made when the
// next apply sends it again, instead of making a second one.
func createIdempotencyKey(orgID, app string, instanceIDs []string) string {
	ids := slices.Clone(instanceIDs)
	slices.Sort(ids)
	h := sha256.New()
	for _, part := range append([]string{"ispm_source_connection", orgID, app}, ids...) {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return "tf-" + hex.EncodeToString(h.Sum(nil))[:48]
}

// privateTrustedKey holds, in the resource's private state, the Okta
// provisioning answers of successful checks by instance id, so that the
// next plan does not ask Okta again about an app object that has not
// changed (see eligibility.Trusted).
const privateTrustedKey = "trusted_checks"

// privateGetter is the part of Terraform's private state a read needs.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// privateSetter is the part of Terraform's private state a write needs.
type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// readTrusted returns the remembered checks; anything unreadable is
// ignored, which only costs a fresh check.
func readTrusted(ctx context.Context, p privateGetter) map[string]eligibility.Trusted {
	if p == nil {
		return nil
	}
	raw, diags := p.GetKey(ctx, privateTrustedKey)
	if diags.HasError() || len(raw) == 0 {
		return nil
	}
	var m map[string]eligibility.Trusted
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// trustedFrom keeps what is worth remembering of the Okta facts for the
// instances in keep.
func trustedFrom(f eligibility.OktaAppFacts, keep []string) map[string]eligibility.Trusted {
	out := map[string]eligibility.Trusted{}
	kept := make(map[string]bool, len(keep))
	for _, id := range keep {
		kept[id] = true
	}
	for _, in := range f.Instances {
		if !kept[in.ID] {
			continue
		}
		if t, ok := in.Trust(); ok {
			out[in.ID] = t
		}
	}
	return out
}

// writeTrusted stores m, or removes the key when m is empty.
func writeTrusted(ctx context.Context, p privateSetter, m map[string]eligibility.Trusted) diag.Diagnostics {
	if len(m) == 0 {
		return p.SetKey(ctx, privateTrustedKey, nil)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return p.SetKey(ctx, privateTrustedKey, raw)
}

// importAdvice tells the user how to adopt an existing connection.
func importAdvice(sourceID string) string {
	return fmt.Sprintf("ISPM allows one connection per Okta org and app. To manage the existing connection with Terraform, import it "+
		"instead of creating a new one (replace NAME with this resource's name):\n\n"+
		"  terraform import ispm_source_connection.NAME %s\n\n"+
		"or, with Terraform 1.5 or later, add this block and run terraform apply:\n\n"+
		"  import {\n    to = ispm_source_connection.NAME\n    id = %q\n  }\n\n"+
		"Otherwise delete the connection in the ISPM console (Connected Sources) first.", sourceID, sourceID)
}

// problemsDetail lists ISPM's reasons for refusing a request, one a line.
func problemsDetail(err error) string {
	e, ok := ispm.AsAPIError(err)
	if !ok || len(e.Problems) == 0 {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString("ISPM refused the request:")
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, "\n\n(ISPM request id %s)", e.RequestID)
	}
	return b.String()
}
