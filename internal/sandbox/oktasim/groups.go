package oktasim

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

type group struct {
	seq       int64
	id        string
	typ       string
	sourceApp string
	obj       *object
	body      []byte
	doc       map[string]any
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

// dropGroupsFrom forgets the groups added since there were n, as a failed
// install undoes the groups of its settings. Caller holds o.mu.
func (o *Org) dropGroupsFrom(n int) {
	for _, g := range o.groups[n:] {
		o.deleteGroup(g)
		delete(o.groupSeq, g.id)
	}
	o.groups = o.groups[:n]
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
	a, err := o.installedApp(appID)
	if err != nil {
		return nil, err
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
	if _, err := o.installedApp(appID); err != nil {
		return nil, err
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
