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
	v := Verdict{OrgDomain: e.domain, App: in.App, EligibleInstanceIDs: []string{}}
	p1 := e.p1()
	p2 := e.p2()
	v.OrgChecks = []Check{p1, p2}
	for _, id := range e.ids {
		iv := e.instance(id, p1, p2)
		if iv.Eligible {
			v.EligibleInstanceIDs = append(v.EligibleInstanceIDs, iv.ID)
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

// --- org level ---

func (e *evaluator) p1() Check {
	c := Check{ID: P1OrgConnected, Title: P1OrgConnected.Title(), Evidence: EvidenceISPMAPI}
	switch {
	case e.in.ISPM.OrgConnected == Unknown && e.in.ISPM.Reason != "":
		c.Result = Unverified
		c.Message = fmt.Sprintf("Could not ask ISPM whether the Okta org %s is connected: %s", e.domain, e.in.ISPM.Reason)
	case e.in.ISPM.OrgConnected == Yes:
		c.Result = Pass
		c.Message = fmt.Sprintf("ISPM lists the Okta org %s as connected.", e.domain)
	case e.in.ISPM.OrgConnected == No:
		c.Result = Fail
		c.Message = fmt.Sprintf("ISPM does not list the Okta org %s among its connected Okta orgs, so it cannot see the org's apps.", e.domain)
		c.Remediation = []string{
			fmt.Sprintf("In the ISPM console, connect the Okta org %s to ISPM.", e.domain),
			"When ISPM shows the org as connected, run terraform plan again.",
		}
	default:
		c.Result = Unverified
		c.Message = fmt.Sprintf("ISPM did not say whether the Okta org %s is connected.", e.domain)
	}
	return c
}

func (e *evaluator) p2() Check {
	c := Check{ID: P2LifecycleMgmt, Title: P2LifecycleMgmt.Title()}
	okta := e.in.Okta
	const noAPI = " Okta has no API for product subscriptions, so this is inferred."
	switch {
	case okta.Credentials && okta.Lifecycle.State == LifecycleNotSubscribed:
		c.Result, c.Evidence = Fail, EvidenceOktaAPI
		c.Message = fmt.Sprintf("The Okta org %s is not subscribed to Lifecycle Management: %s (401 E0000015, \"You do not have permission to access the feature you are requesting\"), which is how Okta answers when a product is missing.", e.domain, orDefault(okta.Lifecycle.Evidence, "a provisioning endpoint answered"))
		c.Remediation = []string{
			fmt.Sprintf("Provisioning, and therefore ISPM's app sources, needs Okta Lifecycle Management. Ask your Okta account team to add it to the org %s, or connect apps from an org that has it.", e.domain),
		}
	case okta.Available() && okta.Lifecycle.State == LifecycleSubscribed:
		c.Result, c.Evidence = Pass, EvidenceInferred
		c.Message = fmt.Sprintf("The Okta org %s appears subscribed to Lifecycle Management: %s.%s", e.domain, orDefault(okta.Lifecycle.Evidence, "its provisioning endpoints answered"), noAPI)
	case okta.Available():
		c.Result, c.Evidence = Pass, EvidenceInferred
		c.Message = fmt.Sprintf("No Okta endpoint used for the org %s reported a missing product (401 E0000015), so the org is taken to be subscribed to Lifecycle Management.%s", e.domain, noAPI)
	default:
		for _, id := range e.ids {
			if e.vouches(id) {
				c.Result, c.Evidence = Pass, EvidenceInferred
				c.Message = fmt.Sprintf("ISPM reports instance %s eligible, which requires provisioning and therefore Lifecycle Management in the org %s.", id, e.domain)
				return c
			}
		}
		c.Result, c.Evidence = Unverified, EvidenceInferred
		c.Message = fmt.Sprintf("Lifecycle Management in the Okta org %s could not be checked: %s", e.domain, e.oktaUnavailable())
		c.Remediation = e.credentialsRemediation()
	}
	return c
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
	return []string{fmt.Sprintf("To verify this with the Okta API, add an okta_org block for %s to the provider configuration with an API token or an OAuth 2.0 service app (scopes okta.apps.read and okta.groups.read).", e.domain)}
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

func (e *evaluator) instance(id string, p1, p2 Check) InstanceVerdict {
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
		rest = e.oktaChecks(s, okta, ispm)
	} else {
		reason := e.oktaUnavailable()
		if e.in.Okta.Available() {
			reason = okta.Reason
		}
		rest = e.ispmChecks(s, reason)
	}
	v := InstanceVerdict{ID: id, Label: s.label, Checks: append([]Check{p1, p2}, rest...)}
	v.Eligible = true
	for _, c := range v.Checks {
		if c.Result != Pass {
			v.Eligible = false
		}
	}
	return v
}

// oktaChecks judges P3–P7 from Okta facts, using ISPM for Import Groups.
func (e *evaluator) oktaChecks(s subject, f OktaInstanceFacts, ispm ISPMInstanceFacts) []Check {
	p3 := Check{ID: P3Installed, Title: P3Installed.Title(), Evidence: EvidenceOktaAPI}
	switch {
	case f.State == AppNotFound:
		p3.Result = Fail
		p3.Message = fmt.Sprintf("The Okta org %s has no %s app instance with id %s (%s).", e.domain, e.in.App, s.id, orDefault(f.Reason, "404 E0000007"))
		p3.Remediation = []string{
			fmt.Sprintf("Check the instance id: it is the 0oa… id in the app's Admin Console address, or use the ispm_app_eligibility data source to list the %s instances in %s.", e.in.App, e.domain),
			fmt.Sprintf("If the app is not installed, add it in the Okta Admin Console under Applications › Browse App Catalog (search for %s), then configure provisioning.", e.in.App),
		}
	case !strings.EqualFold(f.App.Name, e.in.App):
		p3.Result = Fail
		p3.Message = fmt.Sprintf("%s in the Okta org %s is an instance of the app %q, not of %q.", s, e.domain, f.App.Name, e.in.App)
		p3.Remediation = []string{fmt.Sprintf("Use the id of a %s instance, or set the app to %q if this instance is the one you meant.", e.in.App, f.App.Name)}
		p3.AdminConsoleURL = e.link(f.App.Name, s.id, tabGeneral)
	default:
		p3.Result = Pass
		p3.Message = fmt.Sprintf("%s is an installed %s app in the Okta org %s.", upper(s.String()), f.App.Name, e.domain)
	}
	if p3.Result != Pass {
		return append([]Check{p3}, followers(p3, s, Fail)...)
	}
	p4 := e.p4(s, f.App)
	p5 := e.p5(s, f)
	p6 := e.p6(s, f.App, p5)
	p7 := e.p7(s, f, ispm, p3.Result == Pass && p4.Result == Pass && p5.Result == Pass && p6.Result == Pass &&
		p5.Evidence != EvidenceISPMAPI && p6.Evidence == EvidenceOktaAPI)
	return []Check{p3, p4, p5, p6, p7}
}

// followers are P4–P7 of an instance whose P3 did not pass: they follow
// from it and carry no remediation of their own.
func followers(p3 Check, s subject, r Result) []Check {
	out := make([]Check, 0, 4)
	for _, id := range []CheckID{P4Active, P5Provisioning, P6ImportUsers, P7ImportGroups} {
		c := Check{ID: id, Title: id.Title(), Result: r, Evidence: EvidenceInferred, Cause: P3Installed}
		if r == Fail {
			c.Message = fmt.Sprintf("Not met: %s is not an installed %s instance (see %s).", s, s.name, P3Installed)
			c.Remediation = []string{fmt.Sprintf("Resolve %s first.", P3Installed)}
		} else {
			c.Evidence = p3.Evidence
			c.Message = fmt.Sprintf("Not checked: whether %s is installed is not known (see %s).", s, P3Installed)
		}
		out = append(out, c)
	}
	return out
}

func (e *evaluator) p4(s subject, a AppObject) Check {
	c := Check{ID: P4Active, Title: P4Active.Title(), Evidence: EvidenceOktaAPI}
	if a.Status == "ACTIVE" {
		c.Result = Pass
		c.Message = fmt.Sprintf("%s is ACTIVE.", upper(s.String()))
		return c
	}
	c.Result = Fail
	c.Message = fmt.Sprintf("%s is %s; ISPM lists and connects active instances only.", upper(s.String()), orDefault(a.Status, "not ACTIVE"))
	c.Remediation = remedy(P4Active, s)
	c.AdminConsoleURL = e.link(a.Name, s.id, tabGeneral)
	return c
}

func (e *evaluator) p5(s subject, f OktaInstanceFacts) Check {
	c := Check{ID: P5Provisioning, Title: P5Provisioning.Title(), Evidence: EvidenceOktaAPI,
		AdminConsoleURL: e.link(f.App.Name, s.id, tabUserMgmt)}
	p := f.Provisioning
	note := ""
	if p.Trusted {
		note = fmt.Sprintf(" (answer kept from an earlier check: the app object is unchanged since %s)", p.TrustedAt)
	}
	enable := remedy(P5Provisioning, s)
	feats := ProvisioningFeatures(f.App)
	switch {
	case p.Connection == ConnectionEnabled:
		c.Result = Pass
		c.Message = fmt.Sprintf("Okta reports the provisioning connection of %s as ENABLED%s.", s, note)
		c.AdminConsoleURL = ""
	case p.Connection == ConnectionDisabled:
		c.Result = Fail
		c.Message = fmt.Sprintf("Okta reports the provisioning connection of %s as DISABLED%s.", s, note)
		c.Remediation = enable
	case p.Connection == ConnectionProductMissing || p.Features == FeaturesProductMissing:
		c.Result, c.Cause = Fail, P2LifecycleMgmt
		c.Message = fmt.Sprintf("Okta refused the provisioning endpoints of %s with 401 E0000015: the org has no Lifecycle Management, which provisioning needs.", s)
		c.Remediation = []string{fmt.Sprintf("Resolve %s first.", P2LifecycleMgmt)}
		c.AdminConsoleURL = ""
	case len(feats) > 0:
		c.Result, c.Evidence = Pass, EvidenceInferred
		c.Message = fmt.Sprintf("The app object of %s lists the provisioning features %s, which Okta shows only while provisioning is enabled.", s, strings.Join(feats, ", "))
		c.AdminConsoleURL = ""
	case p.Features == FeaturesListed:
		c.Result = Pass
		c.Message = fmt.Sprintf("Okta reports the provisioning connection of %s as UNKNOWN (its provisioning API is not public), and GET /features answered with %s%s; Okta answers that only when provisioning is enabled.", s, listed(p.Listed), note)
		c.AdminConsoleURL = ""
	case p.Features == FeaturesNotEnabled:
		c.Result = Fail
		c.Message = fmt.Sprintf("Okta answered GET /features of %s with 400 E0000001 \"Provisioning is not enabled for the app instance.\"", s)
		c.Remediation = enable
	case p.Connection == ConnectionError || p.Features == FeaturesError:
		c.Result = Unverified
		c.Message = fmt.Sprintf("Could not read the provisioning state of %s: %s A transient failure is not a verdict; the next plan asks again.", s, orDefault(p.Reason, "Okta did not answer."))
	case p.Connection == ConnectionStatusUnknown:
		c.Result = Unverified
		c.Message = fmt.Sprintf("Okta reports the provisioning connection of %s as UNKNOWN (its provisioning API is not public) and its app object lists no provisioning features.", s)
		c.Remediation = []string{"Check the Provisioning tab in the Okta Admin Console: API integration must be enabled."}
	case !f.App.FeaturesKnown:
		c.Result = Unverified
		c.Message = fmt.Sprintf("The app object of %s carries no features list and the provisioning endpoints were not asked.", s)
	default:
		c.Result = Unverified
		c.Message = fmt.Sprintf("The app object of %s lists no provisioning features, and the provisioning endpoints were not asked.", s)
	}
	return c
}

func (e *evaluator) p6(s subject, a AppObject, p5 Check) Check {
	c := Check{ID: P6ImportUsers, Title: P6ImportUsers.Title(), Evidence: EvidenceOktaAPI}
	if !a.FeaturesKnown {
		c.Result = Unverified
		c.Message = fmt.Sprintf("The app object of %s carries no features list, so the import setting cannot be read.", s)
		return c
	}
	var missing []string
	for _, f := range []string{featureImportNewUsers, featureImportProfileUpdates} {
		if !a.HasFeature(f) {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		c.Result = Pass
		c.Message = fmt.Sprintf("The app object of %s lists IMPORT_NEW_USERS and IMPORT_PROFILE_UPDATES: Import New Users and Profile Updates is selected.", s)
		return c
	}
	c.Result = Fail
	c.Message = fmt.Sprintf("The app object of %s lacks %s: Import New Users and Profile Updates is not selected (Okta shows that one checkbox as both features).", s, strings.Join(missing, " and "))
	if p5.Result == Fail {
		c.Remediation = append(c.Remediation, fmt.Sprintf("Enable provisioning first (%s).", P5Provisioning))
	}
	c.Remediation = append(c.Remediation, remedy(P6ImportUsers, s)...)
	c.AdminConsoleURL = e.link(a.Name, s.id, tabUserMgmt)
	return c
}

// p7 judges Import Groups, for which Okta has no public field. oktaReady
// says whether Okta verified P3–P6 itself, which lets an ISPM "not
// eligible" point at Import Groups.
func (e *evaluator) p7(s subject, f OktaInstanceFacts, ispm ISPMInstanceFacts, oktaReady bool) Check {
	c := Check{ID: P7ImportGroups, Title: P7ImportGroups.Title(), Evidence: EvidenceISPMAPI,
		AdminConsoleURL: e.link(f.App.Name, s.id, tabUserMgmt)}
	fix := remedy(P7ImportGroups, s)
	ispmKnown := e.in.ISPM.Reason == ""
	switch {
	case ispmKnown && ispm.ImportGroups == Yes:
		c.Result = Pass
		c.Message = fmt.Sprintf("ISPM reports Import Groups selected for %s.", s)
	case ispmKnown && ispm.ImportGroups == No:
		c.Result = Fail
		c.Message = fmt.Sprintf("ISPM reports Import Groups not selected for %s.", s)
		c.Remediation = fix
	case e.inConnection(s.id):
		c.Result = Pass
		c.Message = fmt.Sprintf("%s is part of ISPM's connection for %s, which ISPM accepts only with Import Groups selected.", upper(s.String()), e.in.App)
	case ispmKnown && ispm.Eligible == Yes:
		c.Result = Pass
		c.Message = fmt.Sprintf("ISPM reports %s eligible; ISPM checks Import Groups itself, as Okta has no public API for it.", s)
	case f.Groups.Known && f.Groups.Count > 0:
		c.Result, c.Evidence = Pass, EvidenceInferred
		c.Message = fmt.Sprintf("Okta lists %d group(s) of type APP_GROUP imported from %s, which shows group import has run.", f.Groups.Count, s)
	case ispmKnown && ispm.Eligible == No && slices.Contains(ispm.Failing, P7ImportGroups):
		c.Result = Fail
		c.Message = fmt.Sprintf("ISPM reports %s not eligible because Import Groups is not selected.", s)
		c.Remediation = fix
	case ispmKnown && ispm.Eligible == No && oktaReady:
		c.Result, c.Evidence = Fail, EvidenceInferred
		c.Message = fmt.Sprintf("ISPM reports %s not eligible while Okta shows it installed, active, provisioned and importing users; the remaining prerequisite is Import Groups, which only ISPM can see.", s)
		c.Remediation = fix
	default:
		c.Result, c.Evidence = Unverified, EvidenceInferred
		var why []string
		switch {
		case !ispmKnown:
			why = append(why, "ISPM could not be asked: "+e.in.ISPM.Reason)
		case ispm.Eligible == No:
			why = append(why, "ISPM reports the instance not eligible without saying whether Import Groups is the reason")
		default:
			why = append(why, "ISPM has not confirmed it")
		}
		switch {
		case f.Groups.Known:
			why = append(why, "Okta lists no APP_GROUP groups imported from it")
		case f.Groups.Reason != "":
			why = append(why, "Okta's groups could not be searched: "+f.Groups.Reason)
		}
		c.Message = fmt.Sprintf("Okta has no public API field for Import Groups on %s, and no evidence settles it: %s.", s, strings.Join(why, "; "))
		c.Remediation = append(fix, "If Import Groups is already selected, run an import so that Okta lists the imported groups, or refresh ISPM's gallery.")
	}
	if c.Result == Pass {
		c.AdminConsoleURL = ""
	}
	return c
}

// ispmChecks judges P3–P7 from ISPM alone, when Okta cannot be asked.
func (e *evaluator) ispmChecks(s subject, oktaReason string) []Check {
	ispm := e.in.ISPM
	in, listed := e.ispmInstance(s.id)
	listed = listed || e.inConnection(s.id)
	var out []Check
	if ispm.Reason != "" || !listed {
		p3 := Check{ID: P3Installed, Title: P3Installed.Title(), Result: Unverified, Remediation: e.credentialsRemediation()}
		p4 := Check{ID: P4Active, Title: P4Active.Title(), Result: Unverified, Remediation: e.credentialsRemediation()}
		if ispm.Reason != "" {
			p3.Evidence, p4.Evidence = EvidenceOktaAPI, EvidenceOktaAPI
			p3.Message = fmt.Sprintf("Neither Okta nor ISPM could be asked about %s. Okta: %s ISPM: %s", s, oktaReason, ispm.Reason)
			p4.Message = p3.Message
		} else {
			p3.Evidence, p4.Evidence = EvidenceISPMAPI, EvidenceISPMAPI
			p3.Message = fmt.Sprintf("ISPM's gallery does not list %s for %s in %s: it is not installed, belongs to another app, or is inactive. Okta could not be asked to tell which: %s", s, e.in.App, e.domain, oktaReason)
			p4.Message = p3.Message
		}
		out = append(out, p3, p4)
		for _, c := range followers(p3, s, Unverified)[1:] {
			c.Message = fmt.Sprintf("Not checked: neither Okta nor ISPM could tell whether %s is installed.", s)
			out = append(out, c)
		}
		return out
	}
	vouched := e.vouches(s.id)
	for _, id := range []CheckID{P3Installed, P4Active, P5Provisioning, P6ImportUsers, P7ImportGroups} {
		c := Check{ID: id, Title: id.Title(), Evidence: EvidenceISPMAPI}
		switch {
		case slices.Contains(in.Failing, id) || (id == P7ImportGroups && in.ImportGroups == No):
			c.Result = Fail
			c.Message = fmt.Sprintf("ISPM reports %q not met for %s.", id.Title(), s)
			c.Remediation = append(remedy(id, s), e.credentialsRemediation()...)
			if id != P3Installed {
				c.AdminConsoleURL = e.link(e.in.App, s.id, consoleTab(id))
			}
		case id == P3Installed || id == P4Active:
			c.Result = Pass
			c.Message = fmt.Sprintf("ISPM's gallery lists %s as an active %s instance.", s, e.in.App)
		case id == P7ImportGroups && in.ImportGroups == Yes:
			c.Result = Pass
			c.Message = fmt.Sprintf("ISPM reports Import Groups selected for %s.", s)
		case vouched:
			c.Result = Pass
			c.Message = fmt.Sprintf("ISPM reports %s eligible, which covers %q.", s, id.Title())
		case in.Eligible == No && len(in.Failing) > 0:
			c.Result = Pass
			c.Message = fmt.Sprintf("ISPM reports %s not eligible for other reasons only (%s).", s, joinIDs(in.Failing))
		default:
			c.Result = Unverified
			c.Message = fmt.Sprintf("Could not be checked for %s: Okta could not be asked (%s) and ISPM does not say.", s, strings.TrimSuffix(oktaReason, "."))
			c.Remediation = e.credentialsRemediation()
		}
		out = append(out, c)
	}
	return out
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
	if ispmKnown && ispm.Status != StatusUnknown {
		return ispm.Status, EvidenceISPMAPI, fmt.Sprintf("Not every active %s instance could be verified; ISPM's gallery reports %s.", e.in.App, ispm.Status)
	}
	return StatusUnknown, "", fmt.Sprintf("Not every active %s instance in %s could be verified, and ISPM did not report a status.", e.in.App, e.domain)
}

// remedy lists the steps that make a per-instance prerequisite pass.
func remedy(id CheckID, s subject) []string {
	app := orDefault(s.label, s.id)
	open := fmt.Sprintf("In the Okta Admin Console open Applications › Applications › %s › Provisioning.", app)
	switch id {
	case P4Active:
		return []string{fmt.Sprintf("In the Okta Admin Console open Applications › Applications › %s › General and click Activate (or choose Activate from the app's menu in the Applications list).", app)}
	case P5Provisioning:
		return []string{
			open,
			"Click Configure API Integration (Integration › Edit for a custom SCIM app), select Enable API integration, enter the app's API credentials, click Test API Credentials, then Save.",
			"For a custom SCIM app, first set Provisioning to SCIM under General › App Settings.",
		}
	case P6ImportUsers:
		return []string{open, "Select Import New Users and Profile Updates (under To Okta for a catalog app, or Integration › Edit for a custom SCIM app), then Save."}
	case P7ImportGroups:
		return []string{open, "Select Import Groups (Integration › Edit for a custom SCIM app, or the app's import settings for a catalog app), Save, then run an import from the Import tab."}
	}
	return nil
}

// consoleTab is the Admin Console tab where a prerequisite is fixed.
func consoleTab(id CheckID) string {
	if id == P4Active || id == P3Installed {
		return tabGeneral
	}
	return tabUserMgmt
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
