package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// manyFailing is a verdict on n instances that each fail P6, the first
// unverifiedEvery-th of them also unverified on P7.
func manyFailing(n int) eligibility.Verdict {
	m := map[string][]eligibility.Check{}
	for i := range n {
		id := fmt.Sprintf("0oa%017d", i)
		cs := []eligibility.Check{p6Fail}
		if i%10 == 0 {
			cs = append(cs, eligibility.Check{ID: eligibility.P7ImportGroups, Title: eligibility.P7ImportGroups.Title(), Result: eligibility.Unverified, Message: "ISPM did not say"})
		}
		m[id] = cs
	}
	return verdictWith(nil, m)
}

// Thousands of failing instances give detail for the first few and one
// diagnostic counting the rest, which says how to see them all.
func TestCheckReportCapsInstanceDiagnostics(t *testing.T) {
	const n = 500
	v := manyFailing(n)
	diags := checkReport{Verdict: v, Mode: ModeEnforce}.diagnostics()
	// The first 20 instances: 20 P6 errors and 2 P7 warnings (ids 0 and
	// 10); then one error for the 480 others.
	if got, want := len(diags), detailedInstances+2+1; got != want {
		t.Fatalf("%d diagnostics, want %d", got, want)
	}
	last := diags[len(diags)-1]
	if last.Severity().String() != "Error" || !strings.HasPrefix(last.Summary(), "480 more instances") {
		t.Fatalf("the last diagnostic is %s %q, want an error counting the 480 other instances", last.Severity(), last.Summary())
	}
	for _, want := range []string{
		"fails P6 " + eligibility.P6ImportUsers.Title() + ": 480 (0oa00000000000000020, ", "and 475 more)",
		"could not be verified: 48 (", `data "ispm_app_eligibility"`, `okta_org     = "acme.okta.com"`, `app_name     = "slack"`, "enforce",
	} {
		if !strings.Contains(last.Detail(), want) {
			t.Errorf("the count of the rest lacks %q:\n%s", want, last.Detail())
		}
	}
	if p, ok := last.(interface{ Path() path.Path }); !ok || !p.Path().Equal(path.Root("instance_ids")) {
		t.Errorf("the count is not on instance_ids")
	}

	// In warn mode it is a warning; at apply (errors only) it disappears
	// with the warnings it counts.
	warn := checkReport{Verdict: v, Mode: ModeWarn}.diagnostics()
	if warn.ErrorsCount() != 0 || len(warn) != len(diags) {
		t.Fatalf("warn mode: %d diagnostics, %d errors", len(warn), warn.ErrorsCount())
	}
	apply := checkReport{Verdict: v, Mode: ModeEnforce, ErrorsOnly: true}.diagnostics()
	if len(apply) != detailedInstances+1 || apply.ErrorsCount() != len(apply) {
		t.Fatalf("at apply: %d diagnostics, %d errors; want %d errors", len(apply), apply.ErrorsCount(), detailedInstances+1)
	}
	if !strings.Contains(apply[len(apply)-1].Detail(), ": 480 (") || strings.Contains(apply[len(apply)-1].Detail(), "could not be verified") {
		t.Fatalf("at apply the count names warnings:\n%s", apply[len(apply)-1].Detail())
	}

	// Up to the cap, every instance has its own diagnostics and no count.
	few := checkReport{Verdict: manyFailing(detailedInstances), Mode: ModeEnforce}.diagnostics()
	for _, d := range few {
		if strings.Contains(d.Summary(), "more instances") {
			t.Fatalf("%d instances are counted: %s", detailedInstances, d.Summary())
		}
	}
}

// An org-level failure names what follows from it for the first instances
// only, then counts the rest.
func TestCheckReportCapsFollowersOfOrgChecks(t *testing.T) {
	p2 := eligibility.Check{ID: eligibility.P2LifecycleManagement, Title: eligibility.P2LifecycleManagement.Title(), Result: eligibility.Fail, Message: "no LCM"}
	m := map[string][]eligibility.Check{}
	for i := range 100 {
		m[fmt.Sprintf("0oa%017d", i)] = []eligibility.Check{{ID: eligibility.P5Provisioning, Title: eligibility.P5Provisioning.Title(), Result: eligibility.Fail, Cause: eligibility.P2LifecycleManagement}}
	}
	diags := checkReport{Verdict: verdictWith([]eligibility.Check{p2}, m), Mode: ModeEnforce}.diagnostics()
	if len(diags) != 1 {
		t.Fatalf("%d diagnostics, want the org's one", len(diags))
	}
	d := diags[0].Detail()
	if n := strings.Count(d, " of instance "); n != detailedInstances || !strings.Contains(d, "the same checks of 80 more instances") {
		t.Fatalf("the detail names %d instances:\n%s", n, d)
	}
}

// instanceIDSetType checks and compares sets in work linear in their size:
// four times the ids cost about four times the allocations (the
// framework's own set type compares every pair, sixteen times).
func TestInstanceIDSetWorkIsLinear(t *testing.T) {
	ctx := context.Background()
	typ := newInstanceIDSetType()
	build := func(n int) (tftypes.Value, instanceIDSet, instanceIDSet) {
		ids := make([]string, n)
		vals := make([]tftypes.Value, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("0oa%017d", i)
			vals[i] = tftypes.NewValue(tftypes.String, ids[i])
		}
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, vals), instanceIDSetOf(ids), instanceIDSetOf(ids)
	}
	work := func(n int) float64 {
		raw, a, b := build(n)
		return testing.AllocsPerRun(3, func() {
			if d := typ.Validate(ctx, raw, path.Root("instance_ids")); d.HasError() {
				t.Fatal(d)
			}
			if !a.Equal(b) {
				t.Fatal("a set is not equal to itself")
			}
		})
	}
	small, large := work(500), work(2000)
	if large > 6*small {
		t.Fatalf("allocations grow from %.0f for 500 ids to %.0f for 2,000: not linear", small, large)
	}
}

// The linear checks still find what the framework's find.
func TestInstanceIDSetValidateAndEqual(t *testing.T) {
	ctx := context.Background()
	s := func(ss ...string) tftypes.Value {
		vals := make([]tftypes.Value, len(ss))
		for i, v := range ss {
			vals[i] = tftypes.NewValue(tftypes.String, v)
		}
		return tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, vals)
	}
	typ := newInstanceIDSetType()
	if d := typ.Validate(ctx, s("a", "b", "a"), path.Root("instance_ids")); d.ErrorsCount() != 1 || !strings.Contains(d[0].Detail(), `"a"`) {
		t.Fatalf("a duplicate gives %v", d)
	}
	if d := typ.Validate(ctx, s("a", "b"), path.Root("instance_ids")); d.HasError() {
		t.Fatal(d)
	}
	v, err := typ.ValueFromTerraform(ctx, s("b", "a"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		other instanceIDSet
		equal bool
	}{
		{instanceIDSetOf([]string{"a", "b"}), true},
		{instanceIDSetOf([]string{"a"}), false},
		{instanceIDSetOf([]string{"a", "c"}), false},
		{instanceIDSet{SetValue: types.SetUnknown(types.StringType)}, false},
	} {
		if got := v.Equal(c.other); got != c.equal {
			t.Errorf("{a, b} == %v is %v", c.other, got)
		}
	}
	if !(instanceIDSet{SetValue: types.SetNull(types.StringType)}).Equal(instanceIDSet{SetValue: types.SetNull(types.StringType)}) {
		t.Error("two null sets differ")
	}
	if !typ.Equal(newInstanceIDSetType()) || typ.Equal(types.SetType{ElemType: types.StringType}) {
		t.Error("type equality")
	}
}
