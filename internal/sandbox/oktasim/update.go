package oktasim

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// AppUpdate is an administrator's change to an app instance; nil fields are
// left alone.
type AppUpdate struct {
	// Status is "ACTIVE" or "INACTIVE" (activate or deactivate the instance).
	Status *string `json:"status,omitempty"`
	Label  *string `json:"label,omitempty"`
	// Provisioning enables or disables provisioning (the API integration).
	Provisioning *bool `json:"provisioning,omitempty"`
	// ImportNewUsers toggles "Import New Users and Profile Updates".
	ImportNewUsers *bool `json:"import_new_users,omitempty"`
	// ImportGroups toggles the hidden "Import Groups" setting; after it the
	// setting is stated, whatever it was before.
	ImportGroups *bool `json:"import_groups,omitempty"`
}

// UpdateApp applies an administrator's change and bumps the app's
// lastUpdated, as Okta does for every change to an app. The change is all or
// nothing.
func (o *Org) UpdateApp(id string, u AppUpdate) (InstanceState, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, err := o.installedApp(id)
	if err != nil {
		return InstanceState{}, err
	}
	next, err := o.planUpdate(a, u)
	if err != nil {
		return InstanceState{}, err
	}
	if next != nil {
		o.commit(a, next)
	}
	return o.stateOf(a), nil
}

// planUpdate works out what u makes of a's configuration, without changing
// a; nil when nothing changes.
func (o *Org) planUpdate(a *app, u AppUpdate) (*appConfig, error) {
	c := a.clone()
	if u.Status != nil {
		if *u.Status != StatusActive && *u.Status != StatusInactive {
			return nil, newStateError(ErrInvalid, `status %q is not one an admin can set; use "ACTIVE" or "INACTIVE"`, *u.Status)
		}
		c.status = *u.Status
	}
	if u.Label != nil {
		if strings.TrimSpace(*u.Label) == "" {
			return nil, newStateError(ErrInvalid, "label must not be empty")
		}
		c.label = *u.Label
	}
	if u.Provisioning != nil {
		if *u.Provisioning && !a.provisioningSupported {
			return nil, newStateError(ErrConflict, "app %q (%s) does not support provisioning", a.id, a.name)
		}
		setProvisioning(a, c, *u.Provisioning)
	}
	provisioning := c.provisioningEnabled()
	if u.ImportNewUsers != nil {
		if *u.ImportNewUsers && !provisioning {
			return nil, newStateError(ErrConflict, "app %q (%s) has provisioning disabled; enable provisioning before turning on imports", a.id, a.name)
		}
		c.features = slices.DeleteFunc(c.features, func(f string) bool {
			return f == featureImportNewUsers || f == featureImportProfileUpdates
		})
		if *u.ImportNewUsers {
			c.features = append(c.features, featureImportNewUsers, featureImportProfileUpdates)
		}
	}
	if u.ImportGroups != nil {
		if *u.ImportGroups && !provisioning {
			return nil, newStateError(ErrConflict, "app %q (%s) has provisioning disabled; enable provisioning before turning on Import Groups", a.id, a.name)
		}
		c.importGroups = knownImportGroups(*u.ImportGroups)
	}
	if c.status == a.status && c.label == a.label && c.connStatus == a.connStatus &&
		slices.Equal(c.features, a.features) && c.importGroups == a.importGroups {
		return nil, nil
	}
	return c, nil
}

// commit writes a planned change into the app and its raw object. Caller
// holds o.mu.
func (o *Org) commit(a *app, c *appConfig) {
	if c.status != a.status {
		a.obj.set("status", mustJSON(c.status))
		o.setLifecycleLink(a, c.status)
	}
	if c.label != a.label {
		a.obj.set("label", mustJSON(c.label))
	}
	if !slices.Equal(c.features, a.features) {
		f := c.features
		if f == nil {
			f = []string{}
		}
		a.obj.set("features", mustJSON(f))
		a.features = f
	}
	a.status, a.label, a.connStatus = c.status, c.label, c.connStatus
	a.savedFeatures, a.importGroups = c.savedFeatures, c.importGroups
	o.touch(a)
}

// touch bumps lastUpdated. Okta's timestamps have whole seconds; the
// simulator keeps them strictly increasing so that a client comparing
// lastUpdated always sees a change, even two in the same second.
func (o *Org) touch(a *app) {
	now := o.now().UTC().Truncate(time.Second)
	if !now.After(a.lastUpdated) {
		now = a.lastUpdated.Add(time.Second).Truncate(time.Second)
	}
	a.lastUpdated = now
	a.obj.set("lastUpdated", mustJSON(now.Format(oktaTime)))
	a.body = a.obj.marshal()
}

// setLifecycleLink swaps the app's "deactivate" link for "activate" and back,
// keeping the host its links already use.
func (o *Org) setLifecycleLink(a *app, status string) {
	want, other := "deactivate", "activate"
	if status == StatusInactive {
		want, other = "activate", "deactivate"
	}
	raw, ok := a.obj.get("_links")
	if !ok {
		return
	}
	links, err := parseObject(raw)
	if err != nil {
		return
	}
	href := orgURLToken + "/api/v1/apps/" + a.id + "/lifecycle/" + want
	if old, ok := links.get(other); ok {
		var l struct {
			Href string `json:"href"`
		}
		if json.Unmarshal(old, &l) == nil && strings.HasSuffix(l.Href, "/lifecycle/"+other) {
			href = strings.TrimSuffix(l.Href, other) + want
		}
		links.rename(other, want)
	}
	links.set(want, mustJSON(map[string]string{"href": href}))
	o.localize(links)
	a.obj.set("_links", links.marshal())
}

// Activate sets an app instance ACTIVE.
func (o *Org) Activate(id string) error {
	s := StatusActive
	_, err := o.UpdateApp(id, AppUpdate{Status: &s})
	return err
}

// Deactivate sets an app instance INACTIVE.
func (o *Org) Deactivate(id string) error {
	s := StatusInactive
	_, err := o.UpdateApp(id, AppUpdate{Status: &s})
	return err
}

// SetProvisioning enables or disables provisioning of an app instance.
func (o *Org) SetProvisioning(id string, on bool) error {
	_, err := o.UpdateApp(id, AppUpdate{Provisioning: &on})
	return err
}

// SetImportNewUsers toggles "Import New Users and Profile Updates".
func (o *Org) SetImportNewUsers(id string, on bool) error {
	_, err := o.UpdateApp(id, AppUpdate{ImportNewUsers: &on})
	return err
}

// SetImportGroups toggles the hidden "Import Groups" setting.
func (o *Org) SetImportGroups(id string, on bool) error {
	_, err := o.UpdateApp(id, AppUpdate{ImportGroups: &on})
	return err
}
