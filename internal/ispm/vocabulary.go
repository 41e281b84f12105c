package ispm

import "github.com/ispm-community/terraform-provider-ispm/internal/eligibility"

// ISPM's wire vocabulary and the readiness engine's are kept apart (the
// engine imports nothing of the project) and converted here, in one place.
// vocabulary_test.go walks both enums, so a value added to one side only
// fails the build's tests instead of drifting.

// Prerequisites lists every prerequisite ISPM reports, in order.
var Prerequisites = []Prerequisite{P1OrgConnected, P2LifecycleManagement, P3Installed, P4Active, P5Provisioning, P6ImportUsers, P7ImportGroups}

var checkIDs = map[Prerequisite]eligibility.CheckID{
	P1OrgConnected:        eligibility.P1OrgConnected,
	P2LifecycleManagement: eligibility.P2LifecycleManagement,
	P3Installed:           eligibility.P3Installed,
	P4Active:              eligibility.P4Active,
	P5Provisioning:        eligibility.P5Provisioning,
	P6ImportUsers:         eligibility.P6ImportUsers,
	P7ImportGroups:        eligibility.P7ImportGroups,
}

// CheckID is the engine's id of p. A value ISPM added later keeps its
// text, which the engine treats as a prerequisite it does not know.
func (p Prerequisite) CheckID() eligibility.CheckID {
	if id, ok := checkIDs[p]; ok {
		return id
	}
	return eligibility.CheckID(p)
}

// PrerequisiteOf is ISPM's name of the engine's prerequisite id.
func PrerequisiteOf(id eligibility.CheckID) Prerequisite {
	for p, c := range checkIDs {
		if c == id {
			return p
		}
	}
	return Prerequisite(id)
}

// GalleryStatuses lists every gallery status, from least to most ready.
var GalleryStatuses = []GalleryStatus{StatusNotIntegrated, StatusProvisioningDisabled, StatusAvailable, StatusConnected}

var appStatuses = map[GalleryStatus]eligibility.AppStatus{
	StatusNotIntegrated:        eligibility.StatusNotIntegrated,
	StatusProvisioningDisabled: eligibility.StatusProvisioningDisabled,
	StatusAvailable:            eligibility.StatusAvailable,
	StatusConnected:            eligibility.StatusConnected,
}

// AppStatus is the engine's name of s; a status ISPM added later is
// unknown to the engine.
func (s GalleryStatus) AppStatus() eligibility.AppStatus {
	return appStatuses[s]
}

// GalleryStatusOf is ISPM's name of the engine's app status, or "" for
// eligibility.StatusUnknown.
func GalleryStatusOf(s eligibility.AppStatus) GalleryStatus {
	for g, a := range appStatuses {
		if a == s {
			return g
		}
	}
	return ""
}

// HealthReasonFor is the reason ISPM's daily connection test gives a
// connection whose instance fails the prerequisite id.
func HealthReasonFor(id eligibility.CheckID) HealthReason {
	p, _ := eligibility.Lookup(id)
	return HealthReason(p.HealthReason)
}
