package oktasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Page sizes: the apps listing defaults to and caps at 200; groups follow
// Okta's published maximum of 10000.
const (
	appsPageSize   = 200
	groupsPageSize = 10000
)

// authorize checks the Authorization header as Okta does: no credentials is
// an invalid session, an unknown token is an invalid token, and a token
// without the endpoint's scope is denied.
func (o *Org) authorize(w http.ResponseWriter, r *http.Request, rt route) *apiError {
	header := r.Header.Get("Authorization")
	scheme, cred, _ := strings.Cut(header, " ")
	cred = strings.TrimSpace(cred)
	switch {
	case header == "":
		return errInvalidSession()
	case strings.EqualFold(scheme, "SSWS"):
		t, ok := o.tokens[cred]
		if !ok || cred == "" {
			return errInvalidToken()
		}
		if t.Scopes != nil && !hasAnyScope(t.Scopes, rt.scopes) {
			return errAccessDenied()
		}
		return nil
	case strings.EqualFold(scheme, "Bearer"):
		at, ok := o.oauth.lookup(cred, o.now())
		if !ok {
			o.bearerChallenge(w, r, rt, "invalid_token", "The access token is invalid or has expired.")
			return errInvalidToken()
		}
		if !hasAnyScope(at.scopes, rt.scopes) {
			o.bearerChallenge(w, r, rt, "insufficient_scope", "The access token provided does not contain the required scopes.")
			return errAccessDenied()
		}
		return nil
	}
	return errInvalidToken()
}

// bearerChallenge sets the WWW-Authenticate header Okta sends to bearer
// callers. okta-sdk-golang/v2 reads its error_description, so the
// description must not contain ", ".
func (o *Org) bearerChallenge(w http.ResponseWriter, r *http.Request, rt route, code, desc string) {
	scope := ""
	if len(rt.scopes) > 0 {
		scope = rt.scopes[0]
	}
	o.mu.RLock()
	base := o.url
	o.mu.RUnlock()
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(
		`Bearer authorization_uri="%s/oauth2/v1/authorize", realm="%s", scope="%s", error="%s", error_description="%s", resource="%s"`,
		base, base, scope, code, desc, r.URL.Path))
}

func hasAnyScope(have, want []string) bool {
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

// parseLimit reads "limit": absent or not positive means the default,
// above the maximum means the maximum.
func parseLimit(v string, max int) (int, *apiError) {
	if v == "" {
		return max, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errValidation("limit", "limit must be a whole number.")
	}
	if n <= 0 || n > max {
		return max, nil
	}
	return n, nil
}

// writePage writes a page with Okta's Link headers: rel="self" and, when
// more results follow, rel="next", as two separate header values.
func (o *Org) writePage(w http.ResponseWriter, r *http.Request, base string, items [][]byte, next string) {
	q := r.URL.Query()
	// Okta's self link is the request as sent: its query keeps the order
	// and encoding the client chose. The next link is Okta's own (opaque).
	self := base + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if next != "" {
		q.Set("after", next)
		w.Header().Add("Link", "<"+base+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteByte(']')
	writeJSON(w, http.StatusOK, b.Bytes())
}

func (o *Org) listApps(w http.ResponseWriter, r *http.Request, _ route) {
	q := r.URL.Query()
	limit, e := parseLimit(q.Get("limit"), appsPageSize)
	if e != nil {
		o.writeError(w, e)
		return
	}
	var filter expr
	if f := q.Get("filter"); f != "" {
		var err error
		if filter, err = parseExpr(f, appFilterRules); err != nil {
			o.writeError(w, searchError(err))
			return
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			o.writeError(w, errValidation("after", "after must be a cursor from a next link."))
			return
		}
		after = n
	}

	// Bodies are replaced, never modified, on change: the page can be written
	// after the lock is released.
	o.mu.RLock()
	base := o.url
	var items [][]byte
	var last *app
	next := ""
	for _, a := range o.apps {
		if a.seq <= after {
			continue
		}
		if prefix != "" && !strings.HasPrefix(strings.ToLower(a.name), prefix) && !strings.HasPrefix(strings.ToLower(a.label), prefix) {
			continue
		}
		if filter != nil && !filter.eval(a.attr) {
			continue
		}
		if len(items) == limit {
			next = strconv.FormatInt(last.seq, 10)
			break
		}
		items = append(items, a.body)
		last = a
	}
	o.mu.RUnlock()
	o.writePage(w, r, base, items, next)
}

// attr resolves a filter attribute of an app.
func (a *app) attr(name string) (string, bool) {
	switch name {
	case "id":
		return a.id, true
	case "name":
		return a.name, true
	case "status":
		return a.status, true
	}
	var doc map[string]any
	if json.Unmarshal(a.body, &doc) != nil {
		return "", false
	}
	return lookupPath(doc, name)
}

// lookupPath reads a dotted attribute from a decoded JSON object, rendering
// scalars as filter expressions compare them.
func lookupPath(doc map[string]any, path string) (string, bool) {
	var cur any = doc
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[p]; !ok {
			return "", false
		}
	}
	switch v := cur.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

func searchError(err error) *apiError {
	if errors.Is(err, errSyntax) {
		return errInvalidSearch("Invalid search syntax.")
	}
	return errInvalidSearch()
}

func (o *Org) getApp(w http.ResponseWriter, _ *http.Request, rt route) {
	o.mu.RLock()
	a := o.appsByID[rt.appID]
	var body []byte
	if a != nil {
		body = a.body
	}
	o.mu.RUnlock()
	if a == nil {
		o.writeError(w, errNotFound(rt.appID, "AppInstance"))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// answer writes a body computed under the lock, or the error that stopped it.
func (o *Org) answer(w http.ResponseWriter, body []byte, e *apiError) {
	if e != nil {
		o.writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// provisioningApp finds the app of a provisioning endpoint, failing as Okta
// does when the org lacks Lifecycle Management or the app is unknown. Caller
// holds o.mu for reading.
func (o *Org) provisioningApp(rt route) (*app, *apiError) {
	if !o.lcm {
		return nil, errFeatureDisabled()
	}
	a := o.appsByID[rt.appID]
	if a == nil {
		return nil, errNotFound(rt.appID, "AppInstance")
	}
	return a, nil
}

func (o *Org) getConnection(w http.ResponseWriter, _ *http.Request, rt route) {
	o.mu.RLock()
	a, e := o.provisioningApp(rt)
	var body []byte
	if e == nil {
		body = o.connectionBody(a)
	}
	o.mu.RUnlock()
	o.answer(w, body, e)
}

// connectionBody renders the provisioning connection. A connection object
// from the scenario is served verbatim while its status is unchanged (a
// recorded answer stays the recorded answer), and with its status and
// lifecycle links made current once a change has moved the status. Caller
// holds o.mu.
func (o *Org) connectionBody(a *app) []byte {
	if a.connRaw != nil && a.connStatus == a.connRawStatus {
		if o.url == "" {
			return a.connRaw
		}
		return bytes.ReplaceAll(a.connRaw, orgURLTokenBytes, []byte(o.url))
	}
	self := o.url + "/api/v1/apps/" + a.id + "/connections/default"
	linkSelf := map[string]any{"href": self, "hints": map[string]any{"allow": []string{"POST", "GET"}}}
	links := &object{}
	switch a.connStatus {
	case ConnectionEnabled:
		links.set("self", mustJSON(linkSelf))
		links.set("deactivate", mustJSON(map[string]any{"href": self + "/lifecycle/deactivate", "hints": map[string]any{"allow": []string{"POST"}}}))
	case ConnectionDisabled:
		links.set("activate", mustJSON(map[string]any{"href": self + "/lifecycle/activate", "hints": map[string]any{"allow": []string{"POST"}}}))
		links.set("self", mustJSON(linkSelf))
	}
	if a.connObj != nil {
		c := a.connObj.clone()
		c.set("status", mustJSON(a.connStatus))
		if a.connStatus != ConnectionUnknown {
			c.set("_links", links.marshal())
		}
		return c.marshal()
	}
	c := &object{}
	switch scheme := connectionScheme(a.name); {
	case a.connStatus == ConnectionUnknown:
		c.set("profile", mustJSON(map[string]string{"authScheme": ConnectionUnknown}))
		c.set("status", mustJSON(ConnectionUnknown))
		return c.marshal()
	case scheme == "TOKEN":
		c.set("authScheme", mustJSON(scheme))
		c.set("status", mustJSON(a.connStatus))
		if base := a.settingsBaseURL(); base != "" {
			c.set("baseUrl", mustJSON(base))
		}
		c.set("profile", mustJSON(map[string]string{"authScheme": scheme}))
	default:
		// Okta's OAuth2 example has no top-level authScheme.
		c.set("status", mustJSON(a.connStatus))
		c.set("profile", mustJSON(map[string]string{"authScheme": "OAUTH2"}))
	}
	c.set("_links", links.marshal())
	return c.marshal()
}

// settingsBaseURL is settings.app.baseUrl, where Org2Org apps keep the
// target org that their token connection points at.
func (a *app) settingsBaseURL() string {
	var doc map[string]any
	if json.Unmarshal(a.body, &doc) != nil {
		return ""
	}
	v, _ := lookupPath(doc, "settings.app.baseUrl")
	return v
}

func (o *Org) listFeatures(w http.ResponseWriter, _ *http.Request, rt route) {
	o.mu.RLock()
	body, e := o.features(rt, "")
	o.mu.RUnlock()
	o.answer(w, body, e)
}

func (o *Org) getFeature(w http.ResponseWriter, _ *http.Request, rt route) {
	o.mu.RLock()
	body, e := o.features(rt, rt.feature)
	o.mu.RUnlock()
	o.answer(w, body, e)
}

// features renders the feature list, or the feature named one. Caller holds
// o.mu for reading.
func (o *Org) features(rt route, one string) ([]byte, *apiError) {
	a, e := o.provisioningApp(rt)
	if e != nil {
		return nil, e
	}
	if !a.provisioningEnabled() {
		return nil, errProvisioningNotEnabled()
	}
	feats := o.featureObjects(a)
	if one == "" {
		items := make([][]byte, len(feats))
		for i, f := range feats {
			items[i] = f.marshal()
		}
		return append(append([]byte("["), bytes.Join(items, []byte(","))...), ']'), nil
	}
	for _, f := range feats {
		if name, _, _ := f.str("name"); name == one {
			return f.marshal(), nil
		}
	}
	return nil, errNotFound(one, "AppFeature")
}

// featureObjects returns the app's ApplicationFeature objects: the
// scenario's, or ones derived from the app's features. INBOUND_PROVISIONING
// is ENABLED exactly when "Import New Users and Profile Updates" is on.
// Caller holds o.mu.
func (o *Org) featureObjects(a *app) []*object {
	inbound := ConnectionDisabled
	if a.importNewUsers() {
		inbound = ConnectionEnabled
	}
	if a.featureObjs != nil {
		out := make([]*object, len(a.featureObjs))
		for i, f := range a.featureObjs {
			out[i] = f.clone()
			if name, _, _ := f.str("name"); name == "INBOUND_PROVISIONING" {
				out[i].set("status", mustJSON(inbound))
			}
		}
		return out
	}
	status := func(f string) string {
		if a.has(f) {
			return ConnectionEnabled
		}
		return ConnectionDisabled
	}
	link := func(name string) json.RawMessage {
		return mustJSON(map[string]any{"self": map[string]any{
			"href":  o.url + "/api/v1/apps/" + a.id + "/features/" + name,
			"hints": map[string]any{"allow": []string{"GET", "PUT"}},
		}})
	}
	user := &object{}
	user.set("name", mustJSON("USER_PROVISIONING"))
	user.set("status", mustJSON(ConnectionEnabled))
	user.set("description", mustJSON("User provisioning settings from Okta to a downstream application"))
	user.set("capabilities", mustJSON(map[string]any{
		"create": map[string]any{"lifecycleCreate": map[string]string{"status": status("PUSH_NEW_USERS")}},
		"update": map[string]any{
			"profile":             map[string]string{"status": status("PUSH_PROFILE_UPDATES")},
			"lifecycleDeactivate": map[string]string{"status": status("PUSH_USER_DEACTIVATION")},
			"password":            map[string]string{"status": status("PUSH_PASSWORD_UPDATES"), "seed": "RANDOM", "change": "KEEP_EXISTING"},
		},
	}))
	user.set("_links", link("USER_PROVISIONING"))
	in := &object{}
	in.set("name", mustJSON("INBOUND_PROVISIONING"))
	in.set("status", mustJSON(inbound))
	in.set("description", mustJSON("In-bound provisioning settings for provisioning users from an application to Okta"))
	in.set("capabilities", mustJSON(map[string]any{
		"importSettings": map[string]any{
			"username": map[string]string{"userNameFormat": "EMAIL"},
			"schedule": map[string]any{"status": "DISABLED", "fullImport": nil, "incrementalImport": nil},
		},
		"importRules": map[string]any{"userCreateAndMatch": map[string]any{
			"exactMatchCriteria": "USERNAME", "allowPartialMatch": true, "autoConfirmPartialMatch": false,
			"autoConfirmExactMatch": false, "autoConfirmNewUsers": false, "autoActivateNewUsers": false,
		}},
	}))
	in.set("_links", link("INBOUND_PROVISIONING"))
	return []*object{user, in}
}

func (o *Org) listGroups(w http.ResponseWriter, r *http.Request, _ route) {
	q := r.URL.Query()
	limit, e := parseLimit(q.Get("limit"), groupsPageSize)
	if e != nil {
		o.writeError(w, e)
		return
	}
	var exprs []expr
	for _, p := range []struct {
		param string
		rules exprRules
	}{{"search", groupSearchRules}, {"filter", groupFilterRules}} {
		if v := q.Get(p.param); v != "" {
			x, err := parseExpr(v, p.rules)
			if err != nil {
				o.writeError(w, searchError(err))
				return
			}
			exprs = append(exprs, x)
		}
	}
	prefix := strings.ToLower(q.Get("q"))

	o.mu.RLock()
	base := o.url
	var after int64
	if v := q.Get("after"); v != "" {
		seq, ok := o.groupSeq[v]
		if !ok {
			o.mu.RUnlock()
			o.writeError(w, errValidation("after", "after must be a cursor from a next link."))
			return
		}
		after = seq
	}
	var items [][]byte
	var last *group
	next := ""
	for _, g := range o.groups {
		if g.seq <= after {
			continue
		}
		get := g.attr
		if prefix != "" {
			if name, _ := get("profile.name"); !strings.HasPrefix(strings.ToLower(name), prefix) {
				continue
			}
		}
		if !allMatch(exprs, get) {
			continue
		}
		if len(items) == limit {
			next = last.id
			break
		}
		items = append(items, g.body)
		last = g
	}
	o.mu.RUnlock()
	o.writePage(w, r, base, items, next)
}

func allMatch(exprs []expr, get func(string) (string, bool)) bool {
	for _, x := range exprs {
		if !x.eval(get) {
			return false
		}
	}
	return true
}

func (g *group) attr(name string) (string, bool) {
	if name == "source.id" {
		return g.sourceApp, g.sourceApp != ""
	}
	return lookupPath(g.doc, name)
}
