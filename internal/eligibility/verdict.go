package eligibility

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
	// Checks holds P1 to P7 in order.
	Checks []Check `json:"checks"`
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
