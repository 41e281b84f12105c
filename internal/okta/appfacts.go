package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// provisioningWorkers bounds the provisioning lookups one AppFacts call
// runs at once; the pacer bounds the org as a whole.
const provisioningWorkers = 8

// AppQuery says what facts a caller needs about one app in the org.
type AppQuery struct {
	// App is the gallery key, the Okta app's catalog name.
	App string
	// InstanceIDs are the instances to gather facts for; empty means every
	// app object in the org named App.
	InstanceIDs []string
	// Trusted are earlier successful checks, by instance id (from the
	// resource's private state): an instance whose app object's
	// lastUpdated still matches is not asked about again.
	Trusted map[string]eligibility.Trusted
	// ISPM, when given, is ISPM's view of the app: Okta's group evidence
	// is fetched only for instances ISPM does not already vouch for.
	ISPM *eligibility.ISPMAppFacts
}

// AppFacts gathers what Okta says about app q.App in the org, spending as
// few requests as the facts allow:
//
//   - the org's app listing (GET /api/v1/apps) answers P3, P4 and P6 for
//     every instance. The first few apps a process asks about are listed by
//     name (filter=name eq "app"); after them the whole listing is read once
//     and shared by every later caller (see filteredAppsMax). An instance id
//     the filtered listing lacks is looked for in the whole listing, so the
//     facts are the same either way;
//   - an app object whose features include SCIM_PROVISIONING, IMPORT_* or
//     PUSH_* already shows provisioning on (P5, inferred); only the other
//     instances cost one request each. Okta's connection API covers a
//     handful of apps (eligibility.ConnectionAPIApps) and answers UNKNOWN
//     at best for the others, so those go straight to GET …/features.
//     An app of the list asks GET …/connections/default first, and
//     …/features when it says UNKNOWN; once one instance of an app has
//     answered UNKNOWN its other instances go straight to …/features.
//     Answers are remembered per app id and lastUpdated, and skipped
//     altogether for a trusted instance whose lastUpdated is unchanged;
//   - APP_GROUP groups (P7 evidence) are searched once per process, and
//     only when an instance needs Okta's evidence.
//
// Transient failures become facts with a reason (unverified checks, never
// verdicts). The error is non-nil only when the caller's context ends or
// Okta refuses the credentials (*AuthError).
func (o *Org) AppFacts(ctx context.Context, q AppQuery) (eligibility.OktaAppFacts, error) {
	out := eligibility.OktaAppFacts{Credentials: true}
	ids := dedupe(q.InstanceIDs)
	snap, err := o.listingFor(ctx, q.App)
	if err == nil && snap.filtered != "" && !snap.holds(ids) {
		// An id that is not an object of this app (a typo, another app's
		// instance, a removed one) is judged from the whole listing, as it
		// would be without the filter.
		snap, err = o.wholeListing(ctx)
	}
	if err != nil {
		if fatal(ctx, err) {
			return out, err
		}
		out.Reason = fmt.Sprintf("Okta's app listing could not be read: %s", err)
		out.Lifecycle = o.lifecycle()
		return out, nil
	}
	out.AllInstances = snap.summaries(q.App)

	if len(ids) == 0 {
		for _, s := range out.AllInstances {
			ids = append(ids, s.ID)
		}
	}
	out.Instances = make([]eligibility.OktaInstanceFacts, len(ids))
	var needProvisioning, needGroups []int
	for i, id := range ids {
		f := eligibility.OktaInstanceFacts{ID: id}
		a, ok := snap.get(id)
		switch {
		case !ok:
			f.State = eligibility.AppNotFound
			f.Reason = fmt.Sprintf("no app object with this id in the org's listing of %d apps", len(snap.apps))
		default:
			f.State = eligibility.AppFound
			f.App = a
			f.App.Features = slices.Clone(a.Features)
		}
		out.Instances[i] = f
		if !ok || !strings.EqualFold(a.Name, q.App) {
			continue
		}
		if q.ISPM == nil || eligibility.NeedsGroupEvidence(*q.ISPM, id) {
			needGroups = append(needGroups, i)
		}
		if feats := eligibility.ProvisioningFeatures(a); len(feats) > 0 {
			o.sawLifecycle(eligibility.LifecycleSubscribed, "the app object of %s lists provisioning features (%s)", id, strings.Join(feats, ", "))
			continue
		}
		if t, ok := q.Trusted[id]; ok && t.Usable() && t.LastUpdated == a.LastUpdated {
			p := t.Provisioning
			p.Trusted, p.TrustedAt = true, t.LastUpdated
			out.Instances[i].Provisioning = p
			o.sawLifecycle(eligibility.LifecycleSubscribed, "an earlier check found provisioning enabled on %s", id)
			continue
		}
		needProvisioning = append(needProvisioning, i)
	}

	if err := o.gatherProvisioning(ctx, out.Instances, needProvisioning); err != nil {
		return out, err
	}
	if len(needGroups) > 0 {
		idx, err := o.groups.Do(ctx, o.fetchGroups)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		for _, i := range needGroups {
			g := &out.Instances[i].Groups
			if err != nil {
				g.Reason = err.Error()
				continue
			}
			g.Known, g.Count = true, idx[out.Instances[i].ID]
		}
	}
	out.Lifecycle = o.lifecycle()
	return out, nil
}

// Instances lists the org's app objects named app (any status), from the
// shared listing.
func (o *Org) Instances(ctx context.Context, app string) ([]eligibility.InstanceSummary, error) {
	snap, err := o.listingFor(ctx, app)
	if err != nil {
		return nil, err
	}
	return snap.summaries(app), nil
}

// AppNames lists, from the shared listing, the names of the org's app
// objects, each with whether one of its objects shows provisioning in its
// features (what marks a custom SCIM app), sorted by name.
func (o *Org) AppNames(ctx context.Context) ([]AppName, error) {
	snap, err := o.wholeListing(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]AppName, 0, len(snap.byName))
	for _, idx := range snap.byName {
		n := AppName{Name: snap.apps[idx[0]].Name}
		for _, i := range idx {
			n.Provisioning = n.Provisioning || len(eligibility.ProvisioningFeatures(snap.apps[i])) > 0
		}
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b AppName) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// AppName is one app name of an org's listing.
type AppName struct {
	Name string
	// Provisioning is true when an app object of that name lists
	// provisioning features.
	Provisioning bool
}

// gatherProvisioning asks the provisioning endpoints about the instances at
// idx, a few at a time.
func (o *Org) gatherProvisioning(ctx context.Context, facts []eligibility.OktaInstanceFacts, idx []int) error {
	if len(idx) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range min(len(idx), provisioningWorkers, cap(o.pacer.slots)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				p, err := o.provisioning(ctx, facts[i].App)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					continue
				}
				facts[i].Provisioning = p
			}
		}()
	}
	for _, i := range idx {
		select {
		case work <- i:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

type provKey struct{ id, lastUpdated string }

// provisioning returns the provisioning answer for an app object,
// remembered per app id and lastUpdated.
func (o *Org) provisioning(ctx context.Context, a eligibility.AppObject) (eligibility.ProvisioningFacts, error) {
	p, err := o.prov.Do(ctx, provKey{a.ID, a.LastUpdated}, func(ctx context.Context) (eligibility.ProvisioningFacts, error) {
		return o.fetchProvisioning(ctx, a.ID, a.Name)
	})
	if err != nil && !fatal(ctx, err) {
		// Only AuthError and the caller's own cancellation come back as
		// errors; anything else is a fetch abandoned by other callers.
		return eligibility.ProvisioningFacts{Connection: eligibility.ConnectionError, Reason: err.Error()}, nil
	}
	return p, err
}

// fetchProvisioning asks the connection endpoint, and the features endpoint
// when the connection cannot say; for an app the connection API does not
// cover (eligibility.ConnectionAPIApps), or whose connection has already
// answered UNKNOWN, the features endpoint only.
func (o *Org) fetchProvisioning(ctx context.Context, id, app string) (eligibility.ProvisioningFacts, error) {
	var p eligibility.ProvisioningFacts
	base := "/api/v1/apps/" + url.PathEscape(id)
	connEndpoint := "GET /api/v1/apps/" + id + "/connections/default"

	var conn struct {
		Status string `json:"status"`
	}
	if !eligibility.ConnectionAPIApps[strings.ToLower(app)] {
		// The connection API does not cover this app: asking it would
		// cost a request of the apps bucket for an UNKNOWN at best.
		p.Connection = eligibility.ConnectionNotAsked
		return o.fetchFeatures(ctx, id, p)
	}
	known, release, err := o.connectionProbe(ctx, app)
	if err != nil {
		return p, err
	}
	if !known {
		err = o.getJSON(ctx, base+"/connections/default", &conn)
		if err == nil && strings.EqualFold(conn.Status, "UNKNOWN") {
			o.rememberConnectionUnknown(ctx, app)
		}
	}
	release()
	var ae *APIError
	switch {
	case known:
		// Another instance's connection answered UNKNOWN: /features, which
		// is exact, answers for this one without the connection request.
		// Its own connection was not asked, and the facts say so.
		p.Connection = eligibility.ConnectionSiblingUnknown
	case err == nil:
		switch strings.ToUpper(conn.Status) {
		case "ENABLED":
			p.Connection = eligibility.ConnectionEnabled
		case "DISABLED":
			p.Connection = eligibility.ConnectionDisabled
		default:
			p.Connection = eligibility.ConnectionStatusUnknown
		}
		if p.Connection != eligibility.ConnectionStatusUnknown {
			o.sawLifecycle(eligibility.LifecycleSubscribed, "%s answered %s", connEndpoint, p.Connection)
			return p, nil
		}
	case fatal(ctx, err):
		return p, err
	case errors.As(err, &ae) && ae.is(http.StatusUnauthorized, codeProductMissing):
		p.Connection, p.Reason = eligibility.ConnectionProductMissing, err.Error()
		o.sawLifecycle(eligibility.LifecycleNotSubscribed, "%s answered 401 E0000015", connEndpoint)
		return p, nil
	case errors.As(err, &ae) && ae.is(http.StatusNotFound, ""):
		// An app of the listing without a connection resource: not
		// Okta's UNKNOWN, but /features may still answer.
		p.Connection, p.Reason = eligibility.ConnectionNotFound, err.Error()
	default:
		p.Connection, p.Reason, p.Failure = eligibility.ConnectionError, err.Error(), failureOf(err)
		return p, nil
	}
	return o.fetchFeatures(ctx, id, p)
}

// fetchFeatures completes p with the answer of GET /features.
func (o *Org) fetchFeatures(ctx context.Context, id string, p eligibility.ProvisioningFacts) (eligibility.ProvisioningFacts, error) {
	base := "/api/v1/apps/" + url.PathEscape(id)
	featEndpoint := "GET /api/v1/apps/" + id + "/features"
	var ae *APIError
	var list []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	}
	err := o.getJSON(ctx, base+"/features", &list)
	switch {
	case err == nil:
		p.Features = eligibility.FeaturesListed
		for _, f := range list {
			p.Listed = append(p.Listed, eligibility.ListedFeature{Name: f.Name, Status: f.Status})
		}
		o.sawLifecycle(eligibility.LifecycleSubscribed, "%s answered with the app's provisioning features", featEndpoint)
	case fatal(ctx, err):
		return p, err
	case errors.As(err, &ae) && ae.is(http.StatusBadRequest, codeValidation) && provisioningNotEnabled(ae):
		p.Features = eligibility.FeaturesNotEnabled
		o.sawLifecycle(eligibility.LifecycleSubscribed, "%s answered 400 E0000001 (provisioning not enabled), not 401 E0000015", featEndpoint)
	case errors.As(err, &ae) && ae.is(http.StatusUnauthorized, codeProductMissing):
		p.Features, p.Reason = eligibility.FeaturesProductMissing, err.Error()
		o.sawLifecycle(eligibility.LifecycleNotSubscribed, "%s answered 401 E0000015", featEndpoint)
	default:
		p.Features, p.Reason, p.Failure = eligibility.FeaturesError, err.Error(), failureOf(err)
	}
	return p, nil
}

// connectionProbe reports whether an instance of app has had its
// provisioning connection answered 200 UNKNOWN in this process. Okta's
// connection API manages only a few apps (its reference names okta_org2org,
// zscalerbyz, google, office365, slack and zoomus) and answers UNKNOWN when
// "provisioning isn't supported by the app, or the authentication method is
// unknown": a property of the app, not of the instance. Only a 200 UNKNOWN
// is remembered; an error or a 404 says nothing about the app.
//
// The first caller for an app asks alone: later callers wait until it calls
// release (after its connection answer, before its features call), so
// concurrent instances of an UNKNOWN app cost one connection request, not
// one each. The error is the caller's context ending while it waits.
func (o *Org) connectionProbe(ctx context.Context, app string) (unknown bool, release func(), err error) {
	s := o.state(ctx)
	key := strings.ToLower(app)
	s.mu.Lock()
	probe, started := s.probes[key]
	if !started {
		probe = make(chan struct{})
		s.probes[key] = probe
		s.mu.Unlock()
		return false, sync.OnceFunc(func() { close(probe) }), nil
	}
	s.mu.Unlock()
	select {
	case <-probe:
	case <-ctx.Done():
		return false, func() {}, ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connUnknown[key], func() {}, nil
}

func (o *Org) rememberConnectionUnknown(ctx context.Context, app string) {
	s := o.state(ctx)
	s.mu.Lock()
	s.connUnknown[strings.ToLower(app)] = true
	s.mu.Unlock()
}

// provisioningNotEnabled tells Okta's "Provisioning is not enabled for the
// app instance." from other validation failures of /features.
func provisioningNotEnabled(e *APIError) bool {
	if len(e.Causes) == 0 {
		return true
	}
	for _, c := range e.Causes {
		if strings.Contains(strings.ToLower(c), "provisioning is not enabled") {
			return true
		}
	}
	return false
}

// getJSON GETs ref and decodes its JSON body into v.
func (o *Org) getJSON(ctx context.Context, ref string, v any) error {
	resp, err := o.get(ctx, ref)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	err = notJSON(resp)
	if err == nil {
		err = json.NewDecoder(capped(resp.Body, maxObjectBytes)).Decode(v)
		if err != nil && !errors.Is(err, errTooLarge) {
			err = fmt.Errorf("the answer is not the expected JSON: %w", err)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		endpoint, b := endpointOf(o.url.EscapedPath(), http.MethodGet, resp.Request.URL.Path)
		return &APIError{Org: o.domain, Endpoint: endpoint, Bucket: b.String(), Status: resp.StatusCode, Err: err}
	}
	return nil
}

// Bounds on one answer's body: a hostile or broken server must not make
// the provider read without end. A page of 200 app objects is a few
// megabytes; a connection or feature list far less.
const (
	maxObjectBytes = 8 << 20
	maxPageBytes   = 32 << 20
)

var errTooLarge = errors.New("the answer is larger than this provider reads")

// capped reads at most limit bytes of r, then fails with errTooLarge.
func capped(r io.Reader, limit int64) io.Reader { return &capReader{r: r, left: limit, limit: limit} }

type capReader struct {
	r           io.Reader
	left, limit int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("%w (%d MiB)", errTooLarge, c.limit>>20)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

type lifecycle = eligibility.LifecycleFacts

// sawLifecycle records what an answer revealed about Lifecycle Management:
// a missing product overrides everything; the first positive sign is kept.
// The evidence is formatted only when it is kept.
func (o *Org) sawLifecycle(state eligibility.LifecycleState, format string, args ...any) {
	o.lcmMu.Lock()
	defer o.lcmMu.Unlock()
	switch {
	case o.lcm.State == eligibility.LifecycleNotSubscribed:
	case state == eligibility.LifecycleNotSubscribed || o.lcm.State == eligibility.LifecycleNotObserved:
		o.lcm = lifecycle{State: state, Evidence: fmt.Sprintf(format, args...)}
	}
}

func (o *Org) lifecycle() eligibility.LifecycleFacts {
	o.lcmMu.Lock()
	defer o.lcmMu.Unlock()
	return o.lcm
}

func dedupe(ids []string) []string {
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
