package sandbox

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// RecordedOrg2Org5 is the id of the recorded Okta Org2Org app object that
// RecordedListingScenario serves: active, provisioning and "Import New Users
// and Profile Updates" on, no imported groups.
const RecordedOrg2Org5 = "0oardqt3r8Cet4BEh1d7"

// recordedOrg2Org5 is a real GET /api/v1/apps/{id} exchange from the
// project's Okta reference material.
//
//go:embed oktasim/testdata/okta-reference/recorded/app_okta_org2org_push_and_import_features.json
var recordedOrg2Org5 []byte

// RecordedListingScenario is one Okta org, "recorded" (API token
// "sandbox-recorded-token"), built from the recorded app object
// RecordedOrg2Org5 alone, as an org loaded from real Okta listings is:
// nothing states the app's hidden settings unless settings (an
// app_settings entry, as JSON) is given.
func RecordedListingScenario(settings string) (Scenario, error) {
	var rec struct {
		Response struct {
			Body json.RawMessage `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(recordedOrg2Org5, &rec); err != nil {
		return Scenario{}, fmt.Errorf("the recorded app object: %w", err)
	}
	org := `{"name": "recorded", "lifecycle_management": true, "api_tokens": ["sandbox-recorded-token"], "apps": [` + string(rec.Response.Body) + `]`
	if settings != "" {
		org += `, "app_settings": {"` + RecordedOrg2Org5 + `": ` + settings + `}`
	}
	return ParseScenario([]byte(`{"okta_orgs": [` + org + `}]}`))
}
