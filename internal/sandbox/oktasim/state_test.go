package oktasim_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

type appDoc struct {
	ID          string                     `json:"id"`
	Name        string                     `json:"name"`
	Label       string                     `json:"label"`
	Status      string                     `json:"status"`
	LastUpdated string                     `json:"lastUpdated"`
	Features    []string                   `json:"features"`
	Links       map[string]json.RawMessage `json:"_links"`
}

func served(t *testing.T, org *oktasim.Org, id string) appDoc {
	t.Helper()
	r := get(t, org.URL()+"/api/v1/apps/"+id, "SSWS "+acmeToken)
	if r.status != http.StatusOK {
		t.Fatalf("GET app %s: %d %s", id, r.status, r.body)
	}
	var d appDoc
	if err := json.Unmarshal(r.body, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDeactivateAndActivate(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	org := startAcme(t, oktasim.WithClock(clock.Now))
	slack := appByLabel(t, org, "Slack")
	before := served(t, org, slack.ID)

	if err := org.Deactivate(slack.ID); err != nil {
		t.Fatal(err)
	}
	after := served(t, org, slack.ID)
	if after.Status != "INACTIVE" || after.Links["activate"] == nil || after.Links["deactivate"] != nil {
		t.Errorf("deactivated app: status %s, links %v", after.Status, after.Links)
	}
	if !strings.HasSuffix(string(after.Links["activate"]), `/api/v1/apps/`+slack.ID+`/lifecycle/activate"}`) {
		t.Errorf("activate link %s", after.Links["activate"])
	}
	if after.LastUpdated != clock.Now().Format("2006-01-02T15:04:05.000Z") || after.LastUpdated == before.LastUpdated {
		t.Errorf("lastUpdated %s, want the change's time %s", after.LastUpdated, clock.Now())
	}
	// Two changes in the same second still give two different lastUpdated.
	if err := org.Activate(slack.ID); err != nil {
		t.Fatal(err)
	}
	again := served(t, org, slack.ID)
	if again.Status != "ACTIVE" || again.LastUpdated <= after.LastUpdated || again.Links["deactivate"] == nil {
		t.Errorf("reactivated: %s at %s (previous change %s)", again.Status, again.LastUpdated, after.LastUpdated)
	}
	st, _ := org.Instance(slack.ID)
	if got, _ := time.Parse(time.RFC3339, again.LastUpdated); !st.LastUpdated.Equal(got) {
		t.Errorf("InstanceState.LastUpdated %v, served %s", st.LastUpdated, again.LastUpdated)
	}
	// The rest of the object is untouched, member order included.
	bRaw, _ := json.Marshal(before.Features)
	aRaw, _ := json.Marshal(again.Features)
	if string(bRaw) != string(aRaw) {
		t.Errorf("features changed: %s -> %s", bRaw, aRaw)
	}
	// A change to nothing is not a change.
	active := "ACTIVE"
	if _, err := org.UpdateApp(slack.ID, oktasim.AppUpdate{Status: &active}); err != nil {
		t.Fatal(err)
	}
	if st2, _ := org.Instance(slack.ID); !st2.LastUpdated.Equal(st.LastUpdated) {
		t.Errorf("a no-op bumped lastUpdated")
	}
}

func TestRecordedAppKeepsItsOwnLinkHost(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	zoom := appByLabel(t, org, "Zoom")
	if err := org.Deactivate(zoom.ID); err != nil {
		t.Fatal(err)
	}
	d := served(t, org, zoom.ID)
	if want := `https://classic-00.dne-okta.com/api/v1/apps/` + zoom.ID + `/lifecycle/activate`; !strings.Contains(string(d.Links["activate"]), want) {
		t.Errorf("activate link %s, want %s", d.Links["activate"], want)
	}
}

func TestProvisioningToggles(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	slack := appByLabel(t, org, "Slack")
	if !slack.ProvisioningEnabled || !slack.ImportNewUsers || !slack.ImportGroups || slack.Connection != "ENABLED" {
		t.Fatalf("Slack starts ready: %+v", slack)
	}
	if err := org.SetProvisioning(slack.ID, false); err != nil {
		t.Fatal(err)
	}
	st, _ := org.Instance(slack.ID)
	if st.ProvisioningEnabled || st.ImportNewUsers || st.Connection != "DISABLED" || len(served(t, org, slack.ID).Features) != 0 {
		t.Errorf("after disabling provisioning: %+v, features %v", st, served(t, org, slack.ID).Features)
	}
	wantError(t, get(t, org.URL()+"/api/v1/apps/"+slack.ID+"/features", "SSWS "+acmeToken), http.StatusBadRequest, "E0000001", "Api validation failed: feature")
	if err := org.SetImportNewUsers(slack.ID, true); !errors.Is(err, oktasim.ErrConflict) {
		t.Errorf("import without provisioning: %v, want a conflict", err)
	}
	if err := org.SetProvisioning(slack.ID, true); err != nil {
		t.Fatal(err)
	}
	if st, _ := org.Instance(slack.ID); !st.ProvisioningEnabled || !st.ImportNewUsers {
		t.Errorf("enabling provisioning restores the features it removed: %+v", st)
	}

	if err := org.SetImportNewUsers(slack.ID, false); err != nil {
		t.Fatal(err)
	}
	feats := served(t, org, slack.ID).Features
	if slices.Contains(feats, "IMPORT_NEW_USERS") || slices.Contains(feats, "IMPORT_PROFILE_UPDATES") || !slices.Contains(feats, "PUSH_NEW_USERS") {
		t.Errorf("import off: features %v", feats)
	}
	r := get(t, org.URL()+"/api/v1/apps/"+slack.ID+"/features/INBOUND_PROVISIONING", "SSWS "+acmeToken)
	if !strings.Contains(string(r.body), `"status":"DISABLED"`) {
		t.Errorf("INBOUND_PROVISIONING with import off: %s", r.body)
	}
	if err := org.SetImportGroups(slack.ID, false); err != nil {
		t.Fatal(err)
	}
	if st, _ := org.Instance(slack.ID); st.ImportGroups || st.AppGroups != 3 {
		t.Errorf("Import Groups off keeps the imported groups: %+v", st)
	}

	// An app without a public connection API: provisioning shows in features.
	hr := appByLabel(t, org, "HR Portal")
	if err := org.SetProvisioning(hr.ID, false); err != nil {
		t.Fatal(err)
	}
	if st, _ := org.Instance(hr.ID); st.ProvisioningEnabled || st.Connection != "UNKNOWN" {
		t.Errorf("HR Portal after disabling: %+v", st)
	}
	if err := org.SetProvisioning(hr.ID, true); err != nil {
		t.Fatal(err)
	}
	if feats := served(t, org, hr.ID).Features; !slices.Contains(feats, "SCIM_PROVISIONING") {
		t.Errorf("HR Portal after enabling: %v", feats)
	}
	// Box has no public connection API: enabling adds push features, not imports.
	box := appByLabel(t, org, "Box")
	if err := org.SetProvisioning(box.ID, true); err != nil {
		t.Fatal(err)
	}
	if feats := served(t, org, box.ID).Features; !slices.Contains(feats, "PUSH_NEW_USERS") || slices.Contains(feats, "IMPORT_NEW_USERS") {
		t.Errorf("Box after enabling: %v", feats)
	}

	if err := org.SetProvisioning(appByLabel(t, org, "Employee Handbook").ID, true); !errors.Is(err, oktasim.ErrConflict) {
		t.Errorf("provisioning a bookmark: %v, want a conflict", err)
	}
	bad := "DELETED"
	if _, err := org.UpdateApp(slack.ID, oktasim.AppUpdate{Status: &bad}); !errors.Is(err, oktasim.ErrInvalid) {
		t.Errorf("status DELETED: %v", err)
	}
	if err := org.Activate("0oa0000000000000miss"); !errors.Is(err, oktasim.ErrNotFound) {
		t.Errorf("unknown app: %v", err)
	}
}

func TestInstallAndRemove(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	st, err := org.Install(oktasim.NewApp{Name: "google", Provisioning: true, ImportNewUsers: true, ImportGroups: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "google" || st.Label != "Google Workspace" || st.Status != "ACTIVE" || st.Connection != "ENABLED" ||
		!st.ProvisioningEnabled || !st.ImportNewUsers || !st.ImportGroups {
		t.Errorf("installed: %+v", st)
	}
	all := org.Instances()
	if all[len(all)-1].ID != st.ID {
		t.Errorf("a new app is listed last")
	}
	d := served(t, org, st.ID)
	if d.Name != "google" || !strings.HasPrefix(d.ID, "0oa") || len(d.ID) != 20 || !strings.Contains(string(d.Links["deactivate"]), org.URL()) {
		t.Errorf("served: %+v", d)
	}
	g, err := org.AddAppGroup(st.ID, oktasim.NewGroup{Name: "Marketing", Description: "Google group"})
	if err != nil {
		t.Fatal(err)
	}
	var gd struct {
		ID    string `json:"id"`
		Type  string `json:"type"`
		Links struct {
			Source struct {
				Href string `json:"href"`
			} `json:"source"`
		} `json:"_links"`
	}
	_ = json.Unmarshal(g, &gd)
	if gd.Type != "APP_GROUP" || gd.Links.Source.Href != org.URL()+"/api/v1/apps/"+st.ID || !strings.HasPrefix(gd.ID, "00g") {
		t.Errorf("group: %s", g)
	}
	search := func(app string) int {
		r := get(t, org.URL()+`/api/v1/groups?search=source.id+eq+"`+app+`"`, "SSWS "+acmeToken)
		var list []json.RawMessage
		_ = json.Unmarshal(r.body, &list)
		return len(list)
	}
	if n := search(st.ID); n != 1 {
		t.Errorf("%d groups from the new app", n)
	}

	raw, _ := org.App(appByLabel(t, org, "Zoom").ID)
	if _, err := org.Install(oktasim.NewApp{App: raw}); !errors.Is(err, oktasim.ErrConflict) {
		t.Errorf("installing an existing id: %v", err)
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	delete(m, "id")
	m["label"] = "Zoom (2)"
	raw2, _ := json.Marshal(m)
	st2, err := org.Install(oktasim.NewApp{App: raw2})
	if err != nil || st2.Label != "Zoom (2)" || st2.ID == "" {
		t.Errorf("installing a raw object without id: %+v, %v", st2, err)
	}
	if _, err := org.Install(oktasim.NewApp{}); !errors.Is(err, oktasim.ErrInvalid) {
		t.Errorf("installing nothing: %v", err)
	}
	if _, err := org.Install(oktasim.NewApp{App: raw2, Name: "x"}); !errors.Is(err, oktasim.ErrInvalid) {
		t.Errorf("both forms: %v", err)
	}

	if err := org.Remove(st.ID); err != nil {
		t.Fatal(err)
	}
	wantError(t, get(t, org.URL()+"/api/v1/apps/"+st.ID, "SSWS "+acmeToken), http.StatusNotFound, "E0000007", "Not found: Resource not found: "+st.ID+" (AppInstance)")
	if n := search(st.ID); n != 0 {
		t.Errorf("removing an app removes its imported groups: %d left", n)
	}
	if err := org.Remove(st.ID); !errors.Is(err, oktasim.ErrNotFound) {
		t.Errorf("removing twice: %v", err)
	}
	slack := appByLabel(t, org, "Slack")
	groups, _ := org.AppGroups(slack.ID)
	var first struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(groups[0], &first)
	if err := org.RemoveGroup(first.ID); err != nil {
		t.Fatal(err)
	}
	if n := search(slack.ID); n != 2 {
		t.Errorf("after removing a group: %d", n)
	}
}

func TestPaginationSurvivesChanges(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	auth := "SSWS " + acmeToken
	r := get(t, org.URL()+"/api/v1/apps?limit=2", auth)
	next := strings.TrimSuffix(strings.TrimPrefix(r.header.Values("Link")[1], "<"), `>; rel="next"`)
	var page []appDoc
	_ = json.Unmarshal(r.body, &page)
	// The last app of the page goes away before the client follows next.
	if err := org.Remove(page[1].ID); err != nil {
		t.Fatal(err)
	}
	var rest []appDoc
	_ = json.Unmarshal(get(t, next, auth).body, &rest)
	if len(rest) != 2 || rest[0].ID != org.Instances()[1].ID {
		t.Errorf("the next page should continue after the removed app: %v", rest)
	}
}
