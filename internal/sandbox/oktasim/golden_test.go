package oktasim_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// fixture is a reference file from testdata/okta-reference (copied from the
// team's shared reference material; each names its origin in "source").
type fixture struct {
	Request struct {
		Path  string            `json:"path"`
		Query map[string]string `json:"query"`
	} `json:"request"`
	Response struct {
		Status  int                 `json:"status"`
		Headers map[string][]string `json:"headers"`
		Body    json.RawMessage     `json:"body"`
	} `json:"response"`
}

func loadFixture(t *testing.T, name string) fixture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "okta-reference", name))
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

func asMap(t *testing.T, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want a JSON object, got %T", v)
	}
	return m
}

// shapeDiff lists where got differs from want in members and JSON types. A
// null in want matches any value: Okta sends null for unset members of any
// type. With strict, got may not have members want lacks; arrays are
// compared by their first elements.
func shapeDiff(want, got any, path string, strict bool) []string {
	if want == nil {
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %T", path, got)}
		}
		var out []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			out = append(out, shapeDiff(wv, gv, path+"."+k, strict)...)
		}
		if strict {
			for k := range g {
				if _, ok := w[k]; !ok {
					out = append(out, fmt.Sprintf("%s.%s: not in the reference", path, k))
				}
			}
		}
		sort.Strings(out)
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array, got %T", path, got)}
		}
		if len(w) > 0 && len(g) > 0 {
			return shapeDiff(w[0], g[0], path+"[0]", strict)
		}
		return nil
	default:
		if fmt.Sprintf("%T", want) != fmt.Sprintf("%T", got) {
			return []string{fmt.Sprintf("%s: want %T, got %T", path, want, got)}
		}
		return nil
	}
}

func wantSameShape(t *testing.T, what string, want, got []byte, strict bool) {
	t.Helper()
	if diff := shapeDiff(decode(t, want), decode(t, got), "$", strict); len(diff) > 0 {
		t.Errorf("%s differs from the reference:\n  %s\ngot %s", what, strings.Join(diff, "\n  "), got)
	}
}

var (
	linkForm    = regexp.MustCompile(`^<([^>]+)>; rel="(self|next)"$`)
	errorIDForm = regexp.MustCompile(`^oae[0-9A-Za-z_-]{22}$`)
	notFound    = regexp.MustCompile(`^Not found: Resource not found: (\S+) \((\w+)\)$`)
)

// wantHeaderForms checks the headers every Okta answer has, in Okta's forms.
func wantHeaderForms(t *testing.T, what string, ref map[string][]string, got http.Header) {
	t.Helper()
	if want := ref["Content-Type"]; len(want) == 1 && got.Get("Content-Type") != want[0] {
		t.Errorf("%s: Content-Type %q, reference %q", what, got.Get("Content-Type"), want[0])
	}
	if _, err := time.Parse(http.TimeFormat, got.Get("Date")); err != nil {
		t.Errorf("%s: Date %q is not in Okta's form: %v", what, got.Get("Date"), err)
	}
	for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"} {
		if v := got.Values(h); len(v) != 1 || !regexp.MustCompile(`^\d+$`).MatchString(v[0]) {
			t.Errorf("%s: %s %q, want one whole number", what, h, v)
		}
	}
	if got.Get("X-Okta-Request-Id") == "" {
		t.Errorf("%s: no X-Okta-Request-Id", what)
	}
}

var recordedApps = []string{
	"recorded/app_get_oidc_client.json",
	"recorded/app_okta_flow_sso_scim_provisioning.json",
	"recorded/app_okta_org2org_import_features.json",
	"recorded/app_okta_org2org_push_and_import_features.json",
	"recorded/app_zoomus_no_provisioning.json",
}

func TestGoldenRecordedAppsAreServedVerbatim(t *testing.T) {
	t.Parallel()
	spec := oktasim.OrgSpec{Name: "classic", APITokens: []oktasim.APIToken{{Token: "t"}}}
	var fixtures []fixture
	for _, name := range recordedApps {
		f := loadFixture(t, name)
		fixtures = append(fixtures, f)
		spec.Apps = append(spec.Apps, f.Response.Body)
	}
	org := startOrg(t, spec)

	list := get(t, org.URL()+"/api/v1/apps?limit=200", "SSWS t")
	wantHeaderForms(t, "listing", fixtures[1].Response.Headers, list.header)
	var served []json.RawMessage
	if err := json.Unmarshal(list.body, &served); err != nil {
		t.Fatal(err)
	}
	// The recordings are elements of one listing request: same Link form.
	ref := fixtures[1].Response.Headers["Link"]
	if got := list.header.Values("Link"); len(got) != len(ref) || !linkForm.MatchString(got[0]) ||
		strings.TrimPrefix(got[0], "<"+org.URL()) != strings.TrimPrefix(ref[0], "<https://classic-00.dne-okta.com") {
		t.Errorf("Link %q, reference %q", got, ref)
	}
	for i, f := range fixtures {
		if !jsonEqualBytes(t, served[i], f.Response.Body) {
			t.Errorf("%s: the listing changed the object:\n got %s", recordedApps[i], served[i])
		}
		var app struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(f.Response.Body, &app)
		one := get(t, org.URL()+"/api/v1/apps/"+app.ID, "SSWS t")
		if !jsonEqualBytes(t, one.body, f.Response.Body) {
			t.Errorf("%s: GET /api/v1/apps/{id} changed the object", recordedApps[i])
		}
		wantHeaderForms(t, recordedApps[i], f.Response.Headers, one.header)
	}
}

func jsonEqualBytes(t *testing.T, a, b []byte) bool {
	t.Helper()
	x, _ := json.Marshal(decode(t, a))
	y, _ := json.Marshal(decode(t, b))
	return string(x) == string(y)
}

func TestGoldenGeneratedAppsHaveOktasShape(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	saml := loadFixture(t, "recorded/app_zoomus_no_provisioning.json").Response.Body
	oidc := loadFixture(t, "recorded/app_get_oidc_client.json").Response.Body
	for _, tc := range []struct {
		label string
		ref   []byte
	}{
		{"Slack", saml}, {"Slack (Legacy)", saml}, {"Box", saml}, {"HR Portal", saml}, {"Intranet", saml},
		{"Expense Reports", oidc},
	} {
		raw, _ := org.App(appByLabel(t, org, tc.label).ID)
		got, want := asMap(t, decode(t, raw)), asMap(t, decode(t, tc.ref))
		// Same top-level members; nested objects that every app has in common
		// have the same members too.
		top := map[string]any{}
		for k := range want {
			top[k] = nil
		}
		top["orn"] = nil
		var diff []string
		for k := range got {
			if _, ok := top[k]; !ok {
				diff = append(diff, k+" is not in the reference")
			}
		}
		for k := range top {
			if _, ok := got[k]; !ok && k != "orn" {
				diff = append(diff, k+" is missing")
			}
		}
		for _, k := range []string{"accessibility", "visibility"} {
			diff = append(diff, shapeDiff(want[k], got[k], k, false)...)
		}
		ws, gs := asMap(t, want["settings"]), asMap(t, got["settings"])
		for _, k := range []string{"notifications", "notes", "manualProvisioning", "implicitAssignment", "emOptInStatus"} {
			diff = append(diff, shapeDiff(ws[k], gs[k], "settings."+k, true)...)
		}
		diff = append(diff, shapeDiff(asMap(t, want["credentials"])["userNameTemplate"], asMap(t, got["credentials"])["userNameTemplate"], "credentials.userNameTemplate", true)...)
		for _, k := range []string{"id", "name", "label", "status", "lastUpdated", "created", "signOnMode"} {
			diff = append(diff, shapeDiff(want[k], got[k], k, true)...)
		}
		if len(diff) > 0 {
			t.Errorf("%s differs from the recorded %s app: %v", tc.label, want["signOnMode"], diff)
		}
	}
}

func TestGoldenProvisioningConnections(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	auth := "SSWS " + acmeToken
	conn := func(label string) rawResponse {
		return get(t, org.URL()+"/api/v1/apps/"+appByLabel(t, org, label).ID+"/connections/default", auth)
	}
	enabled := loadFixture(t, "recorded/connection_default_get_token_enabled.json")
	disabled := loadFixture(t, "recorded/connection_default_post_token_disabled.json")

	r := conn("Okta Org2Org (3)") // the scenario gives the recorded object
	wantSameShape(t, "recorded TOKEN connection", enabled.Response.Body, r.body, true)
	wantHeaderForms(t, "connection", enabled.Response.Headers, r.header)
	r = conn("Okta Org2Org (5)") // derived
	wantSameShape(t, "derived TOKEN connection", enabled.Response.Body, r.body, true)
	if err := org.SetProvisioning(appByLabel(t, org, "Okta Org2Org (5)").ID, false); err != nil {
		t.Fatal(err)
	}
	wantSameShape(t, "disabled TOKEN connection", disabled.Response.Body, conn("Okta Org2Org (5)").body, true)
	if err := org.SetProvisioning(appByLabel(t, org, "Okta Org2Org (3)").ID, false); err != nil {
		t.Fatal(err)
	}
	wantSameShape(t, "disabled recorded connection", disabled.Response.Body, conn("Okta Org2Org (3)").body, true)
	// Link relations follow the status, in Okta's order.
	var links struct {
		Links map[string]json.RawMessage `json:"_links"`
	}
	_ = json.Unmarshal(conn("Okta Org2Org (3)").body, &links)
	if links.Links["activate"] == nil || links.Links["deactivate"] != nil {
		t.Errorf("a disabled connection links to activate, not deactivate: %v", links.Links)
	}

	oauth := loadFixture(t, "spec-examples/connection_default_oauth2_office365.json")
	wantSameShape(t, "OAuth2 connection", oauth.Response.Body, conn("Microsoft Office 365").body, true)
	unknown := loadFixture(t, "spec-examples/connection_default_unknown_unsupported_app.json")
	wantSameShape(t, "UNKNOWN connection", unknown.Response.Body, conn("Salesforce.com").body, true)
	wantSameShape(t, "UNKNOWN connection", unknown.Response.Body, conn("Employee Handbook").body, true)
}

func TestGoldenFeatures(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	auth := "SSWS " + acmeToken
	base := org.URL() + "/api/v1/apps/" + appByLabel(t, org, "Slack").ID + "/features"
	user := loadFixture(t, "recorded/feature_user_provisioning_get.json")
	inbound := loadFixture(t, "recorded/feature_inbound_provisioning_get.json")

	r := get(t, base+"/USER_PROVISIONING", auth)
	wantSameShape(t, "USER_PROVISIONING", user.Response.Body, r.body, true)
	wantHeaderForms(t, "feature", user.Response.Headers, r.header)
	wantSameShape(t, "INBOUND_PROVISIONING", inbound.Response.Body, get(t, base+"/INBOUND_PROVISIONING", auth).body, true)

	var list []json.RawMessage
	if err := json.Unmarshal(get(t, base, auth).body, &list); err != nil || len(list) != 2 {
		t.Fatalf("feature list: %v", err)
	}
	wantSameShape(t, "listed USER_PROVISIONING", user.Response.Body, list[0], true)
	wantSameShape(t, "listed INBOUND_PROVISIONING", inbound.Response.Body, list[1], true)
}

func TestGoldenErrors(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	globex := startOrg(t, defaultOrgSpec(t, "globex"))
	auth := "SSWS " + acmeToken
	slack := appByLabel(t, org, "Slack").ID

	check := func(name string, r rawResponse, exact bool) {
		t.Helper()
		f := loadFixture(t, name)
		if r.status != f.Response.Status {
			t.Errorf("%s: status %d, reference %d", name, r.status, f.Response.Status)
		}
		wantSameShape(t, name, f.Response.Body, r.body, true)
		var want, got errorBody
		_ = json.Unmarshal(f.Response.Body, &want)
		_ = json.Unmarshal(r.body, &got)
		if got.ErrorCode != want.ErrorCode || got.ErrorLink != want.ErrorLink {
			t.Errorf("%s: code %s/%s, reference %s", name, got.ErrorCode, got.ErrorLink, want.ErrorCode)
		}
		if exact && (got.ErrorSummary != want.ErrorSummary || fmt.Sprint(got.ErrorCauses) != fmt.Sprint(want.ErrorCauses)) {
			t.Errorf("%s: %q %v, reference %q %v", name, got.ErrorSummary, got.ErrorCauses, want.ErrorSummary, want.ErrorCauses)
		}
		if !errorIDForm.MatchString(got.ErrorID) || !errorIDForm.MatchString(want.ErrorID) && strings.HasPrefix(want.ErrorID, "oae") {
			t.Errorf("%s: errorId %q, reference %q", name, got.ErrorID, want.ErrorID)
		}
		wantHeaderForms(t, name, f.Response.Headers, r.header)
	}

	check("spec-examples/features_list_400_E0000001_provisioning_not_enabled.json",
		get(t, org.URL()+"/api/v1/apps/"+appByLabel(t, org, "Slack (Sandbox workspace)").ID+"/features", auth), true)
	check("recorded/error_401_E0000015_feature_not_enabled.json",
		get(t, globex.URL()+"/api/v1/apps/"+globex.Instances()[0].ID+"/connections/default", "SSWS "+globexToken), true)
	check("spec-examples/error_401_E0000011_invalid_token.json", get(t, org.URL()+"/api/v1/apps", "SSWS nope"), true)
	check("spec-examples/error_403_E0000006_access_denied.json", get(t, org.URL()+"/api/v1/apps", "SSWS "+acmeGroupsToken), true)

	r := get(t, org.URL()+"/api/v1/apps/0oa0000000000000miss", auth)
	check("recorded/error_404_E0000007_resource_not_found.json", r, false)
	var nf errorBody
	_ = json.Unmarshal(r.body, &nf)
	ref := notFound.FindStringSubmatch(func() string {
		var e errorBody
		_ = json.Unmarshal(loadFixture(t, "recorded/error_404_E0000007_resource_not_found.json").Response.Body, &e)
		return e.ErrorSummary
	}())
	if m := notFound.FindStringSubmatch(nf.ErrorSummary); ref == nil || m == nil || m[1] != "0oa0000000000000miss" || m[2] != "AppInstance" {
		t.Errorf("404 summary %q does not follow the recorded form %q", nf.ErrorSummary, ref)
	}

	if err := org.SetFaults(oktasim.Faults{ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	check("recorded/error_500_E0000009_app_delete.json", get(t, org.URL()+"/api/v1/apps/"+slack, auth), true)
	if err := org.SetFaults(oktasim.Faults{}); err != nil {
		t.Fatal(err)
	}
	if err := org.SetRateLimits(org.RateLimits().With(oktasim.RateLimitsSpec{AppGet: ptr(0)})); err != nil {
		t.Fatal(err)
	}
	check("spec-examples/error_429_E0000047_rate_limited.json", get(t, org.URL()+"/api/v1/apps/"+slack, auth), true)

	// The recorded errorIds all have the form the simulator produces.
	for _, name := range []string{"recorded/error_401_E0000015_feature_not_enabled.json", "recorded/error_404_E0000007_resource_not_found.json", "recorded/error_500_E0000009_app_delete.json", "recorded/error_400_E0000001_api_validation_apps_post.json"} {
		var e errorBody
		_ = json.Unmarshal(loadFixture(t, name).Response.Body, &e)
		if !errorIDForm.MatchString(e.ErrorID) {
			t.Errorf("%s: reference errorId %q does not match the form the test expects", name, e.ErrorID)
		}
	}
}

func TestGoldenPaginationLinks(t *testing.T) {
	t.Parallel()
	// The recorded listing's self link is the request's URL as sent (the
	// recorded client sent sorted keys, "+" for spaces, %22 for quotes); its
	// next link adds the cursor, encoded the way url.Values encodes it.
	rec := loadFixture(t, "recorded/pagination_users_link_next.json")
	q := url.Values{}
	for k, v := range rec.Request.Query {
		q.Set(k, v)
	}
	links := rec.Response.Headers["Link"]
	if len(links) != 2 || links[0] != "<https://classic-00.dne-okta.com"+rec.Request.Path+"?"+q.Encode()+`>; rel="self"` {
		t.Fatalf("the recorded self link %q is not the encoded request query %q", links[0], q.Encode())
	}
	m := linkForm.FindStringSubmatch(links[1])
	next, _ := url.Parse(m[1])
	if m[2] != "next" || next.Query().Get("after") == "" || next.Query().Get("search") != rec.Request.Query["search"] {
		t.Fatalf("recorded next link %q", links[1])
	}

	org := startAcme(t)
	search := `type eq "APP_GROUP"`
	r := get(t, org.URL()+"/api/v1/groups?search="+url.QueryEscape(search)+"&limit=1", "SSWS "+acmeToken)
	got := r.header.Values("Link")
	var first []struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(r.body, &first)
	wantSelf := "<" + org.URL() + "/api/v1/groups?search=type+eq+%22APP_GROUP%22&limit=1>; rel=\"self\""
	wantNext := "<" + org.URL() + "/api/v1/groups?after=" + first[0].ID + "&limit=1&search=type+eq+%22APP_GROUP%22>; rel=\"next\""
	if len(got) != 2 || got[0] != wantSelf || got[1] != wantNext {
		t.Errorf("Link values:\n got %q\nwant %q", got, []string{wantSelf, wantNext})
	}

	// The self link keeps the query exactly as sent: order and encoding.
	for _, query := range []string{"limit=1&search=type%20eq%20%22APP_GROUP%22", "search=type+eq+\"APP_GROUP\"&limit=1", "limit=200&filter=name+eq+%22slack%22"} {
		path := "/api/v1/groups?"
		if strings.Contains(query, "filter") {
			path = "/api/v1/apps?"
		}
		r := get(t, org.URL()+path+query, "SSWS "+acmeToken)
		if self := r.header.Values("Link")[0]; self != "<"+org.URL()+path+query+`>; rel="self"` {
			t.Errorf("%s: self link %q, want the query as sent", query, self)
		}
	}
}
