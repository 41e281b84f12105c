package eligibility

import (
	"fmt"
	"testing"
)

// benchInput is one app with n instances in mixed states, as Okta and ISPM
// report them, in an org connected to ISPM.
func benchInput(n int) Input {
	okta := OktaAppFacts{Credentials: true, Lifecycle: LifecycleFacts{State: LifecycleSubscribed, Evidence: "GET … answered ENABLED"}}
	ispm := ISPMAppFacts{OrgConnected: Yes, Status: StatusAvailable}
	for i := range n {
		id := fmt.Sprintf("0oaBENCH%012d", i)
		a := newApp(id, "scimapp", "ACTIVE")
		var f OktaInstanceFacts
		switch i % 10 {
		case 0, 1, 2, 3, 4: // ready from the app object, eligible per ISPM
			a.Features = readyFeatures
			f = found(a)
			ispm.Instances = append(ispm.Instances, ISPMInstanceFacts{ID: id, Eligible: Yes})
		case 5, 6: // connection enabled, import off
			f = withProv(found(a), ProvisioningFacts{Connection: ConnectionEnabled})
			ispm.Instances = append(ispm.Instances, ISPMInstanceFacts{ID: id, Eligible: No})
		case 7: // disabled
			f = withProv(found(a), ProvisioningFacts{Connection: ConnectionDisabled})
		case 8: // inactive, with imported groups
			a.Status, a.Features = "INACTIVE", readyFeatures
			f = withGroups(found(a), GroupFacts{Known: true, Count: 4})
		default: // a transient error
			f = withProv(found(a), ProvisioningFacts{Connection: ConnectionError, Reason: "429"})
		}
		okta.Instances = append(okta.Instances, f)
		okta.AllInstances = append(okta.AllInstances, InstanceSummary{ID: id, Label: a.Label, Status: a.Status})
	}
	return Input{OrgURL: "https://acme.okta.com", App: "scimapp", Okta: okta, ISPM: ispm}
}

// BenchmarkEvaluate judges every instance of one app at once, as the
// ispm_app_eligibility data source does.
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{10, 500, 5000} {
		in := benchInput(n)
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if v := Evaluate(in); len(v.Instances) != n {
					b.Fatalf("%d verdicts", len(v.Instances))
				}
			}
		})
	}
}

// BenchmarkEvaluatePerConnection judges 500 connections of one instance
// each, as 500 ispm_source_connection resources do in one plan.
func BenchmarkEvaluatePerConnection(b *testing.B) {
	const n = 500
	all := benchInput(n)
	inputs := make([]Input, n)
	for i := range inputs {
		f := all.Okta.Instances[i]
		in := all
		in.InstanceIDs = []string{f.ID}
		in.Okta.Instances = []OktaInstanceFacts{f}
		inputs[i] = in
	}
	b.Run(fmt.Sprintf("connections=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, in := range inputs {
				if v := Evaluate(in); len(v.Instances) != 1 {
					b.Fatal("no verdict")
				}
			}
		}
	})
}

// BenchmarkLagsBehind compares a verdict on n instances with ISPM's
// listing of as many, all verified by Okta and listed eligible, so every
// instance is looked up: the work grows with n, not n².
func BenchmarkLagsBehind(b *testing.B) {
	for _, n := range []int{500, 5000} {
		in := benchInput(n)
		v := Evaluate(in)
		for i := range v.Instances {
			v.Instances[i].Checks = []Check{{ID: P3Installed, Result: Pass, Evidence: EvidenceOktaAPI}}
		}
		f := in.ISPM
		f.Instances = nil
		for _, iv := range v.Instances {
			f.Instances = append(f.Instances, ISPMInstanceFacts{ID: iv.ID, Eligible: Yes})
		}
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if f.LagsBehind(v) {
					b.Fatal("lags behind")
				}
			}
		})
	}
}
