package eligibility

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testOrgURL = "https://acme.okta.com"

// recorded is the envelope of a fixture copied from the okta-reference.
type recorded struct {
	Response struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"response"`
}

func loadRecorded(t testing.TB, name string) recorded {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "okta-reference_"+name+".json"))
	if err != nil {
		t.Fatalf("reading fixture %s: %v", name, err)
	}
	var r recorded
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("parsing fixture %s: %v", name, err)
	}
	return r
}

// recordedApp reads an app object from a fixture as the adapter would:
// features absent or null means unknown, signOnMode null means "".
func recordedApp(t testing.TB, name string) AppObject {
	t.Helper()
	var raw struct {
		ID, Name, Label, Status, LastUpdated string
		SignOnMode                           *string
		Features                             *[]string
	}
	if err := json.Unmarshal(loadRecorded(t, name).Response.Body, &raw); err != nil {
		t.Fatalf("fixture %s is not an app object: %v", name, err)
	}
	a := AppObject{ID: raw.ID, Name: raw.Name, Label: raw.Label, Status: raw.Status, LastUpdated: raw.LastUpdated}
	if raw.SignOnMode != nil {
		a.SignOnMode = *raw.SignOnMode
	}
	if raw.Features != nil {
		a.Features, a.FeaturesKnown = *raw.Features, true
	}
	return a
}

// recordedConnection reads the status of a recorded connection answer.
func recordedConnection(t testing.TB, name string) ConnectionAnswer {
	t.Helper()
	var body struct{ Status string }
	if err := json.Unmarshal(loadRecorded(t, name).Response.Body, &body); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return ConnectionAnswer(body.Status)
}

// recordedErrorCode reads the errorCode of a recorded error answer.
func recordedErrorCode(t testing.TB, name string) (int, string) {
	t.Helper()
	r := loadRecorded(t, name)
	var body struct{ ErrorCode string }
	if err := json.Unmarshal(r.Response.Body, &body); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return r.Response.Status, body.ErrorCode
}

func newApp(id, name, status string, features ...string) AppObject {
	if features == nil {
		features = []string{}
	}
	return AppObject{ID: id, Name: name, Label: strings.ToUpper(name[:1]) + name[1:] + " " + id[len(id)-1:], Status: status,
		LastUpdated: "2026-03-01T04:00:25.000Z", SignOnMode: "SAML_2_0", Features: features, FeaturesKnown: true}
}

var readyFeatures = []string{"IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "PUSH_NEW_USERS", "SCIM_PROVISIONING"}

func found(a AppObject) OktaInstanceFacts {
	return OktaInstanceFacts{ID: a.ID, State: AppFound, App: a}
}

func withProv(f OktaInstanceFacts, p ProvisioningFacts) OktaInstanceFacts {
	f.Provisioning = p
	return f
}

func withGroups(f OktaInstanceFacts, g GroupFacts) OktaInstanceFacts {
	f.Groups = g
	return f
}

// oktaOf builds the facts of an org whose listing holds the given
// instances; AllInstances lists those named app.
func oktaOf(app string, insts ...OktaInstanceFacts) OktaAppFacts {
	f := OktaAppFacts{Credentials: true, Instances: insts}
	for _, in := range insts {
		if in.State == AppFound && in.App.Name == app {
			f.AllInstances = append(f.AllInstances, InstanceSummary{ID: in.ID, Label: in.App.Label, Status: in.App.Status})
		}
	}
	return f
}

const noLink = "-"

var connectedOrg = ISPMAppFacts{OrgConnected: Yes, Status: StatusProvisioningDisabled}

// expect is what one check must look like; empty fields are not checked.
type expect struct {
	result   Result
	evidence Evidence
	contains []string
	cause    CheckID
	link     string // "" or "*": not checked; noLink: must have none
	remedy   bool   // remediation must be non-empty
}

func checkAgainst(t *testing.T, c Check, want expect) {
	t.Helper()
	if c.ID == "" {
		t.Fatalf("check missing")
	}
	if c.Title != c.ID.Title() {
		t.Errorf("%s: title %q", c.ID, c.Title)
	}
	if c.Result != want.result {
		t.Errorf("%s: result %q, want %q (message: %s)", c.ID, c.Result, want.result, c.Message)
	}
	if want.evidence != "" && c.Evidence != want.evidence {
		t.Errorf("%s: evidence %q, want %q (message: %s)", c.ID, c.Evidence, want.evidence, c.Message)
	}
	for _, s := range want.contains {
		if !strings.Contains(c.Message, s) {
			t.Errorf("%s: message %q does not mention %q", c.ID, c.Message, s)
		}
	}
	if c.Cause != want.cause {
		t.Errorf("%s: cause %q, want %q", c.ID, c.Cause, want.cause)
	}
	switch want.link {
	case "", "*":
	case noLink:
		if c.AdminConsoleURL != "" {
			t.Errorf("%s: admin console URL %q, want none", c.ID, c.AdminConsoleURL)
		}
	default:
		if c.AdminConsoleURL != want.link {
			t.Errorf("%s: admin console URL %q, want %q", c.ID, c.AdminConsoleURL, want.link)
		}
	}
	if c.Result == Fail && len(c.Remediation) == 0 {
		t.Errorf("%s: a fail without remediation", c.ID)
	}
	if want.remedy && len(c.Remediation) == 0 {
		t.Errorf("%s: no remediation", c.ID)
	}
	if c.Message == "" {
		t.Errorf("%s: empty message", c.ID)
	}
}
