package eligibility

import (
	"strings"
	"testing"
)

// TestPrerequisiteTable checks the table against itself: every prerequisite
// has one complete entry, in order, and everything derived from it agrees.
func TestPrerequisiteTable(t *testing.T) {
	seen := map[CheckID]bool{}
	for i, p := range Prerequisites() {
		if seen[p.ID] {
			t.Errorf("%s has two entries", p.ID)
		}
		seen[p.ID] = true
		if want := "P" + string(rune('1'+i)); p.Short != want || !strings.HasPrefix(string(p.ID), want+"_") {
			t.Errorf("entry %d is %s (short %q), want the %s prerequisite", i, p.ID, p.Short, want)
		}
		if p.Title == "" || p.ID.Title() != p.Title || p.ID.Short() != p.Short {
			t.Errorf("%s: title %q, Title() %q, Short() %q", p.ID, p.Title, p.ID.Title(), p.ID.Short())
		}
		if p.judge == nil {
			t.Errorf("%s has no judge", p.ID)
		}
		if p.HealthReason == "" {
			t.Errorf("%s does not say how ISPM reports it", p.ID)
		}
		switch p.Scope {
		case ScopeOrg:
			if p.ConsoleTab != "" || p.OktaVerifies {
				t.Errorf("%s is org-level but has an instance tab or is Okta-verified", p.ID)
			}
		case ScopeInstance:
			if p.ConsoleTab == "" {
				t.Errorf("%s has no Admin Console tab", p.ID)
			}
		default:
			t.Errorf("%s has scope %q", p.ID, p.Scope)
		}
		for _, b := range p.Blocks {
			q, ok := Lookup(b)
			if !ok || q.Scope != ScopeInstance {
				t.Errorf("%s blocks %s, which is not an instance prerequisite", p.ID, b)
			}
		}
		if CheckIDs[i] != p.ID {
			t.Errorf("CheckIDs[%d] = %s, want %s", i, CheckIDs[i], p.ID)
		}
	}
	if len(CheckIDs) != 7 || len(seen) != 7 {
		t.Errorf("%d prerequisites, want P1 to P7", len(seen))
	}
	if _, ok := Lookup("P8_NOPE"); ok {
		t.Error("Lookup found an unknown id")
	}
}

// TestEvaluateFollowsTable shows that the engine's order, scopes and the
// checks that follow from a failing P3 come from the table.
func TestEvaluateFollowsTable(t *testing.T) {
	in := Input{OrgURL: testOrgURL, App: "slack", InstanceIDs: []string{"0oaMISSING0000000001"},
		Okta: OktaAppFacts{Credentials: true}, ISPM: ISPMAppFacts{OrgConnected: Yes}}
	v := Evaluate(in)
	var org []CheckID
	for _, c := range v.OrgChecks {
		org = append(org, c.ID)
	}
	var want []CheckID
	for _, p := range Prerequisites() {
		if p.Scope == ScopeOrg {
			want = append(want, p.ID)
		}
	}
	if strings.Join(idStrings(org), ",") != strings.Join(idStrings(want), ",") {
		t.Fatalf("org checks %v, want %v", org, want)
	}
	iv := v.Instances[0]
	if c := iv.Check(P3Installed); c.Result != Fail {
		t.Fatalf("P3 = %s, want fail", c.Result)
	}
	for _, id := range blockedBy(P3Installed) {
		if c := iv.Check(id); c.Cause != P3Installed || c.Result != Fail {
			t.Errorf("%s: cause %q result %s, want a fail following from P3", id, c.Cause, c.Result)
		}
	}
	if iv.OktaVerified() || v.OktaVerified() {
		t.Error("an instance that is not installed counts as verified by Okta")
	}
}

func idStrings(cs []CheckID) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}
