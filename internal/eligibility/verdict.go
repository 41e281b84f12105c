package eligibility

import "slices"

// Check is the verdict on one prerequisite.
type Check struct {
	ID     CheckID `json:"id"`
	Title  string  `json:"title"`
	Result Result  `json:"result"`
	// Evidence is where the result comes from; for an unverified check,
	// the source that was asked and could not settle it.
	Evidence Evidence `json:"evidence"`
	// Message says what was found, naming the org, instance and source.
	Message string `json:"message"`
	// Remediation lists the steps that make the check pass; set on every
	// fail, and on unverified checks when there is something to do.
	Remediation []string `json:"remediation,omitempty"`
	// AdminConsoleURL is the Okta Admin Console page where the fix is made,
	// when there is one.
	AdminConsoleURL string `json:"admin_console_url,omitempty"`
	// Cause names the prerequisite this result follows from when it was not
	// judged on its own evidence (P4–P7 of an instance that is not
	// installed follow from P3), so callers can report the root only.
	Cause CheckID `json:"cause,omitempty"`
}

// InstanceVerdict is the verdict on one app instance.
type InstanceVerdict struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
	// Eligible is true when every prerequisite passes.
	Eligible bool `json:"eligible"`
	// OktaReady is true when the instance is ready as far as Okta can
	// show: no check fails, and the only checks that do not pass are of
	// prerequisites Okta cannot decide (P1, P2, P7).
	OktaReady bool `json:"okta_ready"`
	// Checks holds P1 to P7 in order.
	Checks []Check `json:"checks"`
	// NotFromOkta is set when the provider holds Okta credentials for the
	// org but the instance's P3–P6 verdict did not come from Okta in this
	// run: it says why and what evidence stood in, so that callers can say
	// so instead of presenting the verdict as Okta's.
	NotFromOkta *Substitute `json:"not_from_okta,omitempty"`
}

// Substitute says why Okta's answer is missing and what was used instead.
type Substitute struct {
	// Reason is why Okta did not answer (it failed, was rate limited past
	// the retries, timed out, answered something unusable), or that an
	// earlier answer was reused.
	Reason string `json:"reason"`
	// Evidence is what the verdict rests on instead.
	Evidence string `json:"evidence"`
}

// Check returns the check with the given id.
func (v InstanceVerdict) Check(id CheckID) Check {
	for _, c := range v.Checks {
		if c.ID == id {
			return c
		}
	}
	return Check{}
}

// WithResult returns the checks with result r, in order.
func (v InstanceVerdict) WithResult(r Result) []Check {
	var out []Check
	for _, c := range v.Checks {
		if c.Result == r {
			out = append(out, c)
		}
	}
	return out
}

// Verdict is the engine's answer for one app in one org.
type Verdict struct {
	OrgDomain string `json:"org_domain"`
	App       string `json:"app"`
	// Status is the app's status in the org; StatusUnknown when neither
	// Okta nor ISPM could tell.
	Status         AppStatus `json:"status"`
	StatusEvidence Evidence  `json:"status_evidence,omitempty"`
	StatusMessage  string    `json:"status_message"`
	// OrgChecks are the org-level prerequisites P1 and P2.
	OrgChecks []Check `json:"org_checks"`
	// Instances are the judged instances, in the order asked (or Okta's
	// listing order, then ISPM's, when none were named).
	Instances []InstanceVerdict `json:"instances"`
	// EligibleInstanceIDs are the ids of the eligible instances, in order.
	EligibleInstanceIDs []string `json:"eligible_instance_ids"`
	// OktaReadyInstanceIDs are the ids of the instances ready as far as
	// Okta can show (InstanceVerdict.OktaReady), in order.
	OktaReadyInstanceIDs []string `json:"okta_ready_instance_ids"`
}

// Instance returns the verdict for id.
func (v Verdict) Instance(id string) (InstanceVerdict, bool) {
	for _, in := range v.Instances {
		if in.ID == id {
			return in, true
		}
	}
	return InstanceVerdict{}, false
}

// OktaVerified reports whether Okta itself verified every prerequisite it
// can verify (P3–P6) for the instance: each passes on Okta's evidence, not
// on ISPM's report. It is the one statement of that rule: ISPM's cached
// view is refreshed, and a refusal from ISPM read as its cache lagging,
// only when it holds.
func (v InstanceVerdict) OktaVerified() bool { return oktaVerified(v.Checks) }

// readyInOkta reports whether checks show an instance ready as far as Okta
// can show: none fails, every prerequisite Okta can verify passes on Okta's
// own evidence, and whatever else does not pass is unverified.
func readyInOkta(checks []Check) bool {
	for _, c := range checks {
		if c.Result == Fail {
			return false
		}
	}
	return oktaVerified(checks)
}

// OktaVerified reports whether Okta verified every judged instance (see
// InstanceVerdict.OktaVerified); false when no instance was judged.
func (v Verdict) OktaVerified() bool {
	if len(v.Instances) == 0 {
		return false
	}
	for _, iv := range v.Instances {
		if !iv.OktaVerified() {
			return false
		}
	}
	return true
}

// LagsBehind reports whether ISPM's cached view f contradicts the verdict
// Okta's live facts gave: for some instance Okta verified, ISPM does not
// list it, or lists as unmet a prerequisite Okta verified. Refreshing
// ISPM's view (the console's Refresh Data) is then worth a request.
func (f ISPMAppFacts) LagsBehind(v Verdict) bool {
	if f.Reason != "" || f.OrgConnected != Yes {
		return false
	}
	// Indexed once: a verdict on thousands of instances against ISPM's
	// listing of as many must not compare every pair.
	connected := make(map[string]bool, len(f.ConnectedInstanceIDs))
	for _, id := range f.ConnectedInstanceIDs {
		connected[id] = true
	}
	listing := make(map[string]int, len(f.Instances))
	for i, in := range f.Instances {
		if _, dup := listing[in.ID]; !dup {
			listing[in.ID] = i
		}
	}
	for _, iv := range v.Instances {
		if !iv.OktaVerified() || connected[iv.ID] {
			continue
		}
		i, listed := listing[iv.ID]
		if !listed {
			return true
		}
		in := f.Instances[i]
		if in.Eligible != Yes && slices.ContainsFunc(in.Failing, oktaVerifies) {
			return true
		}
	}
	return false
}

// oktaVerifies reports whether Okta's API can settle id.
func oktaVerifies(id CheckID) bool {
	p, _ := Lookup(id)
	return p.OktaVerifies
}
