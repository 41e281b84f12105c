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

// Errors of out-of-band changes, for errors.Is: the control API answers 404,
// 409 and 400 for them.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflicts with the current state")
	ErrInvalid  = errors.New("invalid change")
)

type stateError struct {
	kind error
	msg  string
}

func (e *stateError) Error() string        { return e.msg }
func (e *stateError) Is(target error) bool { return target == e.kind }

func newStateError(kind error, format string, args ...any) error {
	return &stateError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

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
	// ImportGroups is the "Import Groups" setting, which Okta's API hides.
	ImportGroups bool `json:"import_groups"`
	// AppGroups counts the APP_GROUP groups imported from the app.
	AppGroups int `json:"app_groups"`
	// LastUpdated is the app object's lastUpdated.
	LastUpdated time.Time `json:"last_updated"`
}

type app struct {
	seq        int64
	id         string
	name       string
	label      string
	status     string
	signOnMode string
	created    string
	// features is nil when the object has no "features" member.
	features    []string
	lastUpdated time.Time
	obj         *object
	body        []byte

	connStatus string
	connObj    *object
	// featureObjs are ApplicationFeature objects from the scenario; nil
	// means they are derived from features.
	featureObjs           []*object
	importGroups          bool
	provisioningSupported bool
	// savedFeatures holds the provisioning features that disabling
	// provisioning removed, so enabling it again restores them.
	savedFeatures []string
}

func (a *app) has(f string) bool { return slices.Contains(a.features, f) }

func (a *app) provisioningEnabled() bool {
	switch a.connStatus {
	case ConnectionEnabled:
		return true
	case ConnectionUnknown:
		return slices.ContainsFunc(a.features, isProvisioningFeature)
	}
	return false
}

func (a *app) importNewUsers() bool {
	return a.has(featureImportNewUsers) && a.has(featureImportProfileUpdates)
}

type group struct {
	seq       int64
	id        string
	typ       string
	sourceApp string
	obj       *object
	body      []byte
	doc       map[string]any
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

// applySettings sets the hidden state of an app from its scenario settings,
// deriving what they leave out.
func (o *Org) applySettings(a *app, s AppSettings) error {
	if s.ProvisioningSupported != nil {
		a.provisioningSupported = *s.ProvisioningSupported
	}
	a.connStatus = ConnectionUnknown
	if connectionScheme(a.name) != "" {
		a.connStatus = ConnectionDisabled
		if slices.ContainsFunc(a.features, isProvisioningFeature) {
			a.connStatus = ConnectionEnabled
		}
	}
	if len(s.Connection) > 0 {
		switch jsonKind(s.Connection) {
		case "a string":
			var st string
			_ = json.Unmarshal(s.Connection, &st)
			if !validConnectionStatus(st) {
				return fmt.Errorf(`connection is %q; use "ENABLED", "DISABLED" or "UNKNOWN", or a connection object`, st)
			}
			a.connStatus = st
		case "an object":
			obj, err := parseObject(s.Connection)
			if err != nil {
				return fmt.Errorf("connection: %w", err)
			}
			st, _, err := obj.str("status")
			if err != nil {
				return fmt.Errorf("connection: %w", err)
			}
			if !validConnectionStatus(st) {
				return fmt.Errorf(`connection: "status" is %q; use "ENABLED", "DISABLED" or "UNKNOWN"`, st)
			}
			a.connStatus, a.connObj = st, obj
		default:
			return fmt.Errorf("connection must be a status string or a connection object, not %s", jsonKind(s.Connection))
		}
	}
	if a.connStatus != ConnectionUnknown && !a.provisioningSupported {
		return errors.New("provisioning_supported is false but the connection is " + a.connStatus + "; an app that cannot provision has an UNKNOWN connection")
	}
	for i, raw := range s.Features {
		obj, err := parseObject(raw)
		if err != nil {
			return fmt.Errorf("features[%d]: %w", i, err)
		}
		if name, _, err := obj.str("name"); err != nil || name == "" {
			return fmt.Errorf(`features[%d]: "name" is missing; use USER_PROVISIONING or INBOUND_PROVISIONING`, i)
		}
		a.featureObjs = append(a.featureObjs, obj)
	}
	for i, raw := range s.Groups {
		if _, err := o.addAppGroup(a, raw, i); err != nil {
			return fmt.Errorf("groups[%d]%s: %w", i, describeRaw(raw, "id"), err)
		}
	}
	a.importGroups = len(s.Groups) > 0
	if s.ImportGroups != nil {
		a.importGroups = *s.ImportGroups
	}
	return nil
}

func validConnectionStatus(s string) bool {
	return s == ConnectionEnabled || s == ConnectionDisabled || s == ConnectionUnknown
}

// addAppGroup fills the members Okta always sends and adds an APP_GROUP group
// imported from a. Caller holds o.mu.
func (o *Org) addAppGroup(a *app, raw json.RawMessage, n int) (*group, error) {
	obj, err := parseObject(raw)
	if err != nil {
		return nil, err
	}
	var profile struct {
		Name string `json:"name"`
	}
	praw, ok := obj.get("profile")
	if !ok || json.Unmarshal(praw, &profile) != nil || profile.Name == "" {
		return nil, errors.New(`"profile" with a "name" is required, like {"profile": {"name": "Engineering"}}`)
	}
	if t, ok, err := obj.str("type"); err != nil {
		return nil, err
	} else if ok && t != "APP_GROUP" {
		return nil, fmt.Errorf(`"type" is %q; groups imported from an app are "APP_GROUP" (list other groups under the org's "groups")`, t)
	}
	created := a.created
	if created == "" {
		created = o.now().UTC().Format(oktaTime)
	}
	id, _, err := obj.str("id")
	if err != nil {
		return nil, err
	}
	if id == "" {
		for k := n; ; k++ {
			id = deterministicID("00g", o.name, a.id, profile.Name, fmt.Sprint(k))
			if o.groupsByID[id] == nil {
				break
			}
		}
	}
	full := &object{}
	full.set("id", mustJSON(id))
	for _, f := range []struct{ key, val string }{{"created", created}, {"lastUpdated", created}, {"lastMembershipUpdated", created}} {
		full.set(f.key, mustJSON(f.val))
	}
	full.set("objectClass", mustJSON([]string{"okta:app_group"}))
	full.set("type", mustJSON("APP_GROUP"))
	full.set("profile", praw)
	full.set("_links", mustJSON(map[string]any{
		"logo": []map[string]string{
			{"name": "medium", "href": orgURLToken + "/img/logos/groups/" + a.name + "-medium.png", "type": "image/png"},
			{"name": "large", "href": orgURLToken + "/img/logos/groups/" + a.name + "-large.png", "type": "image/png"},
		},
		"source": map[string]string{"href": orgURLToken + "/api/v1/apps/" + a.id},
		"users":  map[string]string{"href": orgURLToken + "/api/v1/groups/" + id + "/users"},
		"apps":   map[string]string{"href": orgURLToken + "/api/v1/groups/" + id + "/apps"},
	}))
	// Members the scenario gives win over the filled-in ones.
	for i, k := range obj.keys {
		full.set(k, obj.vals[i])
	}
	g, err := o.newGroup(full)
	if err != nil {
		return nil, err
	}
	g.sourceApp = a.id
	o.insertGroup(g)
	return g, nil
}

// newGroup checks a complete Group object. Caller holds o.mu.
func (o *Org) newGroup(obj *object) (*group, error) {
	id, _, err := obj.str("id")
	if err != nil {
		return nil, err
	}
	if !groupIDPattern.MatchString(id) {
		return nil, fmt.Errorf(`"id" is %q; Okta group ids are "00g" and 17 letters or digits`, id)
	}
	if o.groupsByID[id] != nil {
		return nil, fmt.Errorf("group id %q is used twice", id)
	}
	typ, _, err := obj.str("type")
	if err != nil {
		return nil, err
	}
	switch typ {
	case "OKTA_GROUP", "APP_GROUP", "BUILT_IN":
	default:
		return nil, fmt.Errorf(`"type" is %q; use "OKTA_GROUP", "APP_GROUP" or "BUILT_IN"`, typ)
	}
	o.localize(obj)
	g := &group{id: id, typ: typ, obj: obj, body: obj.marshal()}
	if err := json.Unmarshal(g.body, &g.doc); err != nil {
		return nil, err
	}
	if typ == "APP_GROUP" {
		g.sourceApp = sourceAppID(g.doc)
	}
	return g, nil
}

// sourceAppID reads source.id from an APP_GROUP's _links.source.href.
func sourceAppID(doc map[string]any) string {
	links, _ := doc["_links"].(map[string]any)
	src, _ := links["source"].(map[string]any)
	href, _ := src["href"].(string)
	if i := strings.LastIndex(href, "/"); i >= 0 {
		return href[i+1:]
	}
	return ""
}

func (o *Org) insertGroup(g *group) {
	o.nextSeq++
	g.seq = o.nextSeq
	o.groups = append(o.groups, g)
	o.groupsByID[g.id] = g
	o.groupSeq[g.id] = g.seq
	if g.sourceApp != "" {
		o.groupCount[g.sourceApp]++
	}
}

// deleteGroup forgets a group, keeping its position for pagination cursors.
// Caller holds o.mu and removes g from o.groups.
func (o *Org) deleteGroup(g *group) {
	delete(o.groupsByID, g.id)
	if g.sourceApp != "" {
		o.groupCount[g.sourceApp]--
	}
}

func (o *Org) insertApp(a *app) {
	o.nextSeq++
	a.seq = o.nextSeq
	o.apps = append(o.apps, a)
	o.appsByID[a.id] = a
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
		ImportGroups:        a.importGroups,
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
	// ImportGroups toggles the hidden "Import Groups" setting.
	ImportGroups *bool `json:"import_groups,omitempty"`
}

// UpdateApp applies an administrator's change and bumps the app's
// lastUpdated, as Okta does for every change to an app. The change is all or
// nothing.
func (o *Org) UpdateApp(id string, u AppUpdate) (InstanceState, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	a := o.appsByID[id]
	if a == nil {
		return InstanceState{}, newStateError(ErrNotFound, "app %q is not installed in Okta org %q", id, o.name)
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

// appChange is the part of an app an update rewrites.
type appChange struct {
	status, label, connStatus string
	features                  []string
	savedFeatures             []string
	importGroups              bool
}

func (o *Org) planUpdate(a *app, u AppUpdate) (*appChange, error) {
	c := &appChange{
		status: a.status, label: a.label, connStatus: a.connStatus,
		features: slices.Clone(a.features), savedFeatures: slices.Clone(a.savedFeatures), importGroups: a.importGroups,
	}
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
	provisioning := c.connStatus == ConnectionEnabled ||
		(c.connStatus == ConnectionUnknown && slices.ContainsFunc(c.features, isProvisioningFeature))
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
		c.importGroups = *u.ImportGroups
	}
	if c.status == a.status && c.label == a.label && c.connStatus == a.connStatus &&
		slices.Equal(c.features, a.features) && c.importGroups == a.importGroups {
		return nil, nil
	}
	return c, nil
}

func setProvisioning(a *app, c *appChange, on bool) {
	enabled := c.connStatus == ConnectionEnabled ||
		(c.connStatus == ConnectionUnknown && slices.ContainsFunc(c.features, isProvisioningFeature))
	if on == enabled {
		return
	}
	if c.connStatus != ConnectionUnknown {
		c.connStatus = ConnectionDisabled
		if on {
			c.connStatus = ConnectionEnabled
		}
	}
	if !on {
		c.savedFeatures = nil
		kept := c.features[:0:0]
		for _, f := range c.features {
			if removedWithProvisioning(f) {
				c.savedFeatures = append(c.savedFeatures, f)
			} else {
				kept = append(kept, f)
			}
		}
		if c.features != nil {
			c.features = kept
		}
		return
	}
	restore := c.savedFeatures
	if len(restore) == 0 {
		restore = slices.Clone(defaultPushFeatures)
		if _, inCatalog := catalog[a.name]; !inCatalog {
			restore = append([]string{"SCIM_PROVISIONING"}, restore...)
		}
	}
	for _, f := range restore {
		if !slices.Contains(c.features, f) {
			c.features = append(c.features, f)
		}
	}
	c.savedFeatures = nil
}

// commit writes a planned change into the app and its raw object. Caller
// holds o.mu.
func (o *Org) commit(a *app, c *appChange) {
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
	// Settings sets hidden state as a scenario's app_settings entry does.
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
			a.status, a.label, a.connStatus = c.status, c.label, c.connStatus
			a.features, a.savedFeatures, a.importGroups = c.features, c.savedFeatures, c.importGroups
			a.obj.set("features", mustJSON(c.features))
			a.body = a.obj.marshal()
		}
	}
	o.insertApp(a)
	return o.stateOf(a), nil
}

func (o *Org) dropGroupsFrom(n int) {
	for _, g := range o.groups[n:] {
		o.deleteGroup(g)
		delete(o.groupSeq, g.id)
	}
	o.groups = o.groups[:n]
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
	a := o.appsByID[id]
	if a == nil {
		return newStateError(ErrNotFound, "app %q is not installed in Okta org %q", id, o.name)
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

// NewGroup describes an APP_GROUP group imported from an app: a name and
// description, or a (partial) Group object.
type NewGroup struct {
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Group       json.RawMessage `json:"group,omitempty"`
}

// AddAppGroup adds a group as an import from the app would, and returns the
// Group object GET /api/v1/groups serves for it.
func (o *Org) AddAppGroup(appID string, ng NewGroup) (json.RawMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	a := o.appsByID[appID]
	if a == nil {
		return nil, newStateError(ErrNotFound, "app %q is not installed in Okta org %q", appID, o.name)
	}
	raw := ng.Group
	switch {
	case len(raw) > 0 && (ng.Name != "" || ng.Description != ""):
		return nil, newStateError(ErrInvalid, "give either a group object or a name and description, not both")
	case len(raw) == 0:
		if strings.TrimSpace(ng.Name) == "" {
			return nil, newStateError(ErrInvalid, `"name" is required`)
		}
		profile := map[string]string{"name": ng.Name, "description": ng.Description}
		raw = mustJSON(map[string]any{"profile": profile})
	}
	g, err := o.addAppGroup(a, raw, len(o.groups))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, err
		}
		return nil, newStateError(ErrInvalid, "group: %v", err)
	}
	return slices.Clone(g.body), nil
}

// AppGroups returns the groups imported from an app, as Okta serves them.
func (o *Org) AppGroups(appID string) ([]json.RawMessage, error) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.appsByID[appID] == nil {
		return nil, newStateError(ErrNotFound, "app %q is not installed in Okta org %q", appID, o.name)
	}
	out := []json.RawMessage{}
	for _, g := range o.groups {
		if g.sourceApp == appID {
			out = append(out, slices.Clone(g.body))
		}
	}
	return out, nil
}

// RemoveGroup deletes a group.
func (o *Org) RemoveGroup(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	g := o.groupsByID[id]
	if g == nil {
		return newStateError(ErrNotFound, "group %q does not exist in Okta org %q", id, o.name)
	}
	o.deleteGroup(g)
	o.groups = slices.DeleteFunc(o.groups, func(x *group) bool { return x == g })
	return nil
}

// LifecycleManagement reports whether the org subscribes to Lifecycle Management.
func (o *Org) LifecycleManagement() bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.lcm
}

// SetLifecycleManagement adds or removes the Lifecycle Management product.
func (o *Org) SetLifecycleManagement(on bool) {
	o.mu.Lock()
	o.lcm = on
	o.mu.Unlock()
}
