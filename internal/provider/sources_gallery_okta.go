package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ispm-community/terraform-provider-ispm/internal/catalog"
	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// customCategory is the gallery category of custom SCIM apps.
const customCategory = "Custom apps"

// customAppName is the shape of the name Okta generates for an app built
// in the org (acme_hrportal_1: org name, label, sequence number). An app
// whose name has another shape is an OIN app; one that the provider's list
// does not hold is not claimed to be a SCIM source.
var customAppName = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)+_[0-9]+$`)

// fromOkta builds the gallery when ISPM is not configured: the OIN apps of
// the provider's list (catalog) and, for an org, the custom apps whose app
// objects show provisioning, each with its status judged live from Okta.
// It returns the entries and, by key, the instances ready as far as Okta
// can show.
func (d *sourcesGalleryDataSource) fromOkta(ctx context.Context, m sourcesGalleryModel, diags *diag.Diagnostics) (map[string]ispm.CatalogEntry, map[string][]string, bool) {
	entries := map[string]ispm.CatalogEntry{}
	for key, a := range catalog.OIN() {
		entries[key] = ispm.CatalogEntry{Key: key, DisplayName: a.Label, PoweredBy: ispm.PoweredByOIN, Categories: []string{a.Category}}
	}
	ref := m.OktaOrg.ValueString()
	if ref == "" {
		return entries, nil, true
	}
	if m.Refresh.ValueBool() {
		diags.AddAttributeWarning(path.Root("refresh"), "refresh has no effect without ISPM",
			"refresh asks ISPM to re-read the org (the console's Refresh Data). ISPM is not configured, so every status here is judged live from Okta already.")
	}
	t, err := d.data.resolve(ctx, lookup{Org: ref, Need: orgConnected})
	if err != nil {
		addLookupError(diags, err)
		return nil, nil, false
	}
	names, err := t.Okta.AppNames(ctx)
	if err != nil {
		diags.AddError("Cannot read the Okta org's apps", fmt.Sprintf("Listing the apps of %s failed: %s", t.Domain, ensureSentence(err.Error())))
		return nil, nil, false
	}
	installed := map[string]bool{}
	for _, n := range names {
		installed[strings.ToLower(n.Name)] = true
		if _, oin := entries[strings.ToLower(n.Name)]; !oin && n.Provisioning && customAppName.MatchString(n.Name) {
			entries[n.Name] = ispm.CatalogEntry{Key: n.Name, DisplayName: n.Name, PoweredBy: ispm.PoweredByCustom, Categories: []string{customCategory}}
		}
	}
	ready := map[string][]string{}
	var notOkta notFromOkta
	defer notOkta.flush(diags, path.Empty())
	for _, key := range slices.Sorted(maps.Keys(entries)) {
		e := entries[key]
		if !installed[strings.ToLower(key)] {
			e.OrgStatus = &ispm.AppStatus{App: key, Status: ispm.StatusNotIntegrated}
			entries[key], ready[key] = e, []string{}
			continue
		}
		r, err := d.data.evaluate(ctx, readinessQuery{Org: t, App: key})
		if err != nil {
			diags.AddError("Cannot check the prerequisites", fmt.Sprintf("Judging %s in %s failed: %s", key, t.Domain, ensureSentence(err.Error())))
			return nil, nil, false
		}
		notOkta.add(diags, r.Verdict, path.Empty())
		e.OrgStatus = oktaStatus(r.Verdict)
		if e.DisplayName == key && len(r.Verdict.Instances) > 0 && r.Verdict.Instances[0].Label != "" {
			e.DisplayName = r.Verdict.Instances[0].Label // a custom app is known by its label
		}
		entries[key], ready[key] = e, r.Verdict.OktaReadyInstanceIDs
	}
	return entries, ready, true
}

// oktaStatus is the gallery status of an app judged from Okta: the
// engine's status and the app's active instances (ISPM's gallery lists
// active instances only). No instance is eligible without ISPM.
func oktaStatus(v eligibility.Verdict) *ispm.AppStatus {
	st := &ispm.AppStatus{App: v.App, Status: ispm.GalleryStatusOf(v.Status)}
	if st.Status == ispm.StatusNotIntegrated && len(v.Instances) > 0 {
		// Installed but not active: NOT_INTEGRATED is only for an app with
		// no instance at all.
		st.Status = ispm.StatusProvisioningDisabled
	}
	for _, iv := range v.Instances {
		if iv.Check(eligibility.P4Active).Result == eligibility.Pass {
			st.Instances = append(st.Instances, ispm.Instance{ID: iv.ID, Label: iv.Label, Status: "ACTIVE"})
		}
	}
	return st
}
