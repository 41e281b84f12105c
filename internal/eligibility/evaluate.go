package eligibility

import (
	"fmt"
	"slices"
	"strings"
)

const (
	tabGeneral  = "general"
	tabUserMgmt = "user-management"

	featureImportNewUsers       = "IMPORT_NEW_USERS"
	featureImportProfileUpdates = "IMPORT_PROFILE_UPDATES"
)

// Evaluate judges every requested instance of in.App in the org and the
// app's status. It never fails: missing facts make checks unverified.
func Evaluate(in Input) Verdict {
	e := newEvaluator(in)
	v := Verdict{OrgDomain: e.domain, App: in.App, EligibleInstanceIDs: []string{}, OktaReadyInstanceIDs: []string{}}
	for _, p := range prerequisites {
		if p.Scope == ScopeOrg {
			v.OrgChecks = append(v.OrgChecks, p.judge(e, nil))
		}
	}
	for _, id := range e.ids {
		iv := e.instance(id, v.OrgChecks)
		if iv.Eligible {
			v.EligibleInstanceIDs = append(v.EligibleInstanceIDs, iv.ID)
		}
		if iv.OktaReady {
			v.OktaReadyInstanceIDs = append(v.OktaReadyInstanceIDs, iv.ID)
		}
		v.Instances = append(v.Instances, iv)
	}
	v.Status, v.StatusEvidence, v.StatusMessage = e.status(v.Instances)
	return v
}

type evaluator struct {
	in     Input
	domain string
	admin  string   // the Admin Console's scheme and host, or ""
	ids    []string // the instances to judge
	// Indexes by instance id into in.Okta.Instances, in.Okta.AllInstances
	// and in.ISPM.Instances, and ISPM's connected instances.
	okta, summary, ispm map[string]int
	connected           map[string]bool
}

func newEvaluator(in Input) *evaluator {
	e := &evaluator{in: in, domain: orgDomain(in.OrgURL), admin: adminBase(in.OrgURL)}
	e.ids = e.instanceIDs()
	if len(e.ids) <= linearLookups {
		return e
	}
	e.okta, e.summary, e.ispm, e.connected = map[string]int{}, map[string]int{}, map[string]int{}, map[string]bool{}
	for i, f := range in.Okta.Instances {
		e.okta[f.ID] = i
	}
	for i, s := range in.Okta.AllInstances {
		e.summary[s.ID] = i
	}
	for i, f := range in.ISPM.Instances {
		e.ispm[f.ID] = i
	}
	for _, id := range in.ISPM.ConnectedInstanceIDs {
		e.connected[id] = true
	}
	return e
}

// link is the Admin Console page of an instance, or "".
func (e *evaluator) link(appName, instanceID, tab string) string {
	return consoleLink(e.admin, appName, instanceID, tab)
}

// linearLookups is how many instances are judged by scanning the facts
// rather than indexing them first: a resource judges one or a few
// instances against facts that may list hundreds.
const linearLookups = 8

// lookup finds id in a slice of n items, through index when one was built.
func lookup(index map[string]int, n int, id string, idAt func(int) string) (int, bool) {
	if index != nil {
		i, ok := index[id]
		return i, ok
	}
	for i := range n {
		if idAt(i) == id {
			return i, true
		}
	}
	return 0, false
}

// instanceIDs are the instances to judge: those asked for, deduplicated,
// or every instance Okta or ISPM knows.
func (e *evaluator) instanceIDs() []string {
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(e.in.InstanceIDs) > 0 {
		for _, id := range e.in.InstanceIDs {
			add(id)
		}
		return out
	}
	if e.in.Okta.Available() {
		for _, s := range e.in.Okta.AllInstances {
			add(s.ID)
		}
		for _, f := range e.in.Okta.Instances {
			add(f.ID)
		}
	}
	if e.in.ISPM.Reason == "" {
		for _, s := range e.in.ISPM.Instances {
			add(s.ID)
		}
		for _, id := range e.in.ISPM.ConnectedInstanceIDs {
			add(id)
		}
	}
	return out
}

func (e *evaluator) oktaInstance(id string) (OktaInstanceFacts, bool) {
	fs := e.in.Okta.Instances
	if i, ok := lookup(e.okta, len(fs), id, func(i int) string { return fs[i].ID }); ok {
		return fs[i], true
	}
	return OktaInstanceFacts{}, false
}

func (e *evaluator) summaryOf(id string) (InstanceSummary, bool) {
	ss := e.in.Okta.AllInstances
	if i, ok := lookup(e.summary, len(ss), id, func(i int) string { return ss[i].ID }); ok {
		return ss[i], true
	}
	return InstanceSummary{}, false
}

func (e *evaluator) ispmInstance(id string) (ISPMInstanceFacts, bool) {
	fs := e.in.ISPM.Instances
	if i, ok := lookup(e.ispm, len(fs), id, func(i int) string { return fs[i].ID }); ok {
		return fs[i], true
	}
	return ISPMInstanceFacts{}, false
}

// inConnection reports whether ISPM lists id in an existing connection.
func (e *evaluator) inConnection(id string) bool {
	if e.in.ISPM.Reason != "" {
		return false
	}
	if e.connected != nil {
		return e.connected[id]
	}
	return slices.Contains(e.in.ISPM.ConnectedInstanceIDs, id)
}

// vouches reports whether ISPM's answer covers P5–P7 for the instance.
func (e *evaluator) vouches(id string) bool {
	if e.in.ISPM.Reason != "" {
		return false
	}
	in, ok := e.ispmInstance(id)
	return e.inConnection(id) || (ok && in.Eligible == Yes)
}

// oktaUnavailable says why Okta facts are missing.
func (e *evaluator) oktaUnavailable() string {
	if !e.in.Okta.Credentials {
		return fmt.Sprintf("the provider holds no Okta credentials for %s.", e.domain)
	}
	return e.in.Okta.Reason
}

func (e *evaluator) credentialsRemediation() []string {
	if e.in.Okta.Credentials {
		return nil
	}
	return []string{fmt.Sprintf("To verify this with the Okta API, add an okta_org block for %s to the provider configuration with an API token or an OAuth 2.0 service app (scopes %s).", e.domain, OktaReadScopesText())}
}

// --- instance level ---

// subject names an instance in messages.
type subject struct {
	id, label, name string
}

func (s subject) String() string {
	if s.label != "" {
		return fmt.Sprintf("instance %s (%q)", s.id, s.label)
	}
	return "instance " + s.id
}

// judging is what the judges of one instance read: whom they judge, the
// facts, and the instance's checks judged so far (in table order).
type judging struct {
	s      subject
	okta   OktaInstanceFacts
	ispm   ISPMInstanceFacts
	checks []Check
}

// check returns the instance's check id judged so far, or a zero Check.
func (x *judging) check(id CheckID) Check {
	c, _ := findCheck(x.checks, id)
	return c
}

func (e *evaluator) instance(id string, orgChecks []Check) InstanceVerdict {
	okta, hasOkta := e.oktaInstance(id)
	if e.in.Okta.Available() && !hasOkta {
		okta = OktaInstanceFacts{ID: id, State: AppNotFound, Reason: "not among the org's app objects named " + e.in.App}
		if _, listed := e.summaryOf(id); listed {
			okta = OktaInstanceFacts{ID: id, Reason: "the Okta adapter gathered no facts for it"}
		}
	}
	ispm, _ := e.ispmInstance(id)
	s := subject{id: id, label: ispm.Label, name: e.in.App}
	if okta.State == AppFound {
		s.label, s.name = okta.App.Label, okta.App.Name
	} else if sum, ok := e.summaryOf(id); ok && s.label == "" {
		s.label = sum.Label
	}

	var rest []Check
	if e.in.Okta.Available() && okta.State != AppUnknown {
		rest = e.oktaChecks(&judging{s: s, okta: okta, ispm: ispm})
	} else {
		reason := e.oktaUnavailable()
		if e.in.Okta.Available() {
			reason = okta.Reason
		}
		rest = e.ispmChecks(s, reason)
	}
	v := InstanceVerdict{ID: id, Label: s.label, Checks: append(slices.Clone(orgChecks), rest...)}
	v.Eligible = true
	for _, c := range v.Checks {
		if c.Result != Pass {
			v.Eligible = false
		}
	}
	v.OktaReady = readyInOkta(v.Checks)
	v.NotFromOkta = e.substitute(okta, v.Checks)
	return v
}

// oktaChecks judges the instance prerequisites from Okta facts (using ISPM
// for Import Groups), in table order; a prerequisite blocked by one that
// did not pass follows from it instead of being judged.
func (e *evaluator) oktaChecks(x *judging) []Check {
	for _, p := range prerequisites {
		if p.Scope != ScopeInstance {
			continue
		}
		if root, blocked := blocker(p.ID, x.checks); blocked {
			x.checks = append(x.checks, follower(root, p.ID, x.s))
			continue
		}
		x.checks = append(x.checks, p.judge(e, x))
	}
	return x.checks
}

// follower is the check id of an instance whose prerequisite root did not
// pass: it follows from root and carries no remediation of its own.
func follower(root Check, id CheckID, s subject) Check {
	c := Check{ID: id, Title: id.Title(), Result: root.Result, Evidence: EvidenceInferred, Cause: root.ID}
	if root.Result == Fail {
		c.Message = fmt.Sprintf("Not met: %s is not an installed %s instance (see %s).", s, s.name, root.ID)
		c.Remediation = []string{fmt.Sprintf("Resolve %s first.", root.ID)}
	} else {
		c.Evidence = root.Evidence
		c.Message = fmt.Sprintf("Not checked: whether %s is installed is not known (see %s).", s, root.ID)
	}
	return c
}

// substitute says, when the provider holds Okta credentials, why the
// instance's P3–P6 verdict did not come from Okta in this run, or nil.
func (e *evaluator) substitute(f OktaInstanceFacts, checks []Check) *Substitute {
	if !e.in.Okta.Credentials {
		return nil
	}
	switch {
	case !e.in.Okta.Available() || f.State == AppUnknown:
		reason := e.in.Okta.Reason
		if e.in.Okta.Available() {
			reason = f.Reason
		}
		evidence := "nothing: the checks Okta would have settled are unverified"
		if c, _ := findCheck(checks, P3Installed); c.Result == Pass && c.Evidence == EvidenceISPMAPI {
			evidence = "ISPM's cached status of the instance (its gallery), not a live answer from Okta"
		}
		return &Substitute{Reason: strings.TrimSuffix(orDefault(reason, "Okta did not answer"), "."), Evidence: evidence}
	case f.Provisioning.Trusted:
		return &Substitute{
			Reason:   "Okta was not asked again about provisioning: the app object is unchanged since an earlier successful check",
			Evidence: fmt.Sprintf("that earlier check (app object last updated %s)", f.Provisioning.TrustedAt),
		}
	}
	return nil
}

// remedy lists the steps that make a per-instance prerequisite pass.
func (e *evaluator) remedy(id CheckID, s subject) []string {
	p, _ := Lookup(id)
	return p.Remedy(orDefault(s.label, s.id))
}

// status is the app's status in the org.
func (e *evaluator) status(vs []InstanceVerdict) (AppStatus, Evidence, string) {
	ispm := e.in.ISPM
	ispmKnown := ispm.Reason == ""
	if ispmKnown && (ispm.Status == StatusConnected || len(ispm.ConnectedInstanceIDs) > 0) {
		return StatusConnected, EvidenceISPMAPI, fmt.Sprintf("ISPM has a connection for %s in %s.", e.in.App, e.domain)
	}
	for _, v := range vs {
		if v.Eligible {
			return StatusAvailable, EvidenceInferred, fmt.Sprintf("%s is eligible.", upper(subject{id: v.ID, label: v.Label}.String()))
		}
	}
	// Which instances are active, from Okta when it answered, else ISPM.
	var active []string
	switch {
	case e.in.Okta.Available():
		for _, s := range e.in.Okta.AllInstances {
			if s.Status == "ACTIVE" {
				active = append(active, s.ID)
			}
		}
		if len(active) == 0 {
			return StatusNotIntegrated, EvidenceOktaAPI, fmt.Sprintf("The Okta org %s has no active %s instance.", e.domain, e.in.App)
		}
	case ispmKnown && ispm.Status != StatusUnknown:
		return ispm.Status, EvidenceISPMAPI, fmt.Sprintf("ISPM's gallery reports %s for %s in %s; Okta could not be asked.", ispm.Status, e.in.App, e.domain)
	case ispmKnown && len(ispm.Instances) == 0 && ispm.OrgConnected == Yes:
		return StatusNotIntegrated, EvidenceISPMAPI, fmt.Sprintf("ISPM's gallery lists no %s instance in %s.", e.in.App, e.domain)
	default:
		return StatusUnknown, "", fmt.Sprintf("Neither Okta nor ISPM could tell the status of %s in %s.", e.in.App, e.domain)
	}
	judged := make(map[string]int, len(vs))
	for i, v := range vs {
		judged[v.ID] = i
	}
	allFail := true
	for _, id := range active {
		i, ok := judged[id]
		if !ok || len(vs[i].WithResult(Fail)) == 0 {
			allFail = false
			break
		}
	}
	if allFail {
		return StatusProvisioningDisabled, EvidenceInferred, fmt.Sprintf("No active %s instance in %s meets every prerequisite.", e.in.App, e.domain)
	}
	if ispm.NotConfigured {
		for _, v := range vs {
			if v.OktaReady {
				return StatusAvailable, EvidenceOktaAPI, fmt.Sprintf("%s is ready as far as Okta can show; ISPM is not configured, so whether the app is connected to ISPM is not known.",
					upper(subject{id: v.ID, label: v.Label}.String()))
			}
		}
	}
	if ispmKnown && ispm.Status != StatusUnknown {
		return ispm.Status, EvidenceISPMAPI, fmt.Sprintf("Not every active %s instance could be verified; ISPM's gallery reports %s.", e.in.App, ispm.Status)
	}
	return StatusUnknown, "", fmt.Sprintf("Not every active %s instance in %s could be verified, and ISPM did not report a status.", e.in.App, e.domain)
}

func listed(fs []ListedFeature) string {
	if len(fs) == 0 {
		return "an empty list"
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Name
		if f.Status != "" {
			parts[i] += " (" + f.Status + ")"
		}
	}
	return strings.Join(parts, ", ")
}

func joinIDs(ids []CheckID) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = string(id)
	}
	return strings.Join(parts, ", ")
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// upper capitalises the first letter of a sentence.
func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
