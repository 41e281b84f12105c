package okta

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// TestOktaErrorClassesAsUsersSeeThem replays Okta's errors, as recorded or
// as Okta documents them, on the adapter's endpoints, and checks the class
// each gets and the P5 verdict and message a user sees.
func TestOktaErrorClassesAsUsersSeeThem(t *testing.T) {
	t.Parallel()
	// Okta's OpenAPI document, components.examples.ErrorDbscFeatureNotEnabled:
	// a 403 E0000006 for a feature the org has not enabled.
	featureOff := oktaError(403, "E0000006", "Device Bound Session Credentials isn't enabled")
	// product.md §Okta wire facts: codes seen on real orgs.
	orgState := oktaError(403, "E0000148", "The operation cannot be completed in the org's current state.")
	unsupported := oktaError(400, "E0000024", "Bad request. The operation is not yet supported for this app.")
	busy := oktaError(423, "E0000239", "The resource is locked by another operation. Please try again later.")
	notFound := fixture(t, "recorded_error_404_E0000007_resource_not_found")

	const (
		notTransient = "not a passing failure"
		transient    = "A transient failure is not a verdict"
	)
	tests := []struct {
		name    string
		setup   func(f *fakeOkta)
		conn    eligibility.ConnectionAnswer
		feat    eligibility.FeaturesAnswer
		result  eligibility.Result
		say     []string
		notSay  []string
		connReq int
		// app is the instance's catalog name; empty means slack, an app
		// Okta's connection API covers.
		app string
	}{
		{
			name:    "403 for a feature not enabled is not a credentials problem",
			setup:   func(f *fakeOkta) { f.connections["0oaA"] = featureOff },
			conn:    eligibility.ConnectionError,
			result:  eligibility.Unverified,
			say:     []string{"403 E0000006", "isn't enabled", notTransient, "other than the provider's credentials"},
			notSay:  []string{transient, "Read-Only Administrator"},
			connReq: 1,
		},
		{
			name:    "a bare 403 claims no cause",
			setup:   func(f *fakeOkta) { f.connections["0oaA"] = answer{403, ""} },
			conn:    eligibility.ConnectionError,
			result:  eligibility.Unverified,
			say:     []string{"403", "does not say why", "admin role and scopes"},
			notSay:  []string{transient, "other than the provider's credentials"},
			connReq: 1,
		},
		{
			name: "403 E0000148 (org state) on /features",
			setup: func(f *fakeOkta) {
				f.connections["0oaA"] = fixture(t, "spec-examples_connection_default_unknown_unsupported_app")
				f.features["0oaA"] = orgState
			},
			conn: eligibility.ConnectionStatusUnknown, feat: eligibility.FeaturesError,
			result:  eligibility.Unverified,
			say:     []string{"403 E0000148", notTransient},
			notSay:  []string{transient},
			connReq: 1,
		},
		{
			name:    "400 E0000024 is Okta's answer, not transient",
			setup:   func(f *fakeOkta) { f.connections["0oaA"] = unsupported },
			conn:    eligibility.ConnectionError,
			result:  eligibility.Unverified,
			say:     []string{"400 E0000024", notTransient},
			notSay:  []string{transient},
			connReq: 1,
		},
		{
			name: "404 on /features is not transient",
			setup: func(f *fakeOkta) {
				f.connections["0oaA"] = fixture(t, "spec-examples_connection_default_unknown_unsupported_app")
				f.features["0oaA"] = notFound
			},
			conn: eligibility.ConnectionStatusUnknown, feat: eligibility.FeaturesError,
			result:  eligibility.Unverified,
			say:     []string{"404 E0000007", notTransient},
			notSay:  []string{transient},
			connReq: 1,
		},
		{
			name: "404 on the connection is not UNKNOWN; /features decides",
			setup: func(f *fakeOkta) {
				f.connections["0oaA"] = notFound
				f.features["0oaA"] = fixture(t, "spec-examples_features_list_400_E0000001_provisioning_not_enabled")
			},
			conn: eligibility.ConnectionNotFound, feat: eligibility.FeaturesNotEnabled,
			result:  eligibility.Fail,
			say:     []string{"400 E0000001"},
			notSay:  []string{"UNKNOWN"},
			connReq: 1,
		},
		{
			name: "404 on the connection and on /features",
			setup: func(f *fakeOkta) {
				f.connections["0oaA"] = notFound
				f.features["0oaA"] = notFound
			},
			conn: eligibility.ConnectionNotFound, feat: eligibility.FeaturesError,
			result:  eligibility.Unverified,
			say:     []string{"404 E0000007", notTransient},
			notSay:  []string{"UNKNOWN", transient},
			connReq: 1,
		},
		{
			name: "423 try again later is retried",
			setup: func(f *fakeOkta) {
				f.connections["0oaA"] = connection("ENABLED")
				f.fault = onPath(f, "/connections/default", 1, busy, map[string]string{"Retry-After": "2"})
			},
			conn:    eligibility.ConnectionEnabled,
			result:  eligibility.Pass,
			connReq: 2,
		},
		{
			name: "423 that stays is transient",
			setup: func(f *fakeOkta) {
				f.fault = onPath(f, "/connections/default", 0, busy, map[string]string{"Retry-After": "2"})
			},
			conn:    eligibility.ConnectionError,
			result:  eligibility.Unverified,
			say:     []string{"423 E0000239", "after 3 attempts", transient},
			connReq: 3,
		},
		// Apps outside Okta's connection API (box here) ask GET /features
		// alone: no connection request, and no message may speak of a
		// connection answer.
		{
			name: "not a connection-API app: /features listed passes",
			app:  "box",
			setup: func(f *fakeOkta) {
				f.features["0oaA"] = answer{200, `[{"name":"USER_PROVISIONING","status":"ENABLED"}]`}
			},
			conn: eligibility.ConnectionNotAsked, feat: eligibility.FeaturesListed,
			result: eligibility.Pass,
			say:    []string{"covers only google, office365, okta_org2org, slack, zoomus and zscalerbyz", "read from GET /features", "USER_PROVISIONING"},
			notSay: []string{"UNKNOWN", "404", "provisioning connection of"},
		},
		{
			name:  "not a connection-API app: /features 400 E0000001 fails",
			app:   "box",
			setup: func(f *fakeOkta) {},
			conn:  eligibility.ConnectionNotAsked, feat: eligibility.FeaturesNotEnabled,
			result: eligibility.Fail,
			say:    []string{"GET /features", "400 E0000001"},
			notSay: []string{"UNKNOWN", "provisioning connection of"},
		},
		{
			name: "not a connection-API app: /features 401 E0000015 is P2",
			app:  "box",
			setup: func(f *fakeOkta) {
				f.features["0oaA"] = oktaError(401, "E0000015", "You do not have permission to access the feature you are requesting")
			},
			conn: eligibility.ConnectionNotAsked, feat: eligibility.FeaturesProductMissing,
			result: eligibility.Fail,
			say:    []string{"refused GET /features", "401 E0000015", "Lifecycle Management"},
			notSay: []string{"UNKNOWN", "provisioning endpoints"},
		},
		{
			name:  "not a connection-API app: 403 E0000148 on /features is lasting",
			app:   "box",
			setup: func(f *fakeOkta) { f.features["0oaA"] = orgState },
			conn:  eligibility.ConnectionNotAsked, feat: eligibility.FeaturesError,
			result: eligibility.Unverified,
			say:    []string{"on GET /features", "403 E0000148", notTransient},
			notSay: []string{transient, "UNKNOWN", "provisioning endpoints"},
		},
		{
			name:  "not a connection-API app: 404 on /features is unverified",
			app:   "box",
			setup: func(f *fakeOkta) { f.features["0oaA"] = notFound },
			conn:  eligibility.ConnectionNotAsked, feat: eligibility.FeaturesError,
			result: eligibility.Unverified,
			say:    []string{"on GET /features", "404 E0000007", notTransient},
			notSay: []string{transient, "UNKNOWN", "provisioning connection of"},
		},
		{
			name:  "not a connection-API app: 423 that stays on /features is transient",
			app:   "box",
			setup: func(f *fakeOkta) { f.fault = onPath(f, "/features", 0, busy, map[string]string{"Retry-After": "2"}) },
			conn:  eligibility.ConnectionNotAsked, feat: eligibility.FeaturesError,
			result: eligibility.Unverified,
			say:    []string{"423 E0000239", "after 3 attempts", transient},
			notSay: []string{notTransient, "UNKNOWN", "provisioning connection of"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeOkta(t)
			name := tc.app
			if name == "" {
				name = "slack"
			}
			f.addApp(app("0oaA", name, "ACTIVE", t1))
			tc.setup(f)
			o := f.org()
			facts, err := o.AppFacts(context.Background(), AppQuery{App: name})
			var ae *AuthError
			if errors.As(err, &ae) {
				t.Fatalf("classed as a credentials problem: %v", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			p := facts.Instances[0].Provisioning
			if p.Connection != tc.conn || p.Features != tc.feat {
				t.Errorf("connection %q features %q, want %q %q (%s)", p.Connection, p.Features, tc.conn, tc.feat, p.Reason)
			}
			v := eligibility.Evaluate(eligibility.Input{OrgURL: o.URL(), App: name, Okta: facts,
				ISPM: eligibility.ISPMAppFacts{OrgConnected: eligibility.Yes}})
			c := v.Instances[0].Check(eligibility.P5Provisioning)
			if c.Result != tc.result {
				t.Errorf("P5 %s, want %s: %s", c.Result, tc.result, c.Message)
			}
			for _, s := range tc.say {
				if !strings.Contains(c.Message, s) {
					t.Errorf("P5 message %q does not say %q", c.Message, s)
				}
			}
			for _, s := range tc.notSay {
				if strings.Contains(c.Message, s) {
					t.Errorf("P5 message %q says %q", c.Message, s)
				}
			}
			if n := f.count(epConn); n != tc.connReq {
				t.Errorf("%d connection requests, want %d", n, tc.connReq)
			}
			if tc.conn == eligibility.ConnectionNotAsked {
				if tc.feat == eligibility.FeaturesProductMissing && c.Cause != eligibility.P2LifecycleManagement {
					t.Errorf("P5 has no cause; want %s", eligibility.P2LifecycleManagement)
				}
				if n := f.count(epFeat); n == 0 {
					t.Errorf("GET /features was not asked")
				}
			}
		})
	}
}

// Only the 403s that are about the credentials stop the plan as a
// credentials error, with the advice to fix them.
func TestForbiddenMeansCredentialsOnlyWhenOktaSaysSo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		a       answer
		headers map[string]string
		auth    bool
	}{
		{"E0000006 permission (Okta's example)", fixture(t, "spec-examples_error_403_E0000006_access_denied"), nil, true},
		{"E0000005 invalid session", oktaError(403, "E0000005", "Invalid session"), nil, true},
		{"missing scope", answer{403, ""}, map[string]string{"WWW-Authenticate": `Bearer realm="IdpRealm", scope="okta.apps.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes."`}, true},
		{"E0000006 feature not enabled", oktaError(403, "E0000006", "Device Bound Session Credentials isn't enabled"), nil, false},
		{"E0000148 org state", oktaError(403, "E0000148", "The operation cannot be completed in the org's current state."), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeOkta(t)
			f.fault = onPath(f, "/api/v1/apps", 0, tc.a, tc.headers)
			facts, err := f.org().AppFacts(context.Background(), AppQuery{App: "box"})
			var ae *AuthError
			if got := errors.As(err, &ae); got != tc.auth {
				t.Fatalf("credentials error %v, want %v: err %v, reason %q", got, tc.auth, err, facts.Reason)
			}
			if !tc.auth && !strings.Contains(facts.Reason, "other than the provider's credentials") {
				t.Errorf("reason %q does not say the credentials are not the cause", facts.Reason)
			}
		})
	}
}
