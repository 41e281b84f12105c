package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/okta"
)

// orgTarget is an Okta org as the provider knows it: ISPM's record of it
// (nil when ISPM does not know the org) and the provider's Okta client for
// it (nil when the configuration holds no credentials for it).
type orgTarget struct {
	Ref    string
	Domain string
	ISPM   *ispm.Org
	Okta   *okta.Org
}

// ID is ISPM's id of the org, or "" when ISPM does not know it.
func (t orgTarget) ID() string {
	if t.ISPM == nil {
		return ""
	}
	return t.ISPM.ID
}

// Connected reports whether ISPM can read the org (P1).
func (t orgTarget) Connected() bool {
	return t.ISPM != nil && t.ISPM.ConnectionState == ispm.OrgConnected
}

// URL is the org's URL, the base of Admin Console links.
func (t orgTarget) URL() string {
	if t.Okta != nil {
		return t.Okta.URL()
	}
	return "https://" + t.Domain
}

// errUnknownOrg is returned by resolveOrg for a reference that matches no
// org ISPM knows nor any org the provider holds credentials for.
type errUnknownOrg struct {
	ref   string
	known []string
}

func (e *errUnknownOrg) Error() string {
	msg := fmt.Sprintf("No Okta org %q is connected to ISPM or configured in the provider.", e.ref)
	if len(e.known) > 0 {
		msg += " ISPM knows: " + strings.Join(e.known, ", ") + "."
	} else {
		msg += " ISPM knows no Okta org yet."
	}
	return msg + " Give the org's Okta domain (for example acme.okta.com) or its ISPM id, and connect the org in the ISPM console (Settings, Okta orgs) if it is missing."
}

// resolveOrg finds the org a user's okta_org value names: an ISPM id, an
// Okta domain, or an org URL.
func (d *providerData) resolveOrg(ctx context.Context, ref string) (orgTarget, error) {
	orgs, err := d.listOrgs(ctx)
	if err != nil {
		return orgTarget{}, fmt.Errorf("reading the Okta orgs connected to ISPM: %w", err)
	}
	want := ispm.NormalizeDomain(ref)
	t := orgTarget{Ref: ref}
	for i := range orgs {
		if orgs[i].ID == strings.TrimSpace(ref) || strings.EqualFold(orgs[i].Domain, want) {
			t.ISPM = &orgs[i]
			t.Domain = strings.ToLower(orgs[i].Domain)
			break
		}
	}
	if t.ISPM == nil {
		t.Domain = want
	}
	t.Okta = d.okta[t.Domain]
	if t.ISPM == nil && t.Okta == nil {
		known := make([]string, 0, len(orgs))
		for _, o := range orgs {
			known = append(known, fmt.Sprintf("%s (%s)", o.Domain, o.ID))
		}
		return orgTarget{}, &errUnknownOrg{ref: ref, known: known}
	}
	return t, nil
}

// catalogEntry returns the gallery entry for app, or an error that lists
// close matches when the key is not in the gallery.
func (d *providerData) catalogEntry(ctx context.Context, app string) (ispm.CatalogEntry, error) {
	entries, err := d.catalogEntries(ctx)
	if err != nil {
		return ispm.CatalogEntry{}, fmt.Errorf("reading the ISPM Sources Gallery: %w", err)
	}
	if e, ok := entries[app]; ok {
		return e, nil
	}
	var near []string
	for k := range entries {
		if strings.Contains(k, app) || strings.Contains(app, k) || strings.EqualFold(k, app) || editDistance(k, app) <= 2 {
			near = append(near, k)
		}
	}
	slices.Sort(near)
	msg := fmt.Sprintf("The app %q is not in the ISPM Sources Gallery. Use the app's catalog key, which is the Okta app's name (for example slack or office365; a custom app's generated name such as acme_myapp_1), not its label.", app)
	if len(near) > 0 {
		msg += " Did you mean: " + strings.Join(near, ", ") + "?"
	}
	return ispm.CatalogEntry{}, fmt.Errorf("%s The ispm_sources_gallery data source lists every key.", msg)
}

// ispmFacts is ISPM's view of app in org, from the org's gallery and
// sources (each read once per process).
func (d *providerData) ispmFacts(ctx context.Context, t orgTarget, app string) (eligibility.ISPMAppFacts, error) {
	var f eligibility.ISPMAppFacts
	switch {
	case t.ISPM == nil:
		f.OrgConnected = eligibility.No
		f.Reason = fmt.Sprintf("ISPM does not know the Okta org %s", t.Domain)
		return f, nil
	case !t.Connected():
		f.OrgConnected = eligibility.No
		f.Reason = fmt.Sprintf("the Okta org %s is %s in ISPM", t.Domain, strings.ToLower(string(t.ISPM.ConnectionState)))
		return f, nil
	}
	f.OrgConnected = eligibility.Yes
	st, err := d.appStatus(ctx, t.ISPM.ID, app)
	if err != nil {
		return f, fmt.Errorf("reading the ISPM gallery of %s: %w", t.Domain, err)
	}
	if st == nil {
		f.Reason = fmt.Sprintf("ISPM reports no status for %s in %s", app, t.Domain)
		return f, nil
	}
	return d.factsFromStatus(ctx, t, st)
}

// factsFromStatus turns ISPM's status of an app in a connected org into
// engine facts, adding the instances of the org's connection for the app.
func (d *providerData) factsFromStatus(ctx context.Context, t orgTarget, st *ispm.AppStatus) (eligibility.ISPMAppFacts, error) {
	f := eligibility.ISPMAppFacts{OrgConnected: eligibility.Yes, Status: eligibility.AppStatus(st.Status)}
	for _, in := range st.Instances {
		fi := eligibility.ISPMInstanceFacts{ID: in.ID, Label: in.Label, Eligible: tristate(in.Eligible)}
		for _, p := range in.UnmetPrerequisites {
			fi.Failing = append(fi.Failing, eligibility.CheckID(p))
		}
		switch {
		case in.Eligible:
			fi.ImportGroups = eligibility.Yes
		case slices.Contains(in.UnmetPrerequisites, ispm.P7ImportGroups):
			fi.ImportGroups = eligibility.No
		}
		f.Instances = append(f.Instances, fi)
	}
	if st.Status == ispm.StatusConnected {
		sources, err := d.appSources(ctx, t.ISPM.ID, st.App)
		if err != nil {
			return f, fmt.Errorf("reading the ISPM sources of %s: %w", t.Domain, err)
		}
		for _, s := range sources {
			f.ConnectedInstanceIDs = s.InstanceIDs()
		}
	}
	return f, nil
}

func tristate(b bool) eligibility.Tristate {
	if b {
		return eligibility.Yes
	}
	return eligibility.No
}

// readinessQuery asks for the verdict on app in an org.
type readinessQuery struct {
	Org         orgTarget
	App         string
	InstanceIDs []string
	Trusted     map[string]eligibility.Trusted
}

// readiness is a verdict with the Okta facts it rests on (the resource
// remembers successful checks from them).
type readiness struct {
	Verdict eligibility.Verdict
	Okta    eligibility.OktaAppFacts
}

// evaluate gathers the facts for q from ISPM and Okta and judges them. The
// error is for failures no verdict can rest on: the context ended, or a
// service refused the provider's credentials.
func (d *providerData) evaluate(ctx context.Context, q readinessQuery) (readiness, error) {
	ispmFacts, err := d.ispmFacts(ctx, q.Org, q.App)
	if err != nil {
		if ctx.Err() != nil || ispm.IsUnauthorized(err) || ispm.IsForbidden(err) {
			return readiness{}, err
		}
		ispmFacts.Reason = err.Error()
	}
	var oktaFacts eligibility.OktaAppFacts
	if q.Org.Okta != nil {
		oktaFacts, err = q.Org.Okta.AppFacts(ctx, okta.AppQuery{
			App:         q.App,
			InstanceIDs: q.InstanceIDs,
			Trusted:     q.Trusted,
			ISPM:        &ispmFacts,
		})
		if err != nil {
			return readiness{}, err
		}
	}
	in := eligibility.Input{OrgURL: q.Org.URL(), App: q.App, InstanceIDs: q.InstanceIDs, Okta: oktaFacts, ISPM: ispmFacts}
	v := eligibility.Evaluate(in)
	if ispmLags(v, ispmFacts) {
		// Okta shows an instance ready that ISPM's cached gallery does not:
		// do the console's Refresh Data rather than report a stale answer.
		if fresh, err := d.refreshedFacts(ctx, q.Org, q.App); err == nil {
			in.ISPM = fresh
			v = eligibility.Evaluate(in)
		} else if ctx.Err() != nil {
			return readiness{}, err
		}
	}
	return readiness{Verdict: v, Okta: oktaFacts}, nil
}

// ispmLags reports whether ISPM's cached view contradicts Okta's live one
// for some instance: Okta verified P3 to P6 but ISPM does not list the
// instance, or lists one of those prerequisites as unmet.
func ispmLags(v eligibility.Verdict, f eligibility.ISPMAppFacts) bool {
	if f.Reason != "" || f.OrgConnected != eligibility.Yes {
		return false
	}
	for _, iv := range v.Instances {
		oktaReady := true
		for _, id := range []eligibility.CheckID{eligibility.P3Installed, eligibility.P4Active, eligibility.P5Provisioning, eligibility.P6ImportUsers} {
			c := iv.Check(id)
			if c.Result != eligibility.Pass || c.Evidence == eligibility.EvidenceISPMAPI {
				oktaReady = false
			}
		}
		if !oktaReady || f.InConnection(iv.ID) {
			continue
		}
		in, listed := f.Instance(iv.ID)
		if !listed {
			return true
		}
		if in.Eligible != eligibility.Yes && slices.ContainsFunc(in.Failing, func(id eligibility.CheckID) bool {
			return id != eligibility.P7ImportGroups && id != eligibility.P1OrgConnected && id != eligibility.P2LifecycleMgmt
		}) {
			return true
		}
	}
	return false
}

// refreshedFacts has ISPM re-read app in the org (once per process per
// app) and returns its fresh view.
func (d *providerData) refreshedFacts(ctx context.Context, t orgTarget, app string) (eligibility.ISPMAppFacts, error) {
	d.refreshMu.Lock()
	o, ok := d.refreshed[t.ID()+"/"+app]
	if !ok {
		o = &once[*ispm.AppStatus]{}
		d.refreshed[t.ID()+"/"+app] = o
	}
	d.refreshMu.Unlock()
	st, err := o.do(ctx, func(ctx context.Context) (*ispm.AppStatus, error) {
		return d.ispm.RefreshAppStatus(ctx, t.ID(), app)
	})
	if err != nil {
		return eligibility.ISPMAppFacts{}, err
	}
	return d.factsFromStatus(ctx, t, st)
}

// editDistance is the Levenshtein distance of a and b, for "did you mean".
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
