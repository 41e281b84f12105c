package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// call sends a control API request and decodes the JSON answer into out.
func call(t *testing.T, method, url, body string, wantStatus int, out any) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: %d %s, want %d", method, url, resp.StatusCode, data, wantStatus)
	}
	if wantStatus != http.StatusNoContent && resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, url, resp.Header.Get("Content-Type"))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, data)
		}
	}
}

type appState struct {
	oktasim.InstanceState
	App json.RawMessage `json:"app"`
}

// member reads a top-level string member of the app object.
func (a appState) member(t *testing.T, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.App, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[name].(string)
	return s
}

func TestControlAPIChangesAppsLikeAnAdmin(t *testing.T) {
	t.Parallel()
	sb := start(t, sandbox.DefaultScenario())
	base := sb.ControlURL() + "/okta/orgs/acme"

	var info sandbox.Info
	call(t, http.MethodGet, sb.ControlURL(), "", http.StatusOK, &info)
	if info.Control != sb.ControlURL() || len(info.OktaOrgs) != 2 {
		t.Errorf("GET /_sandbox: %+v", info)
	}
	var orgs []map[string]any
	call(t, http.MethodGet, sb.ControlURL()+"/okta/orgs", "", http.StatusOK, &orgs)
	if len(orgs) != 2 || orgs[0]["name"] != "acme" || orgs[0]["url"] != sb.Org("acme").URL() {
		t.Errorf("orgs: %v", orgs)
	}

	var apps []oktasim.InstanceState
	call(t, http.MethodGet, base+"/apps", "", http.StatusOK, &apps)
	if len(apps) != len(sb.Org("acme").Instances()) {
		t.Fatalf("%d apps", len(apps))
	}
	slack := apps[0]

	var st appState
	call(t, http.MethodPatch, base+"/apps/"+slack.ID, `{"status": "INACTIVE"}`, http.StatusOK, &st)
	if st.Status != "INACTIVE" || st.member(t, "status") != "INACTIVE" || !st.LastUpdated.After(slack.LastUpdated) {
		t.Errorf("deactivate: %+v", st.InstanceState)
	}
	call(t, http.MethodPatch, base+"/apps/"+slack.ID, `{"status": "ACTIVE", "import_new_users": false, "import_groups": false}`, http.StatusOK, &st)
	if st.Status != "ACTIVE" || st.ImportNewUsers || st.ImportGroups || !st.ProvisioningEnabled {
		t.Errorf("reactivate without imports: %+v", st.InstanceState)
	}
	call(t, http.MethodPatch, base+"/apps/"+slack.ID, `{"provisioning": false}`, http.StatusOK, &st)
	if st.ProvisioningEnabled || st.Connection != "DISABLED" {
		t.Errorf("provisioning off: %+v", st.InstanceState)
	}
	call(t, http.MethodGet, base+"/apps/"+slack.ID, "", http.StatusOK, &st)
	if st.ProvisioningEnabled {
		t.Errorf("GET after the change: %+v", st.InstanceState)
	}

	var installed appState
	call(t, http.MethodPost, base+"/apps", `{"name": "google", "provisioning": true, "import_new_users": true, "import_groups": true}`, http.StatusCreated, &installed)
	if installed.Name != "google" || !installed.ImportGroups || installed.member(t, "name") != "google" {
		t.Errorf("install: %+v", installed.InstanceState)
	}
	var group map[string]any
	call(t, http.MethodPost, base+"/apps/"+installed.ID+"/groups", `{"name": "Marketing", "description": "Google group"}`, http.StatusCreated, &group)
	if group["type"] != "APP_GROUP" {
		t.Errorf("group: %v", group)
	}
	var groups []map[string]any
	call(t, http.MethodGet, base+"/apps/"+installed.ID+"/groups", "", http.StatusOK, &groups)
	if len(groups) != 1 {
		t.Errorf("groups: %v", groups)
	}
	gid, _ := group["id"].(string)
	call(t, http.MethodDelete, base+"/groups/"+gid, "", http.StatusNoContent, nil)
	call(t, http.MethodGet, base+"/apps/"+installed.ID+"/groups", "", http.StatusOK, &groups)
	if len(groups) != 0 {
		t.Errorf("groups after delete: %v", groups)
	}
	call(t, http.MethodDelete, base+"/apps/"+installed.ID, "", http.StatusNoContent, nil)
	if _, ok := sb.Org("acme").Instance(installed.ID); ok {
		t.Error("the app is still installed")
	}

	var org map[string]any
	call(t, http.MethodPatch, base, `{"lifecycle_management": false}`, http.StatusOK, &org)
	if org["lifecycle_management"] != false || sb.Org("acme").LifecycleManagement() {
		t.Errorf("lifecycle management: %v", org)
	}
}

func TestControlAPIErrors(t *testing.T) {
	t.Parallel()
	sb := start(t, sandbox.DefaultScenario())
	base := sb.ControlURL() + "/okta/orgs/acme"
	bookmark := ""
	for _, st := range sb.Org("acme").Instances() {
		if st.Name == "bookmark" {
			bookmark = st.ID
		}
	}
	var e struct {
		Error string `json:"error"`
	}
	for _, tc := range []struct {
		method, url, body string
		status            int
		want              string
	}{
		{http.MethodGet, sb.ControlURL() + "/okta/orgs/initech/apps", "", 404, `no Okta org is named "initech"; the sandbox has acme, globex`},
		{http.MethodGet, base + "/apps/0oa0000000000000miss", "", 404, `app "0oa0000000000000miss" is not installed in Okta org "acme"`},
		{http.MethodPatch, base + "/apps/0oa0000000000000miss", `{"status": "ACTIVE"}`, 404, "is not installed"},
		{http.MethodPatch, base + "/apps/" + bookmark, `{"provisioning": true}`, 409, "does not support provisioning"},
		{http.MethodPatch, base + "/apps/" + bookmark, `{"satus": "ACTIVE"}`, 400, `unknown field "satus"`},
		{http.MethodPatch, base + "/apps/" + bookmark, `{"status": "DELETED"}`, 400, `status "DELETED" is not one an admin can set`},
		{http.MethodPatch, base + "/apps/" + bookmark, ``, 400, "the request body is empty"},
		{http.MethodPost, base + "/apps", `{"label": "no name"}`, 400, `"name" is required`},
		{http.MethodPost, base + "/apps/" + bookmark + "/groups", `{}`, 400, `"name" is required`},
		{http.MethodDelete, base + "/groups/00g0000000000000miss", "", 404, "does not exist"},
		{http.MethodPatch, base + "/rate-limits", `{"apps": -1}`, 400, `rate limit "apps" is -1`},
		{http.MethodPut, base + "/faults", `{"error_rate": 2}`, 400, "error_rate is 2"},
		{http.MethodPut, sb.ControlURL() + "/okta/faults", `{"drop_rate": -1}`, 400, "drop_rate is -1"},
		{http.MethodGet, sb.ControlURL() + "/okta/nothing", "", 404, "the control API has no route GET /_sandbox/okta/nothing"},
		{http.MethodGet, sb.URL() + "/elsewhere", "", 404, "the sandbox has no endpoint /elsewhere"},
	} {
		call(t, tc.method, tc.url, tc.body, tc.status, &e)
		if !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s %s: %q, want it to mention %q", tc.method, tc.url, e.Error, tc.want)
		}
	}
}

func TestControlAPIRateLimitsFaultsAndCounters(t *testing.T) {
	t.Parallel()
	sb := start(t, sandbox.DefaultScenario())
	acme := sb.Org("acme")
	base := sb.ControlURL() + "/okta/orgs/acme"

	var rl struct {
		Limits oktasim.RateLimits             `json:"limits"`
		Usage  map[string]oktasim.BucketUsage `json:"usage"`
	}
	call(t, http.MethodGet, base+"/rate-limits", "", http.StatusOK, &rl)
	if rl.Limits != oktasim.DefaultRateLimits() || rl.Usage["apps"].Remaining != 100 {
		t.Errorf("default limits: %+v", rl)
	}
	call(t, http.MethodPatch, base+"/rate-limits", `{"apps": 2, "concurrency": 10}`, http.StatusOK, &rl)
	if rl.Limits.Apps != 2 || rl.Limits.Concurrency != 10 || rl.Limits.AppGet != 600 {
		t.Errorf("patched limits: %+v", rl.Limits)
	}
	get := func() int {
		req, _ := http.NewRequest(http.MethodGet, acme.URL()+"/api/v1/apps?limit=1", nil)
		req.Header.Set("Authorization", "SSWS sandbox-acme-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := []int{get(), get(), get()}; s[2] != http.StatusTooManyRequests {
		t.Errorf("statuses %v, want the third refused", s)
	}
	call(t, http.MethodGet, base+"/rate-limits", "", http.StatusOK, &rl)
	if u := rl.Usage["apps"]; u.Used != 2 || u.Remaining != 0 || u.Reset == 0 {
		t.Errorf("usage: %+v", u)
	}
	call(t, http.MethodPost, base+"/rate-limits/reset", "", http.StatusOK, &rl)
	if get() != http.StatusOK {
		t.Error("a reset window should admit requests again")
	}
	var all map[string]oktasim.RateLimits
	call(t, http.MethodPatch, sb.ControlURL()+"/okta/rate-limits", `{"groups": 7}`, http.StatusOK, &all)
	if all["acme"].Groups != 7 || all["globex"].Groups != 7 || sb.Org("globex").RateLimits().Groups != 7 {
		t.Errorf("limits for every org: %+v", all)
	}

	var counts map[string]oktasim.EndpointCount
	call(t, http.MethodGet, base+"/requests", "", http.StatusOK, &counts)
	if c := counts[oktasim.EndpointListApps]; c.Requests != 4 || c.RateLimited != 1 || c.Statuses[429] != 1 {
		t.Errorf("counters: %+v", c)
	}
	var both map[string]map[string]oktasim.EndpointCount
	call(t, http.MethodGet, sb.ControlURL()+"/okta/requests", "", http.StatusOK, &both)
	if both["acme"][oktasim.EndpointListApps].Requests != 4 || len(both["globex"]) != 0 {
		t.Errorf("counters of every org: %+v", both)
	}
	call(t, http.MethodDelete, base+"/requests", "", http.StatusNoContent, nil)
	if len(acme.RequestCounts()) != 0 {
		t.Error("counters not reset")
	}
	call(t, http.MethodDelete, sb.ControlURL()+"/okta/requests", "", http.StatusNoContent, nil)

	var f oktasim.Faults
	call(t, http.MethodPut, base+"/faults", `{"error_rate": 1, "seed": 4, "endpoints": ["GET /api/v1/apps"]}`, http.StatusOK, &f)
	if f.ErrorRate != 1 || acme.Faults().Seed != 4 {
		t.Errorf("faults: %+v", f)
	}
	call(t, http.MethodPost, base+"/rate-limits/reset", "", http.StatusOK, nil)
	if s := get(); s != http.StatusInternalServerError {
		t.Errorf("with error_rate 1: %d", s)
	}
	call(t, http.MethodGet, base+"/faults", "", http.StatusOK, &f)
	if f.ErrorRate != 1 || len(f.Endpoints) != 1 {
		t.Errorf("GET faults: %+v", f)
	}
	call(t, http.MethodDelete, base+"/faults", "", http.StatusNoContent, nil)
	if acme.Faults().ErrorRate != 0 {
		t.Error("faults not cleared")
	}
	call(t, http.MethodPut, sb.ControlURL()+"/okta/faults", `{"latency_ms": 3}`, http.StatusOK, &f)
	if acme.Faults().LatencyMS != 3 || sb.Org("globex").Faults().LatencyMS != 3 {
		t.Error("faults for every org")
	}
	call(t, http.MethodDelete, sb.ControlURL()+"/okta/faults", "", http.StatusNoContent, nil)
	if sb.Org("globex").Faults().LatencyMS != 0 {
		t.Error("faults for every org not cleared")
	}
}

func TestControlAPIInstallsARawApp(t *testing.T) {
	t.Parallel()
	sb := start(t, sandbox.DefaultScenario())
	raw, _ := sb.Org("acme").App(sb.Org("acme").Instances()[0].ID)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	delete(m, "id")
	m["label"] = "Slack (copy)"
	body, _ := json.Marshal(map[string]any{"app": m, "settings": map[string]any{"connection": "DISABLED", "groups": []any{map[string]any{"profile": map[string]any{"name": "copied"}}}}})
	var st appState
	call(t, http.MethodPost, sb.ControlURL()+"/okta/orgs/acme/apps", string(body), http.StatusCreated, &st)
	if st.Label != "Slack (copy)" || st.Connection != "DISABLED" || st.AppGroups != 1 || !st.ImportGroups {
		t.Errorf("raw install: %+v", st.InstanceState)
	}
	if st.member(t, "label") != "Slack (copy)" {
		t.Errorf("served object: %s", st.App)
	}
}
