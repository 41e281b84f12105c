package oktasim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// TestScenarioConnectionObjectIsServedVerbatim: a connection object the
// scenario gives (a recorded answer) is the answer, byte for byte, not a
// regenerated one; once a change moves its status, the status and
// lifecycle links follow.
func TestScenarioConnectionObjectIsServedVerbatim(t *testing.T) {
	t.Parallel()
	const id = "0oa1b2c3d4e5f6g7h8i9"
	// Key order, spacing, a foreign self link and a member the simulator
	// does not know, as a recording may have them.
	conn := `{"status": "ENABLED",  "profile": {"authScheme": "TOKEN"}, "authScheme": "TOKEN", "baseUrl": "https://target.example.com", "x-recorded": [1, 2],
  "_links": {"self": {"href": "https://recorded.example.com/api/v1/apps/0oaRECORDED/connections/default"}, "app": {"href": "https://{yourOktaDomain}/api/v1/apps/` + id + `"}}}`
	spec := oktasim.OrgSpec{
		Name:        "acme",
		APITokens:   []oktasim.APIToken{{Token: "t"}},
		Apps:        []json.RawMessage{json.RawMessage(`{"id": "` + id + `", "name": "okta_org2org", "label": "O2O", "status": "ACTIVE", "features": ["IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES"]}`)},
		AppSettings: map[string]oktasim.AppSettings{id: {Connection: json.RawMessage(conn)}},
	}
	org := startOrg(t, spec)
	url := org.URL() + "/api/v1/apps/" + id + "/connections/default"
	r := get(t, url, "SSWS t")
	want := strings.ReplaceAll(conn, "https://{yourOktaDomain}", org.URL())
	if r.status != http.StatusOK || string(r.body) != want {
		t.Fatalf("connection answer %d\n got %s\nwant %s", r.status, r.body, want)
	}

	if _, err := org.UpdateApp(id, oktasim.AppUpdate{Provisioning: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	r = get(t, url, "SSWS t")
	var got struct {
		Status    string         `json:"status"`
		XRecorded []int          `json:"x-recorded"`
		Links     map[string]any `json:"_links"`
	}
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "DISABLED" || got.Links["activate"] == nil || len(got.XRecorded) != 2 || bytes.Equal(r.body, []byte(want)) {
		t.Errorf("after disabling provisioning: %s", r.body)
	}
}
