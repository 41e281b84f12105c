package eligibility

import (
	"fmt"
	"slices"
	"strings"
)

// Scope says whether a prerequisite is a property of the Okta org or of
// each app instance.
type Scope string

// Prerequisite scopes.
const (
	ScopeOrg      Scope = "org"
	ScopeInstance Scope = "instance"
)

// Prerequisite describes one prerequisite for connecting an app instance to
// ISPM. The table below is the one place that says what a prerequisite is;
// every list or switch about prerequisites outside the judges reads it.
// To change how a prerequisite is verified, change its judge (and the
// adapter that gathers the facts it reads), nothing else.
type Prerequisite struct {
	ID CheckID
	// Short is the id's short form, P1 to P7, as diagnostics name it.
	Short string
	Title string
	Scope Scope
	// OktaVerifies is true when Okta's public API settles the prerequisite
	// on its own evidence (P3–P6). P1 is ISPM's to know, P2 has no Okta
	// API (only inferences), and Import Groups (P7) has no public field.
	OktaVerifies bool
	// ConsoleTab is the Okta Admin Console tab of an instance where the fix
	// is made, or "" when there is none.
	ConsoleTab string
	// HealthReason is the reason ISPM's daily connection test gives a
	// connection whose instance fails the prerequisite.
	HealthReason string
	// Blocks lists the prerequisites that cannot be judged while this one
	// does not pass: they are reported as following from it (Check.Cause),
	// not on their own.
	Blocks []CheckID
	// remedy lists the steps that make the prerequisite pass for an
	// instance named app; nil where the judge words its own case by case.
	remedy func(app string) []string
	judge  judge
}

// Remedy returns the steps that make the prerequisite pass for the
// instance called name (its label, or its id).
func (p Prerequisite) Remedy(name string) []string {
	if p.remedy == nil {
		return nil
	}
	return p.remedy(name)
}

// judge decides one prerequisite. Org-level judges ignore x.
type judge func(e *evaluator, x *judging) Check

// Health reasons, as ISPM's connection test reports them.
const (
	healthFailedAuthentication = "FAILED_AUTHENTICATION"
	healthMissingPermissions   = "MISSING_PERMISSIONS"
	healthMissingConfiguration = "MISSING_CONFIGURATION"
)

// prerequisites is the table, in order P1 to P7.
var prerequisites = []Prerequisite{
	{ID: P1OrgConnected, Short: "P1", Title: "Okta org connected to ISPM", Scope: ScopeOrg,
		HealthReason: healthFailedAuthentication},
	{ID: P2LifecycleManagement, Short: "P2", Title: "Org subscribed to Okta Lifecycle Management", Scope: ScopeOrg,
		HealthReason: healthMissingPermissions},
	{ID: P3Installed, Short: "P3", Title: "App instance installed", Scope: ScopeInstance, OktaVerifies: true,
		ConsoleTab: tabGeneral, HealthReason: healthMissingConfiguration,
		Blocks: []CheckID{P4Active, P5Provisioning, P6ImportUsers, P7ImportGroups}},
	{ID: P4Active, Short: "P4", Title: "App instance active", Scope: ScopeInstance, OktaVerifies: true,
		ConsoleTab: tabGeneral, HealthReason: healthMissingConfiguration, remedy: activateSteps},
	{ID: P5Provisioning, Short: "P5", Title: "Provisioning enabled", Scope: ScopeInstance, OktaVerifies: true,
		ConsoleTab: tabUserMgmt, HealthReason: healthMissingPermissions,
		remedy: provisioningSteps},
	{ID: P6ImportUsers, Short: "P6", Title: "Import New Users and Profile Updates selected", Scope: ScopeInstance, OktaVerifies: true,
		ConsoleTab: tabUserMgmt, HealthReason: healthMissingConfiguration, remedy: importUsersSteps},
	{ID: P7ImportGroups, Short: "P7", Title: "Import Groups selected", Scope: ScopeInstance,
		ConsoleTab: tabUserMgmt, HealthReason: healthMissingConfiguration, remedy: importGroupsSteps},
}

// The judges are set here rather than in the table's literal because they
// read the table themselves, which Go forbids as an initialization cycle.
func init() {
	judges := map[CheckID]judge{
		P1OrgConnected: (*evaluator).p1, P2LifecycleManagement: (*evaluator).p2, P3Installed: (*evaluator).p3,
		P4Active: (*evaluator).p4, P5Provisioning: (*evaluator).p5, P6ImportUsers: (*evaluator).p6, P7ImportGroups: (*evaluator).p7,
	}
	for i := range prerequisites {
		prerequisites[i].judge = judges[prerequisites[i].ID]
	}
}

// Prerequisites returns the table, in order P1 to P7.
func Prerequisites() []Prerequisite { return prerequisites }

// Lookup returns the table's entry for id.
func Lookup(id CheckID) (Prerequisite, bool) {
	for _, p := range prerequisites {
		if p.ID == id {
			return p, true
		}
	}
	return Prerequisite{}, false
}

// CheckIDs lists every prerequisite in order.
var CheckIDs = func() []CheckID {
	ids := make([]CheckID, len(prerequisites))
	for i, p := range prerequisites {
		ids[i] = p.ID
	}
	return ids
}()

// Title is the short human name of a prerequisite.
func (id CheckID) Title() string {
	if p, ok := Lookup(id); ok {
		return p.Title
	}
	return string(id)
}

// Short is the short form of the id (P6 for P6_IMPORT_USERS).
func (id CheckID) Short() string {
	if p, ok := Lookup(id); ok {
		return p.Short
	}
	s, _, _ := strings.Cut(string(id), "_")
	return s
}

// Scope is whether id is an org-level or a per-instance prerequisite.
func (id CheckID) Scope() Scope {
	p, _ := Lookup(id)
	return p.Scope
}

// blocker returns the prerequisite among checks whose non-passing result
// blocks id, or false.
func blocker(id CheckID, checks []Check) (Check, bool) {
	for _, c := range checks {
		if c.Result == Pass {
			continue
		}
		if p, ok := Lookup(c.ID); ok && slices.Contains(p.Blocks, id) {
			return c, true
		}
	}
	return Check{}, false
}

// oktaVerified reports whether every prerequisite Okta can verify passes
// among checks on Okta's own evidence (not ISPM's report).
func oktaVerified(checks []Check) bool {
	for _, p := range prerequisites {
		if !p.OktaVerifies {
			continue
		}
		c, ok := findCheck(checks, p.ID)
		if !ok || c.Result != Pass || c.Evidence == EvidenceISPMAPI {
			return false
		}
	}
	return true
}

func findCheck(checks []Check, id CheckID) (Check, bool) {
	for _, c := range checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// blockedBy lists the prerequisites that follow from id when it does not
// pass.
func blockedBy(id CheckID) []CheckID {
	p, _ := Lookup(id)
	return p.Blocks
}

func openProvisioning(app string) string {
	return fmt.Sprintf("In the Okta Admin Console open Applications › Applications › %s › Provisioning.", app)
}

func activateSteps(app string) []string {
	return []string{fmt.Sprintf("In the Okta Admin Console open Applications › Applications › %s › General and click Activate (or choose Activate from the app's menu in the Applications list).", app)}
}

func provisioningSteps(app string) []string {
	return []string{
		openProvisioning(app),
		"Click Configure API Integration (Integration › Edit for a custom SCIM app), select Enable API integration, enter the app's API credentials, click Test API Credentials, then Save.",
		"For a custom SCIM app, first set Provisioning to SCIM under General › App Settings.",
	}
}

func importUsersSteps(app string) []string {
	return []string{openProvisioning(app), "Select Import New Users and Profile Updates (under To Okta for a catalog app, or Integration › Edit for a custom SCIM app), then Save."}
}

func importGroupsSteps(app string) []string {
	return []string{openProvisioning(app), "Select Import Groups (Integration › Edit for a custom SCIM app, or the app's import settings for a catalog app), Save, then run an import from the Import tab."}
}
