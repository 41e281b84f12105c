package ispmsim

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// The API's sources: an app connected to ISPM, one per org and app.

func (s *Service) listSources(c *call) {
	q := c.r.URL.Query()
	orgID, app := q.Get("okta_org_id"), q.Get("app")
	status, health := ispm.SourceStatus(q.Get("status")), ispm.HealthStatus(q.Get("health"))
	if !c.validOrgFilter(orgID) {
		return
	}
	switch {
	case app != "" && !keyPattern.MatchString(app):
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("app %q is malformed", app), nil)
		return
	case status != "" && status != ispm.SourceConnecting && status != ispm.SourceConnected:
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("status %q is not CONNECTING or CONNECTED", status), nil)
		return
	case health != "" && health != ispm.HealthConnected && health != ispm.HealthFailed:
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("health %q is not CONNECTED or FAILED", health), nil)
		return
	}
	filters := strings.Join([]string{"sources", orgID, app, string(status), string(health)}, "|")
	offset, limit, ok := c.page(filters)
	if !ok {
		return
	}
	s.mu.Lock()
	var out []ispm.Source
	for _, st := range s.sources {
		if (orgID != "" && st.src.OktaOrgID != orgID) || (app != "" && st.src.App != app) {
			continue
		}
		s.touchLocked(st, true)
		if status != "" && st.src.Status != status {
			continue
		}
		if health != "" && (st.src.Health == nil || st.src.Health.Status != health) {
			continue
		}
		out = append(out, cloneSource(st.src))
	}
	s.mu.Unlock()
	sortSources(out)
	writeJSON(c.w, http.StatusOK, paginate(out, offset, limit, filters))
}

// sourceLocked finds the source of the path, answering 404 when there is
// none.
func (s *Service) sourceLocked(c *call) (*sourceState, bool) {
	st, ok := s.sources[c.sourceID]
	if !ok {
		c.problem(http.StatusNotFound, ispm.ProblemNotFound,
			fmt.Sprintf("no source has the id %q; it may have been deleted in the ISPM console", c.sourceID), nil)
	}
	return st, ok
}

func (s *Service) getSource(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.sourceLocked(c); ok {
		s.touchLocked(st, true)
		writeJSON(c.w, http.StatusOK, st.src)
	}
}

// decode reads a JSON request body strictly into dst.
func (c *call) decode(dst any) bool {
	mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		c.problem(http.StatusUnsupportedMediaType, ispm.ProblemUnsupportedMediaType,
			fmt.Sprintf("the body must be application/json, not %q", c.r.Header.Get("Content-Type")), nil)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.w, c.r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.problem(http.StatusRequestEntityTooLarge, ispm.ProblemPayloadTooLarge,
				fmt.Sprintf("the body is larger than %d bytes", maxRequestBody), nil)
			return false
		}
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("the body is not valid JSON for this request: %v", err), nil)
		return false
	}
	if dec.More() {
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, "the body has data after its JSON object", nil)
		return false
	}
	return true
}

// checkInstanceIDs validates an instance_ids member's shape.
func checkInstanceIDs(ids []string) []ispm.InstanceProblem {
	var problems []ispm.InstanceProblem
	if len(ids) == 0 || len(ids) > maxInstances {
		problems = append(problems, ispm.InstanceProblem{Field: "instance_ids",
			Detail: fmt.Sprintf("give 1 to %d instance ids, not %d", maxInstances, len(ids))})
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !idPattern.MatchString(id) {
			problems = append(problems, ispm.InstanceProblem{Field: "instance_ids", Detail: fmt.Sprintf("instance id %q is malformed", id)})
		} else if seen[id] {
			problems = append(problems, ispm.InstanceProblem{Field: "instance_ids", Detail: fmt.Sprintf("instance id %s is listed twice", id)})
		}
		seen[id] = true
	}
	return problems
}

func checkDisplayName(name *string) []ispm.InstanceProblem {
	if name != nil && (len(*name) == 0 || len(*name) > 200) {
		return []ispm.InstanceProblem{{Field: "display_name", Detail: "display_name must be 1 to 200 characters"}}
	}
	return nil
}

// badFields answers 400 for a body that does not fit the contract; it
// reports whether there was anything to answer.
func (c *call) badFields(problems []ispm.InstanceProblem) bool {
	if len(problems) == 0 {
		return false
	}
	c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, "the request body does not fit the contract",
		func(p *ispm.Problem) { p.Errors = problems })
	return true
}

// prerequisitesUnmet answers 422 listing the unmet prerequisites; it
// reports whether there were any.
func (c *call) prerequisitesUnmet(problems []ispm.InstanceProblem, detail string) bool {
	if len(problems) == 0 {
		return false
	}
	c.problem(http.StatusUnprocessableEntity, ispm.ProblemPrerequisitesUnmet, detail,
		func(p *ispm.Problem) { p.Errors = problems })
	return true
}

// invalidReference answers 422 for a body naming an org or app ISPM does
// not know.
func (c *call) invalidReference(detail string, why ispm.InstanceProblem) {
	c.problem(http.StatusUnprocessableEntity, ispm.ProblemInvalidReference, detail,
		func(p *ispm.Problem) { p.Errors = []ispm.InstanceProblem{why} })
}

type createBody struct {
	OktaOrgID   string   `json:"okta_org_id"`
	App         string   `json:"app"`
	InstanceIDs []string `json:"instance_ids"`
	DisplayName *string  `json:"display_name"`
}

func (body *createBody) problems() []ispm.InstanceProblem {
	var bad []ispm.InstanceProblem
	if !idPattern.MatchString(body.OktaOrgID) {
		bad = append(bad, ispm.InstanceProblem{Field: "okta_org_id", Detail: fmt.Sprintf("okta_org_id %q is missing or malformed", body.OktaOrgID)})
	}
	if !keyPattern.MatchString(body.App) {
		bad = append(bad, ispm.InstanceProblem{Field: "app", Detail: fmt.Sprintf("app %q is missing or malformed", body.App)})
	}
	bad = append(bad, checkInstanceIDs(body.InstanceIDs)...)
	return append(bad, checkDisplayName(body.DisplayName)...)
}

func (s *Service) createSource(c *call, body *createBody) {
	sorted := slices.Sorted(slices.Values(body.InstanceIDs))
	fp := fingerprint(append([]string{body.OktaOrgID, body.App, cmp.Or(ptrString(body.DisplayName), "\x00")}, sorted...)...)
	k := idemKey{http.MethodPost, "/api/v1/sources", c.idemKey}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replayLocked(c, k, fp) {
		return
	}
	org, ok := s.orgs[body.OktaOrgID]
	if !ok {
		c.invalidReference(fmt.Sprintf("no Okta org with id %q is connected to ISPM", body.OktaOrgID),
			ispm.InstanceProblem{Field: "okta_org_id", Prerequisite: ispm.P1OrgConnected,
				Detail: fmt.Sprintf("Okta org %q is not connected to ISPM; connect it in the ISPM console first", body.OktaOrgID)})
		return
	}
	entry, ok := s.catalog[body.App]
	if !ok {
		c.invalidReference(fmt.Sprintf("app %q is not in the ISPM Sources Gallery", body.App),
			ispm.InstanceProblem{Field: "app", Detail: fmt.Sprintf("app %q is not in the Sources Gallery; list the supported apps with GET /api/v1/catalog", body.App)})
		return
	}
	if existing := s.sourceForLocked(org.id, body.App); existing != nil {
		id := existing.src.ID
		c.problem(http.StatusConflict, ispm.ProblemSourceExists,
			fmt.Sprintf("Okta org %s already has source %s for app %q; ISPM allows one source per org and app, so change that source's instances instead", org.id, id, body.App),
			func(p *ispm.Problem) { p.ExistingSourceID = id })
		return
	}
	instances, problems := s.checkInstancesLocked(org, body.App, body.InstanceIDs)
	// ISPM read the app from Okta just now: the gallery shows what it saw.
	s.refreshAppLocked(org, body.App)
	if c.prerequisitesUnmet(problems, fmt.Sprintf("%d prerequisite(s) of connecting %q in Okta org %s are not met", len(problems), body.App, org.id)) {
		return
	}
	st := s.newSourceLocked(org, entry, instances, ptrString(body.DisplayName))
	if s.connectDelay == 0 && s.connectReads == 0 {
		s.connectLocked(st)
	}
	b, _ := json.Marshal(st.src)
	location := "/api/v1/sources/" + st.src.ID
	s.storeIdemLocked(k, idemEntry{fingerprint: fp, status: http.StatusCreated, body: b, location: location, sourceID: st.src.ID})
	c.w.Header().Set("Location", location)
	writeBody(c.w, http.StatusCreated, b)
}

func ptrString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type updateBody struct {
	InstanceIDs []string `json:"instance_ids"`
	DisplayName *string  `json:"display_name"`
}

func (body *updateBody) problems() []ispm.InstanceProblem {
	var bad []ispm.InstanceProblem
	if body.InstanceIDs == nil && body.DisplayName == nil {
		bad = append(bad, ispm.InstanceProblem{Detail: "give instance_ids, display_name or both"})
	}
	if body.InstanceIDs != nil {
		bad = append(bad, checkInstanceIDs(body.InstanceIDs)...)
	}
	return append(bad, checkDisplayName(body.DisplayName)...)
}

func (s *Service) updateSource(c *call, body *updateBody) {
	parts := []string{c.sourceID, cmp.Or(ptrString(body.DisplayName), "\x00")}
	if body.InstanceIDs != nil {
		parts = append(parts, slices.Sorted(slices.Values(body.InstanceIDs))...)
	}
	fp := fingerprint(parts...)
	k := idemKey{http.MethodPatch, "/api/v1/sources/" + c.sourceID, c.idemKey}

	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sourceLocked(c)
	if !ok {
		return
	}
	if c.idemKey != "" && s.replayLocked(c, k, fp) {
		return
	}
	s.touchLocked(st, false)
	if body.InstanceIDs != nil && !s.setInstancesLocked(c, st, body.InstanceIDs) {
		return
	}
	if body.DisplayName != nil {
		st.src.DisplayName = *body.DisplayName
	}
	st.src.UpdatedAt = s.now().UTC()
	if body.InstanceIDs != nil {
		s.runHealthCheckLocked(st)
	}
	b, _ := json.Marshal(st.src)
	s.storeIdemLocked(k, idemEntry{fingerprint: fp, status: http.StatusOK, body: b, sourceID: st.src.ID})
	writeBody(c.w, http.StatusOK, b)
}

// setInstancesLocked replaces a source's instances, checking the
// prerequisites of the added ones; it answers 422 and reports false when
// some are unmet.
func (s *Service) setInstancesLocked(c *call, st *sourceState, ids []string) bool {
	org := s.orgs[st.src.OktaOrgID]
	var added []string
	for _, iid := range ids {
		if !slices.ContainsFunc(st.src.Instances, func(x ispm.SourceInstance) bool { return x.ID == iid }) {
			added = append(added, iid)
		}
	}
	if len(added) > 0 {
		_, problems := s.checkInstancesLocked(org, st.src.App, added)
		s.refreshAppLocked(org, st.src.App)
		if c.prerequisitesUnmet(problems, fmt.Sprintf("%d prerequisite(s) of the added instances are not met", len(problems))) {
			return false
		}
	}
	labels := map[string]string{}
	for _, in := range st.src.Instances {
		labels[in.ID] = in.Label
	}
	for _, in := range org.okta.Instances() {
		labels[in.ID] = in.Label
	}
	instances := make([]ispm.SourceInstance, len(ids))
	for i, iid := range ids {
		instances[i] = ispm.SourceInstance{ID: iid, Label: cmp.Or(labels[iid], iid)}
	}
	st.src.Instances = instances
	return true
}

func (s *Service) deleteSource(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sourceLocked(c); ok {
		delete(s.sources, c.sourceID)
		c.w.WriteHeader(http.StatusNoContent)
	}
}
