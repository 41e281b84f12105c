package ispmsim

import (
	"slices"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// computeAppLocked reads app's instances from Okta and judges each one.
func (s *Service) computeAppLocked(org *orgState, app string) *appCache {
	// The gallery shows the app as ISPM read it from Okta: ISPM's own
	// connection to the org (P1) is no part of it.
	facts := orgFacts{connected: true, lcm: org.okta.LifecycleManagement()}
	c := &appCache{instances: []ispm.Instance{}, refreshedAt: s.now().UTC()}
	anyEligible := false
	for _, in := range org.okta.Instances() {
		judged := unmetPrerequisites(app, &in)
		if slices.Contains(judged, ispm.P3Installed) {
			continue // not an installed instance of app
		}
		unmet := append(facts.unmet(), judged...)
		c.instances = append(c.instances, ispm.Instance{
			ID: in.ID, Label: in.Label, Status: in.Status, Eligible: len(unmet) == 0, UnmetPrerequisites: unmet,
		})
		anyEligible = anyEligible || len(unmet) == 0
	}
	slices.SortFunc(c.instances, func(a, b ispm.Instance) int { return strings.Compare(a.ID, b.ID) })
	switch {
	case len(c.instances) == 0:
		c.status = ispm.StatusNotIntegrated
	case anyEligible:
		c.status = ispm.StatusAvailable
	default:
		c.status = ispm.StatusProvisioningDisabled
	}
	return c
}

func (s *Service) refreshAppLocked(org *orgState, app string) {
	s.cache[appKey{org.id, app}] = s.computeAppLocked(org, app)
}

func (s *Service) refreshOrgLocked(org *orgState) int {
	for key := range s.catalog {
		s.refreshAppLocked(org, key)
	}
	return len(s.catalog)
}

// appStatusLocked is the status the API shows: the cache, overlaid with
// CONNECTED when a source exists.
func (s *Service) appStatusLocked(org *orgState, app string) ispm.AppStatus {
	c, ok := s.cache[appKey{org.id, app}]
	if !ok {
		// A catalog entry added after the last sync is read on first use.
		s.refreshAppLocked(org, app)
		c = s.cache[appKey{org.id, app}]
	}
	st := ispm.AppStatus{
		OktaOrgID: org.id, App: app, Status: c.status, RefreshedAt: c.refreshedAt,
		Instances: make([]ispm.Instance, len(c.instances)),
	}
	for i, in := range c.instances {
		in.UnmetPrerequisites = slices.Clone(in.UnmetPrerequisites)
		st.Instances[i] = in
	}
	if src := s.sourceForLocked(org.id, app); src != nil {
		st.Status = ispm.StatusConnected
		st.SourceID = src.src.ID
	}
	return st
}

func (s *Service) sourceForLocked(orgID, app string) *sourceState {
	for _, src := range s.sources {
		if src.src.OktaOrgID == orgID && src.src.App == app {
			return src
		}
	}
	return nil
}
