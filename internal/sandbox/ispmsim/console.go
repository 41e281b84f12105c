package ispmsim

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// The Go API, for tests and the control API: what an ISPM admin does in the
// console, without counting as API requests.

// Orgs returns the orgs ISPM knows, sorted by id.
func (s *Service) Orgs() []ispm.Org {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orgListLocked()
}

func (s *Service) orgListLocked() []ispm.Org {
	out := make([]ispm.Org, 0, len(s.orgs))
	for _, o := range s.orgs {
		out = append(out, o.view())
	}
	slices.SortFunc(out, func(a, b ispm.Org) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (o *orgState) view() ispm.Org {
	return ispm.Org{ID: o.id, Domain: o.okta.Domain(), DisplayName: o.displayName, ConnectionState: o.state, ConnectedAt: o.connectedAt}
}

// SetOrgConnectionState connects or disconnects an org (as revoking ISPM's
// access in Okta would). Sources of a disconnected org fail their next
// health test with FAILED_AUTHENTICATION.
func (s *Service) SetOrgConnectionState(orgID string, state ispm.OrgConnectionState) error {
	if state != ispm.OrgConnected && state != ispm.OrgDisconnected {
		return fmt.Errorf("connection state %q is not CONNECTED or DISCONNECTED", state)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return fmt.Errorf("no org has the id %q", orgID)
	}
	if org.state != state && state == ispm.OrgConnected {
		org.connectedAt = s.now().UTC()
	}
	org.state = state
	return nil
}

// Refresh recomputes the cached gallery status of every app in orgID, or
// in every org when orgID is empty.
func (s *Service) Refresh(orgID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if orgID == "" {
		for _, o := range s.orgs {
			s.refreshOrgLocked(o)
		}
		return nil
	}
	org, ok := s.orgs[orgID]
	if !ok {
		return fmt.Errorf("no org has the id %q", orgID)
	}
	s.refreshOrgLocked(org)
	return nil
}

// AppStatus returns what the API would show for app in orgID, without
// counting as a request.
func (s *Service) AppStatus(orgID, app string) (ispm.AppStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return ispm.AppStatus{}, fmt.Errorf("no org has the id %q", orgID)
	}
	if _, ok := s.catalog[app]; !ok {
		return ispm.AppStatus{}, fmt.Errorf("app %q is not in the catalog", app)
	}
	return s.appStatusLocked(org, app), nil
}

// Sources returns every source as it is now, sorted by creation time then
// id. Reading them here does not advance them.
func (s *Service) Sources() []ispm.Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ispm.Source, 0, len(s.sources))
	for _, st := range s.sources {
		out = append(out, cloneSource(st.src))
	}
	sortSources(out)
	return out
}

// Source returns one source.
func (s *Service) Source(id string) (ispm.Source, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[id]
	if !ok {
		return ispm.Source{}, false
	}
	return cloneSource(st.src), true
}

// ConsoleCreate connects a source as an admin would in the console: the
// same checks as the API (one per org and app, prerequisites), no
// idempotency key, and CONNECTED at once.
func (s *Service) ConsoleCreate(orgID, app string, instanceIDs []string, displayName string) (ispm.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return ispm.Source{}, fmt.Errorf("no org has the id %q", orgID)
	}
	entry, ok := s.catalog[app]
	if !ok {
		return ispm.Source{}, fmt.Errorf("app %q is not in the catalog", app)
	}
	if existing := s.sourceForLocked(orgID, app); existing != nil {
		return ispm.Source{}, fmt.Errorf("org %s already has source %s for %q", orgID, existing.src.ID, app)
	}
	if len(instanceIDs) == 0 {
		return ispm.Source{}, errors.New("a source needs at least one instance")
	}
	instances, problems := s.checkInstancesLocked(org, app, instanceIDs)
	s.refreshAppLocked(org, app)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.String()
		}
		return ispm.Source{}, fmt.Errorf("the console refuses the connection: %s", strings.Join(msgs, " "))
	}
	st := s.newSourceLocked(org, entry, instances, displayName)
	s.connectLocked(st)
	return cloneSource(st.src), nil
}

func (s *Service) newSourceLocked(org *orgState, entry ispm.CatalogEntry, instances []ispm.SourceInstance, displayName string) *sourceState {
	now := s.now().UTC()
	st := &sourceState{src: ispm.Source{
		ID: s.newSourceIDLocked(), OktaOrgID: org.id, App: entry.Key,
		DisplayName: cmp.Or(displayName, entry.DisplayName), PoweredBy: entry.PoweredBy,
		Instances: instances, Status: ispm.SourceConnecting, CreatedAt: now, UpdatedAt: now,
	}}
	s.sources[st.src.ID] = st
	return st
}

// SourceEdit is an out-of-band change to a source, as an admin makes it in
// the console. Nil fields are left alone; no prerequisite is checked.
type SourceEdit struct {
	// InstanceIDs replaces the instance set; labels are read from Okta
	// where the instance exists.
	InstanceIDs []string           `json:"instance_ids,omitempty"`
	DisplayName *string            `json:"display_name,omitempty"`
	Status      *ispm.SourceStatus `json:"status,omitempty"`
}

// EditSource changes a source out of band.
func (s *Service) EditSource(id string, edit SourceEdit) (ispm.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[id]
	if !ok {
		return ispm.Source{}, fmt.Errorf("no source has the id %q", id)
	}
	if edit.InstanceIDs != nil {
		if len(edit.InstanceIDs) == 0 {
			return ispm.Source{}, errors.New("a source needs at least one instance; delete it instead")
		}
		labels := map[string]string{}
		if org := s.orgs[st.src.OktaOrgID]; org != nil {
			for _, in := range org.okta.Instances() {
				labels[in.ID] = in.Label
			}
		}
		var instances []ispm.SourceInstance
		for _, iid := range edit.InstanceIDs {
			if !idPattern.MatchString(iid) {
				return ispm.Source{}, fmt.Errorf("instance id %q is malformed", iid)
			}
			instances = append(instances, ispm.SourceInstance{ID: iid, Label: cmp.Or(labels[iid], iid)})
		}
		st.src.Instances = instances
	}
	if edit.DisplayName != nil {
		st.src.DisplayName = *edit.DisplayName
	}
	if edit.Status != nil {
		switch *edit.Status {
		case ispm.SourceConnected:
			if st.src.Status != ispm.SourceConnected {
				s.connectLocked(st)
			}
		case ispm.SourceConnecting:
			st.src.Status = ispm.SourceConnecting
			st.src.ConnectedAt = time.Time{}
			st.src.Health = nil
			st.reads = 0
		default:
			return ispm.Source{}, fmt.Errorf("status %q is not CONNECTING or CONNECTED", *edit.Status)
		}
	}
	st.src.UpdatedAt = s.now().UTC()
	return cloneSource(st.src), nil
}

// DeleteSource removes a source out of band; false when there is none.
func (s *Service) DeleteSource(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sources[id]; !ok {
		return false
	}
	delete(s.sources, id)
	return true
}

// SetHealth sets a source's health as if ISPM's test had found it; the
// next test (on demand or on the interval) replaces it.
func (s *Service) SetHealth(id string, h ispm.Health) (ispm.Source, error) {
	if h.Status != ispm.HealthConnected && h.Status != ispm.HealthFailed {
		return ispm.Source{}, fmt.Errorf("health status %q is not CONNECTED or FAILED", h.Status)
	}
	if h.Status == ispm.HealthFailed && h.Reason == "" {
		return ispm.Source{}, errors.New("a FAILED health needs a reason: FAILED_AUTHENTICATION, MISSING_PERMISSIONS or MISSING_CONFIGURATION")
	}
	if h.Status == ispm.HealthConnected {
		h.Reason = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[id]
	if !ok {
		return ispm.Source{}, fmt.Errorf("no source has the id %q", id)
	}
	if h.LastCheckedAt.IsZero() {
		h.LastCheckedAt = s.now().UTC()
	}
	st.src.Health = &h
	return cloneSource(st.src), nil
}

// RunHealthChecks tests the health of the source id, or of every connected
// source when id is empty, and returns the tested sources.
func (s *Service) RunHealthChecks(id string) ([]ispm.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ispm.Source
	for _, st := range s.sources {
		if id != "" && st.src.ID != id {
			continue
		}
		s.runHealthCheckLocked(st)
		out = append(out, cloneSource(st.src))
	}
	if id != "" && len(out) == 0 {
		return nil, fmt.Errorf("no source has the id %q", id)
	}
	sortSources(out)
	return out, nil
}

func cloneSource(src ispm.Source) ispm.Source {
	src.Instances = slices.Clone(src.Instances)
	if src.Health != nil {
		h := *src.Health
		src.Health = &h
	}
	return src
}

func sortSources(list []ispm.Source) {
	slices.SortFunc(list, func(a, b ispm.Source) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
