package eligibility

import (
	"fmt"
	"slices"
	"strings"
)

// The judges: one function per prerequisite, each deciding it from the
// facts case by case. Which judge runs for which prerequisite, and in what
// order, is the table's (prerequisites.go).

// p1 judges whether ISPM can read the org, from ISPM's list of orgs.
func (e *evaluator) p1(*judging) Check {
	c := Check{ID: P1OrgConnected, Title: P1OrgConnected.Title(), Evidence: EvidenceISPMAPI}
	switch {
	case e.in.ISPM.NotConfigured:
		c.Result = Unverified
		c.Message = fmt.Sprintf("ISPM is not configured in the provider, so whether the Okta org %s is connected to ISPM cannot be checked; the other prerequisites are judged from Okta alone.", e.domain)
		c.Remediation = []string{
			fmt.Sprintf("In the ISPM console, connect the Okta org %s to ISPM (Settings, Okta orgs).", e.domain),
			"To have the provider check it, set endpoint and api_token in the provider block (or ISPM_ENDPOINT and ISPM_API_TOKEN).",
		}
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

// p2 judges the Lifecycle Management subscription, for which Okta has no
// API: from what the provisioning endpoints revealed, else from ISPM.
func (e *evaluator) p2(*judging) Check {
	c := Check{ID: P2LifecycleManagement, Title: P2LifecycleManagement.Title()}
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

// p3 judges whether the instance is an installed app object of the app.
func (e *evaluator) p3(x *judging) Check {
	s, f := x.s, x.okta
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
	return p3
}

// p4 judges whether the instance is active.
func (e *evaluator) p4(x *judging) Check {
	s, a := x.s, x.okta.App
	c := Check{ID: P4Active, Title: P4Active.Title(), Evidence: EvidenceOktaAPI}
	if a.Status == "ACTIVE" {
		c.Result = Pass
		c.Message = fmt.Sprintf("%s is ACTIVE.", upper(s.String()))
		return c
	}
	c.Result = Fail
	c.Message = fmt.Sprintf("%s is %s; ISPM lists and connects active instances only.", upper(s.String()), orDefault(a.Status, "not ACTIVE"))
	c.Remediation = e.remedy(P4Active, s)
	c.AdminConsoleURL = e.link(a.Name, s.id, tabGeneral)
	return c
}

// p5 judges whether provisioning is enabled, from the provisioning
// endpoints' answers, else the app object's features.
func (e *evaluator) p5(x *judging) Check {
	s, f := x.s, x.okta
	c := Check{ID: P5Provisioning, Title: P5Provisioning.Title(), Evidence: EvidenceOktaAPI,
		AdminConsoleURL: e.link(f.App.Name, s.id, tabUserMgmt)}
	p := f.Provisioning
	note := ""
	if p.Trusted {
		note = fmt.Sprintf(" (answer kept from an earlier check: the app object is unchanged since %s)", p.TrustedAt)
	}
	enable := e.remedy(P5Provisioning, s)
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
		c.Result, c.Cause = Fail, P2LifecycleManagement
		c.Message = fmt.Sprintf("Okta refused %s of %s with 401 E0000015: the org has no Lifecycle Management, which provisioning needs.", asked(p), s)
		c.Remediation = []string{fmt.Sprintf("Resolve %s first.", P2LifecycleManagement)}
		c.AdminConsoleURL = ""
	case len(feats) > 0:
		c.Result, c.Evidence = Pass, EvidenceInferred
		c.Message = fmt.Sprintf("The app object of %s lists the provisioning features %s, which Okta shows only while provisioning is enabled.", s, strings.Join(feats, ", "))
		c.AdminConsoleURL = ""
	case p.Features == FeaturesListed:
		c.Result = Pass
		c.Message = fmt.Sprintf("Okta reports the provisioning connection of %s as UNKNOWN (the app's provisioning authentication method is not known to Okta's connection API), and GET /features answered with %s%s; Okta answers that only when provisioning is enabled.", s, listed(p.Listed), note)
		if p.Connection == ConnectionNotAsked {
			c.Message = fmt.Sprintf("Okta's provisioning-connection API covers only %s, so the provisioning state of %s was read from GET /features, which answered with %s%s; Okta answers that only when provisioning is enabled.", ConnectionAPIAppsText, s, listed(p.Listed), note)
		}
		if p.Connection == ConnectionNotFound {
			c.Message = fmt.Sprintf("Okta answered 404 for the provisioning connection of %s, and GET /features answered with %s%s; Okta answers that only when provisioning is enabled.", s, listed(p.Listed), note)
		}
		if p.Connection == ConnectionSiblingUnknown {
			c.Message = fmt.Sprintf("Another instance of this app answered UNKNOWN on its provisioning connection, so the provisioning state of %s was read from GET /features, which answered with %s%s; Okta answers that only when provisioning is enabled.", s, listed(p.Listed), note)
		}
		c.AdminConsoleURL = ""
	case p.Features == FeaturesNotEnabled:
		c.Result = Fail
		c.Message = fmt.Sprintf("Okta answered GET /features of %s with 400 E0000001 \"Provisioning is not enabled for the app instance.\"", s)
		c.Remediation = enable
	case (p.Connection == ConnectionError || p.Features == FeaturesError) && p.Failure == FailureAnswer:
		c.Result = Unverified
		c.Message = fmt.Sprintf("Okta did not tell the provisioning state of %s on %s: %s This is Okta's answer for the app, not a passing failure: asking again gives the same answer until the app or the org changes, so provisioning is neither confirmed nor denied.", s, asked(p), orDefault(p.Reason, "Okta answered with an error."))
		c.Remediation = []string{"Check the Provisioning tab in the Okta Admin Console: API integration must be enabled."}
	case p.Connection == ConnectionError || p.Features == FeaturesError:
		c.Result = Unverified
		c.Message = fmt.Sprintf("Could not read the provisioning state of %s: %s A transient failure is not a verdict; the next plan asks again.", s, orDefault(p.Reason, "Okta did not answer."))
	case p.Connection == ConnectionNotFound:
		c.Result = Unverified
		c.Message = fmt.Sprintf("Okta answered 404 for the provisioning connection of %s, an app object its listing holds: the connection resource is missing, or the app was deleted since the listing (%s).", s, strings.TrimSuffix(orDefault(p.Reason, "404"), "."))
		c.Remediation = []string{"Check the Provisioning tab in the Okta Admin Console: API integration must be enabled."}
	case p.Connection == ConnectionStatusUnknown:
		c.Result = Unverified
		c.Message = fmt.Sprintf("Okta reports the provisioning connection of %s as UNKNOWN (the app's provisioning authentication method is not known to Okta's connection API) and its app object lists no provisioning features.", s)
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

// asked names the provisioning endpoints Okta was asked, so that a message
// about an app outside the connection API does not speak of a connection
// request that was never sent.
func asked(p ProvisioningFacts) string {
	if p.Connection == ConnectionNotAsked || p.Connection == ConnectionSiblingUnknown {
		return "GET /features"
	}
	return "the provisioning endpoints"
}

// p6 judges Import New Users and Profile Updates from the app object's
// features.
func (e *evaluator) p6(x *judging) Check {
	s, a, p5 := x.s, x.okta.App, x.check(P5Provisioning)
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
	c.Remediation = append(c.Remediation, e.remedy(P6ImportUsers, s)...)
	c.AdminConsoleURL = e.link(a.Name, s.id, tabUserMgmt)
	return c
}

// p7 judges Import Groups, for which Okta has no public field. When Okta
// verified the other instance prerequisites itself, an ISPM "not eligible"
// points at Import Groups.
func (e *evaluator) p7(x *judging) Check {
	s, f, ispm, oktaReady := x.s, x.okta, x.ispm, oktaVerified(x.checks)
	c := Check{ID: P7ImportGroups, Title: P7ImportGroups.Title(), Evidence: EvidenceISPMAPI,
		AdminConsoleURL: e.link(f.App.Name, s.id, tabUserMgmt)}
	fix := e.remedy(P7ImportGroups, s)
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
		case e.in.ISPM.NotConfigured:
			why = append(why, "ISPM is not configured in the provider")
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
		for _, id := range blockedBy(P3Installed) {
			if id == P4Active {
				continue // judged above: ISPM lists active instances only
			}
			c := follower(p3, id, s)
			c.Message = fmt.Sprintf("Not checked: neither Okta nor ISPM could tell whether %s is installed.", s)
			out = append(out, c)
		}
		return out
	}
	vouched := e.vouches(s.id)
	for _, p := range prerequisites {
		if p.Scope != ScopeInstance {
			continue
		}
		id := p.ID
		c := Check{ID: id, Title: p.Title, Evidence: EvidenceISPMAPI}
		switch {
		case slices.Contains(in.Failing, id) || (id == P7ImportGroups && in.ImportGroups == No):
			c.Result = Fail
			c.Message = fmt.Sprintf("ISPM reports %q not met for %s.", id.Title(), s)
			c.Remediation = append(e.remedy(id, s), e.credentialsRemediation()...)
			if id != P3Installed {
				c.AdminConsoleURL = e.link(e.in.App, s.id, p.ConsoleTab)
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
