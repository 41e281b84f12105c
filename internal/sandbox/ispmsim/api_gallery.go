package ispmsim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// The API's orgs and Sources Gallery: what ISPM knows of the connected Okta
// orgs and of each app in them.

// orgForLocked finds the org with id; when connected is set, a disconnected
// org is a 409.
func (s *Service) orgForLocked(c *call, id string, connected bool) (*orgState, bool) {
	org, ok := s.orgs[id]
	if !ok {
		c.problem(http.StatusNotFound, ispm.ProblemNotFound,
			fmt.Sprintf("no Okta org with id %q is connected to ISPM; list the connected orgs with GET /api/v1/okta-orgs", id), nil)
		return nil, false
	}
	if connected && org.state != ispm.OrgConnected {
		c.problem(http.StatusConflict, ispm.ProblemOrgNotConnected,
			fmt.Sprintf("Okta org %s (%s) is %s in ISPM, so its apps cannot be read; reconnect it in the ISPM console", org.id, org.okta.Domain(), org.state), nil)
		return nil, false
	}
	return org, true
}

// appNotInGallery answers 404 for an app key the catalog does not have.
func (c *call) appNotInGallery(app string) {
	c.problem(http.StatusNotFound, ispm.ProblemNotFound,
		fmt.Sprintf("app %q is not in the ISPM Sources Gallery; list it with GET /api/v1/catalog", app), nil)
}

func (s *Service) listOrgs(c *call) {
	domain := ispm.NormalizeDomain(c.r.URL.Query().Get("domain"))
	offset, limit, ok := c.page("orgs|" + domain)
	if !ok {
		return
	}
	s.mu.Lock()
	orgs := s.orgListLocked()
	s.mu.Unlock()
	if domain != "" {
		orgs = slices.DeleteFunc(orgs, func(o ispm.Org) bool { return ispm.NormalizeDomain(o.Domain) != domain })
	}
	writeJSON(c.w, http.StatusOK, paginate(orgs, offset, limit, "orgs|"+domain))
}

func (s *Service) getOrg(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if org, ok := s.orgForLocked(c, c.orgID, false); ok {
		writeJSON(c.w, http.StatusOK, org.view())
	}
}

func (s *Service) refreshOrg(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if org, ok := s.orgForLocked(c, c.orgID, true); ok {
		n := s.refreshOrgLocked(org)
		writeJSON(c.w, http.StatusOK, ispm.OrgRefresh{OktaOrgID: org.id, RefreshedAt: s.now().UTC(), Apps: n})
	}
}

// appForLocked finds the connected org and the gallery app of the path.
func (s *Service) appForLocked(c *call) (*orgState, bool) {
	org, ok := s.orgForLocked(c, c.orgID, true)
	if !ok {
		return nil, false
	}
	if _, ok := s.catalog[c.app]; !ok {
		c.appNotInGallery(c.app)
		return nil, false
	}
	return org, true
}

func (s *Service) getAppStatus(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if org, ok := s.appForLocked(c); ok {
		writeJSON(c.w, http.StatusOK, s.appStatusLocked(org, c.app))
	}
}

func (s *Service) refreshApp(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if org, ok := s.appForLocked(c); ok {
		s.refreshAppLocked(org, c.app)
		writeJSON(c.w, http.StatusOK, s.appStatusLocked(org, c.app))
	}
}

func (s *Service) listCatalog(c *call) {
	q := c.r.URL.Query()
	poweredBy := ispm.PoweredBy(q.Get("powered_by"))
	status := ispm.GalleryStatus(q.Get("status"))
	orgID := q.Get("okta_org_id")
	category, text := q.Get("category"), q.Get("q")
	switch {
	case poweredBy != "" && poweredBy != ispm.PoweredByOIN && poweredBy != ispm.PoweredByCustom:
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("powered_by %q is not OIN or CUSTOM", poweredBy), nil)
		return
	case status != "" && !slices.Contains([]ispm.GalleryStatus{ispm.StatusNotIntegrated, ispm.StatusProvisioningDisabled, ispm.StatusAvailable, ispm.StatusConnected}, status):
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest,
			fmt.Sprintf("status %q is not NOT_INTEGRATED, PROVISIONING_DISABLED, AVAILABLE or CONNECTED", status), nil)
		return
	case status != "" && orgID == "":
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, "status filters by an org's app status, so it needs okta_org_id", nil)
		return
	}
	if !c.validOrgFilter(orgID) {
		return
	}
	filters := strings.Join([]string{"catalog", string(poweredBy), string(status), orgID, category, text}, "|")
	offset, limit, ok := c.page(filters)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var org *orgState
	if orgID != "" {
		if org, ok = s.orgForLocked(c, orgID, true); !ok {
			return
		}
	}
	var out []ispm.CatalogEntry
	for _, e := range s.sortedCatalogLocked() {
		if poweredBy != "" && e.PoweredBy != poweredBy {
			continue
		}
		if category != "" && !slices.ContainsFunc(e.Categories, func(c string) bool { return strings.EqualFold(c, category) }) {
			continue
		}
		if text != "" && !strings.Contains(strings.ToLower(e.Key+"\x00"+e.DisplayName), strings.ToLower(text)) {
			continue
		}
		if org != nil {
			st := s.appStatusLocked(org, e.Key)
			if status != "" && st.Status != status {
				continue
			}
			e.OrgStatus = &st
		}
		out = append(out, e)
	}
	writeJSON(c.w, http.StatusOK, paginate(out, offset, limit, filters))
}

// validOrgFilter checks an okta_org_id query parameter; empty is no filter.
func (c *call) validOrgFilter(orgID string) bool {
	if orgID != "" && !idPattern.MatchString(orgID) {
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, fmt.Sprintf("okta_org_id %q is malformed", orgID), nil)
		return false
	}
	return true
}

func (s *Service) sortedCatalogLocked() []ispm.CatalogEntry {
	out := make([]ispm.CatalogEntry, 0, len(s.catalog))
	for _, e := range s.catalog {
		e.Categories = slices.Clone(e.Categories)
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b ispm.CatalogEntry) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func (s *Service) getCatalogEntry(c *call) {
	orgID := c.r.URL.Query().Get("okta_org_id")
	if !c.validOrgFilter(orgID) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.catalog[c.app]
	if !ok {
		c.appNotInGallery(c.app)
		return
	}
	e.Categories = slices.Clone(e.Categories)
	if orgID != "" {
		org, ok := s.orgForLocked(c, orgID, true)
		if !ok {
			return
		}
		st := s.appStatusLocked(org, c.app)
		e.OrgStatus = &st
	}
	writeJSON(c.w, http.StatusOK, e)
}
