// Package eligibility is the readiness engine: from facts gathered from Okta
// and ISPM it decides, per app instance, which of the prerequisites P1–P7 for
// connecting the instance to ISPM hold, how sure that answer is, and how to
// fix what does not hold. It performs no I/O and imports nothing of the
// project, so every rule is testable with plain values.
package eligibility

import "strings"

// Result is the outcome of one prerequisite check.
type Result string

// Check results. Unverified means the facts could not settle the question;
// it is never used as a softer word for fail.
const (
	Pass       Result = "pass"
	Fail       Result = "fail"
	Unverified Result = "unverified"
)

// Evidence says where a result comes from, so a user can tell a verified
// fact from an inference.
type Evidence string

// Sources of evidence.
const (
	EvidenceOktaAPI  Evidence = "okta_api"
	EvidenceISPMAPI  Evidence = "ispm_api"
	EvidenceInferred Evidence = "inferred"
)

// AppStatus is an app's status in an Okta org, as the ISPM Sources Gallery
// shows it.
type AppStatus string

// App statuses, from least to most ready. StatusUnknown is used only when
// neither Okta nor ISPM could tell.
const (
	StatusUnknown              AppStatus = ""
	StatusNotIntegrated        AppStatus = "NOT_INTEGRATED"
	StatusProvisioningDisabled AppStatus = "PROVISIONING_DISABLED"
	StatusAvailable            AppStatus = "AVAILABLE"
	StatusConnected            AppStatus = "CONNECTED"
)

// CheckID names a prerequisite.
type CheckID string

// The prerequisites for connecting an app instance to ISPM.
const (
	P1OrgConnected        CheckID = "P1_ORG_CONNECTED"
	P2LifecycleManagement CheckID = "P2_LIFECYCLE_MANAGEMENT"
	P3Installed           CheckID = "P3_INSTALLED"
	P4Active              CheckID = "P4_ACTIVE"
	P5Provisioning        CheckID = "P5_PROVISIONING"
	P6ImportUsers         CheckID = "P6_IMPORT_USERS"
	P7ImportGroups        CheckID = "P7_IMPORT_GROUPS"
)

// OktaReadScopes are the least-privilege OAuth scopes the checks need from an
// Okta org: read access to its apps and groups. Everything that names the
// scopes (the adapter's default request, the provider's default and schema,
// messages) reads them from here.
var OktaReadScopes = []string{"okta.apps.read", "okta.groups.read"}

// OktaReadScopesText is OktaReadScopes in words: "okta.apps.read and
// okta.groups.read".
func OktaReadScopesText() string { return strings.Join(OktaReadScopes, " and ") }

// Tristate is a yes/no answer that may be missing.
type Tristate int8

// Tristate values; the zero value is Unknown.
const (
	Unknown Tristate = iota
	Yes
	No
)

func (t Tristate) String() string {
	switch t {
	case Yes:
		return "yes"
	case No:
		return "no"
	}
	return "unknown"
}
