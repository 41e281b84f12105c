package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/ispm-community/terraform-provider-ispm/internal/catalog"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/okta"
)

// This file is the one path from "which org, which app" to diagnostics:
// resolve answers it or returns one of the typed errors below, and
// addLookupError turns any of them into a diagnostic on the attribute at
// fault. Every resource and data source uses both.

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

// ispmQuery names the org for the ISPM fact layer.
func (t orgTarget) ispmQuery(app string) ispm.AppQuery {
	return ispm.AppQuery{Org: t.ISPM, Domain: t.Domain, App: app}
}

// orgNeed is what a caller needs ISPM to know of the org.
type orgNeed int

const (
	// orgKnown: ISPM knows the org, or the provider holds Okta
	// credentials for it.
	orgKnown orgNeed = iota
	// orgInISPM: ISPM knows the org, connected or not.
	orgInISPM
	// orgConnected: ISPM can read the org (P1).
	orgConnected
)

// lookup is what a caller asks resolve for. App "" skips the gallery.
type lookup struct {
	Org  string
	Need orgNeed
	App  string
}

// resolve finds the org a user's okta_org value names (an ISPM id, an Okta
// domain, or an org URL) and checks the app against the gallery.
func (d *providerData) resolve(ctx context.Context, q lookup) (orgTarget, error) {
	if d.ispmFacts == nil && q.Need == orgInISPM {
		return orgTarget{}, &errISPMNotConfigured{what: "Naming an Okta org by its ISPM connection"}
	}
	t, err := d.resolveOrg(ctx, q.Org)
	if err != nil {
		return orgTarget{}, err
	}
	if d.ispmFacts != nil && ((q.Need == orgInISPM && t.ID() == "") || (q.Need == orgConnected && !t.Connected())) {
		return orgTarget{}, &orgNotConnectedError{t: t}
	}
	if q.App != "" {
		if _, err := d.catalogEntry(ctx, q.App); err != nil {
			return orgTarget{}, err
		}
	}
	return t, nil
}

// resolveOrg resolves an okta_org value alone.
func (d *providerData) resolveOrg(ctx context.Context, ref string) (orgTarget, error) {
	if d.ispmFacts == nil {
		return d.resolveOktaOrg(ref)
	}
	orgs, err := d.ispmFacts.Orgs(ctx)
	if err != nil {
		return orgTarget{}, &readError{summary: "Cannot read the Okta orgs connected to ISPM", err: fmt.Errorf("reading the Okta orgs connected to ISPM: %w", err)}
	}
	want := ispm.NormalizeDomain(ref)
	if domain, ok := d.oktaNames[strings.ToLower(strings.TrimSpace(ref))]; ok {
		want = domain
	}
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
		return orgTarget{}, &unknownOrgError{ref: ref, known: known}
	}
	return t, nil
}

// resolveOktaOrg finds, without ISPM, the configured Okta org that ref
// names by domain, URL or org name.
func (d *providerData) resolveOktaOrg(ref string) (orgTarget, error) {
	want := ispm.NormalizeDomain(ref)
	if domain, ok := d.oktaNames[strings.ToLower(strings.TrimSpace(ref))]; ok {
		want = domain
	}
	if o := d.okta[want]; o != nil {
		return orgTarget{Ref: ref, Domain: want, Okta: o}, nil
	}
	known := make([]string, 0, len(d.okta))
	for domain := range d.okta {
		known = append(known, domain)
	}
	slices.Sort(known)
	return orgTarget{}, &unknownOrgError{ref: ref, known: known, oktaOnly: true}
}

// catalogEntry returns the gallery entry for app. Without ISPM it comes
// from the provider's own list of OIN SCIM apps; any other key is taken as
// given (a custom app, or an app the list does not hold), and the verdict
// says whether Okta has it.
func (d *providerData) catalogEntry(ctx context.Context, app string) (ispm.CatalogEntry, error) {
	if d.ispmFacts == nil {
		if a, ok := catalog.OIN()[app]; ok {
			return ispm.CatalogEntry{Key: app, DisplayName: a.Label, PoweredBy: ispm.PoweredByOIN, Categories: []string{a.Category}}, nil
		}
		return ispm.CatalogEntry{Key: app}, nil
	}
	entries, err := d.ispmFacts.Catalog(ctx)
	if err != nil {
		return ispm.CatalogEntry{}, &readError{summary: "Cannot read the ISPM Sources Gallery", err: fmt.Errorf("reading the ISPM Sources Gallery: %w", err)}
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
	return ispm.CatalogEntry{}, &unknownAppError{app: app, near: near}
}

// unknownOrgError: the okta_org value matches no org ISPM knows nor any
// org the provider holds credentials for.
type unknownOrgError struct {
	ref   string
	known []string
	// oktaOnly: ISPM is not configured, so known lists the provider's
	// okta_org blocks.
	oktaOnly bool
}

func (e *unknownOrgError) Error() string {
	if e.oktaOnly {
		return fmt.Sprintf("No Okta org %q is configured in the provider (ISPM is not configured, so only okta_org blocks name orgs). Configured: %s. "+
			"Give one of them by its domain (acme.okta.com), its URL or its org name (acme), or add an okta_org block for it.", e.ref, orNone(e.known))
	}
	msg := fmt.Sprintf("No Okta org %q is connected to ISPM or configured in the provider.", e.ref)
	if len(e.known) > 0 {
		msg += " ISPM knows: " + strings.Join(e.known, ", ") + "."
	} else {
		msg += " ISPM knows no Okta org yet."
	}
	return msg + " Give the org's Okta domain (for example acme.okta.com) or its ISPM id, and connect the org in the ISPM console (Settings, Okta orgs) if it is missing."
}

// orgNotConnectedError: ISPM does not know the org, or cannot read it,
// where the caller needs it to.
type orgNotConnectedError struct{ t orgTarget }

func (e *orgNotConnectedError) Error() string {
	state := "not known to ISPM"
	if e.t.ISPM != nil {
		state = fmt.Sprintf("%s in ISPM (id %s)", e.t.ISPM.ConnectionState, e.t.ISPM.ID)
	}
	return fmt.Sprintf("The Okta org %s is %s, so ISPM cannot ingest any of its apps (prerequisite P1). "+
		"In the ISPM console open Settings, Okta orgs, and connect %s; then run terraform again.", e.t.Domain, state, e.t.Domain)
}

// unknownAppError: the app is not a gallery key.
type unknownAppError struct {
	app  string
	near []string
}

func (e *unknownAppError) Error() string {
	msg := fmt.Sprintf("The app %q is not in the ISPM Sources Gallery. Use the app's catalog key, which is the Okta app's name (for example slack or office365; a custom app's generated name such as acme_myapp_1), not its label.", e.app)
	if len(e.near) > 0 {
		msg += " Did you mean: " + strings.Join(e.near, ", ") + "?"
	}
	return msg + " The ispm_sources_gallery data source lists every key."
}

// readError: ISPM could not be read, so the question has no answer yet.
type readError struct {
	summary string
	err     error
}

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// addLookupError reports an error of resolve on the attribute at fault
// (okta_org, app_name), or on none when ISPM could not be read.
func addLookupError(diags *diag.Diagnostics, err error) {
	var (
		unknownOrg   *unknownOrgError
		notConnected *orgNotConnectedError
		unknownApp   *unknownAppError
		read         *readError
	)
	var noISPM *errISPMNotConfigured
	switch {
	case errors.As(err, &noISPM):
		diags.AddError("ISPM is not configured", err.Error())
	case errors.As(err, &unknownOrg):
		diags.AddAttributeError(path.Root("okta_org"), "Unknown Okta org", err.Error())
	case errors.As(err, &notConnected):
		diags.AddAttributeError(path.Root("okta_org"), "Okta org not connected to ISPM", err.Error())
	case errors.As(err, &unknownApp):
		diags.AddAttributeError(path.Root("app_name"), "App not in the ISPM Sources Gallery", err.Error())
	case errors.As(err, &read):
		diags.AddError(read.summary, ensureSentence(err.Error()))
	default:
		diags.AddError("Cannot resolve the Okta org and app", ensureSentence(err.Error()))
	}
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

// notConnectedDetail says that ISPM cannot read the org and how to fix it.
func notConnectedDetail(t orgTarget) string { return (&orgNotConnectedError{t: t}).Error() }

func orNone(ss []string) string {
	if len(ss) == 0 {
		return "none"
	}
	return strings.Join(ss, ", ")
}
