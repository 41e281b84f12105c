package ispmsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm/contract/contracttest"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
)

func TestGalleryStatusIsComputedFromOkta(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	cases := []struct {
		org, app string
		want     ispm.GalleryStatus
		unmet    map[string][]ispm.Prerequisite
	}{
		{"oktaorg_acme", "slack", ispm.StatusAvailable, map[string][]ispm.Prerequisite{"0oaslack1": {}, "0oaslack2": {ispm.P7ImportGroups}}},
		{"oktaorg_acme", "zoomus", ispm.StatusProvisioningDisabled, map[string][]ispm.Prerequisite{"0oazoom1": {ispm.P4Active}}},
		{"oktaorg_acme", "boxnet", ispm.StatusProvisioningDisabled, map[string][]ispm.Prerequisite{"0oabox1": {ispm.P5Provisioning, ispm.P6ImportUsers, ispm.P7ImportGroups}}},
		{"oktaorg_acme", "google", ispm.StatusNotIntegrated, map[string][]ispm.Prerequisite{}},
		{"oktaorg_acme", customApp, ispm.StatusAvailable, map[string][]ispm.Prerequisite{"0oacustom1": {}}},
		{"oktaorg_globex", "slack", ispm.StatusProvisioningDisabled, map[string][]ispm.Prerequisite{"0oaglobex1": {ispm.P2LifecycleManagement}}},
	}
	for _, tc := range cases {
		st, err := e.client.GetAppStatus(ctx, tc.org, tc.app)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != tc.want {
			t.Errorf("%s/%s: status %s, want %s", tc.org, tc.app, st.Status, tc.want)
		}
		got := map[string][]ispm.Prerequisite{}
		for _, in := range st.Instances {
			got[in.ID] = in.UnmetPrerequisites
			if in.Eligible != (len(in.UnmetPrerequisites) == 0) {
				t.Errorf("%s: eligible %v with unmet %v", in.ID, in.Eligible, in.UnmetPrerequisites)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.unmet) {
			t.Errorf("%s/%s: unmet %v, want %v", tc.org, tc.app, got, tc.unmet)
		}
	}
}

func TestGalleryStatusIsCachedUntilRefresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	before, err := e.client.GetAppStatus(ctx, "oktaorg_acme", "slack")
	if err != nil {
		t.Fatal(err)
	}

	// An Okta admin breaks the eligible instance and installs Google.
	e.clock.Advance(time.Hour)
	e.acme.UpdateInstance("0oaslack1", func(in *ispmsim.OktaInstance) { in.ProvisioningEnabled = false })
	e.acme.PutInstance(eligible("0oagoogle1", "google", "Google Workspace"))

	cached, err := e.client.GetAppStatus(ctx, "oktaorg_acme", "slack")
	if err != nil {
		t.Fatal(err)
	}
	if cached.Status != ispm.StatusAvailable || !cached.RefreshedAt.Equal(before.RefreshedAt) {
		t.Fatalf("before a refresh the cached status must stay: got %s refreshed %s", cached.Status, cached.RefreshedAt)
	}
	if g, _ := e.client.GetAppStatus(ctx, "oktaorg_acme", "google"); g.Status != ispm.StatusNotIntegrated {
		t.Fatalf("google before refresh: %s", g.Status)
	}

	fresh, err := e.client.RefreshAppStatus(ctx, "oktaorg_acme", "slack")
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Status != ispm.StatusProvisioningDisabled || !fresh.RefreshedAt.Equal(e.clock.Now()) {
		t.Fatalf("after refresh: %s at %s", fresh.Status, fresh.RefreshedAt)
	}
	if g, _ := e.client.GetAppStatus(ctx, "oktaorg_acme", "google"); g.Status != ispm.StatusNotIntegrated {
		t.Fatalf("refreshing slack must not refresh google: %s", g.Status)
	}
	r, err := e.client.RefreshOrg(ctx, "oktaorg_acme")
	if err != nil {
		t.Fatal(err)
	}
	if r.Apps != len(ispmsim.DefaultCatalog())+1 {
		t.Errorf("org refresh recomputed %d apps", r.Apps)
	}
	if g, _ := e.client.GetAppStatus(ctx, "oktaorg_acme", "google"); g.Status != ispm.StatusAvailable {
		t.Fatalf("google after the org refresh: %s", g.Status)
	}
}

func TestCatalogFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	keys := func(f ispm.CatalogFilter) []string {
		t.Helper()
		entries, err := e.client.ListCatalog(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, en := range entries {
			if (f.OktaOrgID != "") != (en.OrgStatus != nil) {
				t.Errorf("%s: org_status present %v with okta_org_id %q", en.Key, en.OrgStatus != nil, f.OktaOrgID)
			}
			out = append(out, en.Key)
		}
		return out
	}
	all := keys(ispm.CatalogFilter{})
	if len(all) != len(ispmsim.DefaultCatalog())+1 || !slices.IsSorted(all) {
		t.Fatalf("whole catalog: %v", all)
	}
	if got := keys(ispm.CatalogFilter{PoweredBy: ispm.PoweredByCustom}); !slices.Equal(got, []string{customApp}) {
		t.Errorf("CUSTOM: %v", got)
	}
	if got := keys(ispm.CatalogFilter{Category: "custom APPS"}); !slices.Equal(got, []string{customApp}) {
		t.Errorf("category: %v", got)
	}
	if got := keys(ispm.CatalogFilter{Query: "ZOOM"}); !slices.Equal(got, []string{"zoomus"}) {
		t.Errorf("q: %v", got)
	}
	if got := keys(ispm.CatalogFilter{OktaOrgID: "oktaorg_acme", Status: ispm.StatusAvailable}); !slices.Equal(got, []string{customApp, "slack", "zendesk"}) {
		t.Errorf("available in acme: %v", got)
	}
	e.create("zendesk", "0oazendesk1")
	if got := keys(ispm.CatalogFilter{OktaOrgID: "oktaorg_acme", Status: ispm.StatusConnected, PoweredBy: ispm.PoweredByOIN}); !slices.Equal(got, []string{"zendesk"}) {
		t.Errorf("connected in acme: %v", got)
	}
	entry, err := e.client.GetCatalogEntry(ctx, "zendesk", "oktaorg_acme")
	if err != nil {
		t.Fatal(err)
	}
	if entry.OrgStatus == nil || entry.OrgStatus.Status != ispm.StatusConnected || entry.OrgStatus.SourceID == "" {
		t.Errorf("zendesk entry for acme: %+v", entry.OrgStatus)
	}

	status, _, body := e.raw(http.MethodGet, "/api/v1/catalog?status=AVAILABLE", nil, "")
	if status != http.StatusBadRequest || !strings.Contains(e.problem(body).Detail, "okta_org_id") {
		t.Errorf("status without org: %d %s", status, body)
	}
	if _, err := e.client.ListCatalog(ctx, ispm.CatalogFilter{OktaOrgID: "oktaorg_nowhere"}); !ispm.IsNotFound(err) {
		t.Errorf("unknown org: %v", err)
	}
}

func TestPaginationFollowsCursorsAndRefusesForeignOnes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	var keys []string
	cursor := ""
	pages := 0
	for {
		path := "/api/v1/catalog?limit=7"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		status, _, body := e.raw(http.MethodGet, path, nil, "")
		if status != http.StatusOK {
			t.Fatalf("page %d: %d %s", pages, status, body)
		}
		var page struct {
			Data       []ispm.CatalogEntry `json:"data"`
			NextCursor string              `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatal(err)
		}
		pages++
		for _, en := range page.Data {
			keys = append(keys, en.Key)
		}
		if page.NextCursor == "" {
			break
		}
		if len(page.Data) != 7 {
			t.Fatalf("a page before the last has %d entries", len(page.Data))
		}
		cursor = page.NextCursor
	}
	want := len(ispmsim.DefaultCatalog()) + 1
	if len(keys) != want || pages != (want+6)/7 || !slices.IsSorted(keys) {
		t.Fatalf("%d keys in %d pages: %v", len(keys), pages, keys)
	}
	status, _, _ := e.raw(http.MethodGet, "/api/v1/catalog?powered_by=OIN&cursor="+cursor, nil, "")
	if status != http.StatusBadRequest {
		t.Errorf("a cursor used with other filters: %d", status)
	}
	for _, bad := range []string{"limit=0", "limit=201", "limit=x", "cursor=%21%21"} {
		if status, _, _ := e.raw(http.MethodGet, "/api/v1/sources?"+bad, nil, ""); status != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, status)
		}
	}
}

func TestOrgs(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	orgs, err := e.client.ListOrgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 2 || orgs[0].ID != "oktaorg_acme" || orgs[0].Domain != "acme.okta.com" || orgs[0].ConnectionState != ispm.OrgConnected {
		t.Fatalf("orgs: %+v", orgs)
	}
	o, err := e.client.FindOrgByDomain(ctx, "https://GLOBEX.okta.com/")
	if err != nil || o.ID != "oktaorg_globex" {
		t.Fatalf("find by domain: %+v %v", o, err)
	}
	if _, err := e.client.FindOrgByDomain(ctx, "initech.okta.com"); !ispm.IsNotFound(err) {
		t.Fatalf("an org not connected to ISPM: %v", err)
	}
	if _, err := e.client.GetOrg(ctx, "oktaorg_initech"); !ispm.IsNotFound(err) {
		t.Fatalf("get unknown org: %v", err)
	}

	if err := e.svc.SetOrgConnectionState("oktaorg_globex", ispm.OrgDisconnected); err != nil {
		t.Fatal(err)
	}
	o, err = e.client.GetOrg(ctx, "oktaorg_globex")
	if err != nil || o.ConnectionState != ispm.OrgDisconnected {
		t.Fatalf("disconnected org: %+v %v", o, err)
	}
	_, err = e.client.GetAppStatus(ctx, "oktaorg_globex", "slack")
	if !ispm.IsConflict(err) || !ispm.IsOrgNotConnected(err) {
		t.Fatalf("app status of a disconnected org: %v", err)
	}
}

func TestCreateSourceConflictNamesTheExistingSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	first := e.create("slack", "0oaslack1")
	_, err := e.client.CreateSource(context.Background(), ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}})
	if !ispm.IsConflict(err) {
		t.Fatalf("second create: %v", err)
	}
	if id, ok := ispm.ExistingSourceID(err); !ok || id != first.ID {
		t.Fatalf("existing source id %q, want %q", id, first.ID)
	}
	if !strings.Contains(err.Error(), first.ID) {
		t.Errorf("the message does not name the existing source: %v", err)
	}
	if n := len(e.svc.Sources()); n != 1 {
		t.Fatalf("%d sources", n)
	}
}

func TestCreateSourceRejectsEachUnmetPrerequisite(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	_, err := e.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack",
		InstanceIDs: []string{"0oaslack1", "0oaslack2", "0oazoom1", "0oamissing"}})
	if !ispm.IsValidation(err) {
		t.Fatalf("create: %v", err)
	}
	ae := apiError(t, err)
	if ae.Type != ispm.ProblemPrerequisitesUnmet {
		t.Errorf("type %s", ae.Type)
	}
	var got []string
	for _, p := range ae.Problems {
		got = append(got, p.InstanceID+":"+string(p.Prerequisite))
		if p.Detail == "" {
			t.Errorf("problem without detail: %+v", p)
		}
	}
	want := []string{"0oaslack2:P7_IMPORT_GROUPS", "0oazoom1:P3_INSTALLED", "0oamissing:P3_INSTALLED"}
	if !slices.Equal(got, want) {
		t.Fatalf("problems %v, want %v", got, want)
	}
	if len(e.svc.Sources()) != 0 {
		t.Fatal("a rejected create left a source")
	}

	_, err = e.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "boxnet", InstanceIDs: []string{"0oabox1"}})
	ae = apiError(t, err)
	var prereqs []ispm.Prerequisite
	for _, p := range ae.Problems {
		prereqs = append(prereqs, p.Prerequisite)
	}
	if !slices.Equal(prereqs, []ispm.Prerequisite{ispm.P5Provisioning, ispm.P6ImportUsers, ispm.P7ImportGroups}) {
		t.Errorf("box problems %v", prereqs)
	}

	_, err = e.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_globex", App: "slack", InstanceIDs: []string{"0oaglobex1"}})
	if ae = apiError(t, err); ae.Kind != ispm.KindValidation || len(ae.Problems) != 1 || ae.Problems[0].Prerequisite != ispm.P2LifecycleManagement {
		t.Errorf("org without LCM: %v", err)
	}

	_, err = e.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_initech", App: "slack", InstanceIDs: []string{"0oa1"}})
	if ae = apiError(t, err); ae.Type != ispm.ProblemInvalidReference || ae.Problems[0].Prerequisite != ispm.P1OrgConnected {
		t.Errorf("unknown org: %v", err)
	}
	_, err = e.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "notanapp", InstanceIDs: []string{"0oa1"}})
	if ae = apiError(t, err); ae.Type != ispm.ProblemInvalidReference || ae.Problems[0].Field != "app" {
		t.Errorf("unknown app: %v", err)
	}
	if err := e.svc.SetOrgConnectionState("oktaorg_acme", ispm.OrgDisconnected); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.CreateSource(ctx, ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}})
	if ae = apiError(t, err); ae.Kind != ispm.KindValidation || ae.Problems[0].Prerequisite != ispm.P1OrgConnected {
		t.Errorf("disconnected org: %v", err)
	}
}

func TestCreateChecksOktaLiveAndRefreshesTheCache(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	// The cache says Slack EU is not eligible; the admin fixes it in Okta.
	e.acme.UpdateInstance("0oaslack2", func(in *ispmsim.OktaInstance) { in.ImportGroups = true })
	src := e.create("slack", "0oaslack2")
	if src.Status != ispm.SourceConnecting || src.Health != nil || len(src.Instances) != 1 || src.Instances[0].Label != "Slack EU" {
		t.Fatalf("new source: %+v", src)
	}
	if src.DisplayName != "Slack" || src.PoweredBy != ispm.PoweredByOIN {
		t.Errorf("defaults from the catalog: %q %q", src.DisplayName, src.PoweredBy)
	}
	st, _ := e.client.GetAppStatus(ctx, "oktaorg_acme", "slack")
	if st.Status != ispm.StatusConnected || st.SourceID != src.ID {
		t.Fatalf("status after create: %+v", st)
	}
	for _, in := range st.Instances {
		if in.ID == "0oaslack2" && !in.Eligible {
			t.Error("the create re-read Okta, so the cache must show Slack EU eligible")
		}
	}
	if err := e.client.DeleteSource(ctx, src.ID); err != nil {
		t.Fatal(err)
	}
	if st, _ := e.client.GetAppStatus(ctx, "oktaorg_acme", "slack"); st.Status != ispm.StatusAvailable || st.SourceID != "" {
		t.Fatalf("status after delete: %+v", st)
	}
	if _, err := e.client.GetSource(ctx, src.ID); !ispm.IsNotFound(err) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := e.client.DeleteSource(ctx, src.ID); !ispm.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestSourceConnectsAfterReads(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *ispmsim.Options) { o.ConnectAfterReads = 2 })
	ctx := context.Background()
	src := e.create("slack", "0oaslack1")
	if src.Status != ispm.SourceConnecting || !src.ConnectedAt.IsZero() {
		t.Fatalf("created: %+v", src)
	}
	got, _ := e.client.GetSource(ctx, src.ID)
	if got.Status != ispm.SourceConnecting {
		t.Fatalf("first read: %s", got.Status)
	}
	got, _ = e.client.GetSource(ctx, src.ID)
	if got.Status != ispm.SourceConnected || got.ConnectedAt.IsZero() || got.Health == nil || got.Health.Status != ispm.HealthConnected {
		t.Fatalf("second read: %+v %+v", got, got.Health)
	}
}

func TestSourceConnectsAfterDelayAndAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *ispmsim.Options) { o.ConnectDelay = time.Minute })
	ctx := context.Background()
	src := e.create("slack", "0oaslack1")
	for range 3 {
		if got, _ := e.client.GetSource(ctx, src.ID); got.Status != ispm.SourceConnecting {
			t.Fatalf("before the delay: %s", got.Status)
		}
	}
	e.clock.Advance(time.Minute)
	if got, _ := e.client.GetSource(ctx, src.ID); got.Status != ispm.SourceConnected {
		t.Fatalf("after the delay: %s", got.Status)
	}

	quick := newEnv(t, func(o *ispmsim.Options) { o.ConnectAfterReads = 0 })
	if src := quick.create("slack", "0oaslack1"); src.Status != ispm.SourceConnected || src.Health == nil {
		t.Fatalf("ConnectAfterReads 0: %+v", src)
	}
}

func TestHealthTransitions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		break_ func(e *env)
		reason ispm.HealthReason
		text   string
	}{
		{"instance removed", func(e *env) { e.acme.RemoveInstance("0oazendesk2") }, ispm.ReasonMissingConfiguration, "removed"},
		{"instance deactivated", func(e *env) {
			e.acme.UpdateInstance("0oazendesk2", func(in *ispmsim.OktaInstance) { in.Status = "INACTIVE" })
		}, ispm.ReasonMissingConfiguration, "deactivated"},
		{"provisioning disabled", func(e *env) {
			e.acme.UpdateInstance("0oazendesk1", func(in *ispmsim.OktaInstance) { in.ProvisioningEnabled = false })
		}, ispm.ReasonMissingPermissions, "Provisioning was disabled"},
		{"import users off", func(e *env) {
			e.acme.UpdateInstance("0oazendesk1", func(in *ispmsim.OktaInstance) { in.ImportNewUsers = false })
		}, ispm.ReasonMissingConfiguration, "Import New Users"},
		{"import groups off", func(e *env) {
			e.acme.UpdateInstance("0oazendesk1", func(in *ispmsim.OktaInstance) { in.ImportGroups = false })
		}, ispm.ReasonMissingConfiguration, "Import Groups"},
		{"lifecycle management lost", func(e *env) { e.acme.SetLifecycleManagement(false) }, ispm.ReasonMissingPermissions, "Lifecycle Management"},
		{"org disconnected", func(e *env) {
			if err := e.svc.SetOrgConnectionState("oktaorg_acme", ispm.OrgDisconnected); err != nil {
				e.t.Fatal(err)
			}
		}, ispm.ReasonFailedAuthentication, "authenticate"},
		{"removed and provisioning off: the worse reason wins", func(e *env) {
			e.acme.RemoveInstance("0oazendesk2")
			e.acme.UpdateInstance("0oazendesk1", func(in *ispmsim.OktaInstance) { in.ProvisioningEnabled = false })
		}, ispm.ReasonMissingPermissions, "removed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, func(o *ispmsim.Options) { o.ConnectAfterReads = 0 })
			ctx := context.Background()
			src := e.create("zendesk", "0oazendesk1", "0oazendesk2")
			if src.Health == nil || src.Health.Status != ispm.HealthConnected {
				t.Fatalf("healthy at first: %+v", src.Health)
			}
			tc.break_(e)
			// Nothing changes until ISPM tests the source.
			if got, _ := e.client.GetSource(ctx, src.ID); got.Health.Status != ispm.HealthConnected {
				t.Fatalf("health changed before a test: %+v", got.Health)
			}
			e.clock.Advance(time.Minute)
			var tested struct {
				Sources []ispm.Source `json:"sources"`
			}
			e.control(http.MethodPost, "/health-checks", `{"source_id":"`+src.ID+`"}`, http.StatusOK, &tested)
			got, err := e.client.GetSource(ctx, src.ID)
			if err != nil {
				t.Fatal(err)
			}
			h := got.Health
			if h.Status != ispm.HealthFailed || h.Reason != tc.reason || !strings.Contains(h.Message, tc.text) || !h.LastCheckedAt.Equal(e.clock.Now()) {
				t.Fatalf("health %+v, want FAILED %s mentioning %q", h, tc.reason, tc.text)
			}
			if len(tested.Sources) != 1 || tested.Sources[0].Health.Reason != tc.reason {
				t.Errorf("control answer: %+v", tested.Sources)
			}
		})
	}
}

func TestHealthIsTestedOnItsIntervalAndRecovers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *ispmsim.Options) {
		o.ConnectAfterReads = 0
		o.HealthCheckInterval = 24 * time.Hour
	})
	ctx := context.Background()
	src := e.create("slack", "0oaslack1")
	e.acme.UpdateInstance("0oaslack1", func(in *ispmsim.OktaInstance) { in.Status = "INACTIVE" })
	e.clock.Advance(23 * time.Hour)
	if got, _ := e.client.GetSource(ctx, src.ID); got.Health.Status != ispm.HealthConnected {
		t.Fatalf("tested before its interval: %+v", got.Health)
	}
	e.clock.Advance(time.Hour)
	failed, _ := e.client.ListSources(ctx, ispm.SourceFilter{Health: ispm.HealthFailed})
	if len(failed) != 1 || failed[0].Health.Reason != ispm.ReasonMissingConfiguration {
		t.Fatalf("after the interval: %+v", failed)
	}
	e.acme.UpdateInstance("0oaslack1", func(in *ispmsim.OktaInstance) { in.Status = "ACTIVE" })
	e.clock.Advance(24 * time.Hour)
	if got, _ := e.client.GetSource(ctx, src.ID); got.Health.Status != ispm.HealthConnected || got.Health.Reason != "" {
		t.Fatalf("after the fix and another interval: %+v", got.Health)
	}
}

func TestSetHealthThroughTheControlAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *ispmsim.Options) { o.ConnectAfterReads = 0 })
	src := e.create("slack", "0oaslack1")
	var got ispm.Source
	e.control(http.MethodPut, "/sources/"+src.ID+"/health", `{"status":"FAILED","reason":"FAILED_AUTHENTICATION","message":"token revoked"}`, http.StatusOK, &got)
	if got.Health.Reason != ispm.ReasonFailedAuthentication {
		t.Fatalf("set health: %+v", got.Health)
	}
	viaAPI, err := e.client.GetSource(context.Background(), src.ID)
	if err != nil || viaAPI.Health.Message != "token revoked" {
		t.Fatalf("api after set health: %+v %v", viaAPI.Health, err)
	}
	e.control(http.MethodPut, "/sources/"+src.ID+"/health", `{"status":"FAILED"}`, http.StatusBadRequest, nil)
	e.control(http.MethodPut, "/sources/src_nope/health", `{"status":"CONNECTED"}`, http.StatusBadRequest, nil)
}

func TestUpdateSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *ispmsim.Options) { o.ConnectAfterReads = 0 })
	ctx := context.Background()
	src := e.create("zendesk", "0oazendesk1")
	e.clock.Advance(time.Minute)
	got, err := e.client.UpdateSource(ctx, src.ID, ispm.UpdateSourceRequest{InstanceIDs: []string{"0oazendesk1", "0oazendesk2"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.InstanceIDs(), []string{"0oazendesk1", "0oazendesk2"}) || got.Instances[1].Label != "Zendesk Sandbox" || !got.UpdatedAt.After(got.CreatedAt) {
		t.Fatalf("updated: %+v", got)
	}
	name := "Support desk"
	got, err = e.client.UpdateSource(ctx, src.ID, ispm.UpdateSourceRequest{DisplayName: &name})
	if err != nil || got.DisplayName != name || len(got.Instances) != 2 {
		t.Fatalf("rename: %+v %v", got, err)
	}
	e.acme.UpdateInstance("0oazendesk2", func(in *ispmsim.OktaInstance) { in.ImportGroups = false })
	// Keeping an instance does not re-check it; adding one does.
	if _, err := e.client.UpdateSource(ctx, src.ID, ispm.UpdateSourceRequest{InstanceIDs: []string{"0oazendesk2"}}); err != nil {
		t.Fatalf("dropping an instance: %v", err)
	}
	_, err = e.client.UpdateSource(ctx, src.ID, ispm.UpdateSourceRequest{InstanceIDs: []string{"0oazendesk2", "0oaslack1"}})
	ae := apiError(t, err)
	if ae.Kind != ispm.KindValidation || len(ae.Problems) != 1 || ae.Problems[0].InstanceID != "0oaslack1" || ae.Problems[0].Prerequisite != ispm.P3Installed {
		t.Fatalf("adding another app's instance: %v", err)
	}
	if _, err := e.client.UpdateSource(ctx, "src_missing", ispm.UpdateSourceRequest{DisplayName: &name}); !ispm.IsNotFound(err) {
		t.Fatalf("update of a missing source: %v", err)
	}
	status, _, body := e.raw(http.MethodPatch, "/api/v1/sources/"+src.ID, nil, `{}`)
	if status != http.StatusBadRequest {
		t.Fatalf("empty patch: %d %s", status, body)
	}
}

func TestIdempotentCreateUnderConcurrentRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	const n = 24
	body := `{"okta_org_id":"oktaorg_acme","app":"slack","instance_ids":["0oaslack1"]}`
	type answer struct {
		status   int
		replayed bool
		id       string
	}
	answers := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			status, h, b := e.raw(http.MethodPost, "/api/v1/sources", map[string]string{"Idempotency-Key": "create-slack-1"}, body)
			var src ispm.Source
			_ = json.Unmarshal(b, &src)
			answers[i] = answer{status, h.Get("Idempotent-Replayed") == "true", src.ID}
		})
	}
	close(start)
	wg.Wait()
	fresh := 0
	for _, a := range answers {
		if a.status != http.StatusCreated || a.id != answers[0].id {
			t.Fatalf("answers differ: %+v", answers)
		}
		if !a.replayed {
			fresh++
		}
	}
	if fresh != 1 {
		t.Fatalf("%d answers were not replays; exactly one request must create", fresh)
	}
	if srcs := e.svc.Sources(); len(srcs) != 1 {
		t.Fatalf("%d sources", len(srcs))
	}

	status, _, b := e.raw(http.MethodPost, "/api/v1/sources", map[string]string{"Idempotency-Key": "create-slack-1"},
		`{"okta_org_id":"oktaorg_acme","app":"slack","instance_ids":["0oaslack1","0oaslack2"]}`)
	if p := e.problem(b); status != http.StatusUnprocessableEntity || p.Type != ispm.ProblemIdempotencyKeyReused {
		t.Fatalf("same key, other body: %d %+v", status, p)
	}
	// A different key is a different intent: the one-per-app rule answers.
	status, _, _ = e.raw(http.MethodPost, "/api/v1/sources", map[string]string{"Idempotency-Key": "create-slack-2"}, body)
	if status != http.StatusConflict {
		t.Fatalf("other key: %d", status)
	}
	// Once the source is deleted, its key no longer replays it.
	if !e.svc.DeleteSource(answers[0].id) {
		t.Fatal("delete")
	}
	status, h, b := e.raw(http.MethodPost, "/api/v1/sources", map[string]string{"Idempotency-Key": "create-slack-1"}, body)
	var again ispm.Source
	_ = json.Unmarshal(b, &again)
	if status != http.StatusCreated || h.Get("Idempotent-Replayed") != "" || again.ID == answers[0].id {
		t.Fatalf("key after delete: %d replayed=%q id=%s", status, h.Get("Idempotent-Replayed"), again.ID)
	}
}

func TestIdempotencyKeysExpire(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *ispmsim.Options) { o.IdempotencyTTL = time.Hour })
	body := `{"okta_org_id":"oktaorg_acme","app":"slack","instance_ids":["0oaslack1"]}`
	hdr := map[string]string{"Idempotency-Key": "k1"}
	if status, _, _ := e.raw(http.MethodPost, "/api/v1/sources", hdr, body); status != http.StatusCreated {
		t.Fatal(status)
	}
	if status, h, _ := e.raw(http.MethodPost, "/api/v1/sources", hdr, body); status != http.StatusCreated || h.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay within the TTL: %d", status)
	}
	e.clock.Advance(time.Hour)
	if status, _, _ := e.raw(http.MethodPost, "/api/v1/sources", hdr, body); status != http.StatusConflict {
		t.Fatalf("after the TTL the key is new and the source exists: %d", status)
	}
}

func TestLostAnswerIsRecoveredByTheRetryWithoutADuplicate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	if err := e.svc.SetFaults(ispmsim.Faults{DropResponseNext: 1, Methods: []string{"POST"}, PathPrefix: "/api/v1/sources"}); err != nil {
		t.Fatal(err)
	}
	src, err := e.client.CreateSource(context.Background(), ispm.CreateSourceRequest{
		OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}, IdempotencyKey: "tf-create-abc",
	})
	if err != nil {
		t.Fatal(err)
	}
	all := e.svc.Sources()
	if len(all) != 1 || all[0].ID != src.ID {
		t.Fatalf("sources %+v, client got %s", all, src.ID)
	}
	if n := e.svc.RequestCounts()["POST /api/v1/sources"]; n != 2 {
		t.Fatalf("%d create requests, want the dropped one and its retry", n)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	status, h, b := e.raw(http.MethodGet, "/api/v1/sources", map[string]string{"Authorization": ""}, "")
	if status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") || e.problem(b).Type != ispm.ProblemUnauthorized {
		t.Fatalf("no token: %d %v %s", status, h, b)
	}
	_, err := e.newClient("wrong-token", 0).ListSources(context.Background(), ispm.SourceFilter{})
	if !ispm.IsUnauthorized(err) || strings.Contains(err.Error(), "wrong-token") {
		t.Fatalf("wrong token: %v", err)
	}
	ro := e.newClient(e.svc.ReadOnlyAPIToken(), 0)
	if _, err := ro.ListSources(context.Background(), ispm.SourceFilter{}); err != nil {
		t.Fatalf("read-only token reading: %v", err)
	}
	if _, err := ro.RefreshAppStatus(context.Background(), "oktaorg_acme", "slack"); err != nil {
		t.Fatalf("read-only token refreshing: %v", err)
	}
	_, err = ro.CreateSource(context.Background(), ispm.CreateSourceRequest{OktaOrgID: "oktaorg_acme", App: "slack", InstanceIDs: []string{"0oaslack1"}})
	if !ispm.IsForbidden(err) {
		t.Fatalf("read-only token writing: %v", err)
	}
}

func TestMalformedRequestsGetProblemDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	good := `{"okta_org_id":"oktaorg_acme","app":"slack","instance_ids":["0oaslack1"]}`
	key := map[string]string{"Idempotency-Key": "k"}
	cases := []struct {
		name   string
		method string
		path   string
		header map[string]string
		body   string
		status int
	}{
		{"no idempotency key", http.MethodPost, "/api/v1/sources", nil, good, http.StatusBadRequest},
		{"not json", http.MethodPost, "/api/v1/sources", key, `{"okta_org_id":`, http.StatusBadRequest},
		{"unknown member", http.MethodPost, "/api/v1/sources", key, `{"okta_org_id":"oktaorg_acme","app":"slack","instance_ids":["0oaslack1"],"x":1}`, http.StatusBadRequest},
		{"no instances", http.MethodPost, "/api/v1/sources", key, `{"okta_org_id":"oktaorg_acme","app":"slack","instance_ids":[]}`, http.StatusBadRequest},
		{"duplicate instances", http.MethodPost, "/api/v1/sources", key, `{"okta_org_id":"oktaorg_acme","app":"slack","instance_ids":["a","a"]}`, http.StatusBadRequest},
		{"malformed instance", http.MethodPost, "/api/v1/sources", key, `{"okta_org_id":"oktaorg_acme","app":"slack","instance_ids":["a b"]}`, http.StatusBadRequest},
		{"wrong content type", http.MethodPost, "/api/v1/sources", map[string]string{"Idempotency-Key": "k", "Content-Type": "text/plain"}, good, http.StatusUnsupportedMediaType},
		{"too large", http.MethodPost, "/api/v1/sources", key, `{"app":"` + strings.Repeat("a", 2<<20) + `"}`, http.StatusRequestEntityTooLarge},
		{"malformed source id", http.MethodGet, "/api/v1/sources/a%20b", nil, "", http.StatusBadRequest},
		{"bad status filter", http.MethodGet, "/api/v1/sources?status=GONE", nil, "", http.StatusBadRequest},
		{"bad powered_by", http.MethodGet, "/api/v1/catalog?powered_by=SAML", nil, "", http.StatusBadRequest},
		{"method not allowed", http.MethodPut, "/api/v1/sources/src_1", nil, "", http.StatusMethodNotAllowed},
	}
	for _, tc := range cases {
		status, h, b := e.raw(tc.method, tc.path, tc.header, tc.body)
		if status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, status, tc.status, b)
			continue
		}
		p := e.problem(b)
		if p.Status != status || p.Detail == "" || h.Get("Content-Type") != ispm.ContentTypeProblem || p.RequestID == "" || p.RequestID != h.Get("X-Request-Id") {
			t.Errorf("%s: problem %+v, headers %v", tc.name, p, h)
		}
	}
	if n := len(e.svc.Sources()); n != 0 {
		t.Fatalf("malformed requests created %d sources", n)
	}
	status, h, _ := e.raw(http.MethodGet, "/api/v1/nothing", nil, "")
	if status != http.StatusNotFound || h.Get("Content-Type") != ispm.ContentTypeProblem {
		t.Errorf("unknown path: %d %s", status, h.Get("Content-Type"))
	}
}

func TestFaultsAndRequestCounters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	e.control(http.MethodPut, "/faults", `{"rate_limit_next":2,"retry_after":"0s"}`, http.StatusOK, nil)
	if _, err := e.client.ListOrgs(ctx); err != nil {
		t.Fatalf("the client must ride out two 429s: %v", err)
	}
	e.control(http.MethodPut, "/faults", `{"rate_limit_next":1,"retry_after":"30s"}`, http.StatusOK, nil)
	_, err := e.newClient(e.svc.APIToken(), -1).ListOrgs(ctx)
	if ae := apiError(t, err); ae.Kind != ispm.KindRateLimited || ae.RetryAfter != 30*time.Second {
		t.Fatalf("429 without retries: %v", err)
	}
	e.control(http.MethodPut, "/faults", `{"fail_next":1,"error_status":500}`, http.StatusOK, nil)
	if _, err := e.newClient(e.svc.APIToken(), -1).ListOrgs(ctx); !ispm.IsServer(err) {
		t.Fatalf("500: %v", err)
	}
	e.control(http.MethodPut, "/faults", `{"fail_next":2,"drop_next":1}`, http.StatusOK, nil)
	if _, err := e.client.ListOrgs(ctx); err != nil {
		t.Fatalf("the client must ride out a dropped connection and two 503s: %v", err)
	}
	e.control(http.MethodPut, "/faults", `{"error_rate":2}`, http.StatusBadRequest, nil)

	var counts struct {
		Counts map[string]int `json:"counts"`
		Total  int            `json:"total"`
	}
	e.control(http.MethodGet, "/requests", "", http.StatusOK, &counts)
	// 3 + 1 + 1 + 4 attempts, dropped and faulted ones included.
	if counts.Counts["GET /api/v1/okta-orgs"] != 9 || counts.Total != 9 {
		t.Fatalf("counts %+v", counts)
	}
	e.control(http.MethodDelete, "/requests", "", http.StatusNoContent, nil)
	e.control(http.MethodDelete, "/faults", "", http.StatusNoContent, nil)
	_, _ = e.client.GetAppStatus(ctx, "oktaorg_acme", "slack")
	if c := e.svc.RequestCounts(); len(c) != 1 || c["GET /api/v1/okta-orgs/{orgId}/apps/{appKey}"] != 1 {
		t.Fatalf("after reset: %v", c)
	}
}

func TestLatencyFaultHonoursCancellation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	// An hour of latency: the handler can only return in this test by
	// noticing that its client went away.
	if err := e.svc.SetFaults(ispmsim.Faults{Latency: ispmsim.Duration(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// The service's own handler, behind a server that reports when it
	// returns; the client still speaks through the contract validator.
	returned := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { returned <- struct{}{} }()
		e.svc.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := ispm.NewClient(ispm.Config{Endpoint: srv.URL, APIToken: e.svc.APIToken(), UserAgent: "ispmsim-test",
		HTTPClient: httpx.NewClient(httpx.Options{Base: e.v.Transport(nil, contracttest.RequestOnly), MaxRetries: -1})})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel once the service holds the request in its latency.
	go func() {
		for e.svc.RequestCounts()["GET /api/v1/sources"] == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if _, err := c.ListSources(ctx, ispm.SourceFilter{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	// A safety net only: the latency left is about an hour.
	select {
	case <-returned:
	case <-time.After(time.Minute):
		t.Fatal("the handler still sleeps in its latency after the client cancelled")
	}
	e.svc.ClearFaults()
	if _, err := e.client.ListSources(context.Background(), ispm.SourceFilter{}); err != nil {
		t.Fatal(err)
	}
}

func TestControlAPIChangesSourcesOutOfBand(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	var created ispm.Source
	e.control(http.MethodPost, "/sources", `{"okta_org_id":"oktaorg_acme","app":"zendesk","instance_ids":["0oazendesk1"]}`, http.StatusCreated, &created)
	if created.Status != ispm.SourceConnected || created.Health == nil {
		t.Fatalf("a console connection is connected at once: %+v", created)
	}
	e.control(http.MethodPost, "/sources", `{"okta_org_id":"oktaorg_acme","app":"boxnet","instance_ids":["0oabox1"]}`, http.StatusUnprocessableEntity, nil)

	var edited ispm.Source
	e.control(http.MethodPatch, "/sources/"+created.ID, `{"instance_ids":["0oazendesk2"],"display_name":"Renamed"}`, http.StatusOK, &edited)
	got, err := e.client.GetSource(ctx, created.ID)
	if err != nil || !slices.Equal(got.InstanceIDs(), []string{"0oazendesk2"}) || got.DisplayName != "Renamed" || got.Instances[0].Label != "Zendesk Sandbox" {
		t.Fatalf("after a console edit: %+v %v", got, err)
	}
	var disconnected struct {
		Orgs []ispm.Org `json:"orgs"`
	}
	e.control(http.MethodPut, "/orgs/oktaorg_acme", `{"connection_state":"DISCONNECTED"}`, http.StatusOK, &disconnected)
	if disconnected.Orgs[0].ConnectionState != ispm.OrgDisconnected {
		t.Fatalf("orgs: %+v", disconnected.Orgs)
	}
	e.control(http.MethodPut, "/orgs/oktaorg_acme", `{"connection_state":"CONNECTED"}`, http.StatusOK, nil)

	e.acme.PutInstance(eligible("0oagoogle1", "google", "Google Workspace"))
	e.control(http.MethodPost, "/refresh", "", http.StatusNoContent, nil)
	if st, _ := e.client.GetAppStatus(ctx, "oktaorg_acme", "google"); st.Status != ispm.StatusAvailable {
		t.Fatalf("after a control refresh: %s", st.Status)
	}

	var state struct {
		Orgs    []ispm.Org    `json:"orgs"`
		Sources []ispm.Source `json:"sources"`
	}
	e.control(http.MethodGet, "/state", "", http.StatusOK, &state)
	if len(state.Orgs) != 2 || len(state.Sources) != 1 {
		t.Fatalf("state: %+v", state)
	}
	e.control(http.MethodDelete, "/sources/"+created.ID, "", http.StatusNoContent, nil)
	e.control(http.MethodDelete, "/sources/"+created.ID, "", http.StatusNotFound, nil)
	if _, err := e.client.GetSource(ctx, created.ID); !ispm.IsNotFound(err) {
		t.Fatalf("deleted in the console: %v", err)
	}
	e.control(http.MethodGet, "/nothing", "", http.StatusNotFound, nil)
}

func TestListSourcesFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(o *ispmsim.Options) { o.ConnectAfterReads = 5 })
	ctx := context.Background()
	slack := e.create("slack", "0oaslack1")
	e.clock.Advance(time.Second)
	zen := e.create("zendesk", "0oazendesk1")
	if _, err := e.svc.EditSource(zen.ID, ispmsim.SourceEdit{Status: ptr(ispm.SourceConnected)}); err != nil {
		t.Fatal(err)
	}
	check := func(f ispm.SourceFilter, want ...string) {
		t.Helper()
		got, err := e.client.ListSources(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range got {
			ids = append(ids, s.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("%+v: %v, want %v", f, ids, want)
		}
	}
	check(ispm.SourceFilter{}, slack.ID, zen.ID)
	check(ispm.SourceFilter{App: "zendesk"}, zen.ID)
	check(ispm.SourceFilter{OktaOrgID: "oktaorg_globex"})
	check(ispm.SourceFilter{Status: ispm.SourceConnecting}, slack.ID)
	check(ispm.SourceFilter{Health: ispm.HealthConnected}, zen.ID)
}

func ptr[T any](v T) *T { return &v }
