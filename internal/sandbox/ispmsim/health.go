package ispmsim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// touchLocked moves a source along as time and reads pass: CONNECTING to
// CONNECTED, and a new health test when the interval has elapsed.
func (s *Service) touchLocked(st *sourceState, read bool) {
	now := s.now()
	if st.src.Status == ispm.SourceConnecting {
		if read {
			st.reads++
		}
		due := false
		if s.connectDelay > 0 {
			due = !now.Before(st.src.CreatedAt.Add(s.connectDelay))
		} else {
			due = st.reads >= s.connectReads
		}
		if due {
			s.connectLocked(st)
		}
		return
	}
	if s.healthInterval > 0 && st.src.Status == ispm.SourceConnected &&
		(st.src.Health == nil || !now.Before(st.src.Health.LastCheckedAt.Add(s.healthInterval))) {
		s.runHealthCheckLocked(st)
	}
}

func (s *Service) connectLocked(st *sourceState) {
	now := s.now().UTC()
	st.src.Status = ispm.SourceConnected
	st.src.ConnectedAt = now
	st.src.UpdatedAt = now
	s.runHealthCheckLocked(st)
}

// runHealthCheckLocked tests a source the way ISPM's daily test does and
// records the result. Reasons, most severe first:
//
//   - FAILED_AUTHENTICATION: the Okta org is no longer connected to ISPM.
//   - MISSING_PERMISSIONS: the org lost Lifecycle Management, or an
//     instance's provisioning was disabled (ISPM lost its API access).
//   - MISSING_CONFIGURATION: an instance was removed, deactivated, belongs
//     to another app, or lost "Import New Users" or "Import Groups".
func (s *Service) runHealthCheckLocked(st *sourceState) {
	if st.src.Status != ispm.SourceConnected {
		return
	}
	org := s.orgs[st.src.OktaOrgID]
	now := s.now().UTC()
	reason, messages := s.diagnoseLocked(org, st)
	h := &ispm.Health{Status: ispm.HealthConnected, LastCheckedAt: now}
	if reason != "" {
		h.Status = ispm.HealthFailed
		h.Reason = reason
		h.Message = strings.Join(messages, " ")
	}
	st.src.Health = h
}

func (s *Service) diagnoseLocked(org *orgState, st *sourceState) (ispm.HealthReason, []string) {
	orgUnmet := org.facts().unmet()
	if slices.Contains(orgUnmet, ispm.P1OrgConnected) {
		return ispm.ReasonFailedAuthentication, []string{"ISPM can no longer authenticate to the Okta org: its connection to ISPM is not active. Reconnect the org in the ISPM console."}
	}
	severity := map[ispm.HealthReason]int{ispm.ReasonMissingConfiguration: 1, ispm.ReasonMissingPermissions: 2}
	var reason ispm.HealthReason
	var messages []string
	fail := func(r ispm.HealthReason, msg string) {
		if severity[r] > severity[reason] {
			reason = r
		}
		messages = append(messages, msg)
	}
	if slices.Contains(orgUnmet, ispm.P2LifecycleManagement) {
		fail(ispm.ReasonMissingPermissions, "The Okta org no longer has Lifecycle Management, so ISPM cannot read provisioning data.")
	}
	byID := instancesByID(org.okta)
	for i, si := range st.src.Instances {
		in := byID[si.ID]
		if installed(in) {
			st.src.Instances[i].Label = in.Label
		}
		for _, p := range unmetPrerequisites(st.src.App, in) {
			fail(healthFinding(st.src.App, si, in, p))
		}
	}
	return reason, messages
}

// healthFinding words an unmet prerequisite of a source's instance si (in:
// what Okta has under its id) as a failed health test.
func healthFinding(app string, si ispm.SourceInstance, in *OktaInstance, p ispm.Prerequisite) (ispm.HealthReason, string) {
	switch p {
	case ispm.P3Installed:
		if !installed(in) {
			return ispm.ReasonMissingConfiguration, fmt.Sprintf("Instance %s (%s) was removed from Okta.", si.ID, si.Label)
		}
		return ispm.ReasonMissingConfiguration, fmt.Sprintf("Instance %s (%s) is no longer an instance of %q.", si.ID, in.Label, app)
	case ispm.P4Active:
		return ispm.ReasonMissingConfiguration, fmt.Sprintf("Instance %s (%s) was deactivated.", si.ID, in.Label)
	case ispm.P5Provisioning:
		return ispm.ReasonMissingPermissions, fmt.Sprintf("Provisioning was disabled for instance %s (%s), so ISPM lost its access to the app's data.", si.ID, in.Label)
	case ispm.P6ImportUsers:
		return ispm.ReasonMissingConfiguration, fmt.Sprintf("\"Import New Users and Profile Updates\" was turned off for instance %s (%s).", si.ID, in.Label)
	default: // ispm.P7ImportGroups
		return ispm.ReasonMissingConfiguration, fmt.Sprintf("\"Import Groups\" was turned off for instance %s (%s).", si.ID, in.Label)
	}
}
