package oktasim_test

import (
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

func BenchmarkNewOrgSynthetic5000(b *testing.B) {
	spec := oktasim.OrgSpec{Name: "big", APITokens: []oktasim.APIToken{{Token: "t"}}, SyntheticApps: &oktasim.SyntheticApps{Count: 5000, Seed: 1}}
	for b.Loop() {
		if _, err := oktasim.NewOrg(spec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewOrgDefaultAcme(b *testing.B) {
	spec := defaultOrgSpec(b, "acme")
	for b.Loop() {
		if _, err := oktasim.NewOrg(spec); err != nil {
			b.Fatal(err)
		}
	}
}
