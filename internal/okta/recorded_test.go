package okta

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// fixture reads the status and body of a response copied from the
// okta-reference (see testdata/README.md).
func fixture(t testing.TB, name string) answer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "okta-reference_"+name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Response struct {
			Status int             `json:"status"`
			Body   json.RawMessage `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return answer{r.Response.Status, string(r.Response.Body)}
}

// TestRecordedShapes serves Okta's recorded objects and errors verbatim
// (unknown fields, nulls and all) and checks the facts and the verdicts
// drawn from them.
func TestRecordedShapes(t *testing.T) {
	t.Parallel()
	f := newFakeOkta(t)
	workflows := fixture(t, "recorded_app_okta_flow_sso_scim_provisioning")
	org2org := fixture(t, "recorded_app_okta_org2org_import_features")
	zoom := fixture(t, "recorded_app_zoomus_no_provisioning")
	oidc := fixture(t, "recorded_app_get_oidc_client")
	// A directory app: the recorded org2org object with signOnMode null and
	// no features (no recording has one).
	var obj map[string]any
	if err := json.Unmarshal([]byte(org2org.body), &obj); err != nil {
		t.Fatal(err)
	}
	obj["id"], obj["signOnMode"], obj["features"] = "0oaDIRECTORY00000001", nil, []string{}
	raw, _ := json.Marshal(obj)
	directory := string(raw)
	// The same org2org object with an empty features list and a signOnMode.
	obj["id"], obj["signOnMode"] = "0oaEMPTYFEATURES0001", "SAML_2_0"
	raw, _ = json.Marshal(obj)
	empty := string(raw)
	for _, a := range []string{workflows.body, org2org.body, zoom.body, oidc.body, directory, empty} {
		f.addApp(a)
	}
	// Zoom: features [] and a DISABLED connection; the empty org2org app:
	// features [] and the ENABLED connection recorded for an org2org app;
	// the directory app: UNKNOWN, then /features answers 400 E0000001. The
	// OIDC app is outside Okta's connection API: /features alone decides
	// (a connection answer is on offer, and must not be asked).
	f.connections["0oaq3bt868bEjtyLd1d7"] = fixture(t, "recorded_connection_default_post_token_disabled")
	f.connections["0oaEMPTYFEATURES0001"] = fixture(t, "recorded_connection_default_get_token_enabled")
	f.connections["0oauj97zc4ldTT2wa1d7"] = fixture(t, "recorded_connection_default_get_token_enabled")
	f.features["0oauj97zc4ldTT2wa1d7"] = answer{200, `[{"name":"USER_PROVISIONING","status":"ENABLED"}]`}
	f.connections["0oaDIRECTORY00000001"] = fixture(t, "spec-examples_connection_default_unknown_unsupported_app")
	f.features["0oaDIRECTORY00000001"] = fixture(t, "spec-examples_features_list_400_E0000001_provisioning_not_enabled")
	o := f.org()

	get := func(app string, ids ...string) (eligibility.OktaAppFacts, eligibility.Verdict) {
		facts, err := o.AppFacts(context.Background(), AppQuery{App: app, InstanceIDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		return facts, eligibility.Evaluate(eligibility.Input{OrgURL: o.URL(), App: app, InstanceIDs: ids, Okta: facts,
			ISPM: eligibility.ISPMAppFacts{OrgConnected: eligibility.Yes}})
	}

	facts, v := get("okta_flow_sso")
	if len(facts.Instances) != 1 || !facts.Instances[0].App.HasFeature("SCIM_PROVISIONING") || facts.Instances[0].App.SignOnMode != "OPENID_CONNECT" {
		t.Fatalf("workflows facts %+v", facts.Instances)
	}
	if c := v.Instances[0].Check(eligibility.P5Provisioning); c.Result != eligibility.Pass || c.Evidence != eligibility.EvidenceInferred {
		t.Errorf("workflows P5 %+v", c)
	}

	facts, v = get("zoomus")
	if p := facts.Instances[0].Provisioning; p.Connection != eligibility.ConnectionDisabled {
		t.Errorf("zoom provisioning %+v", p)
	}
	if c := v.Instances[0].Check(eligibility.P5Provisioning); c.Result != eligibility.Fail || c.Evidence != eligibility.EvidenceOktaAPI ||
		c.AdminConsoleURL != f.srv.URL+"/admin/app/zoomus/instance/0oaq3bt868bEjtyLd1d7/#tab-user-management" {
		t.Errorf("zoom P5 %+v", c)
	}

	facts, v = get("oidc_client")
	if p := facts.Instances[0].Provisioning; p.Connection != eligibility.ConnectionNotAsked || p.Features != eligibility.FeaturesListed {
		t.Errorf("oidc provisioning %+v", p)
	}
	iv := v.Instances[0]
	if c := iv.Check(eligibility.P5Provisioning); c.Result != eligibility.Pass || !strings.Contains(c.Message, "read from GET /features") || iv.Check(eligibility.P6ImportUsers).Result != eligibility.Fail {
		t.Errorf("empty features, /features listed: P5 %+v P6 %s", c, iv.Check(eligibility.P6ImportUsers).Result)
	}

	// Asked alone first: an org2org instance answering UNKNOWN would spare
	// the app's other instances their connection request.
	facts, v = get("okta_org2org", "0oaEMPTYFEATURES0001")
	if p := facts.Instances[0].Provisioning; p.Connection != eligibility.ConnectionEnabled {
		t.Errorf("empty org2org provisioning %+v", p)
	}
	iv = v.Instances[0]
	if iv.Check(eligibility.P5Provisioning).Result != eligibility.Pass || iv.Check(eligibility.P6ImportUsers).Result != eligibility.Fail {
		t.Errorf("empty features with an ENABLED connection: P5 %s P6 %s", iv.Check(eligibility.P5Provisioning).Result, iv.Check(eligibility.P6ImportUsers).Result)
	}

	facts, v = get("okta_org2org")
	if len(facts.Instances) != 3 {
		t.Fatalf("org2org instances %+v", facts.AllInstances)
	}
	dir, _ := facts.Instance("0oaDIRECTORY00000001")
	if dir.App.SignOnMode != "" || dir.Provisioning.Connection != eligibility.ConnectionStatusUnknown || dir.Provisioning.Features != eligibility.FeaturesNotEnabled {
		t.Errorf("directory app %+v", dir)
	}
	dv, _ := v.Instance("0oaDIRECTORY00000001")
	if c := dv.Check(eligibility.P5Provisioning); c.Result != eligibility.Fail || !strings.Contains(c.Message, "E0000001") {
		t.Errorf("directory P5 %+v", c)
	}
	if f.count(epConn) != 3 || f.count(epFeat) != 2 {
		t.Errorf("connection requests %d, features %d; want 3 (zoom, the empty org2org and the directory app) and 2 (the directory app after UNKNOWN, the OIDC app); the others show provisioning features", f.count(epConn), f.count(epFeat))
	}
	for _, iv := range v.Instances {
		if c := iv.Check(eligibility.P3Installed); c.Result != eligibility.Pass {
			t.Errorf("%s P3 %+v", iv.ID, c)
		}
	}
}

// TestRecordedErrors serves the recorded error bodies and checks the error
// classes built from them.
func TestRecordedErrors(t *testing.T) {
	t.Parallel()
	for name, check := range map[string]func(t *testing.T, facts eligibility.OktaAppFacts, err error){
		"spec-examples_error_401_E0000011_invalid_token": func(t *testing.T, _ eligibility.OktaAppFacts, err error) {
			if ae, ok := err.(*AuthError); !ok || ae.Status != 401 || ae.Code != "E0000011" {
				t.Errorf("err %v", err)
			}
		},
		"spec-examples_error_403_E0000006_access_denied": func(t *testing.T, _ eligibility.OktaAppFacts, err error) {
			if ae, ok := err.(*AuthError); !ok || ae.Status != 403 || ae.Code != "E0000006" {
				t.Errorf("err %v", err)
			}
		},
		"spec-examples_error_429_E0000047_rate_limited": func(t *testing.T, facts eligibility.OktaAppFacts, err error) {
			if err != nil || !strings.Contains(facts.Reason, "429 E0000047") {
				t.Errorf("err %v, reason %q", err, facts.Reason)
			}
		},
		"recorded_error_404_E0000007_resource_not_found": func(t *testing.T, facts eligibility.OktaAppFacts, err error) {
			if err != nil || !strings.Contains(facts.Reason, "404 E0000007") || !strings.Contains(facts.Reason, "(NetworkZone)") {
				t.Errorf("err %v, reason %q", err, facts.Reason)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFakeOkta(t)
			f.fault = onPath(f, "/api/v1/apps", 0, fixture(t, name), nil)
			facts, err := f.org(func(c *Config) { c.MaxRetries = -1 }).AppFacts(context.Background(), AppQuery{App: "box"})
			check(t, facts, err)
		})
	}
}
