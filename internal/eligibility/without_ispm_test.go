package eligibility

import (
	"slices"
	"strings"
	"testing"
)

// TestEvaluateWithoutISPM: with no ISPM configured, P2–P6 are judged
// exactly as with ISPM, P1 is unverified saying why, P7 passes on Okta's
// APP_GROUP evidence and is otherwise unverified, and okta_ready says which
// instances are ready as far as Okta can show.
func TestEvaluateWithoutISPM(t *testing.T) {
	t.Parallel()
	ready := newApp("0oaREADY000000000001", "slack", "ACTIVE", readyFeatures...)
	grouped := newApp("0oaGROUPS00000000002", "slack", "ACTIVE", readyFeatures...)
	noImport := newApp("0oaNOIMPORT000000003", "slack", "ACTIVE", "PUSH_NEW_USERS")
	inactive := newApp("0oaINACTIVE000000004", "slack", "INACTIVE", readyFeatures...)
	okta := oktaOf("slack", found(ready), withGroups(found(grouped), GroupFacts{Known: true, Count: 3}), found(noImport), found(inactive))
	okta.Lifecycle = LifecycleFacts{State: LifecycleSubscribed}

	without := Evaluate(Input{OrgURL: testOrgURL, App: "slack", Okta: okta, ISPM: ISPMNotConfigured()})
	with := Evaluate(Input{OrgURL: testOrgURL, App: "slack", Okta: okta, ISPM: connectedOrg})

	p1 := without.OrgChecks[0]
	checkAgainst(t, p1, expect{result: Unverified, contains: []string{"ISPM is not configured", "acme.okta.com"}, remedy: true})
	for i, iv := range without.Instances {
		for _, id := range []CheckID{P2LifecycleManagement, P3Installed, P4Active, P5Provisioning, P6ImportUsers} {
			a, b := iv.Check(id), with.Instances[i].Check(id)
			if a.Result != b.Result || a.Evidence != b.Evidence || a.Message != b.Message {
				t.Errorf("%s %s differs without ISPM: %s/%s %q vs %s/%s %q", iv.ID, id, a.Result, a.Evidence, a.Message, b.Result, b.Evidence, b.Message)
			}
		}
		if iv.Eligible {
			t.Errorf("%s is eligible without ISPM: P1 cannot pass", iv.ID)
		}
	}
	in := func(id string) InstanceVerdict {
		v, _ := without.Instance(id)
		return v
	}
	checkAgainst(t, in(grouped.ID).Check(P7ImportGroups), expect{result: Pass, evidence: EvidenceInferred, contains: []string{"APP_GROUP"}})
	checkAgainst(t, in(ready.ID).Check(P7ImportGroups), expect{result: Unverified, contains: []string{"ISPM is not configured"}, remedy: true})
	if want := []string{ready.ID, grouped.ID}; !slices.Equal(without.OktaReadyInstanceIDs, want) {
		t.Errorf("okta-ready ids %v, want %v", without.OktaReadyInstanceIDs, want)
	}
	if in(noImport.ID).OktaReady || in(inactive.ID).OktaReady {
		t.Error("an instance failing P4 or P6 counts as ready in Okta")
	}
	if without.Status != StatusAvailable || without.StatusEvidence != EvidenceOktaAPI {
		t.Errorf("status %s (%s): %s; want AVAILABLE from Okta", without.Status, without.StatusEvidence, without.StatusMessage)
	}
	if len(without.EligibleInstanceIDs) != 0 {
		t.Errorf("eligible without ISPM: %v", without.EligibleInstanceIDs)
	}
}

// TestOktaFailureIsNeverReady: with no ISPM, an Okta failure on an
// instance's provisioning leaves P5 unverified, never pass, and the
// instance is not ready in Okta.
func TestOktaFailureIsNeverReady(t *testing.T) {
	t.Parallel()
	a := newApp("0oaFAILS000000000001", "slack", "ACTIVE")
	okta := oktaOf("slack", withProv(found(a), ProvisioningFacts{Connection: ConnectionError, Reason: "GET …/connections/default answered 500."}))
	v := Evaluate(Input{OrgURL: testOrgURL, App: "slack", Okta: okta, ISPM: ISPMNotConfigured()})
	iv := v.Instances[0]
	checkAgainst(t, iv.Check(P5Provisioning), expect{result: Unverified, contains: []string{"500"}})
	if iv.OktaReady || len(v.OktaReadyInstanceIDs) != 0 {
		t.Error("an instance whose provisioning could not be read counts as ready")
	}

	down := Evaluate(Input{OrgURL: testOrgURL, App: "slack", InstanceIDs: []string{a.ID},
		Okta: OktaAppFacts{Credentials: true, Reason: "the app listing failed: 503"}, ISPM: ISPMNotConfigured()})
	for _, c := range down.Instances[0].Checks {
		if c.Result == Pass {
			t.Errorf("%s passes although neither Okta nor ISPM answered", c.ID)
		}
	}
}

// TestNotFromOktaIsAlwaysSaid: whenever the provider holds Okta
// credentials but an instance's verdict did not come from Okta in this run,
// the verdict says why and what stood in; a fresh Okta answer says nothing.
func TestNotFromOktaIsAlwaysSaid(t *testing.T) {
	t.Parallel()
	a := newApp("0oaVOUCHED0000000001", "slack", "ACTIVE", readyFeatures...)
	vouching := connectedOrg
	vouching.Instances = []ISPMInstanceFacts{{ID: a.ID, Eligible: Yes}}
	oktaDown := OktaAppFacts{Credentials: true, Reason: "GET /api/v1/apps answered 500 after 2 attempts."}

	v := Evaluate(Input{OrgURL: testOrgURL, App: "slack", InstanceIDs: []string{a.ID}, Okta: oktaDown, ISPM: vouching})
	iv := v.Instances[0]
	if iv.Check(P5Provisioning).Result != Pass || iv.NotFromOkta == nil ||
		!strings.Contains(iv.NotFromOkta.Reason, "500") || !strings.Contains(iv.NotFromOkta.Evidence, "ISPM's cached status") {
		t.Fatalf("ISPM vouched while Okta failed: P5 %s, not-from-Okta %+v", iv.Check(P5Provisioning).Result, iv.NotFromOkta)
	}

	v = Evaluate(Input{OrgURL: testOrgURL, App: "slack", InstanceIDs: []string{a.ID}, Okta: oktaDown, ISPM: ISPMNotConfigured()})
	if s := v.Instances[0].NotFromOkta; s == nil || !strings.Contains(s.Evidence, "unverified") {
		t.Fatalf("no ISPM and Okta down: %+v", s)
	}

	trusted := withProv(found(a), ProvisioningFacts{Connection: ConnectionEnabled, Trusted: true, TrustedAt: "2026-03-01T04:00:25.000Z"})
	v = Evaluate(Input{OrgURL: testOrgURL, App: "slack", Okta: oktaOf("slack", trusted), ISPM: vouching})
	if s := v.Instances[0].NotFromOkta; s == nil || !strings.Contains(s.Evidence, "2026-03-01T04:00:25.000Z") {
		t.Fatalf("a reused answer: %+v", s)
	}

	v = Evaluate(Input{OrgURL: testOrgURL, App: "slack", Okta: oktaOf("slack", found(a)), ISPM: vouching})
	if s := v.Instances[0].NotFromOkta; s != nil {
		t.Fatalf("a fresh Okta answer is flagged: %+v", s)
	}
	v = Evaluate(Input{OrgURL: testOrgURL, App: "slack", InstanceIDs: []string{a.ID}, ISPM: vouching})
	if s := v.Instances[0].NotFromOkta; s != nil {
		t.Fatalf("no Okta credentials is not an Okta failure: %+v", s)
	}
}
