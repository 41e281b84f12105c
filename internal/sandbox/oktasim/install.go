package oktasim

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// NewApp describes an app instance an administrator installs.
type NewApp struct {
	// App is a complete Application object, installed as given (its id is
	// generated when missing). The short form below is used otherwise.
	App json.RawMessage `json:"app,omitempty"`
	// Name is the catalog key (required in the short form).
	Name string `json:"name,omitempty"`
	// Label defaults to the catalog's label.
	Label string `json:"label,omitempty"`
	// SignOnMode defaults to the catalog's, or SAML_2_0.
	SignOnMode string `json:"sign_on_mode,omitempty"`
	// Status defaults to ACTIVE.
	Status         string `json:"status,omitempty"`
	Provisioning   bool   `json:"provisioning,omitempty"`
	ImportNewUsers bool   `json:"import_new_users,omitempty"`
	ImportGroups   bool   `json:"import_groups,omitempty"`
	// Settings sets hidden state as a scenario's app_settings entry does,
	// but for "import_groups": an instance installed now is one the sandbox
	// made, so its setting is known. Left out, it is selected when Settings
	// gives groups (they were imported) and not selected otherwise, as for a
	// new instance in Okta; ImportGroups above turns it on.
	Settings *AppSettings `json:"settings,omitempty"`
}

// Install adds an app instance, as an administrator adding an app from the
// catalog does.
func (o *Org) Install(n NewApp) (InstanceState, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	raw := n.App
	if len(raw) > 0 {
		if n.Name != "" || n.Label != "" || n.SignOnMode != "" || n.Status != "" {
			return InstanceState{}, newStateError(ErrInvalid, "give either a complete app object or name, label, sign_on_mode and status, not both")
		}
		obj, err := parseObject(raw)
		if err != nil {
			return InstanceState{}, newStateError(ErrInvalid, "app: %v", err)
		}
		if _, ok := obj.get("id"); !ok {
			obj.keys = append([]string{"id"}, obj.keys...)
			obj.vals = append([]json.RawMessage{mustJSON(o.newAppID())}, obj.vals...)
		}
		raw = obj.marshal()
	} else {
		if n.Name == "" {
			return InstanceState{}, newStateError(ErrInvalid, `"name" is required: the app's catalog key, like "slack"`)
		}
		status := n.Status
		if status == "" {
			status = StatusActive
		}
		now := o.now().UTC().Truncate(time.Second)
		raw = buildApp(appTemplate{
			orgID: o.orgID, id: o.newAppID(), name: n.Name, label: n.Label, signOnMode: n.SignOnMode,
			status: status, created: now, features: []string{},
		})
	}
	a, err := loadApp(raw)
	if err != nil {
		return InstanceState{}, newStateError(ErrInvalid, "app: %v", err)
	}
	if o.appsByID[a.id] != nil {
		return InstanceState{}, newStateError(ErrConflict, "app id %q is already installed in Okta org %q", a.id, o.name)
	}
	var s AppSettings
	if n.Settings != nil {
		s = *n.Settings
	}
	groupsBefore := len(o.groups)
	if err := o.applySettings(a, s); err != nil {
		o.dropGroupsFrom(groupsBefore)
		return InstanceState{}, newStateError(ErrInvalid, "settings: %v", err)
	}
	if s.ImportGroups == nil {
		a.importGroups = knownImportGroups(len(s.Groups) > 0)
	}
	o.localize(a.obj)
	a.body = a.obj.marshal()
	if n.Provisioning || n.ImportNewUsers || n.ImportGroups {
		on := true
		u := AppUpdate{}
		if n.Provisioning {
			u.Provisioning = &on
		}
		if n.ImportNewUsers {
			u.ImportNewUsers = &on
		}
		if n.ImportGroups {
			u.ImportGroups = &on
		}
		c, err := o.planUpdate(a, u)
		if err != nil {
			o.dropGroupsFrom(groupsBefore)
			return InstanceState{}, err
		}
		if c != nil {
			a.appConfig = *c
			a.obj.set("features", mustJSON(c.features))
			a.body = a.obj.marshal()
		}
	}
	o.insertApp(a)
	return o.stateOf(a), nil
}

// newAppID derives the next unused app id. Caller holds o.mu.
func (o *Org) newAppID() string {
	for {
		o.installed++
		id := deterministicID("0oa", o.name, "installed", fmt.Sprint(o.installed))
		if o.appsByID[id] == nil {
			return id
		}
	}
}

// Remove deletes an app instance and the groups imported from it.
func (o *Org) Remove(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	a, err := o.installedApp(id)
	if err != nil {
		return err
	}
	delete(o.appsByID, id)
	o.apps = slices.DeleteFunc(o.apps, func(x *app) bool { return x == a })
	o.groups = slices.DeleteFunc(o.groups, func(g *group) bool {
		if g.sourceApp == id {
			o.deleteGroup(g)
			return true
		}
		return false
	})
	delete(o.groupCount, id)
	return nil
}
