package main

import (
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/okta"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// referenced returns the instances a configuration makes the provider
// judge: the connections' instances, every instance of each data source's
// app, or what an Okta-only gallery judges.
func (r *runner) referenced(config string, conns []connection) []Instance {
	if config == ConfigOktaGallery {
		return r.galleryReferenced()
	}
	byID := make(map[string]int, len(r.org.Instances))
	for i, in := range r.org.Instances {
		byID[in.ID] = i
	}
	gallery := make(map[string]int, len(r.org.Gallery))
	for i, ga := range r.org.Gallery {
		gallery[ga.Key] = i
	}
	var out []Instance
	for _, c := range conns {
		// A combined configuration judges what its data sources judge,
		// which includes its resources' instances.
		if config == ConfigDataSources || config == ConfigCombined || config == ConfigOktaDataSources {
			for _, j := range r.org.Gallery[gallery[c.App]].Instances {
				out = append(out, r.org.Instances[j])
			}
			continue
		}
		for _, id := range c.InstanceIDs {
			out = append(out, r.org.Instances[byID[id]])
		}
	}
	return out
}

// bound is the target's ceiling on Okta requests for one plan: the
// listing's pages, the name-filtered listings a provider process spends on
// its first few apps before it switches to the whole listing (issue 13
// item 3: "no N costs more than the listing plus a small constant"), one
// call per instance whose provisioning state the listing cannot answer,
// and the group-evidence search pages.
func (r *runner) bound(config string, conns []connection, got OktaCounts) *Bound {
	b := &Bound{ListingPages: r.org.ListingPages(), GroupPages: got.ByEndpoint[oktasim.EndpointGroups]}
	apps := map[string]bool{}
	for _, in := range r.referenced(config, conns) {
		apps[in.Name] = true
		if !in.ListingAnswers {
			b.UnansweredInstances++
			b.MinimalCalls += in.ProvisioningCalls
		}
	}
	// A plan about fewer apps than that lists no more of them by name; the
	// gallery reads the whole listing first, and so lists none by name.
	if config != ConfigOktaGallery {
		b.FilteredListings = min(len(apps), okta.FilteredListingsMax)
	}
	b.Max = int64(b.ListingPages+b.FilteredListings+b.UnansweredInstances) + b.GroupPages
	b.Actual = got.Total - got.ByEndpoint[oktasim.EndpointToken]
	b.Met = b.Actual <= b.Max
	return b
}

// perResource computes what a provider that works per resource would
// spend on the same plan: each resource or data source reading the org's
// listing itself, or following a lookup chain per instance (GET the app,
// its connection, its features when the connection says UNKNOWN, and a
// group search).
func (r *runner) perResource(config string, conns []connection, got OktaCounts) *PerResource {
	if config == ConfigOktaGallery {
		return nil // one data source: there is nothing per resource to compare
	}
	p := &PerResource{References: len(conns), OursApps: got.ByBucket[string(oktasim.BucketApps)]}
	insts := r.referenced(config, conns)
	p.Instances = len(insts)
	var calls int64
	for _, in := range insts {
		if !in.ListingAnswers {
			calls += int64(in.ProvisioningCalls)
		}
		p.ChainAppGet++
		p.ChainGroups++
		p.ChainApps++
		if !connectionAPIApps[in.Name] {
			p.ChainApps++
		}
	}
	refs := len(conns)
	switch config {
	case ConfigDataSources, ConfigOktaDataSources:
		// Finding a data source's instances takes a filtered listing.
		p.ChainApps += int64(len(conns))
	case ConfigCombined:
		// Each resource repeats the chain for its own instances, and each
		// data source lists its app.
		refs = 2 * len(conns)
		p.References = refs
		p.ChainApps += int64(len(conns))
		for _, in := range r.referenced(ConfigResources, conns) {
			p.ChainAppGet++
			p.ChainGroups++
			p.ChainApps++
			if !connectionAPIApps[in.Name] {
				p.ChainApps++
			}
		}
	}
	p.ListingApps = int64(refs*r.org.ListingPages()) + calls
	return p
}

func oktaCounts(m map[string]oktasim.EndpointCount) OktaCounts {
	c := OktaCounts{ByEndpoint: map[string]int64{}, ByBucket: map[string]int64{}}
	for ep, n := range m {
		if n.Requests == 0 {
			continue
		}
		c.ByEndpoint[ep] = n.Requests
		c.ByBucket[bucketOf(ep)] += n.Requests
		c.Total += n.Requests
		c.RateLimited += n.RateLimited
		c.ServerErrors += n.ServerErrors
	}
	return c
}

func ispmCounts(m map[string]int) ISPMCounts {
	c := ISPMCounts{ByEndpoint: map[string]int{}}
	for ep, n := range m {
		if n == 0 {
			continue
		}
		c.ByEndpoint[ep] = n
		c.Total += n
	}
	return c
}

// bucketOf is the Okta rate-limit bucket of a sandbox endpoint name.
func bucketOf(endpoint string) string {
	switch endpoint {
	case oktasim.EndpointGetApp:
		return string(oktasim.BucketAppGet)
	case oktasim.EndpointListApps, oktasim.EndpointConnection, oktasim.EndpointFeatures, oktasim.EndpointFeature:
		return string(oktasim.BucketApps)
	case oktasim.EndpointGroups:
		return string(oktasim.BucketGroups)
	case oktasim.EndpointToken:
		return string(oktasim.BucketToken)
	}
	if strings.Contains(endpoint, " /api/v1/apps/") {
		return string(oktasim.BucketApps)
	}
	if strings.Contains(endpoint, " /api/v1/groups") {
		return string(oktasim.BucketGroups)
	}
	return string(oktasim.BucketOther)
}
