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

// diagnostics turns the verdict into one diagnostic per failing or
// unverified root check: org-level checks once on okta_org, instance checks
// on instance_ids. Checks that only follow from another (Cause set) are
// named in their root's detail instead of reported on their own.
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
	if !r.ErrorsOnly {
		addNotFromOkta(&diags, r.Verdict, path.Root("instance_ids"))
	}
	for _, iv := range r.Verdict.Instances {
		name := instanceName(iv.ID, iv.Label)
		for _, c := range iv.Checks {
			if c.ID.Scope() == eligibility.ScopeOrg || c.Cause != "" {
				continue
			}
			followers := followersIn(iv, c.ID)
			switch c.Result {
			case eligibility.Fail:
				if r.Existing[iv.ID] {
					summary := fmt.Sprintf("Instance %s of connection %s no longer meets %s %s", name, r.SourceID, c.ID.Short(), c.Title)
					r.add(&diags, false, path.Root("instance_ids"), summary, checkDetail(c, followers, r.regressionNote(c.ID, "The instance")))
					continue
				}
				summary := fmt.Sprintf("Instance %s fails %s %s", name, c.ID.Short(), c.Title)
				r.add(&diags, r.Mode == ModeEnforce, path.Root("instance_ids"), summary, checkDetail(c, followers, r.failNote()))
			case eligibility.Unverified:
				summary := fmt.Sprintf("Instance %s: %s %s could not be verified", name, c.ID.Short(), c.Title)
				r.add(&diags, false, path.Root("instance_ids"), summary, checkDetail(c, followers, unverifiedNote))
			}
		}
	}
	return diags
}

// addNotFromOkta warns, per instance, when its P3–P6 verdict did not come
// from Okta in this run although the provider holds Okta credentials for the
// org: a plan must never look verified by Okta when it was not.
func addNotFromOkta(diags *diag.Diagnostics, v eligibility.Verdict, p path.Path) {
	for _, iv := range v.Instances {
		s := iv.NotFromOkta
		if s == nil {
			continue
		}
		summary := fmt.Sprintf("Instance %s: Okta did not verify its prerequisites in this run", instanceName(iv.ID, iv.Label))
		detail := fmt.Sprintf("%s The verdict on P3–P6 for instance %s in %s rests on %s.\n\nThe next plan asks Okta again; "+
			"until Okta answers, treat the result as ISPM's or an earlier check's word, not Okta's.", ensureSentence(s.Reason), iv.ID, v.OrgDomain, s.Evidence)
		if p.Equal(path.Empty()) {
			diags.AddWarning(summary, detail)
			continue
		}
		diags.AddAttributeWarning(p, summary, detail)
	}
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
	for _, iv := range r.Verdict.Instances {
		for _, f := range followersIn(iv, id) {
			out = append(out, f+" of instance "+instanceName(iv.ID, iv.Label))
		}
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
	for _, in := range f.Instances {
		if !slices.Contains(keep, in.ID) {
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
