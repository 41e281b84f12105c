package oktasim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

func asApp(t *testing.T, a okta.App) *okta.Application {
	t.Helper()
	app, ok := a.(*okta.Application)
	if !ok {
		t.Fatalf("the SDK returned a %T", a)
	}
	return app
}

// listAllApps pages through GET /api/v1/apps with the SDK and reports the
// ids and the number of pages.
func listAllApps(t *testing.T, c *okta.Client, qp *query.Params) ([]string, int) {
	t.Helper()
	ctx := context.Background()
	apps, resp, err := c.Application.ListApplications(ctx, qp)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	pages := 1
	for {
		for _, a := range apps {
			ids = append(ids, asApp(t, a).Id)
		}
		if !resp.HasNextPage() {
			break
		}
		if n := len(resp.Header.Values("Link")); n != 2 {
			t.Fatalf("page %d has %d Link values, want self and next", pages, n)
		}
		var page []okta.Application
		if resp, err = resp.Next(ctx, &page); err != nil {
			t.Fatal(err)
		}
		apps = apps[:0]
		for i := range page {
			apps = append(apps, &page[i])
		}
		pages++
	}
	if n := len(resp.Header.Values("Link")); n != 1 {
		t.Errorf("the last page has %d Link values, want only self", n)
	}
	return ids, pages
}

func TestSDKListsAppsAcrossPages(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	c := sdkClient(t, org.URL(), acmeToken)

	var want []string
	for _, st := range org.Instances() {
		want = append(want, st.ID)
	}
	got, pages := listAllApps(t, c, query.NewQueryParams(query.WithLimit(3)))
	if !slices.Equal(got, want) {
		t.Errorf("listing by 3 gave %v, want every app in order %v", got, want)
	}
	if wantPages := (len(want) + 2) / 3; pages != wantPages {
		t.Errorf("%d pages, want %d", pages, wantPages)
	}
	// Without a limit Okta answers up to 200 apps on one page.
	got, pages = listAllApps(t, c, nil)
	if !slices.Equal(got, want) || pages != 1 {
		t.Errorf("default listing: %d apps on %d pages, want %d on 1", len(got), pages, len(want))
	}
	if n := org.RequestCounts()[oktasim.EndpointListApps].Requests; n != int64((len(want)+2)/3+1) {
		t.Errorf("the org counted %d listing requests", n)
	}
}

func TestSDKFiltersAndQueries(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	c := sdkClient(t, org.URL(), acmeToken)
	labels := func(qp *query.Params) []string {
		apps, _, err := c.Application.ListApplications(context.Background(), qp)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, a := range apps {
			out = append(out, asApp(t, a).Label)
		}
		return out
	}
	for _, tc := range []struct {
		qp   *query.Params
		want []string
	}{
		{query.NewQueryParams(query.WithFilter(`name eq "slack"`)), []string{"Slack", "Slack (EU workspace)", "Slack (Sandbox workspace)", "Slack (Legacy)"}},
		{query.NewQueryParams(query.WithFilter(`status eq "INACTIVE"`)), []string{"Slack (Legacy)"}},
		{query.NewQueryParams(query.WithFilter(`name eq "google"`)), nil},
		{query.NewQueryParams(query.WithQ("okta_org2")), []string{"Okta Org2Org (3)", "Okta Org2Org (5)"}},
		{query.NewQueryParams(query.WithQ("slack (")), []string{"Slack (EU workspace)", "Slack (Sandbox workspace)", "Slack (Legacy)"}},
		{query.NewQueryParams(query.WithQ("Slack"), query.WithFilter(`status eq "INACTIVE"`)), []string{"Slack (Legacy)"}},
	} {
		if got := labels(tc.qp); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %q, want %q", tc.qp.String(), got, tc.want)
		}
	}
	for _, refused := range []string{`name sw "sla"`, `name eq "slack" and status eq "ACTIVE"`, `status eq "ACTIVE" and name eq "slack"`} {
		_, resp, err := c.Application.ListApplications(context.Background(), query.NewQueryParams(query.WithFilter(refused)))
		if err == nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %v, want 400 E0000031", refused, err)
			continue
		}
		// Okta's error shape: E0000031 "Invalid search criteria.", an
		// errorId, no causes for an expression that parses.
		if e := oktaErr(t, err); e.ErrorCode != "E0000031" || e.ErrorSummary != "Invalid search criteria." || e.ErrorLink != "E0000031" || e.ErrorId == "" {
			t.Errorf("%s: error %+v", refused, e)
		}
	}
}

func TestSDKReadsOneApp(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	c := sdkClient(t, org.URL(), acmeToken)
	ctx := context.Background()

	zoom := appByLabel(t, org, "Zoom")
	a, _, err := c.Application.GetApplication(ctx, zoom.ID, okta.NewApplication(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if app := asApp(t, a); app.Name != "zoomus" || app.Status != "ACTIVE" || app.SignOnMode != "SAML_2_0" || len(app.Features) != 0 {
		t.Errorf("zoom = %+v", app)
	}
	dir := appByLabel(t, org, "acme.local")
	a, _, err = c.Application.GetApplication(ctx, dir.ID, okta.NewApplication(), nil)
	if err != nil {
		t.Fatalf("a directory app with signOnMode null: %v", err)
	}
	if app := asApp(t, a); app.SignOnMode != "" || app.Name != "active_directory" {
		t.Errorf("directory app = %+v", app)
	}
	raw, _ := org.App(dir.ID)
	if !strings.Contains(string(raw), `"signOnMode":null`) {
		t.Errorf("the directory app should carry signOnMode null: %s", raw)
	}

	const missing = "0oa0000000000000miss"
	_, resp, err := c.Application.GetApplication(ctx, missing, okta.NewApplication(), nil)
	if err == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing app: %v", err)
	}
	if e := oktaErr(t, err); e.ErrorCode != "E0000007" || e.ErrorSummary != "Not found: Resource not found: "+missing+" (AppInstance)" {
		t.Errorf("missing app: %+v", e)
	}
}

func TestSDKReadsProvisioningConnections(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	c := sdkClient(t, org.URL(), acmeToken)
	for _, tc := range []struct {
		label, status, scheme string
	}{
		{"Slack", "ENABLED", ""}, // Okta's OAuth2 connections have no top-level authScheme
		{"Slack (Sandbox workspace)", "DISABLED", ""},
		{"Zoom", "DISABLED", ""},
		{"Okta Org2Org (3)", "ENABLED", "TOKEN"},
		{"Okta Org2Org (5)", "ENABLED", "TOKEN"},
		{"Salesforce.com", "UNKNOWN", ""},
		{"HR Portal", "UNKNOWN", ""},
		{"Employee Handbook", "UNKNOWN", ""},
	} {
		conn, _, err := c.Application.GetDefaultProvisioningConnectionForApplication(context.Background(), appByLabel(t, org, tc.label).ID)
		if err != nil {
			t.Errorf("%s: %v", tc.label, err)
			continue
		}
		if conn.Status != tc.status || conn.AuthScheme != tc.scheme {
			t.Errorf("%s: connection %s/%q, want %s/%q", tc.label, conn.Status, conn.AuthScheme, tc.status, tc.scheme)
		}
	}
}

func TestSDKReadsFeatures(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	c := sdkClient(t, org.URL(), acmeToken)
	ctx := context.Background()
	statuses := func(label string) map[string]string {
		feats, _, err := c.Application.ListFeaturesForApplication(ctx, appByLabel(t, org, label).ID)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		out := map[string]string{}
		for _, f := range feats {
			out[f.Name] = f.Status
		}
		return out
	}
	if got := statuses("Slack"); got["USER_PROVISIONING"] != "ENABLED" || got["INBOUND_PROVISIONING"] != "ENABLED" {
		t.Errorf("Slack features: %v", got)
	}
	if got := statuses("Slack (EU workspace)"); got["INBOUND_PROVISIONING"] != "DISABLED" {
		t.Errorf("import unchecked should leave INBOUND_PROVISIONING disabled: %v", got)
	}
	if got := statuses("HR Portal"); got["INBOUND_PROVISIONING"] != "ENABLED" {
		t.Errorf("custom SCIM app features: %v", got)
	}

	for _, label := range []string{"Slack (Sandbox workspace)", "Box", "Employee Handbook"} {
		_, resp, err := c.Application.ListFeaturesForApplication(ctx, appByLabel(t, org, label).ID)
		if err == nil || resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s: %v, want 400", label, err)
		}
		e := oktaErr(t, err)
		if e.ErrorCode != "E0000001" || len(e.ErrorCauses) != 1 || e.ErrorCauses[0]["errorSummary"] != "Provisioning is not enabled for the app instance." {
			t.Errorf("%s: %+v", label, e)
		}
	}

	f, _, err := c.Application.GetFeatureForApplication(ctx, appByLabel(t, org, "Slack").ID, "INBOUND_PROVISIONING")
	if err != nil || f.Name != "INBOUND_PROVISIONING" || f.Status != "ENABLED" {
		t.Fatalf("INBOUND_PROVISIONING: %+v, %v", f, err)
	}
	// The SDK drops importSettings and importRules; the wire carries them.
	r := get(t, org.URL()+"/api/v1/apps/"+appByLabel(t, org, "Slack").ID+"/features/INBOUND_PROVISIONING", "SSWS "+acmeToken)
	var raw struct {
		Capabilities map[string]json.RawMessage `json:"capabilities"`
	}
	if err := json.Unmarshal(r.body, &raw); err != nil || raw.Capabilities["importSettings"] == nil || raw.Capabilities["importRules"] == nil {
		t.Errorf("INBOUND_PROVISIONING capabilities: %s", r.body)
	}
	_, resp, err := c.Application.GetFeatureForApplication(ctx, appByLabel(t, org, "Slack").ID, "NOT_A_FEATURE")
	if err == nil || resp.StatusCode != http.StatusNotFound || oktaErr(t, err).ErrorCode != "E0000007" {
		t.Errorf("unknown feature: %v", err)
	}
}

func TestSDKSearchesAppGroupsAcrossPages(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	c := sdkClient(t, org.URL(), acmeToken)
	ctx := context.Background()
	slack := appByLabel(t, org, "Slack")

	search := fmt.Sprintf(`type eq "APP_GROUP" and source.id eq "%s"`, slack.ID)
	groups, resp, err := c.Group.ListGroups(ctx, query.NewQueryParams(query.WithSearch(search), query.WithLimit(2)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	pages := 1
	for {
		for _, g := range groups {
			if g.Type != "APP_GROUP" {
				t.Errorf("group %s has type %s", g.Id, g.Type)
			}
			names = append(names, g.Profile.Name)
		}
		if !resp.HasNextPage() {
			break
		}
		groups = nil
		if resp, err = resp.Next(ctx, &groups); err != nil {
			t.Fatal(err)
		}
		pages++
	}
	if want := []string{"engineering", "design", "sales"}; !slices.Equal(names, want) || pages != 2 || slack.AppGroups != 3 {
		t.Errorf("groups of Slack: %v on %d pages (state says %d), want %v on 2", names, pages, slack.AppGroups, want)
	}

	all, _, err := c.Group.ListGroups(ctx, query.NewQueryParams(query.WithSearch(`type eq "APP_GROUP"`)))
	if err != nil {
		t.Fatal(err)
	}
	everyone, _, err := c.Group.ListGroups(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(everyone) != len(all)+2 {
		t.Errorf("%d groups in all, %d app groups: the org has two groups of its own", len(everyone), len(all))
	}
	none, _, err := c.Group.ListGroups(ctx, query.NewQueryParams(query.WithSearch(`source.id eq "`+appByLabel(t, org, "Slack (EU workspace)").ID+`"`)))
	if err != nil || len(none) != 0 {
		t.Errorf("an app without imported groups: %d groups, %v", len(none), err)
	}
	_, resp, err = c.Group.ListGroups(ctx, query.NewQueryParams(query.WithSearch(`type eq "APP_GROUP" and`)))
	if err == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad search: %v", err)
	}
	if e := oktaErr(t, err); e.ErrorCode != "E0000031" || e.ErrorSummary != "Invalid search criteria." {
		t.Errorf("bad search: %+v", e)
	}
}

func TestSDKWithoutLifecycleManagement(t *testing.T) {
	t.Parallel()
	org := startOrg(t, defaultOrgSpec(t, "globex"))
	c := sdkClient(t, org.URL(), globexToken)
	ctx := context.Background()
	apps, _, err := c.Application.ListApplications(ctx, nil)
	if err != nil || len(apps) == 0 {
		t.Fatalf("listing apps works without Lifecycle Management: %d apps, %v", len(apps), err)
	}
	id := asApp(t, apps[0]).Id
	_, resp, err := c.Application.GetDefaultProvisioningConnectionForApplication(ctx, id)
	if err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("connection without Lifecycle Management: %v", err)
	}
	if e := oktaErr(t, err); e.ErrorCode != "E0000015" || e.ErrorSummary != "You do not have permission to access the feature you are requesting" {
		t.Errorf("connection: %+v", e)
	}
	_, resp, err = c.Application.ListFeaturesForApplication(ctx, id)
	if err == nil || resp.StatusCode != http.StatusUnauthorized || oktaErr(t, err).ErrorCode != "E0000015" {
		t.Errorf("features without Lifecycle Management: %v", err)
	}
	org.SetLifecycleManagement(true)
	if _, _, err := c.Application.GetDefaultProvisioningConnectionForApplication(ctx, id); err != nil {
		t.Errorf("after subscribing: %v", err)
	}
}

func TestSDKAuthenticationErrors(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	ctx := context.Background()

	_, resp, err := sdkClient(t, org.URL(), "not-a-token").Application.ListApplications(ctx, nil)
	if err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: %v", err)
	}
	if e := oktaErr(t, err); e.ErrorCode != "E0000011" || e.ErrorSummary != "Invalid token provided" {
		t.Errorf("wrong token: %+v", e)
	}

	// A token whose admin may read groups but not apps.
	groupsOnly := sdkClient(t, org.URL(), acmeGroupsToken)
	_, resp, err = groupsOnly.Application.ListApplications(ctx, nil)
	if err == nil || resp.StatusCode != http.StatusForbidden || oktaErr(t, err).ErrorCode != "E0000006" {
		t.Errorf("token without apps permission: %v", err)
	}
	if _, _, err := groupsOnly.Group.ListGroups(ctx, nil); err != nil {
		t.Errorf("token with groups permission: %v", err)
	}

	wantError(t, get(t, org.URL()+"/api/v1/apps", ""), http.StatusForbidden, "E0000005", "Invalid session")
	wantError(t, get(t, org.URL()+"/api/v1/apps", "Basic dXNlcjpwYXNz"), http.StatusUnauthorized, "E0000011", "Invalid token provided")
	wantError(t, get(t, org.URL()+"/api/v1/apps", "SSWS "), http.StatusUnauthorized, "E0000011", "Invalid token provided")
	wantError(t, get(t, org.URL()+"/api/v1/apps", "Bearer not-issued"), http.StatusUnauthorized, "E0000011", "Invalid token provided")
	// Okta's scheme names are case-insensitive.
	if r := get(t, org.URL()+"/api/v1/apps", "ssws "+acmeToken); r.status != http.StatusOK {
		t.Errorf("lowercase scheme: %d", r.status)
	}
}

func TestUnsupportedRequests(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	auth := "SSWS " + acmeToken
	wantError(t, do(t, http.DefaultClient, http.MethodPost, org.URL()+"/api/v1/apps", auth), http.StatusMethodNotAllowed, "E0000022", "")
	wantError(t, do(t, http.DefaultClient, http.MethodDelete, org.URL()+"/api/v1/apps/"+appByLabel(t, org, "Slack").ID, auth), http.StatusMethodNotAllowed, "E0000022", "")
	wantError(t, do(t, http.DefaultClient, http.MethodGet, org.URL()+"/oauth2/v1/token", ""), http.StatusMethodNotAllowed, "E0000022", "")
	wantError(t, get(t, org.URL()+"/api/v1/users", auth), http.StatusNotFound, "E0000007", "Not found: Resource not found: /api/v1/users (Endpoint)")
	wantError(t, get(t, org.URL()+"/api/v1/apps?limit=many", auth), http.StatusBadRequest, "E0000001", "Api validation failed: limit")
	wantError(t, get(t, org.URL()+"/api/v1/apps?after=zzz", auth), http.StatusBadRequest, "E0000001", "Api validation failed: after")
	wantError(t, get(t, org.URL()+"/api/v1/groups?after=00gnotacursor", auth), http.StatusBadRequest, "E0000001", "Api validation failed: after")
	e := wantError(t, get(t, org.URL()+`/api/v1/apps?filter=name+eq+"slack`, auth), http.StatusBadRequest, "E0000031", "Invalid search criteria.")
	if len(e.ErrorCauses) != 1 || e.ErrorCauses[0].ErrorSummary != "Invalid search syntax." {
		t.Errorf("syntax error causes: %+v", e.ErrorCauses)
	}
	// Limits above the maximum are capped, not refused.
	if r := get(t, org.URL()+"/api/v1/apps?limit=1000", auth); r.status != http.StatusOK {
		t.Errorf("limit above 200: %d %s", r.status, r.body)
	}
}
