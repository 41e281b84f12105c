package main

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
)

func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	p := QuickOrgParams()
	a, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.JSON, b.JSON) {
		t.Fatal("two generations with the same parameters differ")
	}
	p.Seed++
	c, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.JSON, c.JSON) {
		t.Fatal("another seed gave the same org")
	}
}

// TestGeneratedOrgMatchesTheSandbox loads the benchmark's full-size org
// into the sandbox and checks that every instance is in the state the
// generator recorded, as the sandbox's Okta and ISPM sides see it. Under
// the race detector (make test) or -short it checks the CI-sized org, with
// the same mix, instead: the full size takes ten times longer there.
func TestGeneratedOrgMatchesTheSandbox(t *testing.T) {
	t.Parallel()
	p := DefaultOrgParams()
	full := !raceEnabled && !testing.Short()
	if !full {
		p = QuickOrgParams()
	}
	g, err := Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := sandbox.ParseScenario(g.JSON)
	if err != nil {
		t.Fatalf("the generated scenario does not parse and validate: %v", err)
	}
	sb, err := sandbox.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	org := sb.Org(p.Name)
	states := org.Instances()
	if len(states) != p.Apps || len(g.Instances) != p.Apps {
		t.Fatalf("the org has %d apps and the generator recorded %d; want %d", len(states), len(g.Instances), p.Apps)
	}
	byID := map[string]int{}
	for i, in := range g.Instances {
		byID[in.ID] = i
	}
	scim := 0
	for _, st := range states {
		i, ok := byID[st.ID]
		if !ok {
			t.Fatalf("the sandbox serves app %s, which the generator did not record", st.ID)
		}
		in := g.Instances[i]
		if in.State == StateNotSCIM {
			continue
		}
		scim++
		eligible := st.Status == "ACTIVE" && st.ProvisioningEnabled && st.ImportNewUsers && st.ImportGroups
		if eligible != in.State.Eligible() {
			t.Errorf("%s (%s, %s): the sandbox says eligible=%v (%+v)", in.ID, in.Name, in.State, eligible, st)
		}
		if want := in.State != StateProvisioningDisabled; st.ProvisioningEnabled != want {
			t.Errorf("%s (%s): provisioning enabled is %v, want %v", in.ID, in.State, st.ProvisioningEnabled, want)
		}
		if want := map[bool]int{true: 0, false: 1}[in.ListingAnswers]; in.ProvisioningCalls != want {
			t.Errorf("%s (%s): listing answers %v but %d provisioning calls", in.ID, in.State, in.ListingAnswers, in.ProvisioningCalls)
		}
	}
	if scim != p.OINInstances+p.CustomSCIMApps {
		t.Errorf("%d SCIM instances, want %d", scim, p.OINInstances+p.CustomSCIMApps)
	}

	// Every gallery app the generator made is in ISPM's gallery, with
	// the status its instances give it.
	svc := sb.ISPM()
	for _, gi := range []int{0, len(oinKeys) - 1, len(oinKeys), len(g.Gallery) - 1} {
		ga := g.Gallery[gi]
		st, err := svc.AppStatus("oktaorg_"+p.Name, ga.Key)
		if err != nil {
			t.Fatalf("ISPM has no status for %s: %v", ga.Key, err)
		}
		want := "PROVISIONING_DISABLED"
		if slices.Contains(g.Connectable, gi) {
			want = "AVAILABLE"
		}
		if string(st.Status) != want {
			t.Errorf("ISPM status of %s is %s, want %s", ga.Key, st.Status, want)
		}
		if len(st.Instances) != len(ga.Instances) {
			t.Errorf("ISPM lists %d instances of %s, want %d", len(st.Instances), ga.Key, len(ga.Instances))
		}
	}

	// N = 500 connections need 500 distinct connectable apps; the quick
	// run goes up to N = 10.
	need, pages := 500, 25
	if !full {
		need, pages = 10, 5
	}
	if len(g.Connectable) < need {
		t.Errorf("%d connectable apps; the benchmark needs %d", len(g.Connectable), need)
	}
	if g.ListingPages() != pages {
		t.Errorf("%d listing pages, want %d", g.ListingPages(), pages)
	}
}

func TestGeneratedAppsLookLikeOktas(t *testing.T) {
	t.Parallel()
	g, err := Generate(QuickOrgParams())
	if err != nil {
		t.Fatal(err)
	}
	var sc struct {
		OktaOrgs []struct {
			Apps []map[string]json.RawMessage `json:"apps"`
		} `json:"okta_orgs"`
		ISPM ispmsim.Scenario `json:"ispm"`
	}
	if err := json.Unmarshal(g.JSON, &sc); err != nil {
		t.Fatal(err)
	}
	nullSignOn := 0
	for _, a := range sc.OktaOrgs[0].Apps {
		for _, k := range []string{"id", "orn", "name", "label", "status", "lastUpdated", "created", "features", "signOnMode", "credentials", "settings", "_links"} {
			if _, ok := a[k]; !ok {
				t.Fatalf("an app object lacks %q: %v", k, a)
			}
		}
		if string(a["signOnMode"]) == "null" {
			nullSignOn++
		}
		if !strings.Contains(string(a["_links"]), "https://{yourOktaDomain}/api/v1/apps/") {
			t.Fatalf("links must use the org URL placeholder: %s", a["_links"])
		}
	}
	if nullSignOn != 1 {
		t.Errorf("%d apps have signOnMode null, want the one directory app", nullSignOn)
	}
	custom := map[string]bool{}
	for _, e := range sc.ISPM.Catalog {
		custom[e.Key] = true
	}
	for _, ga := range g.Gallery {
		if ga.PoweredBy == "CUSTOM" && !custom[ga.Key] {
			t.Errorf("custom app %s is not in ISPM's catalog", ga.Key)
		}
		if ga.PoweredBy == "OIN" && custom[ga.Key] {
			t.Errorf("OIN app %s is in the scenario's custom catalog", ga.Key)
		}
	}
}

func TestGenerateRefusesImpossibleOrgs(t *testing.T) {
	t.Parallel()
	for name, mutate := range map[string]func(*OrgParams){
		"bad name":           func(p *OrgParams) { p.Name = "Big Corp" },
		"too few OIN":        func(p *OrgParams) { p.OINInstances = 10 },
		"too many SCIM":      func(p *OrgParams) { p.Apps = p.OINInstances + p.CustomSCIMApps },
		"negative custom":    func(p *OrgParams) { p.CustomSCIMApps = -1 },
		"beyond the sandbox": func(p *OrgParams) { p.Apps = 100001 },
	} {
		p := QuickOrgParams()
		mutate(&p)
		if _, err := Generate(p); err == nil {
			t.Errorf("%s: Generate accepted %+v", name, p)
		}
	}
}

func TestSpreadKeepsProportions(t *testing.T) {
	t.Parallel()
	g := &gen{rng: newTestRand()}
	got := map[State]int{}
	for _, s := range g.spread(350, oinStates) {
		got[s]++
	}
	total := 0
	for _, m := range oinStates {
		want := 350 * m.pct / 100
		if got[m.state] < want || got[m.state] > want+1 {
			t.Errorf("%s: %d, want %d or %d", m.state, got[m.state], want, want+1)
		}
		total += got[m.state]
	}
	if total != 350 {
		t.Errorf("%d states, want 350", total)
	}
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }
