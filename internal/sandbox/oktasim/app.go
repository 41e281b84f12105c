package oktasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Okta's timestamp form: UTC, milliseconds, "Z".
const oktaTime = "2006-01-02T15:04:05.000Z"

// orgURLToken stands for the org's URL in scenario objects, as Okta's own examples
// write it; replaced by the listener's URL when the org starts.
const orgURLToken = "https://{yourOktaDomain}"

var orgURLTokenBytes = []byte(orgURLToken)

// Connection statuses of GET /api/v1/apps/{id}/connections/default.
const (
	ConnectionEnabled  = "ENABLED"
	ConnectionDisabled = "DISABLED"
	ConnectionUnknown  = "UNKNOWN"
)

// App statuses.
const (
	StatusActive   = "ACTIVE"
	StatusInactive = "INACTIVE"
)

// InstanceState is what an app instance looks like to an administrator: the
// facts the ISPM simulator and tests read.
type InstanceState struct {
	ID string `json:"id"`
	// Name is the app's catalog key (slack, zoomus, or a custom app's
	// generated name).
	Name   string `json:"name"`
	Label  string `json:"label"`
	Status string `json:"status"`
	// Connection is the provisioning connection status: ENABLED, DISABLED,
	// or UNKNOWN for apps without a public provisioning connection API.
	Connection string `json:"connection"`
	// ProvisioningEnabled is true when the connection is ENABLED or, for
	// UNKNOWN connections, when the app's features show provisioning.
	ProvisioningEnabled bool `json:"provisioning_enabled"`
	// ImportNewUsers is the "Import New Users and Profile Updates" setting:
	// both IMPORT_NEW_USERS and IMPORT_PROFILE_UPDATES are in the features.
	ImportNewUsers bool `json:"import_new_users"`
	// ImportGroups is the "Import Groups" setting, which Okta's API hides:
	// true only when it is known to be selected.
	ImportGroups bool `json:"import_groups"`
	// ImportGroupsStated is false when nobody stated the setting: a
	// scenario app whose app_settings leave "import_groups" out, as for an
	// org loaded from recorded listings. ImportGroups is then false, and
	// the ISPM service, which reads the real setting, finds nothing wrong
	// with it (see README, app_settings).
	ImportGroupsStated bool `json:"import_groups_stated"`
	// AppGroups counts the APP_GROUP groups imported from the app.
	AppGroups int `json:"app_groups"`
	// LastUpdated is the app object's lastUpdated.
	LastUpdated time.Time `json:"last_updated"`
}

// appConfig is the part of an app an administrator changes: what an
// update plans (on a copy) and commits.
type appConfig struct {
	status, label, connStatus string
	// features is nil when the object has no "features" member.
	features []string
	// savedFeatures holds the provisioning features that disabling
	// provisioning removed, so enabling it again restores them.
	savedFeatures []string
	importGroups  importGroupsSetting
}

// importGroupsSetting is the hidden "Import Groups" setting as the sandbox
// knows it. Okta's API never shows it, so a scenario built from real
// listings cannot know it; "not stated" keeps that apart from "not
// selected" instead of guessing.
type importGroupsSetting uint8

const (
	importGroupsNotStated importGroupsSetting = iota
	importGroupsOff
	importGroupsOn
)

// knownImportGroups is the setting when it is known to be on or off.
func knownImportGroups(on bool) importGroupsSetting {
	if on {
		return importGroupsOn
	}
	return importGroupsOff
}

// clone copies c for planning a change to it.
func (c appConfig) clone() *appConfig {
	c.features, c.savedFeatures = slices.Clone(c.features), slices.Clone(c.savedFeatures)
	return &c
}

type app struct {
	appConfig
	seq         int64
	id          string
	name        string
	signOnMode  string
	created     string
	lastUpdated time.Time
	obj         *object
	body        []byte

	connObj *object
	// connRaw is the scenario's connection object as given, served byte for
	// byte (the org URL token aside) while the connection keeps the
	// scenario's status connRawStatus.
	connRaw       []byte
	connRawStatus string
	// featureObjs are ApplicationFeature objects from the scenario; nil
	// means they are derived from features.
	featureObjs           []*object
	provisioningSupported bool
}

// loadApp reads one raw Application object and checks the members the
// simulator relies on.
func loadApp(raw json.RawMessage) (*app, error) {
	obj, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	a := &app{obj: obj, provisioningSupported: true}
	var ok bool
	if a.id, ok, err = obj.str("id"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errors.New(`"id" is missing; every Okta app has one, like "0oa1b2c3d4e5f6g7h8i9"`)
	}
	if !appIDPattern.MatchString(a.id) {
		return nil, fmt.Errorf(`"id" is %q; Okta app ids are "0oa" and 17 letters or digits`, a.id)
	}
	if a.name, ok, err = obj.str("name"); err != nil {
		return nil, err
	} else if !ok || a.name == "" {
		return nil, errors.New(`"name" is missing; it is the app's catalog key, like "slack"`)
	}
	if a.label, ok, err = obj.str("label"); err != nil {
		return nil, err
	} else if !ok {
		return nil, errors.New(`"label" is missing`)
	}
	if a.status, _, err = obj.str("status"); err != nil {
		return nil, err
	}
	if a.status != StatusActive && a.status != StatusInactive {
		return nil, fmt.Errorf(`"status" is %q; an installed app is "ACTIVE" or "INACTIVE" (leave deleted apps out)`, a.status)
	}
	if a.signOnMode, _, err = obj.str("signOnMode"); err != nil {
		return nil, fmt.Errorf("%w (or null, as for directory apps)", err)
	}
	if a.created, _, err = obj.str("created"); err != nil {
		return nil, err
	}
	if lu, ok, err := obj.str("lastUpdated"); err != nil {
		return nil, err
	} else if ok {
		if a.lastUpdated, err = time.Parse(time.RFC3339, lu); err != nil {
			return nil, fmt.Errorf(`"lastUpdated" is %q; use Okta's form, like "2025-10-27T11:08:46.000Z"`, lu)
		}
	}
	if raw, ok := obj.get("features"); ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &a.features); err != nil {
			return nil, fmt.Errorf(`"features" must be an array of strings, not %s`, jsonKind(raw))
		}
		if a.features == nil {
			a.features = []string{}
		}
	}
	a.body = obj.marshal()
	return a, nil
}

// describeRaw names an app or group in an error by what can be read of it.
func describeRaw(raw json.RawMessage, fields ...string) string {
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	var parts []string
	for _, f := range fields {
		if s, ok := m[f].(string); ok && s != "" {
			parts = append(parts, fmt.Sprintf("%s %q", f, s))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func (o *Org) insertApp(a *app) {
	o.nextSeq++
	a.seq = o.nextSeq
	o.apps = append(o.apps, a)
	o.appsByID[a.id] = a
}

// installedApp finds the app instance with id. Caller holds o.mu.
func (o *Org) installedApp(id string) (*app, error) {
	a := o.appsByID[id]
	if a == nil {
		return nil, newStateError(ErrNotFound, "app %q is not installed in Okta org %q", id, o.name)
	}
	return a, nil
}

// localize points the org URL token of an object at this org. Caller
// holds o.mu (or owns obj exclusively).
func (o *Org) localize(obj *object) {
	if o.url == "" {
		return
	}
	for i, v := range obj.vals {
		if bytes.Contains(v, orgURLTokenBytes) {
			obj.vals[i] = bytes.ReplaceAll(v, orgURLTokenBytes, []byte(o.url))
		}
	}
}

// localizeAll runs when the listener's URL becomes known. Caller holds o.mu.
func (o *Org) localizeAll() {
	for _, a := range o.apps {
		o.localize(a.obj)
		a.body = a.obj.marshal()
		if a.connObj != nil {
			o.localize(a.connObj)
		}
		for _, f := range a.featureObjs {
			o.localize(f)
		}
	}
	for _, g := range o.groups {
		o.localize(g.obj)
		g.body = g.obj.marshal()
		_ = json.Unmarshal(g.body, &g.doc)
	}
}

func (o *Org) stateOf(a *app) InstanceState {
	return InstanceState{
		ID:                  a.id,
		Name:                a.name,
		Label:               a.label,
		Status:              a.status,
		Connection:          a.connStatus,
		ProvisioningEnabled: a.provisioningEnabled(),
		ImportNewUsers:      a.importNewUsers(),
		ImportGroups:        a.importGroups == importGroupsOn,
		ImportGroupsStated:  a.importGroups != importGroupsNotStated,
		AppGroups:           o.groupCount[a.id],
		LastUpdated:         a.lastUpdated,
	}
}

// Instances returns every app instance of the org, in listing order.
func (o *Org) Instances() []InstanceState {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]InstanceState, 0, len(o.apps))
	for _, a := range o.apps {
		out = append(out, o.stateOf(a))
	}
	return out
}

// Instance returns one app instance.
func (o *Org) Instance(id string) (InstanceState, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	a := o.appsByID[id]
	if a == nil {
		return InstanceState{}, false
	}
	return o.stateOf(a), true
}

// App returns the app object exactly as GET /api/v1/apps/{id} serves it.
func (o *Org) App(id string) (json.RawMessage, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	a := o.appsByID[id]
	if a == nil {
		return nil, false
	}
	return slices.Clone(a.body), true
}
