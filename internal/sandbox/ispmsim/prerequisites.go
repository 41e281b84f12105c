package ispmsim

import (
	"fmt"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// This file is the one place the prerequisites of connecting an app are
// judged: orgFacts.unmet for the org's (P1, P2) and unmetPrerequisites for
// an instance's (P3 to P7). The gallery status, source creation and the
// health test each word the verdict their own way.

// orgFacts are the org's side of the prerequisites, as ISPM reads them.
type orgFacts struct {
	connected bool // P1: the org is connected to ISPM
	lcm       bool // P2: the org has Lifecycle Management
}

// facts reads the org's side of the prerequisites; an org ISPM does not
// know meets neither.
func (o *orgState) facts() orgFacts {
	if o == nil {
		return orgFacts{}
	}
	return orgFacts{connected: o.state == ispm.OrgConnected, lcm: o.okta.LifecycleManagement()}
}

// unmet returns the org's unmet prerequisites, in order. They are the same
// for each of its instances.
func (f orgFacts) unmet() []ispm.Prerequisite {
	unmet := []ispm.Prerequisite{}
	if !f.connected {
		unmet = append(unmet, ispm.P1OrgConnected)
	}
	if !f.lcm {
		unmet = append(unmet, ispm.P2LifecycleManagement)
	}
	return unmet
}

// installed reports whether in is an instance installed in Okta; nil stands
// for no instance at all.
func installed(in *OktaInstance) bool { return in != nil && in.Status != "DELETED" }

// unmetPrerequisites judges an instance against the prerequisites of
// connecting it as a source of app, P3 to P7, and returns the unmet ones in
// order. in is nil when Okta has no instance with the id. One that is not
// installed, or is an instance of another app, fails P3 and is judged no
// further.
func unmetPrerequisites(app string, in *OktaInstance) []ispm.Prerequisite {
	if !installed(in) || in.Name != app {
		return []ispm.Prerequisite{ispm.P3Installed}
	}
	unmet := []ispm.Prerequisite{}
	if in.Status != "ACTIVE" {
		unmet = append(unmet, ispm.P4Active)
	}
	if !in.ProvisioningEnabled {
		unmet = append(unmet, ispm.P5Provisioning)
	}
	if !in.ImportNewUsers {
		unmet = append(unmet, ispm.P6ImportUsers)
	}
	if !in.ImportGroups {
		unmet = append(unmet, ispm.P7ImportGroups)
	}
	return unmet
}

// instancesByID indexes the instances Okta has, deleted ones included.
func instancesByID(org OktaOrg) map[string]*OktaInstance {
	all := org.Instances()
	byID := make(map[string]*OktaInstance, len(all))
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	return byID
}

// checkInstancesLocked checks instance ids of app in org live against Okta,
// as ISPM does when connecting. It returns the instances (with labels) and
// every unmet prerequisite of each.
func (s *Service) checkInstancesLocked(org *orgState, app string, ids []string) ([]ispm.SourceInstance, []ispm.InstanceProblem) {
	var problems []ispm.InstanceProblem
	for _, p := range org.facts().unmet() {
		problems = append(problems, orgProblem(org, p))
	}
	byID := instancesByID(org.okta)
	instances := make([]ispm.SourceInstance, 0, len(ids))
	for _, id := range ids {
		in := byID[id]
		if installed(in) {
			instances = append(instances, ispm.SourceInstance{ID: in.ID, Label: in.Label})
		}
		for _, p := range unmetPrerequisites(app, in) {
			problems = append(problems, instanceProblem(org, app, id, in, p))
		}
	}
	return instances, problems
}

// orgProblem words an unmet prerequisite of the org (P1 or P2) for a
// refused connection.
func orgProblem(org *orgState, p ispm.Prerequisite) ispm.InstanceProblem {
	detail := fmt.Sprintf("Okta org %s has no Lifecycle Management subscription, which app provisioning needs", org.okta.Domain())
	if p == ispm.P1OrgConnected {
		detail = fmt.Sprintf("Okta org %s (%s) is %s in ISPM; reconnect it in the ISPM console", org.id, org.okta.Domain(), org.state)
	}
	return ispm.InstanceProblem{Prerequisite: p, Field: "okta_org_id", Detail: detail}
}

// instanceProblem words an unmet prerequisite of instance id (in: what Okta
// has under the id) for a refused connection.
func instanceProblem(org *orgState, app, id string, in *OktaInstance, p ispm.Prerequisite) ispm.InstanceProblem {
	var detail string
	switch p {
	case ispm.P3Installed:
		if !installed(in) {
			detail = fmt.Sprintf("no app instance with id %s is installed in Okta org %s", id, org.okta.Domain())
		} else {
			detail = fmt.Sprintf("instance %s (%s) is an instance of %q, not of %q", id, in.Label, in.Name, app)
		}
	case ispm.P4Active:
		detail = fmt.Sprintf("instance %s (%s) is %s; activate it in the Okta Admin Console", id, in.Label, in.Status)
	case ispm.P5Provisioning:
		detail = fmt.Sprintf("provisioning is not enabled for instance %s (%s); enable it on the app's Provisioning tab", id, in.Label)
	case ispm.P6ImportUsers:
		detail = fmt.Sprintf("\"Import New Users and Profile Updates\" is not selected for instance %s (%s); select it under Provisioning, To Okta", id, in.Label)
	case ispm.P7ImportGroups:
		detail = fmt.Sprintf("\"Import Groups\" is not selected for instance %s (%s); select it under Provisioning, To Okta", id, in.Label)
	}
	return ispm.InstanceProblem{InstanceID: id, Prerequisite: p, Detail: detail}
}
