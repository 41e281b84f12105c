package eligibility

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func link(name, id, tab string) string {
	return "https://acme-admin.okta.com/admin/app/" + name + "/instance/" + id + "/#tab-" + tab
}

func TestEvaluateInstanceRules(t *testing.T) {
	t.Parallel()

	workflows := recordedApp(t, "recorded_app_okta_flow_sso_scim_provisioning")
	org2org := recordedApp(t, "recorded_app_okta_org2org_import_features")
	org2orgPush := recordedApp(t, "recorded_app_okta_org2org_push_and_import_features")
	zoom := recordedApp(t, "recorded_app_zoomus_no_provisioning")
	enabled := recordedConnection(t, "recorded_connection_default_get_token_enabled")
	disabled := recordedConnection(t, "recorded_connection_default_post_token_disabled")
	unknown := recordedConnection(t, "spec-examples_connection_default_unknown_unsupported_app")
	if enabled != ConnectionEnabled || disabled != ConnectionDisabled || unknown != ConnectionStatusUnknown {
		t.Fatalf("recorded connection statuses read as %q, %q, %q", enabled, disabled, unknown)
	}
	if st, code := recordedErrorCode(t, "spec-examples_features_list_400_E0000001_provisioning_not_enabled"); st != 400 || FeaturesAnswer(code) != FeaturesNotEnabled {
		t.Fatalf("features fixture: %d %s", st, code)
	}
	if st, code := recordedErrorCode(t, "recorded_error_401_E0000015_feature_not_enabled"); st != 401 || ConnectionAnswer(code) != ConnectionProductMissing {
		t.Fatalf("E0000015 fixture: %d %s", st, code)
	}
	if st, code := recordedErrorCode(t, "recorded_error_404_E0000007_resource_not_found"); st != 404 || code != "E0000007" {
		t.Fatalf("404 fixture: %d %s", st, code)
	}
	// A directory app: Okta sends signOnMode null (no recording has one,
	// so the recorded org2org object is reused with it).
	directory := org2org
	directory.SignOnMode = ""
	eligibleISPM := func(id string) ISPMAppFacts {
		f := connectedOrg
		f.Instances = []ISPMInstanceFacts{{ID: id, Eligible: Yes}}
		return f
	}

	pass := func(ev Evidence, contains ...string) expect {
		return expect{result: Pass, evidence: ev, contains: contains, link: noLink}
	}

	tests := []struct {
		name     string
		in       Input
		id       string
		want     map[CheckID]expect
		eligible bool
	}{
		{
			name: "recorded SCIM app with import features, ISPM eligible",
			in:   Input{App: "okta_flow_sso", Okta: oktaOf("okta_flow_sso", found(workflows)), ISPM: eligibleISPM(workflows.ID)},
			id:   workflows.ID,
			want: map[CheckID]expect{
				P1OrgConnected:        pass(EvidenceISPMAPI, "acme.okta.com"),
				P2LifecycleManagement: pass(EvidenceInferred, "inferred"),
				P3Installed:           pass(EvidenceOktaAPI, "Okta Workflows", "okta_flow_sso"),
				P4Active:              pass(EvidenceOktaAPI, "ACTIVE"),
				P5Provisioning:        pass(EvidenceInferred, "SCIM_PROVISIONING", "IMPORT_NEW_USERS"),
				P6ImportUsers:         pass(EvidenceOktaAPI, "IMPORT_NEW_USERS and IMPORT_PROFILE_UPDATES"),
				P7ImportGroups:        pass(EvidenceISPMAPI, "eligible"),
			},
			eligible: true,
		},
		{
			name: "recorded org2org with import features and imported groups, ISPM silent",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", withGroups(found(org2org), GroupFacts{Known: true, Count: 3})),
				ISPM: connectedOrg},
			id: org2org.ID,
			want: map[CheckID]expect{
				P5Provisioning: pass(EvidenceInferred, "IMPORT_PROFILE_UPDATES"),
				P6ImportUsers:  pass(EvidenceOktaAPI),
				P7ImportGroups: pass(EvidenceInferred, "3 group(s) of type APP_GROUP"),
			},
			eligible: true,
		},
		{
			name: "signOnMode null changes nothing",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", withGroups(found(directory), GroupFacts{Known: true, Count: 1})),
				ISPM: connectedOrg},
			id:       org2org.ID,
			want:     map[CheckID]expect{P3Installed: pass(EvidenceOktaAPI), P5Provisioning: pass(EvidenceInferred), P6ImportUsers: pass(EvidenceOktaAPI)},
			eligible: true,
		},
		{
			name: "empty features with the connection ENABLED: provisioning on, import off",
			in:   Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: enabled})), ISPM: connectedOrg},
			id:   zoom.ID,
			want: map[CheckID]expect{
				P5Provisioning: pass(EvidenceOktaAPI, "ENABLED"),
				P6ImportUsers: {result: Fail, evidence: EvidenceOktaAPI, contains: []string{"IMPORT_NEW_USERS and IMPORT_PROFILE_UPDATES"},
					link: link("zoomus", zoom.ID, "user-management")},
				P7ImportGroups: {result: Unverified, evidence: EvidenceInferred, contains: []string{"no public API"}, link: link("zoomus", zoom.ID, "user-management"), remedy: true},
			},
		},
		{
			name: "recorded Zoom with no provisioning and the connection DISABLED",
			in:   Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: disabled})), ISPM: connectedOrg},
			id:   zoom.ID,
			want: map[CheckID]expect{
				P5Provisioning: {result: Fail, evidence: EvidenceOktaAPI, contains: []string{"DISABLED", `"Zoom"`},
					link: link("zoomus", zoom.ID, "user-management")},
				P6ImportUsers: {result: Fail, evidence: EvidenceOktaAPI, link: link("zoomus", zoom.ID, "user-management")},
			},
		},
		{
			name: "UNKNOWN connection falls back to /features: 400 E0000001 means disabled",
			in: Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: unknown, Features: FeaturesNotEnabled})),
				ISPM: connectedOrg},
			id: zoom.ID,
			want: map[CheckID]expect{
				P5Provisioning: {result: Fail, evidence: EvidenceOktaAPI, contains: []string{"E0000001", "Provisioning is not enabled"},
					link: link("zoomus", zoom.ID, "user-management")},
			},
		},
		{
			name: "UNKNOWN connection and a /features list means enabled",
			in: Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: unknown, Features: FeaturesListed,
				Listed: []ListedFeature{{Name: "USER_PROVISIONING", Status: "ENABLED"}}})), ISPM: connectedOrg},
			id:   zoom.ID,
			want: map[CheckID]expect{P5Provisioning: pass(EvidenceOktaAPI, "UNKNOWN", "USER_PROVISIONING (ENABLED)")},
		},
		{
			name: "a connection not asked after another instance's UNKNOWN says so, and passes on /features",
			in: Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionSiblingUnknown, Features: FeaturesListed,
				Listed: []ListedFeature{{Name: "USER_PROVISIONING", Status: "ENABLED"}}})), ISPM: connectedOrg},
			id:   zoom.ID,
			want: map[CheckID]expect{P5Provisioning: pass(EvidenceOktaAPI, "Another instance of this app answered UNKNOWN", "USER_PROVISIONING (ENABLED)")},
		},
		{
			name: "UNKNOWN connection with provisioning features is inferred from the features",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", withProv(found(org2orgPush), ProvisioningFacts{Connection: unknown})),
				ISPM: connectedOrg},
			id:   org2orgPush.ID,
			want: map[CheckID]expect{P5Provisioning: pass(EvidenceInferred, "PUSH_NEW_USERS")},
		},
		{
			name: "UNKNOWN connection, no features and /features not asked is unverified, not disabled",
			in:   Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: unknown})), ISPM: connectedOrg},
			id:   zoom.ID,
			want: map[CheckID]expect{P5Provisioning: {result: Unverified, evidence: EvidenceOktaAPI, contains: []string{"UNKNOWN"}, link: "*"}},
		},
		{
			name: "empty features and nothing asked is unverified, never disabled",
			in:   Input{App: "zoomus", Okta: oktaOf("zoomus", found(zoom)), ISPM: connectedOrg},
			id:   zoom.ID,
			want: map[CheckID]expect{P5Provisioning: {result: Unverified, contains: []string{"not asked"}, link: "*"}},
		},
		{
			name: "a DISABLED connection beats stale provisioning features",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", withProv(found(org2org), ProvisioningFacts{Connection: disabled})),
				ISPM: connectedOrg},
			id:   org2org.ID,
			want: map[CheckID]expect{P5Provisioning: {result: Fail, evidence: EvidenceOktaAPI, contains: []string{"DISABLED"}, link: "*"}},
		},
		{
			name: "a transient error on the connection is unverified with its reason",
			in: Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionError,
				Reason: "GET /api/v1/apps/{id}/connections/default on the Okta org acme.okta.com was rate limited (429 E0000047)."})), ISPM: connectedOrg},
			id: zoom.ID,
			want: map[CheckID]expect{
				P5Provisioning: {result: Unverified, evidence: EvidenceOktaAPI, contains: []string{"429 E0000047", "not a verdict"}, link: "*"},
				P6ImportUsers:  {result: Fail, evidence: EvidenceOktaAPI, link: "*"},
			},
		},
		{
			name: "E0000015 on the provisioning endpoints: no Lifecycle Management",
			in: Input{App: "zoomus", Okta: func() OktaAppFacts {
				f := oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionProductMissing}))
				f.Lifecycle = LifecycleFacts{State: LifecycleNotSubscribed, Evidence: "GET /api/v1/apps/" + zoom.ID + "/connections/default answered 401 E0000015"}
				return f
			}(), ISPM: connectedOrg},
			id: zoom.ID,
			want: map[CheckID]expect{
				P2LifecycleManagement: {result: Fail, evidence: EvidenceOktaAPI, contains: []string{"E0000015", "connections/default"}, link: noLink},
				P5Provisioning:        {result: Fail, evidence: EvidenceOktaAPI, cause: P2LifecycleManagement, contains: []string{"E0000015"}, link: noLink},
			},
		},
		{
			name: "features 401 E0000015 after an UNKNOWN connection",
			in: Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: unknown, Features: FeaturesProductMissing})),
				ISPM: connectedOrg},
			id:   zoom.ID,
			want: map[CheckID]expect{P5Provisioning: {result: Fail, evidence: EvidenceOktaAPI, cause: P2LifecycleManagement}},
		},
		{
			name: "not installed: 404, and the rest follows from P3",
			in: Input{App: "zoomus", InstanceIDs: []string{"0oaMISSING00000000000"},
				Okta: oktaOf("zoomus", OktaInstanceFacts{ID: "0oaMISSING00000000000", State: AppNotFound, Reason: "404 E0000007"}), ISPM: connectedOrg},
			id: "0oaMISSING00000000000",
			want: map[CheckID]expect{
				P3Installed:    {result: Fail, evidence: EvidenceOktaAPI, contains: []string{"no zoomus app instance with id 0oaMISSING00000000000", "E0000007"}, link: noLink},
				P4Active:       {result: Fail, evidence: EvidenceInferred, cause: P3Installed, link: noLink},
				P5Provisioning: {result: Fail, evidence: EvidenceInferred, cause: P3Installed, link: noLink},
				P6ImportUsers:  {result: Fail, evidence: EvidenceInferred, cause: P3Installed},
				P7ImportGroups: {result: Fail, evidence: EvidenceInferred, cause: P3Installed},
			},
		},
		{
			name: "an id the adapter did not report is not installed when the listing answered",
			in:   Input{App: "zoomus", InstanceIDs: []string{"0oaELSEWHERE"}, Okta: oktaOf("zoomus", found(zoom)), ISPM: connectedOrg},
			id:   "0oaELSEWHERE",
			want: map[CheckID]expect{P3Installed: {result: Fail, evidence: EvidenceOktaAPI, contains: []string{"not among the org's app objects named zoomus"}}},
		},
		{
			name: "an instance of another app",
			in:   Input{App: "zoomus", InstanceIDs: []string{workflows.ID}, Okta: oktaOf("zoomus", found(workflows)), ISPM: connectedOrg},
			id:   workflows.ID,
			want: map[CheckID]expect{
				P3Installed: {result: Fail, evidence: EvidenceOktaAPI, contains: []string{`"okta_flow_sso", not of "zoomus"`},
					link: link("okta_flow_sso", workflows.ID, "general")},
				P7ImportGroups: {result: Fail, evidence: EvidenceInferred, cause: P3Installed},
			},
		},
		{
			name: "inactive instance",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", withGroups(found(newApp("0oaINACTIVE1", "okta_org2org", "INACTIVE", readyFeatures...)), GroupFacts{Known: true, Count: 2})),
				ISPM: connectedOrg},
			id: "0oaINACTIVE1",
			want: map[CheckID]expect{
				P4Active:       {result: Fail, evidence: EvidenceOktaAPI, contains: []string{"INACTIVE"}, link: link("okta_org2org", "0oaINACTIVE1", "general")},
				P5Provisioning: pass(EvidenceInferred),
				P6ImportUsers:  pass(EvidenceOktaAPI),
			},
		},
		{
			name: "only one of the two import features",
			in: Input{App: "zoomus", Okta: oktaOf("zoomus", found(newApp("0oaHALF00001", "zoomus", "ACTIVE", "IMPORT_NEW_USERS", "PUSH_NEW_USERS"))),
				ISPM: connectedOrg},
			id: "0oaHALF00001",
			want: map[CheckID]expect{P6ImportUsers: {result: Fail, contains: []string{"lacks IMPORT_PROFILE_UPDATES"},
				link: link("zoomus", "0oaHALF00001", "user-management")}},
		},
		{
			name: "an app object without a features array",
			in: Input{App: "zoomus", Okta: oktaOf("zoomus", found(AppObject{ID: "0oaNOFEAT001", Name: "zoomus", Status: "ACTIVE"})),
				ISPM: connectedOrg},
			id: "0oaNOFEAT001",
			want: map[CheckID]expect{
				P5Provisioning: {result: Unverified, contains: []string{"no features list"}, link: "*"},
				P6ImportUsers:  {result: Unverified, contains: []string{"no features list"}},
			},
		},
		{
			name: "trusted provisioning answer is reported as such",
			in: Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionEnabled, Trusted: true,
				TrustedAt: zoom.LastUpdated})), ISPM: connectedOrg},
			id:   zoom.ID,
			want: map[CheckID]expect{P5Provisioning: pass(EvidenceOktaAPI, "earlier check", zoom.LastUpdated)},
		},
		{
			name: "ISPM reports Import Groups off",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", found(org2orgPush)),
				ISPM: ISPMAppFacts{OrgConnected: Yes, Instances: []ISPMInstanceFacts{{ID: org2orgPush.ID, Eligible: No, ImportGroups: No}}}},
			id: org2orgPush.ID,
			want: map[CheckID]expect{P7ImportGroups: {result: Fail, evidence: EvidenceISPMAPI, contains: []string{"not selected"},
				link: link("okta_org2org", org2orgPush.ID, "user-management")}},
		},
		{
			name: "ISPM reports Import Groups on",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", found(org2orgPush)),
				ISPM: ISPMAppFacts{OrgConnected: Yes, Instances: []ISPMInstanceFacts{{ID: org2orgPush.ID, ImportGroups: Yes}}}},
			id:       org2orgPush.ID,
			want:     map[CheckID]expect{P7ImportGroups: pass(EvidenceISPMAPI, "selected")},
			eligible: true,
		},
		{
			name: "an instance of ISPM's connection passes Import Groups",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", found(org2orgPush)),
				ISPM: ISPMAppFacts{OrgConnected: Yes, Status: StatusConnected, ConnectedInstanceIDs: []string{org2orgPush.ID}}},
			id:       org2orgPush.ID,
			want:     map[CheckID]expect{P7ImportGroups: pass(EvidenceISPMAPI, "connection")},
			eligible: true,
		},
		{
			name: "ISPM not eligible while Okta shows P3–P6 met points at Import Groups",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", withProv(withGroups(found(org2orgPush), GroupFacts{Known: true}), ProvisioningFacts{Connection: ConnectionEnabled})),
				ISPM: ISPMAppFacts{OrgConnected: Yes, Instances: []ISPMInstanceFacts{{ID: org2orgPush.ID, Eligible: No}}}},
			id: org2orgPush.ID,
			want: map[CheckID]expect{P7ImportGroups: {result: Fail, evidence: EvidenceInferred, contains: []string{"remaining prerequisite is Import Groups"},
				link: link("okta_org2org", org2orgPush.ID, "user-management")}},
		},
		{
			name: "ISPM not eligible names Import Groups",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", found(org2orgPush)),
				ISPM: ISPMAppFacts{OrgConnected: Yes, Instances: []ISPMInstanceFacts{{ID: org2orgPush.ID, Eligible: No, Failing: []CheckID{P7ImportGroups}}}}},
			id:   org2orgPush.ID,
			want: map[CheckID]expect{P7ImportGroups: {result: Fail, evidence: EvidenceISPMAPI, link: "*"}},
		},
		{
			name: "ISPM not eligible but P6 fails too: Import Groups stays unverified",
			in: Input{App: "zoomus", Okta: oktaOf("zoomus", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionEnabled})),
				ISPM: ISPMAppFacts{OrgConnected: Yes, Instances: []ISPMInstanceFacts{{ID: zoom.ID, Eligible: No}}}},
			id:   zoom.ID,
			want: map[CheckID]expect{P7ImportGroups: {result: Unverified, evidence: EvidenceInferred, link: "*", remedy: true}},
		},
		{
			name: "no group evidence and ISPM unreachable",
			in: Input{App: "okta_org2org", Okta: oktaOf("okta_org2org", withGroups(found(org2orgPush), GroupFacts{Reason: "403 E0000006"})),
				ISPM: ISPMAppFacts{Reason: "ISPM answered 503."}},
			id: org2orgPush.ID,
			want: map[CheckID]expect{
				P1OrgConnected: {result: Unverified, evidence: EvidenceISPMAPI, contains: []string{"ISPM answered 503."}},
				P7ImportGroups: {result: Unverified, contains: []string{"ISPM answered 503.", "403 E0000006"}, link: "*"},
			},
		},
		{
			name: "org not connected to ISPM",
			in:   Input{App: "okta_flow_sso", Okta: oktaOf("okta_flow_sso", found(workflows)), ISPM: ISPMAppFacts{OrgConnected: No}},
			id:   workflows.ID,
			want: map[CheckID]expect{P1OrgConnected: {result: Fail, evidence: EvidenceISPMAPI, contains: []string{"does not list the Okta org acme.okta.com"}}},
		},
		{
			name: "no Okta credentials: ISPM's eligible instance passes on ISPM evidence",
			in:   Input{App: "okta_flow_sso", ISPM: eligibleISPM(workflows.ID)},
			id:   workflows.ID,
			want: map[CheckID]expect{
				P2LifecycleManagement: pass(EvidenceInferred, "ISPM reports instance"),
				P3Installed:           pass(EvidenceISPMAPI),
				P4Active:              pass(EvidenceISPMAPI),
				P5Provisioning:        pass(EvidenceISPMAPI),
				P6ImportUsers:         pass(EvidenceISPMAPI),
				P7ImportGroups:        pass(EvidenceISPMAPI),
			},
			eligible: true,
		},
		{
			name: "no Okta credentials: ISPM names the failing prerequisite",
			in: Input{App: "zoomus", ISPM: ISPMAppFacts{OrgConnected: Yes, Instances: []ISPMInstanceFacts{{ID: zoom.ID, Label: "Zoom", Eligible: No,
				Failing: []CheckID{P6ImportUsers}}}}},
			id: zoom.ID,
			want: map[CheckID]expect{
				P2LifecycleManagement: {result: Unverified, evidence: EvidenceInferred, contains: []string{"no Okta credentials"}, remedy: true},
				P5Provisioning:        pass(EvidenceISPMAPI, "other reasons only"),
				P6ImportUsers: {result: Fail, evidence: EvidenceISPMAPI, contains: []string{`"Zoom"`}, remedy: true,
					link: link("zoomus", zoom.ID, "user-management")},
				P7ImportGroups: pass(EvidenceISPMAPI),
			},
		},
		{
			name: "no Okta credentials: ISPM says not eligible without saying why",
			in:   Input{App: "zoomus", ISPM: ISPMAppFacts{OrgConnected: Yes, Instances: []ISPMInstanceFacts{{ID: zoom.ID, Eligible: No}}}},
			id:   zoom.ID,
			want: map[CheckID]expect{
				P3Installed:    pass(EvidenceISPMAPI),
				P5Provisioning: {result: Unverified, evidence: EvidenceISPMAPI, contains: []string{"no Okta credentials"}, remedy: true},
			},
		},
		{
			name: "no Okta credentials and ISPM does not list the instance",
			in:   Input{App: "zoomus", InstanceIDs: []string{"0oaUNLISTED1"}, ISPM: connectedOrg},
			id:   "0oaUNLISTED1",
			want: map[CheckID]expect{
				P3Installed:    {result: Unverified, evidence: EvidenceISPMAPI, contains: []string{"does not list", "inactive"}, remedy: true},
				P4Active:       {result: Unverified, evidence: EvidenceISPMAPI, remedy: true},
				P5Provisioning: {result: Unverified, cause: P3Installed},
			},
		},
		{
			name: "the Okta listing failed and ISPM is down: nothing is a verdict",
			in:   Input{App: "zoomus", InstanceIDs: []string{zoom.ID}, Okta: OktaAppFacts{Credentials: true, Reason: "Okta's app listing could not be read: 503."}, ISPM: ISPMAppFacts{Reason: "ISPM timed out."}},
			id:   zoom.ID,
			want: map[CheckID]expect{
				P1OrgConnected:        {result: Unverified, evidence: EvidenceISPMAPI},
				P2LifecycleManagement: {result: Unverified, contains: []string{"503"}},
				P3Installed:           {result: Unverified, contains: []string{"503", "ISPM timed out."}},
				P7ImportGroups:        {result: Unverified, cause: P3Installed},
			},
		},
		{
			name: "the Okta listing failed but ISPM vouches for the instance",
			in:   Input{App: "okta_flow_sso", InstanceIDs: []string{workflows.ID}, Okta: OktaAppFacts{Credentials: true, Reason: "429"}, ISPM: eligibleISPM(workflows.ID)},
			id:   workflows.ID,
			want: map[CheckID]expect{
				P3Installed:    pass(EvidenceISPMAPI),
				P5Provisioning: pass(EvidenceISPMAPI),
			},
			eligible: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.in.OrgURL = testOrgURL
			v := Evaluate(tc.in)
			iv, ok := v.Instance(tc.id)
			if !ok {
				t.Fatalf("no verdict for %s; got %+v", tc.id, v.Instances)
			}
			if len(iv.Checks) != len(CheckIDs) {
				t.Fatalf("%d checks, want %d", len(iv.Checks), len(CheckIDs))
			}
			for i, c := range iv.Checks {
				if c.ID != CheckIDs[i] {
					t.Errorf("check %d is %s, want %s", i, c.ID, CheckIDs[i])
				}
				if c.Result == "" || c.Evidence == "" {
					t.Errorf("%s: empty result or evidence: %+v", c.ID, c)
				}
			}
			for id, want := range tc.want {
				checkAgainst(t, iv.Check(id), want)
			}
			if iv.Eligible != tc.eligible {
				t.Errorf("eligible = %v, want %v; checks: %s", iv.Eligible, tc.eligible, summary(iv))
			}
			if got := slices.Contains(v.EligibleInstanceIDs, tc.id); got != tc.eligible {
				t.Errorf("EligibleInstanceIDs %v", v.EligibleInstanceIDs)
			}
		})
	}
}

func summary(v InstanceVerdict) string {
	var parts []string
	for _, c := range v.Checks {
		parts = append(parts, string(c.ID)+"="+string(c.Result))
	}
	return strings.Join(parts, " ")
}

func TestEvaluateOrgChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     Input
		p1, p2 Result
		p2ev   Evidence
	}{
		{"connected, Lifecycle not observed", Input{Okta: OktaAppFacts{Credentials: true}, ISPM: ISPMAppFacts{OrgConnected: Yes}}, Pass, Pass, EvidenceInferred},
		{"subscribed seen", Input{Okta: OktaAppFacts{Credentials: true, Lifecycle: LifecycleFacts{State: LifecycleSubscribed, Evidence: "x answered ENABLED"}}, ISPM: ISPMAppFacts{OrgConnected: Yes}}, Pass, Pass, EvidenceInferred},
		{"not subscribed", Input{Okta: OktaAppFacts{Credentials: true, Lifecycle: LifecycleFacts{State: LifecycleNotSubscribed}}, ISPM: ISPMAppFacts{OrgConnected: No}}, Fail, Fail, EvidenceOktaAPI},
		{"not subscribed seen before the listing failed", Input{Okta: OktaAppFacts{Credentials: true, Reason: "503", Lifecycle: LifecycleFacts{State: LifecycleNotSubscribed}}}, Unverified, Fail, EvidenceOktaAPI},
		{"listing failed", Input{Okta: OktaAppFacts{Credentials: true, Reason: "503"}}, Unverified, Unverified, EvidenceInferred},
		{"no credentials, nothing vouched", Input{ISPM: ISPMAppFacts{OrgConnected: Yes}}, Pass, Unverified, EvidenceInferred},
		{"ISPM does not know the org", Input{Okta: OktaAppFacts{Credentials: true}, ISPM: ISPMAppFacts{OrgConnected: No, Reason: "ISPM does not know the Okta org acme.okta.com"}}, Fail, Pass, EvidenceInferred},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.in.OrgURL, tc.in.App = testOrgURL, "zoomus"
			v := Evaluate(tc.in)
			if len(v.OrgChecks) != 2 || v.OrgChecks[0].ID != P1OrgConnected || v.OrgChecks[1].ID != P2LifecycleManagement {
				t.Fatalf("org checks %+v", v.OrgChecks)
			}
			if v.OrgChecks[0].Result != tc.p1 {
				t.Errorf("P1 %s, want %s: %s", v.OrgChecks[0].Result, tc.p1, v.OrgChecks[0].Message)
			}
			p2 := v.OrgChecks[1]
			if p2.Result != tc.p2 || p2.Evidence != tc.p2ev {
				t.Errorf("P2 %s/%s, want %s/%s: %s", p2.Result, p2.Evidence, tc.p2, tc.p2ev, p2.Message)
			}
			if p2.Result == Fail && len(p2.Remediation) == 0 {
				t.Errorf("P2 fail without remediation")
			}
		})
	}
}

func TestEvaluateStatus(t *testing.T) {
	t.Parallel()
	ready := func(id string) OktaInstanceFacts {
		return withGroups(found(newApp(id, "zoomus", "ACTIVE", readyFeatures...)), GroupFacts{Known: true, Count: 1})
	}
	notReady := func(id string) OktaInstanceFacts {
		return withProv(found(newApp(id, "zoomus", "ACTIVE")), ProvisioningFacts{Connection: ConnectionDisabled})
	}
	inactive := found(newApp("0oaINACTIVE9", "zoomus", "INACTIVE", readyFeatures...))
	unverifiedOnly := found(newApp("0oaUNVERIF01", "zoomus", "ACTIVE", readyFeatures...)) // P7 without evidence
	tests := []struct {
		name string
		in   Input
		want AppStatus
		ev   Evidence
	}{
		{"connection in ISPM", Input{Okta: oktaOf("zoomus", notReady("0oaA1")), ISPM: ISPMAppFacts{OrgConnected: Yes, ConnectedInstanceIDs: []string{"0oaA1"}}}, StatusConnected, EvidenceISPMAPI},
		{"an eligible instance", Input{Okta: oktaOf("zoomus", notReady("0oaA1"), ready("0oaA2")), ISPM: connectedOrg}, StatusAvailable, EvidenceInferred},
		{"no instance in Okta", Input{Okta: oktaOf("zoomus"), ISPM: ISPMAppFacts{OrgConnected: Yes, Status: StatusAvailable}}, StatusNotIntegrated, EvidenceOktaAPI},
		{"only an inactive instance", Input{Okta: oktaOf("zoomus", inactive), ISPM: connectedOrg}, StatusNotIntegrated, EvidenceOktaAPI},
		{"every active instance fails", Input{Okta: oktaOf("zoomus", notReady("0oaA1"), inactive), ISPM: ISPMAppFacts{OrgConnected: Yes}}, StatusProvisioningDisabled, EvidenceInferred},
		{"unverified only: ISPM's status", Input{Okta: oktaOf("zoomus", unverifiedOnly), ISPM: ISPMAppFacts{OrgConnected: Yes, Status: StatusAvailable}}, StatusAvailable, EvidenceISPMAPI},
		{"unverified only and ISPM silent", Input{Okta: oktaOf("zoomus", unverifiedOnly), ISPM: ISPMAppFacts{OrgConnected: Yes}}, StatusUnknown, ""},
		{"a subset judged: ISPM's status for the rest", Input{InstanceIDs: []string{"0oaA1"}, Okta: func() OktaAppFacts {
			f := oktaOf("zoomus", notReady("0oaA1"))
			f.AllInstances = append(f.AllInstances, InstanceSummary{ID: "0oaA2", Status: "ACTIVE"})
			return f
		}(), ISPM: ISPMAppFacts{OrgConnected: Yes, Status: StatusAvailable}}, StatusAvailable, EvidenceISPMAPI},
		{"no Okta credentials: ISPM's status", Input{ISPM: ISPMAppFacts{OrgConnected: Yes, Status: StatusProvisioningDisabled, Instances: []ISPMInstanceFacts{{ID: "0oaA1", Eligible: No}}}}, StatusProvisioningDisabled, EvidenceISPMAPI},
		{"no Okta credentials, ISPM lists nothing", Input{ISPM: ISPMAppFacts{OrgConnected: Yes}}, StatusNotIntegrated, EvidenceISPMAPI},
		{"nobody answers", Input{Okta: OktaAppFacts{Credentials: true, Reason: "503"}, ISPM: ISPMAppFacts{Reason: "timeout"}}, StatusUnknown, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.in.OrgURL, tc.in.App = testOrgURL, "zoomus"
			v := Evaluate(tc.in)
			if v.Status != tc.want || v.StatusEvidence != tc.ev {
				t.Errorf("status %q (%q), want %q (%q): %s", v.Status, v.StatusEvidence, tc.want, tc.ev, v.StatusMessage)
			}
			if v.StatusMessage == "" {
				t.Errorf("no status message")
			}
		})
	}
}

func TestEvaluateInstanceSelection(t *testing.T) {
	t.Parallel()
	okta := oktaOf("zoomus", found(newApp("0oaB2", "zoomus", "ACTIVE")), found(newApp("0oaB1", "zoomus", "INACTIVE")))
	ispm := ISPMAppFacts{OrgConnected: Yes, Instances: []ISPMInstanceFacts{{ID: "0oaB1"}, {ID: "0oaSTALE"}}, ConnectedInstanceIDs: []string{"0oaC9"}}

	all := Evaluate(Input{OrgURL: testOrgURL, App: "zoomus", Okta: okta, ISPM: ispm})
	if got := ids(all); !slices.Equal(got, []string{"0oaB2", "0oaB1", "0oaSTALE", "0oaC9"}) {
		t.Errorf("default instances %v", got)
	}
	// ISPM's stale instance is not an Okta app object named zoomus.
	if st, _ := all.Instance("0oaSTALE"); st.Check(P3Installed).Result != Fail {
		t.Errorf("stale ISPM instance P3 = %s", st.Check(P3Installed).Result)
	}

	asked := Evaluate(Input{OrgURL: testOrgURL, App: "zoomus", InstanceIDs: []string{" 0oaB1", "0oaB1", "", "0oaB2"}, Okta: okta, ISPM: ispm})
	if got := ids(asked); !slices.Equal(got, []string{"0oaB1", "0oaB2"}) {
		t.Errorf("requested instances %v", got)
	}
	if asked.EligibleInstanceIDs == nil {
		t.Errorf("EligibleInstanceIDs must be an empty list, not nil")
	}
	if _, err := json.Marshal(asked); err != nil {
		t.Errorf("verdict does not marshal: %v", err)
	}
}

func ids(v Verdict) []string {
	var out []string
	for _, in := range v.Instances {
		out = append(out, in.ID)
	}
	return out
}

func TestNeedsGroupEvidence(t *testing.T) {
	t.Parallel()
	ispm := ISPMAppFacts{OrgConnected: Yes, ConnectedInstanceIDs: []string{"c"}, Instances: []ISPMInstanceFacts{
		{ID: "e", Eligible: Yes}, {ID: "n", Eligible: No}, {ID: "g", Eligible: No, ImportGroups: No}, {ID: "u"},
	}}
	for id, want := range map[string]bool{"c": false, "e": false, "g": false, "n": true, "u": true, "absent": true} {
		if got := NeedsGroupEvidence(ispm, id); got != want {
			t.Errorf("NeedsGroupEvidence(%s) = %v, want %v", id, got, want)
		}
	}
	down := ispm
	down.Reason = "ISPM is down"
	if !NeedsGroupEvidence(down, "e") {
		t.Errorf("an unreachable ISPM vouches for nothing")
	}
}

func TestTrust(t *testing.T) {
	t.Parallel()
	zoom := newApp("0oaT1", "zoomus", "ACTIVE")
	tests := []struct {
		name string
		f    OktaInstanceFacts
		ok   bool
	}{
		{"connection enabled", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionEnabled}), true},
		{"features listed", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionStatusUnknown, Features: FeaturesListed}), true},
		{"disabled is asked again", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionDisabled}), false},
		{"not enabled is asked again", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionStatusUnknown, Features: FeaturesNotEnabled}), false},
		{"an error is not kept", withProv(found(zoom), ProvisioningFacts{Connection: ConnectionError}), false},
		{"nothing fetched", found(zoom), false},
		{"not found", OktaInstanceFacts{ID: "x", State: AppNotFound}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr, ok := tc.f.Trust()
			if ok != tc.ok {
				t.Fatalf("Trust ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if tr.LastUpdated != zoom.LastUpdated || !tr.Usable() {
				t.Errorf("trusted %+v", tr)
			}
			// It survives private state as JSON.
			data, err := json.Marshal(tr)
			if err != nil {
				t.Fatal(err)
			}
			var back Trusted
			if err := json.Unmarshal(data, &back); err != nil || back.LastUpdated != tr.LastUpdated || back.Provisioning.Connection != tr.Provisioning.Connection || back.Provisioning.Features != tr.Provisioning.Features {
				t.Errorf("round trip %s gave %+v (%v)", data, back, err)
			}
		})
	}
}
