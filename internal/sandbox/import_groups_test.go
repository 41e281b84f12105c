package sandbox_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

const recordedOrg2Org5 = sandbox.RecordedOrg2Org5

// recordedListingScenario is sandbox.RecordedListingScenario, failing t
// on error.
func recordedListingScenario(t *testing.T, settings string) sandbox.Scenario {
	t.Helper()
	sc, err := sandbox.RecordedListingScenario(settings)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// galleryOf starts sc and reads okta_org2org's gallery status from the
// sandbox's ISPM API, as the provider does.
func galleryOf(t *testing.T, sc sandbox.Scenario) (*sandbox.Sandbox, ispm.AppStatus) {
	t.Helper()
	sb := start(t, sc)
	c := ispmClientOf(t, sb)
	st, err := c.GetAppStatus(context.Background(), "oktaorg_recorded", "okta_org2org")
	if err != nil {
		t.Fatalf("okta_org2org in ISPM's gallery: %v", err)
	}
	return sb, *st
}

// TestRecordedListingImportGroupsNotStated: an org loaded from a recorded
// listing only does not state "Import Groups"; ISPM, which checks the
// setting itself, does not report P7 unmet for it, so the instance that is
// ready in Okta is AVAILABLE. Okta shows no evidence either way.
func TestRecordedListingImportGroupsNotStated(t *testing.T) {
	t.Parallel()
	sb, st := galleryOf(t, recordedListingScenario(t, ""))
	in, ok := sb.Org("recorded").Instance(recordedOrg2Org5)
	if !ok {
		t.Fatal("the recorded app is not installed")
	}
	if in.ImportGroupsStated || in.ImportGroups || in.AppGroups != 0 || !in.ProvisioningEnabled || !in.ImportNewUsers {
		t.Errorf("instance state: %+v; want Import Groups not stated, no app groups, ready otherwise", in)
	}
	// The control API says so too.
	var ctl map[string]any
	call(t, http.MethodGet, sb.ControlURL()+"/okta/orgs/recorded/apps/"+recordedOrg2Org5, "", http.StatusOK, &ctl)
	if ctl["import_groups"] != false || ctl["import_groups_stated"] != false {
		t.Errorf("control API state: import_groups %v, import_groups_stated %v; want false, false", ctl["import_groups"], ctl["import_groups_stated"])
	}
	if st.Status != ispm.StatusAvailable || len(st.Instances) != 1 {
		t.Fatalf("gallery: %+v; want AVAILABLE with the one instance", st)
	}
	if got := st.Instances[0]; got.ID != recordedOrg2Org5 || !got.Eligible || len(got.UnmetPrerequisites) != 0 {
		t.Errorf("instance in the gallery: %+v; want eligible, nothing unmet", got)
	}
}

// TestStatedImportGroups: stated, the setting is what ISPM reads; false
// keeps the instance out of the gallery on P7 alone.
func TestStatedImportGroups(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		settings string
		want     ispm.GalleryStatus
		unmet    []ispm.Prerequisite
	}{
		{`{"import_groups": false}`, ispm.StatusProvisioningDisabled, []ispm.Prerequisite{ispm.P7ImportGroups}},
		{`{"import_groups": true}`, ispm.StatusAvailable, []ispm.Prerequisite{}},
	} {
		sb, st := galleryOf(t, recordedListingScenario(t, tc.settings))
		if st.Status != tc.want || len(st.Instances) != 1 || !slices.Equal(st.Instances[0].UnmetPrerequisites, tc.unmet) {
			t.Errorf("%s: gallery %+v; want %s, unmet %v", tc.settings, st, tc.want, tc.unmet)
		}
		in, _ := sb.Org("recorded").Instance(recordedOrg2Org5)
		if !in.ImportGroupsStated || in.ImportGroups != (tc.want == ispm.StatusAvailable) {
			t.Errorf("%s: instance state %+v", tc.settings, in)
		}
	}
}

// TestChangingImportGroupsStatesIt: an administrator's change of the
// setting makes it known, so ISPM reports it from then on.
func TestChangingImportGroupsStatesIt(t *testing.T) {
	t.Parallel()
	sb := start(t, recordedListingScenario(t, ""))
	org := sb.Org("recorded")
	if err := org.SetImportGroups(recordedOrg2Org5, false); err != nil {
		t.Fatal(err)
	}
	if in, _ := org.Instance(recordedOrg2Org5); !in.ImportGroupsStated || in.ImportGroups {
		t.Fatalf("after turning it off: %+v", in)
	}
	if err := sb.ISPM().Refresh("oktaorg_recorded"); err != nil {
		t.Fatal(err)
	}
	st, err := sb.ISPM().AppStatus("oktaorg_recorded", "okta_org2org")
	if err != nil || st.Status != ispm.StatusProvisioningDisabled || len(st.Instances) != 1 ||
		!slices.Equal(st.Instances[0].UnmetPrerequisites, []ispm.Prerequisite{ispm.P7ImportGroups}) {
		t.Fatalf("gallery after turning it off: %+v %v", st, err)
	}
}

// TestDefaultScenarioStatesImportGroups: every app of the default scenario
// and every synthetic app states its "Import Groups" setting, so the scenario's verdicts do not
// hang on what ISPM makes of a setting nobody stated.
func TestDefaultScenarioStatesImportGroups(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.New(sandbox.DefaultScenario())
	if err != nil {
		t.Fatal(err)
	}
	// Generated apps are the sandbox's own, so theirs is stated too.
	synth, err := oktasim.NewOrg(oktasim.OrgSpec{Name: "big", APITokens: []oktasim.APIToken{{Token: "t"}}, SyntheticApps: &oktasim.SyntheticApps{Count: 200, Seed: 5}})
	if err != nil {
		t.Fatal(err)
	}
	orgs := map[string]*oktasim.Org{"acme": sb.Org("acme"), "globex": sb.Org("globex"), "synthetic": synth}
	for name, org := range orgs {
		for _, in := range org.Instances() {
			if !in.ImportGroupsStated {
				t.Errorf("%s: %s (%s) does not state import_groups in app_settings", name, in.ID, in.Label)
			}
		}
	}
}
