package ispmsim

import (
	"slices"
	"sync"
	"time"
)

// OktaOrg is what ISPM sees of an Okta org it is connected to. The sandbox's
// Okta simulator implements it (through a small adapter), so the ISPM side
// follows every change made to the Okta side. Methods are called with the
// service's lock held and must not call back into the Service.
type OktaOrg interface {
	// Domain is the org URL's host (with port), e.g. 127.0.0.1:53011.
	Domain() string
	// LifecycleManagement reports whether the org has Okta Lifecycle
	// Management (provisioning).
	LifecycleManagement() bool
	// Instances returns every app instance installed in the org.
	Instances() []OktaInstance
}

// OktaInstance is one app instance as ISPM reads it from Okta, including
// the "Import Groups" setting that Okta's public API does not expose.
type OktaInstance struct {
	ID string
	// Name is the app's catalog key (slack, or a custom app's generated
	// name).
	Name   string
	Label  string
	Status string // ACTIVE, INACTIVE
	// ProvisioningEnabled is the provisioning connection being on (P5).
	ProvisioningEnabled bool
	// ImportNewUsers is "Import New Users and Profile Updates" (P6).
	ImportNewUsers bool
	// ImportGroups is "Import Groups" (P7) as ISPM reads it. ISPM always
	// gets an answer; the sandbox's adapter gives true for a scenario app
	// whose setting the scenario does not state.
	ImportGroups bool
	LastUpdated  time.Time
}

// Eligible reports whether the instance meets P3–P7 (P1 and P2 are about
// the org).
func (i OktaInstance) Eligible() bool {
	return len(unmetPrerequisites(i.Name, &i)) == 0
}

// StaticOrg is an in-memory OktaOrg for tests and for running the ISPM
// service without the Okta simulator. It is safe for concurrent use.
type StaticOrg struct {
	mu        sync.Mutex
	domain    string
	lcm       bool
	instances []OktaInstance
}

var _ OktaOrg = (*StaticOrg)(nil)

// NewStaticOrg returns an org with the given domain and instances.
func NewStaticOrg(domain string, lifecycleManagement bool, instances ...OktaInstance) *StaticOrg {
	return &StaticOrg{domain: domain, lcm: lifecycleManagement, instances: slices.Clone(instances)}
}

// Domain implements OktaOrg.
func (o *StaticOrg) Domain() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.domain
}

// LifecycleManagement implements OktaOrg.
func (o *StaticOrg) LifecycleManagement() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.lcm
}

// Instances implements OktaOrg.
func (o *StaticOrg) Instances() []OktaInstance {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.instances)
}

// SetLifecycleManagement turns the org's Lifecycle Management on or off.
func (o *StaticOrg) SetLifecycleManagement(on bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lcm = on
}

// PutInstance installs an instance or replaces the one with the same id.
func (o *StaticOrg) PutInstance(in OktaInstance) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range o.instances {
		if o.instances[i].ID == in.ID {
			o.instances[i] = in
			return
		}
	}
	o.instances = append(o.instances, in)
}

// UpdateInstance applies change to the instance with id; false when there
// is none.
func (o *StaticOrg) UpdateInstance(id string, change func(*OktaInstance)) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range o.instances {
		if o.instances[i].ID == id {
			change(&o.instances[i])
			return true
		}
	}
	return false
}

// RemoveInstance uninstalls the instance with id; false when there is none.
func (o *StaticOrg) RemoveInstance(id string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range o.instances {
		if o.instances[i].ID == id {
			o.instances = slices.Delete(o.instances, i, i+1)
			return true
		}
	}
	return false
}
