package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/catalog"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// Configurations planned with the provider configured with the Okta org
// only (no endpoint, no api_token): readiness is judged from Okta alone
// and ISPM must get no request. They run only when asked for (-configs or
// -okta-only), one fresh plan per profile.
const (
	// ConfigOktaDataSources is N ispm_app_eligibility data sources, those
	// of ConfigDataSources, without ISPM.
	ConfigOktaDataSources = "okta_data_sources"
	// ConfigOktaGallery is one ispm_sources_gallery of the org without
	// ISPM: it judges every OIN app of the provider's list installed in the
	// org and every custom SCIM app of the org. It does not depend on N:
	// it runs once per profile, at the first N, and is recorded as N = 1
	// (one data source).
	ConfigOktaGallery = "okta_gallery"
)

// oktaOnlyConfigs lists the Okta-only configurations in the order they run.
var oktaOnlyConfigs = []string{ConfigOktaDataSources, ConfigOktaGallery}

// knownConfigs are the configurations -configs accepts: the default ones
// and the Okta-only ones.
func knownConfigs() []string { return append(slices.Clone(allConfigs), oktaOnlyConfigs...) }

// oktaOnlyProviderBlock is providerBlock without ISPM: the Okta org alone.
func oktaOnlyProviderBlock(t target) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    ispm = {
      source = %q
    }
  }
}

provider "ispm" {
  okta_org {
    org_url   = %q
    api_token = %q
  }
}
`, providerSource, t.OrgURL, t.OrgToken)
}

// oktaDataSourcesConfig is dataSourcesConfig with the Okta-only provider.
func oktaDataSourcesConfig(t target, conns []connection) string {
	return oktaOnlyProviderBlock(t) + strings.TrimPrefix(dataSourcesConfig(t, conns), providerBlock(t))
}

// oktaGalleryConfig declares the org's gallery with the Okta-only
// provider, and an output counting its apps by status source and status,
// so the plan's log shows what was judged (an output costs no request).
func oktaGalleryConfig(t target) string {
	return oktaOnlyProviderBlock(t) + fmt.Sprintf(`
data "ispm_sources_gallery" "org" {
  okta_org = %q
}

output "apps_by_status" {
  value = {
    for s in distinct([for a in values(data.ispm_sources_gallery.org.apps) : "${a.status_source}:${a.status}"]) :
    s => length([for a in values(data.ispm_sources_gallery.org.apps) : a if "${a.status_source}:${a.status}" == s])
  }
}
`, t.OrgRef)
}

// oktaOnlySteps is the number of Terraform commands the Okta-only
// configurations add to a benchmark.
func (r *runner) oktaOnlySteps() int {
	n := 0
	if slices.Contains(r.opts.Configs, ConfigOktaDataSources) {
		n += len(r.opts.Profiles) * len(r.opts.Ns)
	}
	if slices.Contains(r.opts.Configs, ConfigOktaGallery) {
		n += len(r.opts.Profiles)
	}
	return n
}

// oktaOnlyRuns plans the Okta-only configurations of n connections on the
// profile's sandbox: one fresh plan each.
func (r *runner) oktaOnlyRuns(ctx context.Context, sb *sandbox.Sandbox, t target, c ispmConfig, configs []string) ([]RunResult, error) {
	var out []RunResult
	if slices.Contains(configs, ConfigOktaDataSources) {
		dir := filepath.Join(r.work, fmt.Sprintf("n%d-%s-okta-data-sources", c.n, c.profile))
		if err := writeConfig(dir, oktaDataSourcesConfig(t, c.conns)); err != nil {
			return out, err
		}
		c.dir, c.config = dir, ConfigOktaDataSources
		out = append(out, r.ispmStep(ctx, sb, c, StepPlanFresh))
	}
	if slices.Contains(configs, ConfigOktaGallery) && c.n == r.opts.Ns[0] {
		dir := filepath.Join(r.work, fmt.Sprintf("%s-okta-gallery", c.profile))
		if err := writeConfig(dir, oktaGalleryConfig(t)); err != nil {
			return out, err
		}
		g := ispmConfig{dir: dir, profile: c.profile, n: 1, config: ConfigOktaGallery}
		out = append(out, r.ispmStep(ctx, sb, g, StepPlanFresh))
	}
	return out, ctx.Err()
}

// galleryReferenced are the instances an Okta-only gallery judges: every
// instance of the OIN apps of the provider's list, and those of the custom
// apps whose app objects show provisioning.
func (r *runner) galleryReferenced() []Instance {
	oin := catalog.OIN()
	var out []Instance
	for _, ga := range r.org.Gallery {
		_, listed := oin[ga.Key]
		shows := false
		for _, j := range ga.Instances {
			shows = shows || r.org.Instances[j].ListingAnswers
		}
		if (ga.PoweredBy == "OIN" && listed) || (ga.PoweredBy == "CUSTOM" && shows) {
			for _, j := range ga.Instances {
				out = append(out, r.org.Instances[j])
			}
		}
	}
	return out
}
