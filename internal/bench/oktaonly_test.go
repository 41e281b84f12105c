package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/catalog"
)

func TestOktaOnlyConfigs(t *testing.T) {
	t.Parallel()
	tg := target{ISPMEndpoint: "http://127.0.0.1:1", ISPMToken: "ispm-tok", OrgURL: "http://127.0.0.1:2", OrgToken: "okta-tok", OrgRef: "127.0.0.1:2"}
	conns := []connection{{App: "slack", InstanceIDs: []string{"0oaA"}}, {App: "bigcorp_wiki_1", InstanceIDs: []string{"0oaC"}}}

	for name, cfg := range map[string]string{"data sources": oktaDataSourcesConfig(tg, conns), "gallery": oktaGalleryConfig(tg)} {
		for _, bad := range []string{"endpoint", "ispm-tok", "127.0.0.1:1\""} {
			if strings.Contains(cfg, bad) {
				t.Errorf("the Okta-only %s config configures ISPM (%s):\n%s", name, bad, cfg)
			}
		}
		for _, want := range []string{`source = "ispm-community/ispm"`, `org_url   = "http://127.0.0.1:2"`, `api_token = "okta-tok"`, `okta_org = "127.0.0.1:2"`} {
			if !strings.Contains(cfg, want) {
				t.Errorf("the Okta-only %s config lacks %s:\n%s", name, want, cfg)
			}
		}
	}
	ds := oktaDataSourcesConfig(tg, conns)
	if strings.Count(ds, `data "ispm_app_eligibility"`) != 2 || strings.Count(ds, `provider "ispm"`) != 1 || !strings.Contains(ds, `app_name = "bigcorp_wiki_1"`) {
		t.Errorf("want the data sources of data_sources under one Okta-only provider:\n%s", ds)
	}
	if g := oktaGalleryConfig(tg); strings.Count(g, `data "ispm_sources_gallery" "org"`) != 1 || strings.Contains(g, "app_name") {
		t.Errorf("want one gallery of the org:\n%s", g)
	}
}

func TestParseFlagsOktaOnly(t *testing.T) {
	t.Parallel()
	var sink strings.Builder
	opts, _, err := parseFlags([]string{"-okta-only"}, &sink)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(opts.Configs, oktaOnlyConfigs) || !slices.Equal(opts.Ns, []int{1}) || opts.PacedN != 0 || opts.Org.Apps != 5000 {
		t.Errorf("-okta-only: %+v", opts)
	}
	opts, _, err = parseFlags([]string{"-okta-only", "-quick", "-n", "10", "-configs", "baseline,okta_gallery", "-profiles", "realistic"}, &sink)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(opts.Configs, []string{ConfigBaseline, ConfigOktaGallery}) || !slices.Equal(opts.Ns, []int{10}) || opts.Org.Apps != 1000 ||
		!slices.Equal(opts.Profiles, []string{ProfileRealistic}) {
		t.Errorf("explicit flags must win over -okta-only: %+v", opts)
	}
	opts, _, err = parseFlags(nil, &sink)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range oktaOnlyConfigs {
		if slices.Contains(opts.Configs, c) {
			t.Errorf("the default run includes the opt-in %s: %v", c, opts.Configs)
		}
	}
}

func TestOktaOnlyBoundAndSteps(t *testing.T) {
	t.Parallel()
	g, err := Generate(QuickOrgParams())
	if err != nil {
		t.Fatal(err)
	}
	r := &runner{org: g, opts: Options{Ns: []int{1, 10}, Profiles: []string{ProfileGenerous, ProfileRealistic}, Configs: oktaOnlyConfigs}}
	conns := r.connections(10)
	got := OktaCounts{ByEndpoint: map[string]int64{"GET /api/v1/apps": 5, "GET /api/v1/groups": 1}, ByBucket: map[string]int64{"apps": 5, "groups": 1}, Total: 6}

	// The Okta-only data sources judge what the data sources judge.
	if a, b := r.bound(ConfigOktaDataSources, conns, got), r.bound(ConfigDataSources, conns, got); *a != *b {
		t.Errorf("okta_data_sources bound %+v, data_sources %+v", a, b)
	}
	if a, b := r.perResource(ConfigOktaDataSources, conns, got), r.perResource(ConfigDataSources, conns, got); *a != *b {
		t.Errorf("okta_data_sources per resource %+v, data_sources %+v", a, b)
	}

	// The gallery judges every instance of the listed OIN apps and of the
	// custom apps that show provisioning, whatever the connections.
	oin := catalog.OIN()
	want, unanswered := 0, 0
	for _, ga := range g.Gallery {
		if _, listed := oin[ga.Key]; ga.PoweredBy == "OIN" && !listed {
			continue
		}
		for _, j := range ga.Instances {
			in := g.Instances[j]
			if ga.PoweredBy == "CUSTOM" && !in.ListingAnswers {
				continue // one instance per custom app: it does not show provisioning
			}
			want++
			if !in.ListingAnswers {
				unanswered++
			}
		}
	}
	if insts := r.referenced(ConfigOktaGallery, nil); len(insts) != want || want == 0 {
		t.Errorf("the gallery judges %d instances, want %d", len(insts), want)
	}
	b := r.bound(ConfigOktaGallery, nil, got)
	// The gallery reads the whole listing first: no listing by name.
	if unanswered == 0 || b.UnansweredInstances != unanswered || b.FilteredListings != 0 || b.Max != int64(5+unanswered+1) {
		t.Errorf("gallery bound %+v, want %d unanswered", b, unanswered)
	}
	if p := r.perResource(ConfigOktaGallery, nil, got); p != nil {
		t.Errorf("a gallery has no per-resource comparison: %+v", p)
	}

	// okta_data_sources: one plan per profile and N; the gallery one per
	// profile.
	if n := r.countSteps(); n != 2*2+2 {
		t.Errorf("countSteps = %d, want 6", n)
	}
}
