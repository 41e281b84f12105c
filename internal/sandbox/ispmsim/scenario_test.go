package ispmsim_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
)

func TestDefaultCatalog(t *testing.T) {
	t.Parallel()
	cat := ispmsim.DefaultCatalog()
	if len(cat) < 24 {
		t.Fatalf("the default gallery has %d apps; a few dozen are expected", len(cat))
	}
	categories := map[string]bool{}
	for _, e := range cat {
		if e.PoweredBy != ispm.PoweredByOIN || e.DisplayName == "" || len(e.Categories) == 0 {
			t.Errorf("entry %+v", e)
		}
		for _, c := range e.Categories {
			categories[c] = true
		}
	}
	if len(categories) < 8 {
		t.Errorf("only %d categories", len(categories))
	}
	// The keys the project's evidence confirms are all there.
	for _, k := range []string{"google", "office365", "okta_org2org", "slack", "zoomus", "zscalerbyz", "salesforce", "boxnet", "workday", "zendesk", "servicenow_app2", "dropbox_for_business", "amazon_aws_sso"} {
		if !slices.ContainsFunc(cat, func(e ispm.CatalogEntry) bool { return e.Key == k }) {
			t.Errorf("missing %s", k)
		}
	}
}

const scenarioJSON = `{
  "api_token": "tok",
  "catalog": [
    {"key": "acme_hrportal_1", "display_name": "HR Portal", "powered_by": "CUSTOM", "categories": ["Custom apps"]},
    {"key": "slack", "display_name": "Slack (renamed)", "powered_by": "OIN", "categories": ["Chat"]}
  ],
  "orgs": [
    {"okta_org": "acme", "display_name": "Acme Corp"},
    {"okta_org": "globex", "id": "oktaorg_g", "connection_state": "DISCONNECTED"}
  ],
  "sources": [
    {"okta_org": "acme", "app": "slack", "instances": ["Slack", "0oaslack2"], "display_name": "Chat"},
    {"okta_org": "acme", "app": "acme_hrportal_1", "instances": ["HR Portal"],
     "health": {"status": "FAILED", "reason": "MISSING_PERMISSIONS", "message": "token expired"}}
  ],
  "connect_after_reads": 3,
  "health_check_interval": "24h"
}`

func TestScenarioBuildsTheService(t *testing.T) {
	t.Parallel()
	sc, err := ispmsim.ParseScenario([]byte(scenarioJSON))
	if err != nil {
		t.Fatal(err)
	}
	acme := ispmsim.NewStaticOrg("127.0.0.1:5001", true,
		eligible("0oaslack1", "slack", "Slack"), eligible("0oaslack2", "slack", "Slack EU"), eligible("0oahr1", "acme_hrportal_1", "HR Portal"))
	globex := ispmsim.NewStaticOrg("127.0.0.1:5002", false)
	orgs := map[string]ispmsim.OktaOrg{"acme": acme, "globex": globex, "initech": ispmsim.NewStaticOrg("127.0.0.1:5003", true)}
	opts, err := sc.Options(func(name string) (ispmsim.OktaOrg, bool) { o, ok := orgs[name]; return o, ok })
	if err != nil {
		t.Fatal(err)
	}
	if opts.ConnectAfterReads != 3 || opts.HealthCheckInterval != 24*time.Hour || opts.APIToken != "tok" {
		t.Errorf("options %+v", opts)
	}
	svc, err := ispmsim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	got := svc.Orgs()
	if len(got) != 2 || got[0].ID != "oktaorg_acme" || got[0].DisplayName != "Acme Corp" || got[0].Domain != "127.0.0.1:5001" ||
		got[1].ID != "oktaorg_g" || got[1].ConnectionState != ispm.OrgDisconnected {
		t.Fatalf("orgs %+v", got)
	}
	srcs := svc.Sources()
	if len(srcs) != 2 {
		t.Fatalf("sources %+v", srcs)
	}
	for _, s := range srcs {
		switch s.App {
		case "slack":
			if !slices.Equal(s.InstanceIDs(), []string{"0oaslack1", "0oaslack2"}) || s.DisplayName != "Chat" || s.Status != ispm.SourceConnected ||
				s.Health == nil || s.Health.Status != ispm.HealthConnected {
				t.Errorf("slack source %+v", s)
			}
		case "acme_hrportal_1":
			if s.PoweredBy != ispm.PoweredByCustom || s.DisplayName != "HR Portal" || s.Health.Reason != ispm.ReasonMissingPermissions {
				t.Errorf("custom source %+v", s)
			}
		}
	}
	st, err := svc.AppStatus("oktaorg_acme", "slack")
	if err != nil || st.Status != ispm.StatusConnected {
		t.Fatalf("slack status %+v %v", st, err)
	}
}

func TestScenarioErrorsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	acme := ispmsim.NewStaticOrg("a", true, eligible("0oa1", "slack", "Slack"), eligible("0oa2", "slack", "Slack"), eligible("0oaz", "zoomus", "Zoom"))
	lookup := func(name string) (ispmsim.OktaOrg, bool) { return acme, name == "acme" }
	cases := []struct{ json, want string }{
		{`{"orgs":[],"typo":1}`, `unknown field "typo"`},
		{`{"orgs":[{"okta_org":"nowhere"}]}`, `Okta org "nowhere", which the scenario does not define`},
		{`{"connect_after_reads":-1,"orgs":[]}`, "give 0 or more"},
		{`{"health_check_interval":"soon","orgs":[]}`, "not a duration"},
		{`{"orgs":[{"okta_org":"acme"}],"sources":[{"okta_org":"acme","app":"slack","instances":["Slack"]}]}`, "2 instances"},
		{`{"orgs":[{"okta_org":"acme"}],"sources":[{"okta_org":"acme","app":"slack","instances":["0oaz"]}]}`, `instance of "zoomus"`},
		{`{"orgs":[{"okta_org":"acme"}],"sources":[{"okta_org":"acme","app":"nope","instances":["0oa1"]}]}`, "not in the catalog"},
		{`{"orgs":[{"okta_org":"acme"}],"sources":[{"okta_org":"globex","app":"slack","instances":["0oa1"]}]}`, "not connected to ISPM"},
		{`{"orgs":[{"okta_org":"acme"}],"sources":[{"okta_org":"acme","app":"slack","instances":["0oa1"]},{"okta_org":"acme","app":"slack","instances":["0oa2"]}]}`, "already has source"},
		{`{"orgs":[{"okta_org":"acme","connection_state":"MAYBE"}]}`, "CONNECTED or DISCONNECTED"},
		{`{"catalog":[{"key":"x y","display_name":"X","powered_by":"OIN"}],"orgs":[]}`, "keys are"},
		{`{"catalog":[{"key":"x","display_name":"X","powered_by":"SAML"}],"orgs":[]}`, "use OIN or CUSTOM"},
	}
	for _, tc := range cases {
		sc, err := ispmsim.ParseScenario([]byte(tc.json))
		if err == nil {
			var opts ispmsim.Options
			if opts, err = sc.Options(lookup); err == nil {
				_, err = ispmsim.New(opts)
			}
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.json, err, tc.want)
		}
	}
}

func TestDurationAcceptsStringsAndSeconds(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{`"90s"`: 90 * time.Second, `2.5`: 2500 * time.Millisecond, `"0s"`: 0} {
		var d ispmsim.Duration
		if err := d.UnmarshalJSON([]byte(in)); err != nil || time.Duration(d) != want {
			t.Errorf("%s: %v %v", in, time.Duration(d), err)
		}
	}
	for _, bad := range []string{`"-1s"`, `-3`, `true`} {
		var d ispmsim.Duration
		if err := d.UnmarshalJSON([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
