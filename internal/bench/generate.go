package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// OrgParams shapes a generated large Okta org.
type OrgParams struct {
	// Name is the org's name in the sandbox, and the prefix of its custom
	// apps' generated names.
	Name string `json:"name"`
	Seed uint64 `json:"seed"`
	// Apps is the total number of app instances in the org.
	Apps int `json:"apps"`
	// OINInstances are instances of the gallery's OIN apps, spread over
	// every OIN key of the built-in gallery, in mixed readiness states.
	OINInstances int `json:"oin_instances"`
	// CustomSCIMApps are custom SCIM apps built in Okta, one instance each,
	// each its own gallery entry (ISPM allows one connection per org and
	// app, so N connections need N distinct apps).
	CustomSCIMApps int `json:"custom_scim_apps"`
	// OrgGroups are OKTA_GROUP groups besides Everyone; they are not
	// imported from apps.
	OrgGroups int `json:"org_groups"`
}

// DefaultOrgParams is the benchmark's large org: 5,000 apps, of which about
// 900 are SCIM instances.
func DefaultOrgParams() OrgParams {
	return OrgParams{Name: "bigcorp", Seed: 20261127, Apps: 5000, OINInstances: 350, CustomSCIMApps: 580, OrgGroups: 60}
}

// QuickOrgParams is a CI-sized org with the same mix.
func QuickOrgParams() OrgParams {
	return OrgParams{Name: "bigcorp", Seed: 20261127, Apps: 1000, OINInstances: 80, CustomSCIMApps: 40, OrgGroups: 20}
}

// State is an app instance's readiness, as the generator made it.
type State string

// Readiness states of generated instances.
const (
	// StateReady meets every prerequisite; its imported APP_GROUP groups
	// are Okta's evidence of Import Groups.
	StateReady State = "ready"
	// StateReadyNoGroups meets every prerequisite but has imported no
	// group yet: only ISPM vouches for Import Groups.
	StateReadyNoGroups State = "ready_no_groups"
	// StateImportUnchecked pushes users but does not import them (P6).
	StateImportUnchecked State = "import_unchecked"
	// StateProvisioningDisabled has provisioning off: an empty features
	// list, so only the provisioning endpoints can tell (P5).
	StateProvisioningDisabled State = "provisioning_disabled"
	// StateFeaturesHidden has its provisioning connection ENABLED while its
	// app object lists no features, as Okta has been recorded doing: only
	// the connection endpoint can tell; P6 fails.
	StateFeaturesHidden State = "features_hidden"
	// StateInactive is deactivated, otherwise ready (P4).
	StateInactive State = "inactive"
	// StateImportGroupsOff has Import Groups unchecked (P7).
	StateImportGroupsOff State = "import_groups_off"
	// StateNotSCIM is an app that cannot provision (bookmark, SAML, OIDC).
	StateNotSCIM State = "not_scim"
)

// Eligible reports whether ISPM accepts the instance in a connection.
func (s State) Eligible() bool { return s == StateReady || s == StateReadyNoGroups }

// Instance is one generated app instance.
type Instance struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Label string `json:"label"`
	State State  `json:"state"`
	// ListingAnswers is true when the app object's features already show
	// provisioning on, so the listing alone answers P5.
	ListingAnswers bool `json:"listing_answers"`
	// ProvisioningCalls is what a minimal client spends on the apps bucket
	// to learn P5 when the listing cannot answer: 1, the connection for
	// apps whose connection Okta's API manages and the features for the
	// others (whose connection would answer UNKNOWN), as the provider asks.
	ProvisioningCalls int `json:"provisioning_calls"`
}

// GalleryApp is a gallery app with instances in the org.
type GalleryApp struct {
	Key       string `json:"key"`
	PoweredBy string `json:"powered_by"`
	// Instances are indexes into GeneratedOrg.Instances.
	Instances []int `json:"instances"`
}

// GeneratedOrg is a sandbox scenario with one large org, and what the
// benchmark needs to know about it.
type GeneratedOrg struct {
	Params OrgParams
	// JSON is the scenario, in the sandbox's scenario format.
	JSON      []byte
	Instances []Instance
	// Gallery lists the gallery apps installed in the org: OIN apps first
	// (most instances first), then custom apps in generation order.
	Gallery []GalleryApp
	// Connectable are the gallery apps with at least one eligible instance,
	// in Gallery order: connection i of a benchmark of N is Connectable[i].
	Connectable []int
}

// Scenario parses and validates the generated scenario.
func (g *GeneratedOrg) Scenario() (sandbox.Scenario, error) { return sandbox.ParseScenario(g.JSON) }

// EligibleIDs returns the eligible instance ids of gallery app i.
func (g *GeneratedOrg) EligibleIDs(i int) []string {
	var ids []string
	for _, j := range g.Gallery[i].Instances {
		if g.Instances[j].State.Eligible() {
			ids = append(ids, g.Instances[j].ID)
		}
	}
	return ids
}

// ListingPages is how many pages of 200 GET /api/v1/apps takes.
func (g *GeneratedOrg) ListingPages() int { return (g.Params.Apps + 199) / 200 }

// validate checks that the parameters describe a possible org.
func (p OrgParams) validate() error {
	switch {
	case !orgNameOK(p.Name):
		return fmt.Errorf("org name %q must be lowercase letters and digits, like bigcorp", p.Name)
	case p.OINInstances < 2*len(oinKeys):
		return fmt.Errorf("%d OIN instances are too few: give at least %d (two for each of the %d OIN gallery apps)", p.OINInstances, 2*len(oinKeys), len(oinKeys))
	case p.CustomSCIMApps < 0:
		return fmt.Errorf("custom SCIM apps must not be negative, got %d", p.CustomSCIMApps)
	case p.Apps < p.OINInstances+p.CustomSCIMApps+1:
		return fmt.Errorf("%d apps cannot hold %d OIN instances, %d custom SCIM apps and a directory app; raise the total", p.Apps, p.OINInstances, p.CustomSCIMApps)
	case p.Apps > 100000:
		return fmt.Errorf("%d apps is more than the sandbox takes (100,000)", p.Apps)
	case p.OrgGroups < 0:
		return fmt.Errorf("org groups must not be negative, got %d", p.OrgGroups)
	}
	return nil
}

func orgNameOK(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// Generate builds a large org deterministically from p: the same
// parameters always give the same bytes.
func Generate(p OrgParams) (*GeneratedOrg, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	g := &gen{p: p, rng: rand.New(rand.NewPCG(p.Seed, 0x6265_6e63_68)), ids: map[string]bool{}, labels: map[string]bool{}, names: map[string]bool{}}
	g.orgID = g.id("00o")
	out := &GeneratedOrg{Params: p}
	apps := make([]json.RawMessage, 0, p.Apps)
	settings := map[string]*appSettings{}
	add := func(raw json.RawMessage, set *appSettings, in Instance) int {
		apps = append(apps, raw)
		if set != nil {
			settings[in.ID] = set
		}
		out.Instances = append(out.Instances, in)
		return len(out.Instances) - 1
	}

	// OIN instances: every key gets two, the rest follow a Zipf-like
	// popularity so that a few apps have dozens of instances.
	counts := make([]int, len(oinKeys))
	var weights float64
	for i := range oinKeys {
		weights += 1 / math.Pow(float64(i+1), 0.9)
	}
	extra := p.OINInstances - 2*len(oinKeys)
	given := 0
	for i := range oinKeys {
		counts[i] = 2 + int(float64(extra)/math.Pow(float64(i+1), 0.9)/weights)
		given += counts[i]
	}
	for i := 0; given < p.OINInstances; i = (i + 1) % len(oinKeys) {
		counts[i]++
		given++
	}
	oinMix := g.spread(p.OINInstances, oinStates)
	next := 0
	for i, key := range oinKeys {
		ga := GalleryApp{Key: key, PoweredBy: "OIN"}
		used := map[string]bool{}
		for k := range counts[i] {
			st := oinMix[next]
			next++
			if st == StateFeaturesHidden && !connectionAPIApps[key] {
				st = StateProvisioningDisabled
			}
			label := oinLabels[key]
			if k > 0 {
				tag := instanceTags[g.rng.IntN(len(instanceTags))]
				if tag == "" || used[tag] {
					tag = fmt.Sprint(k + 1)
				}
				used[tag] = true
				label = fmt.Sprintf("%s (%s)", label, tag)
			}
			signOn := oinSignOn[key]
			if signOn == "" {
				signOn = "SAML_2_0"
			}
			raw, set, in := g.scimInstance(key, label, signOn, false, st)
			ga.Instances = append(ga.Instances, add(raw, set, in))
		}
		out.Gallery = append(out.Gallery, ga)
	}

	// Custom SCIM apps, one instance each.
	customMix := g.spread(p.CustomSCIMApps, customStates)
	var catalog []map[string]any
	for _, st := range customMix {
		label := g.label()
		name := g.customName(label)
		raw, set, in := g.scimInstance(name, label, "SAML_2_0", true, st)
		out.Gallery = append(out.Gallery, GalleryApp{Key: name, PoweredBy: "CUSTOM", Instances: []int{add(raw, set, in)}})
		catalog = append(catalog, map[string]any{
			"key": name, "display_name": label, "powered_by": "CUSTOM", "categories": []string{"Custom apps"},
			"description": "A custom SCIM app built in " + p.Name + "'s Okta org.",
		})
	}

	// Everything else: apps that cannot provision, as most of a large
	// org's apps are. One directory app has signOnMode null.
	rest := p.Apps - len(apps)
	for i := range rest {
		s := appSpec{id: g.id("0oa"), status: "ACTIVE", features: []string{}}
		if g.rng.IntN(100) < 6 {
			s.status = "INACTIVE"
		}
		switch x := g.rng.IntN(100); {
		case i == 0:
			s.name, s.label, s.signOnMode = "active_directory", p.Name+".local", ""
			s.features = []string{"IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "IMPORT_USER_SCHEMA", "PROFILE_MASTERING"}
		case x < 28:
			s.name, s.label, s.signOnMode = "bookmark", g.label(), "BOOKMARK"
		case x < 58:
			s.label, s.signOnMode = g.label(), "SAML_2_0"
			s.name = g.customName(s.label)
		case x < 82:
			s.name, s.label, s.signOnMode = "oidc_client", g.label(), "OPENID_CONNECT"
		case x < 94:
			s.name, s.label, s.signOnMode = "template_swa", g.label(), "BROWSER_PLUGIN"
		default:
			s.label, s.signOnMode = g.label(), "AUTO_LOGIN"
			s.name = g.customName(s.label)
		}
		add(g.app(s), nil, Instance{ID: s.id, Name: s.name, Label: s.label, State: StateNotSCIM})
	}
	// The listing's order is the org's install order, not our build order.
	order := g.rng.Perm(len(apps))
	shuffled := make([]json.RawMessage, len(apps))
	for i, j := range order {
		shuffled[i] = apps[j]
	}

	groups := []json.RawMessage{g.group("BUILT_IN", "Everyone", "All users in your organization")}
	for range p.OrgGroups {
		l := g.label()
		groups = append(groups, g.group("OKTA_GROUP", l+" users", "Everyone who uses "+l))
	}

	for i, ga := range out.Gallery {
		for _, j := range ga.Instances {
			if out.Instances[j].State.Eligible() {
				out.Connectable = append(out.Connectable, i)
				break
			}
		}
	}

	scenario := map[string]any{
		"description": fmt.Sprintf("Generated by internal/bench (seed %d): %d apps, %d OIN SCIM instances over %d gallery apps, %d custom SCIM apps.",
			p.Seed, p.Apps, p.OINInstances, len(oinKeys), p.CustomSCIMApps),
		"okta_orgs": []any{map[string]any{
			"name":         p.Name,
			"api_tokens":   []string{"sandbox-" + p.Name + "-bench-token"},
			"apps":         shuffled,
			"app_settings": settings,
			"groups":       groups,
		}},
		"ispm": map[string]any{
			"api_token":             "sandbox-" + p.Name + "-ispm-bench-token",
			"catalog":               catalog,
			"orgs":                  []any{map[string]any{"okta_org": p.Name, "id": "oktaorg_" + p.Name, "display_name": strings.ToUpper(p.Name[:1]) + p.Name[1:]}},
			"connect_after_reads":   1,
			"health_check_interval": "24h",
		},
	}
	raw, err := json.Marshal(scenario)
	if err != nil {
		return nil, fmt.Errorf("the generated scenario does not marshal: %w", err)
	}
	out.JSON = raw
	return out, nil
}
