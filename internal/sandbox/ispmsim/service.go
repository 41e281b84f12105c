// Package ispmsim is the sandbox's ISPM service: the sources API of the
// contract in internal/ispm/contract, backed by in-memory state that follows
// the sandbox's Okta orgs, plus a control API and a Go API to change that
// state out of band, inject faults and count requests.
//
// Rules it follows, as the ISPM console does:
//
//   - An app's gallery status and instances per org are computed from Okta
//     (prerequisites P2–P7) and cached until a refresh; CONNECTED whenever
//     the org has a source for the app.
//   - Creating a source re-reads the app from Okta, checks every instance
//     and answers 422 listing each unmet prerequisite; one source per org
//     and app (409 naming the existing one); Idempotency-Key honoured.
//   - A new source is CONNECTING, then CONNECTED after a number of reads or
//     a delay; ISPM then tests its health (on demand, and on an interval).
package ispmsim

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// Options configure New.
type Options struct {
	// APIToken is the bearer token the API accepts; empty means random.
	APIToken string
	// ReadOnlyAPIToken, when set, may read but not write (403).
	ReadOnlyAPIToken string
	// Catalog is the Sources Gallery.
	Catalog []ispm.CatalogEntry
	// Orgs are the Okta orgs connected to ISPM.
	Orgs []OrgSpec
	// Sources exist at start.
	Sources []SourceSpec
	// ConnectAfterReads is how many API reads of a new source show it
	// CONNECTING; 0 means a create answers CONNECTED at once. Ignored when
	// ConnectDelay is set.
	ConnectAfterReads int
	// ConnectDelay makes a new source CONNECTED this long after its
	// creation.
	ConnectDelay time.Duration
	// HealthCheckInterval is how often each source's health is tested
	// again (checked whenever the source is read); 0 means on demand only.
	HealthCheckInterval time.Duration
	// IdempotencyTTL is how long an Idempotency-Key is remembered; 0 means
	// 24 hours.
	IdempotencyTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Seed makes generated ids and random faults reproducible; 0 means
	// random.
	Seed uint64
}

// OrgSpec is one Okta org connected to ISPM.
type OrgSpec struct {
	ID          string
	DisplayName string
	// ConnectionState defaults to CONNECTED.
	ConnectionState ispm.OrgConnectionState
	// ConnectedAt defaults to the service's start.
	ConnectedAt time.Time
	Okta        OktaOrg
}

// SourceSpec is a source that exists at start (connected in the console).
type SourceSpec struct {
	// ID defaults to a generated one.
	ID        string
	OktaOrgID string
	App       string
	// Instances are instance ids or labels of the app in the org.
	Instances   []string
	DisplayName string
	// Status defaults to CONNECTED.
	Status ispm.SourceStatus
	// Health nil means ISPM tests the source at start.
	Health    *ispm.Health
	CreatedAt time.Time
}

// Service is the ISPM sandbox service. All methods are safe for concurrent
// use.
type Service struct {
	mu sync.Mutex

	now            func() time.Time
	token          string
	roToken        string
	connectReads   int
	connectDelay   time.Duration
	healthInterval time.Duration
	idemTTL        time.Duration
	rnd            *mrand.Rand

	catalog map[string]ispm.CatalogEntry
	orgs    map[string]*orgState
	sources map[string]*sourceState
	cache   map[appKey]*appCache
	idem    map[idemKey]*idemEntry

	faults  Faults
	counts  map[string]int
	nextReq uint64
}

type orgState struct {
	id          string
	displayName string
	state       ispm.OrgConnectionState
	connectedAt time.Time
	okta        OktaOrg
}

type sourceState struct {
	src ispm.Source
	// reads counts API reads while CONNECTING.
	reads int
}

type appKey struct{ org, app string }

type appCache struct {
	status      ispm.GalleryStatus
	instances   []ispm.Instance
	refreshedAt time.Time
}

type idemKey struct{ method, path, key string }

type idemEntry struct {
	fingerprint string
	status      int
	body        []byte
	location    string
	sourceID    string
	expires     time.Time
}

// New builds a service from opts, checking that they are consistent.
func New(opts Options) (*Service, error) {
	s := &Service{
		now:            opts.Now,
		token:          opts.APIToken,
		roToken:        opts.ReadOnlyAPIToken,
		connectReads:   opts.ConnectAfterReads,
		connectDelay:   opts.ConnectDelay,
		healthInterval: opts.HealthCheckInterval,
		idemTTL:        opts.IdempotencyTTL,
		catalog:        map[string]ispm.CatalogEntry{},
		orgs:           map[string]*orgState{},
		sources:        map[string]*sourceState{},
		cache:          map[appKey]*appCache{},
		idem:           map[idemKey]*idemEntry{},
		counts:         map[string]int{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.idemTTL <= 0 {
		s.idemTTL = 24 * time.Hour
	}
	if s.connectReads < 0 {
		return nil, fmt.Errorf("ConnectAfterReads is %d; give 0 or more", s.connectReads)
	}
	seed := opts.Seed
	if seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		seed = binary.LittleEndian.Uint64(b[:])
	}
	s.rnd = mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	if s.token == "" {
		s.token = "ispm_" + s.randomString(32)
	}
	if s.roToken != "" && s.roToken == s.token {
		return nil, errors.New("the read-only API token must differ from the API token")
	}

	for i, e := range opts.Catalog {
		if !keyPattern.MatchString(e.Key) {
			return nil, fmt.Errorf("catalog entry %d has key %q; keys are 1-100 letters, digits, '_', '.' or '-'", i, e.Key)
		}
		if _, dup := s.catalog[e.Key]; dup {
			return nil, fmt.Errorf("the catalog lists %q twice", e.Key)
		}
		if e.DisplayName == "" {
			return nil, fmt.Errorf("catalog entry %q has no display_name", e.Key)
		}
		if e.PoweredBy != ispm.PoweredByOIN && e.PoweredBy != ispm.PoweredByCustom {
			return nil, fmt.Errorf("catalog entry %q has powered_by %q; use OIN or CUSTOM", e.Key, e.PoweredBy)
		}
		e.Categories = slices.Clone(e.Categories)
		if e.Categories == nil {
			e.Categories = []string{}
		}
		e.OrgStatus = nil
		s.catalog[e.Key] = e
	}

	start := s.now()
	for i, o := range opts.Orgs {
		if !idPattern.MatchString(o.ID) {
			return nil, fmt.Errorf("org %d has id %q; ids are 1-64 letters, digits, '_' or '-'", i, o.ID)
		}
		if _, dup := s.orgs[o.ID]; dup {
			return nil, fmt.Errorf("two orgs have the id %q", o.ID)
		}
		if o.Okta == nil {
			return nil, fmt.Errorf("org %q has no Okta org behind it", o.ID)
		}
		st := o.ConnectionState
		if st == "" {
			st = ispm.OrgConnected
		}
		if st != ispm.OrgConnected && st != ispm.OrgDisconnected {
			return nil, fmt.Errorf("org %q has connection state %q; use CONNECTED or DISCONNECTED", o.ID, st)
		}
		at := o.ConnectedAt
		if at.IsZero() {
			at = start
		}
		name := o.DisplayName
		if name == "" {
			name = o.ID
		}
		org := &orgState{id: o.ID, displayName: name, state: st, connectedAt: at.UTC(), okta: o.Okta}
		s.orgs[o.ID] = org
		// ISPM synced the org when it was connected: that is the cache
		// every later status read starts from.
		s.refreshOrgLocked(org)
	}

	for i, spec := range opts.Sources {
		if err := s.addSpecSourceLocked(spec, start); err != nil {
			return nil, fmt.Errorf("source %d: %w", i, err)
		}
	}
	return s, nil
}

func (s *Service) addSpecSourceLocked(spec SourceSpec, start time.Time) error {
	org, ok := s.orgs[spec.OktaOrgID]
	if !ok {
		return fmt.Errorf("org %q is not connected to ISPM in the scenario", spec.OktaOrgID)
	}
	entry, ok := s.catalog[spec.App]
	if !ok {
		return fmt.Errorf("app %q is not in the catalog", spec.App)
	}
	if existing := s.sourceForLocked(org.id, spec.App); existing != nil {
		return fmt.Errorf("org %q already has source %s for app %q", org.id, existing.src.ID, spec.App)
	}
	if len(spec.Instances) == 0 {
		return errors.New("a source needs at least one instance")
	}
	var instances []ispm.SourceInstance
	oktaInstances := org.okta.Instances()
	for _, ref := range spec.Instances {
		in, err := resolveInstance(oktaInstances, spec.App, ref)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(instances, func(x ispm.SourceInstance) bool { return x.ID == in.ID }) {
			return fmt.Errorf("instance %s is listed twice", in.ID)
		}
		instances = append(instances, ispm.SourceInstance{ID: in.ID, Label: in.Label})
	}
	id := spec.ID
	if id == "" {
		id = s.newSourceIDLocked()
	}
	if !idPattern.MatchString(id) {
		return fmt.Errorf("source id %q is not 1-64 letters, digits, '_' or '-'", id)
	}
	if _, dup := s.sources[id]; dup {
		return fmt.Errorf("two sources have the id %q", id)
	}
	created := spec.CreatedAt
	if created.IsZero() {
		created = start
	}
	created = created.UTC()
	status := spec.Status
	if status == "" {
		status = ispm.SourceConnected
	}
	src := ispm.Source{
		ID: id, OktaOrgID: org.id, App: spec.App, DisplayName: cmp.Or(spec.DisplayName, entry.DisplayName),
		PoweredBy: entry.PoweredBy, Instances: instances, Status: status, CreatedAt: created, UpdatedAt: created,
	}
	st := &sourceState{src: src}
	s.sources[id] = st
	if status == ispm.SourceConnected {
		st.src.ConnectedAt = created
		if spec.Health != nil {
			h := *spec.Health
			if h.LastCheckedAt.IsZero() {
				h.LastCheckedAt = start.UTC()
			}
			st.src.Health = &h
		} else {
			s.runHealthCheckLocked(st)
		}
	}
	return nil
}

// resolveInstance finds an instance of app by id, or else by label.
func resolveInstance(all []OktaInstance, app, ref string) (OktaInstance, error) {
	for _, in := range all {
		if in.ID == ref {
			if in.Name != app {
				return OktaInstance{}, fmt.Errorf("instance %s is an instance of %q, not %q", ref, in.Name, app)
			}
			return in, nil
		}
	}
	var found []OktaInstance
	for _, in := range all {
		if in.Name == app && in.Label == ref {
			found = append(found, in)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return OktaInstance{}, fmt.Errorf("no instance of %q has the id or label %q", app, ref)
	}
	return OktaInstance{}, fmt.Errorf("%d instances of %q have the label %q; name the instance by id", len(found), app, ref)
}

func (s *Service) randomString(n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rnd.IntN(len(alphabet))]
	}
	return string(b)
}

func (s *Service) newSourceIDLocked() string {
	for {
		id := "src_" + s.randomString(16)
		if _, taken := s.sources[id]; !taken {
			return id
		}
	}
}

// APIToken returns the token the API accepts.
func (s *Service) APIToken() string { return s.token }

// ReadOnlyAPIToken returns the read-only token, if any.
func (s *Service) ReadOnlyAPIToken() string { return s.roToken }

// ---- gallery status -------------------------------------------------------

// computeAppLocked reads app's instances from Okta and judges each one.
func (s *Service) computeAppLocked(org *orgState, app string) *appCache {
	lcm := org.okta.LifecycleManagement()
	c := &appCache{instances: []ispm.Instance{}, refreshedAt: s.now().UTC()}
	anyEligible := false
	for _, in := range org.okta.Instances() {
		if in.Name != app || in.Status == "DELETED" {
			continue
		}
		unmet := unmetPrerequisites(lcm, in)
		c.instances = append(c.instances, ispm.Instance{
			ID: in.ID, Label: in.Label, Status: in.Status, Eligible: len(unmet) == 0, UnmetPrerequisites: unmet,
		})
		anyEligible = anyEligible || len(unmet) == 0
	}
	slices.SortFunc(c.instances, func(a, b ispm.Instance) int { return strings.Compare(a.ID, b.ID) })
	switch {
	case len(c.instances) == 0:
		c.status = ispm.StatusNotIntegrated
	case anyEligible:
		c.status = ispm.StatusAvailable
	default:
		c.status = ispm.StatusProvisioningDisabled
	}
	return c
}

func unmetPrerequisites(lcm bool, in OktaInstance) []ispm.Prerequisite {
	unmet := []ispm.Prerequisite{}
	if !lcm {
		unmet = append(unmet, ispm.P2LifecycleManagement)
	}
	if in.Status != "ACTIVE" {
		unmet = append(unmet, ispm.P4Active)
	}
	if !in.ProvisioningEnabled {
		unmet = append(unmet, ispm.P5Provisioning)
	}
	if !in.ImportNewUsers {
		unmet = append(unmet, ispm.P6ImportUsers)
	}
	if !in.ImportGroups {
		unmet = append(unmet, ispm.P7ImportGroups)
	}
	return unmet
}

func (s *Service) refreshAppLocked(org *orgState, app string) {
	s.cache[appKey{org.id, app}] = s.computeAppLocked(org, app)
}

func (s *Service) refreshOrgLocked(org *orgState) int {
	for key := range s.catalog {
		s.refreshAppLocked(org, key)
	}
	return len(s.catalog)
}

// appStatusLocked is the status the API shows: the cache, overlaid with
// CONNECTED when a source exists.
func (s *Service) appStatusLocked(org *orgState, app string) ispm.AppStatus {
	c, ok := s.cache[appKey{org.id, app}]
	if !ok {
		// A catalog entry added after the last sync is read on first use.
		s.refreshAppLocked(org, app)
		c = s.cache[appKey{org.id, app}]
	}
	st := ispm.AppStatus{
		OktaOrgID: org.id, App: app, Status: c.status, RefreshedAt: c.refreshedAt,
		Instances: make([]ispm.Instance, len(c.instances)),
	}
	for i, in := range c.instances {
		in.UnmetPrerequisites = slices.Clone(in.UnmetPrerequisites)
		st.Instances[i] = in
	}
	if src := s.sourceForLocked(org.id, app); src != nil {
		st.Status = ispm.StatusConnected
		st.SourceID = src.src.ID
	}
	return st
}

func (s *Service) sourceForLocked(orgID, app string) *sourceState {
	for _, src := range s.sources {
		if src.src.OktaOrgID == orgID && src.src.App == app {
			return src
		}
	}
	return nil
}

// ---- prerequisites --------------------------------------------------------

// checkInstancesLocked checks instance ids of app in org live against Okta,
// as ISPM does when connecting. It returns the instances (with labels) and
// every unmet prerequisite of each.
func (s *Service) checkInstancesLocked(org *orgState, app string, ids []string) ([]ispm.SourceInstance, []ispm.InstanceProblem) {
	var problems []ispm.InstanceProblem
	if org.state != ispm.OrgConnected {
		problems = append(problems, ispm.InstanceProblem{
			Prerequisite: ispm.P1OrgConnected, Field: "okta_org_id",
			Detail: fmt.Sprintf("Okta org %s (%s) is %s in ISPM; reconnect it in the ISPM console", org.id, org.okta.Domain(), org.state),
		})
	}
	lcm := org.okta.LifecycleManagement()
	if !lcm {
		problems = append(problems, ispm.InstanceProblem{
			Prerequisite: ispm.P2LifecycleManagement, Field: "okta_org_id",
			Detail: fmt.Sprintf("Okta org %s has no Lifecycle Management subscription, which app provisioning needs", org.okta.Domain()),
		})
	}
	byID := map[string]OktaInstance{}
	for _, in := range org.okta.Instances() {
		byID[in.ID] = in
	}
	instances := make([]ispm.SourceInstance, 0, len(ids))
	for _, id := range ids {
		in, ok := byID[id]
		if !ok || in.Status == "DELETED" {
			problems = append(problems, ispm.InstanceProblem{InstanceID: id, Prerequisite: ispm.P3Installed,
				Detail: fmt.Sprintf("no app instance with id %s is installed in Okta org %s", id, org.okta.Domain())})
			continue
		}
		instances = append(instances, ispm.SourceInstance{ID: in.ID, Label: in.Label})
		if in.Name != app {
			problems = append(problems, ispm.InstanceProblem{InstanceID: id, Prerequisite: ispm.P3Installed,
				Detail: fmt.Sprintf("instance %s (%s) is an instance of %q, not of %q", id, in.Label, in.Name, app)})
			continue
		}
		if in.Status != "ACTIVE" {
			problems = append(problems, ispm.InstanceProblem{InstanceID: id, Prerequisite: ispm.P4Active,
				Detail: fmt.Sprintf("instance %s (%s) is %s; activate it in the Okta Admin Console", id, in.Label, in.Status)})
		}
		if !in.ProvisioningEnabled {
			problems = append(problems, ispm.InstanceProblem{InstanceID: id, Prerequisite: ispm.P5Provisioning,
				Detail: fmt.Sprintf("provisioning is not enabled for instance %s (%s); enable it on the app's Provisioning tab", id, in.Label)})
		}
		if !in.ImportNewUsers {
			problems = append(problems, ispm.InstanceProblem{InstanceID: id, Prerequisite: ispm.P6ImportUsers,
				Detail: fmt.Sprintf("\"Import New Users and Profile Updates\" is not selected for instance %s (%s); select it under Provisioning, To Okta", id, in.Label)})
		}
		if !in.ImportGroups {
			problems = append(problems, ispm.InstanceProblem{InstanceID: id, Prerequisite: ispm.P7ImportGroups,
				Detail: fmt.Sprintf("\"Import Groups\" is not selected for instance %s (%s); select it under Provisioning, To Okta", id, in.Label)})
		}
	}
	return instances, problems
}

// ---- source lifecycle and health ------------------------------------------

// touchLocked moves a source along as time and reads pass: CONNECTING to
// CONNECTED, and a new health test when the interval has elapsed.
func (s *Service) touchLocked(st *sourceState, read bool) {
	now := s.now()
	if st.src.Status == ispm.SourceConnecting {
		if read {
			st.reads++
		}
		due := false
		if s.connectDelay > 0 {
			due = !now.Before(st.src.CreatedAt.Add(s.connectDelay))
		} else {
			due = st.reads >= s.connectReads
		}
		if due {
			s.connectLocked(st)
		}
		return
	}
	if s.healthInterval > 0 && st.src.Status == ispm.SourceConnected &&
		(st.src.Health == nil || !now.Before(st.src.Health.LastCheckedAt.Add(s.healthInterval))) {
		s.runHealthCheckLocked(st)
	}
}

func (s *Service) connectLocked(st *sourceState) {
	now := s.now().UTC()
	st.src.Status = ispm.SourceConnected
	st.src.ConnectedAt = now
	st.src.UpdatedAt = now
	s.runHealthCheckLocked(st)
}

// runHealthCheckLocked tests a source the way ISPM's daily test does and
// records the result. Reasons, most severe first:
//
//   - FAILED_AUTHENTICATION: the Okta org is no longer connected to ISPM.
//   - MISSING_PERMISSIONS: the org lost Lifecycle Management, or an
//     instance's provisioning was disabled (ISPM lost its API access).
//   - MISSING_CONFIGURATION: an instance was removed, deactivated, belongs
//     to another app, or lost "Import New Users" or "Import Groups".
func (s *Service) runHealthCheckLocked(st *sourceState) {
	if st.src.Status != ispm.SourceConnected {
		return
	}
	org := s.orgs[st.src.OktaOrgID]
	now := s.now().UTC()
	reason, messages := s.diagnoseLocked(org, st)
	h := &ispm.Health{Status: ispm.HealthConnected, LastCheckedAt: now}
	if reason != "" {
		h.Status = ispm.HealthFailed
		h.Reason = reason
		h.Message = strings.Join(messages, " ")
	}
	st.src.Health = h
}

func (s *Service) diagnoseLocked(org *orgState, st *sourceState) (ispm.HealthReason, []string) {
	if org == nil || org.state != ispm.OrgConnected {
		return ispm.ReasonFailedAuthentication, []string{"ISPM can no longer authenticate to the Okta org: its connection to ISPM is not active. Reconnect the org in the ISPM console."}
	}
	severity := map[ispm.HealthReason]int{ispm.ReasonMissingConfiguration: 1, ispm.ReasonMissingPermissions: 2}
	var reason ispm.HealthReason
	var messages []string
	fail := func(r ispm.HealthReason, msg string) {
		if severity[r] > severity[reason] {
			reason = r
		}
		messages = append(messages, msg)
	}
	if !org.okta.LifecycleManagement() {
		fail(ispm.ReasonMissingPermissions, "The Okta org no longer has Lifecycle Management, so ISPM cannot read provisioning data.")
	}
	byID := map[string]OktaInstance{}
	for _, in := range org.okta.Instances() {
		byID[in.ID] = in
	}
	for i, si := range st.src.Instances {
		in, ok := byID[si.ID]
		if !ok || in.Status == "DELETED" {
			fail(ispm.ReasonMissingConfiguration, fmt.Sprintf("Instance %s (%s) was removed from Okta.", si.ID, si.Label))
			continue
		}
		st.src.Instances[i].Label = in.Label
		if in.Name != st.src.App {
			fail(ispm.ReasonMissingConfiguration, fmt.Sprintf("Instance %s (%s) is no longer an instance of %q.", si.ID, in.Label, st.src.App))
			continue
		}
		if in.Status != "ACTIVE" {
			fail(ispm.ReasonMissingConfiguration, fmt.Sprintf("Instance %s (%s) was deactivated.", si.ID, in.Label))
		}
		if !in.ProvisioningEnabled {
			fail(ispm.ReasonMissingPermissions, fmt.Sprintf("Provisioning was disabled for instance %s (%s), so ISPM lost its access to the app's data.", si.ID, in.Label))
		}
		if !in.ImportNewUsers {
			fail(ispm.ReasonMissingConfiguration, fmt.Sprintf("\"Import New Users and Profile Updates\" was turned off for instance %s (%s).", si.ID, in.Label))
		}
		if !in.ImportGroups {
			fail(ispm.ReasonMissingConfiguration, fmt.Sprintf("\"Import Groups\" was turned off for instance %s (%s).", si.ID, in.Label))
		}
	}
	return reason, messages
}

// ---- idempotency ----------------------------------------------------------

// lookupIdemLocked returns the stored answer for key, dropping it when it
// expired or when the source it created is gone.
func (s *Service) lookupIdemLocked(k idemKey) *idemEntry {
	e, ok := s.idem[k]
	if !ok {
		return nil
	}
	if !s.now().Before(e.expires) {
		delete(s.idem, k)
		return nil
	}
	if _, alive := s.sources[e.sourceID]; !alive {
		delete(s.idem, k)
		return nil
	}
	return e
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		var l [8]byte
		binary.BigEndian.PutUint64(l[:], uint64(len(p)))
		h.Write(l[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ---- Go API for tests and the control API ---------------------------------

// Orgs returns the orgs ISPM knows, sorted by id.
func (s *Service) Orgs() []ispm.Org {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orgListLocked()
}

func (s *Service) orgListLocked() []ispm.Org {
	out := make([]ispm.Org, 0, len(s.orgs))
	for _, o := range s.orgs {
		out = append(out, o.view())
	}
	slices.SortFunc(out, func(a, b ispm.Org) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func (o *orgState) view() ispm.Org {
	return ispm.Org{ID: o.id, Domain: o.okta.Domain(), DisplayName: o.displayName, ConnectionState: o.state, ConnectedAt: o.connectedAt}
}

// SetOrgConnectionState connects or disconnects an org (as revoking ISPM's
// access in Okta would). Sources of a disconnected org fail their next
// health test with FAILED_AUTHENTICATION.
func (s *Service) SetOrgConnectionState(orgID string, state ispm.OrgConnectionState) error {
	if state != ispm.OrgConnected && state != ispm.OrgDisconnected {
		return fmt.Errorf("connection state %q is not CONNECTED or DISCONNECTED", state)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return fmt.Errorf("no org has the id %q", orgID)
	}
	if org.state != state && state == ispm.OrgConnected {
		org.connectedAt = s.now().UTC()
	}
	org.state = state
	return nil
}

// Refresh recomputes the cached gallery status of every app in orgID, or
// in every org when orgID is empty.
func (s *Service) Refresh(orgID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if orgID == "" {
		for _, o := range s.orgs {
			s.refreshOrgLocked(o)
		}
		return nil
	}
	org, ok := s.orgs[orgID]
	if !ok {
		return fmt.Errorf("no org has the id %q", orgID)
	}
	s.refreshOrgLocked(org)
	return nil
}

// AppStatus returns what the API would show for app in orgID, without
// counting as a request.
func (s *Service) AppStatus(orgID, app string) (ispm.AppStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return ispm.AppStatus{}, fmt.Errorf("no org has the id %q", orgID)
	}
	if _, ok := s.catalog[app]; !ok {
		return ispm.AppStatus{}, fmt.Errorf("app %q is not in the catalog", app)
	}
	return s.appStatusLocked(org, app), nil
}

// Sources returns every source as it is now, sorted by creation time then
// id. Reading them here does not advance them.
func (s *Service) Sources() []ispm.Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ispm.Source, 0, len(s.sources))
	for _, st := range s.sources {
		out = append(out, cloneSource(st.src))
	}
	sortSources(out)
	return out
}

// Source returns one source.
func (s *Service) Source(id string) (ispm.Source, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[id]
	if !ok {
		return ispm.Source{}, false
	}
	return cloneSource(st.src), true
}

// ConsoleCreate connects a source as an admin would in the console: the
// same checks as the API (one per org and app, prerequisites), no
// idempotency key, and CONNECTED at once.
func (s *Service) ConsoleCreate(orgID, app string, instanceIDs []string, displayName string) (ispm.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	org, ok := s.orgs[orgID]
	if !ok {
		return ispm.Source{}, fmt.Errorf("no org has the id %q", orgID)
	}
	entry, ok := s.catalog[app]
	if !ok {
		return ispm.Source{}, fmt.Errorf("app %q is not in the catalog", app)
	}
	if existing := s.sourceForLocked(orgID, app); existing != nil {
		return ispm.Source{}, fmt.Errorf("org %s already has source %s for %q", orgID, existing.src.ID, app)
	}
	if len(instanceIDs) == 0 {
		return ispm.Source{}, errors.New("a source needs at least one instance")
	}
	instances, problems := s.checkInstancesLocked(org, app, instanceIDs)
	s.refreshAppLocked(org, app)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.String()
		}
		return ispm.Source{}, fmt.Errorf("the console refuses the connection: %s", strings.Join(msgs, " "))
	}
	st := s.newSourceLocked(org, entry, instances, displayName)
	s.connectLocked(st)
	return cloneSource(st.src), nil
}

func (s *Service) newSourceLocked(org *orgState, entry ispm.CatalogEntry, instances []ispm.SourceInstance, displayName string) *sourceState {
	now := s.now().UTC()
	st := &sourceState{src: ispm.Source{
		ID: s.newSourceIDLocked(), OktaOrgID: org.id, App: entry.Key,
		DisplayName: cmp.Or(displayName, entry.DisplayName), PoweredBy: entry.PoweredBy,
		Instances: instances, Status: ispm.SourceConnecting, CreatedAt: now, UpdatedAt: now,
	}}
	s.sources[st.src.ID] = st
	return st
}

// SourceEdit is an out-of-band change to a source, as an admin makes it in
// the console. Nil fields are left alone; no prerequisite is checked.
type SourceEdit struct {
	// InstanceIDs replaces the instance set; labels are read from Okta
	// where the instance exists.
	InstanceIDs []string           `json:"instance_ids,omitempty"`
	DisplayName *string            `json:"display_name,omitempty"`
	Status      *ispm.SourceStatus `json:"status,omitempty"`
}

// EditSource changes a source out of band.
func (s *Service) EditSource(id string, edit SourceEdit) (ispm.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[id]
	if !ok {
		return ispm.Source{}, fmt.Errorf("no source has the id %q", id)
	}
	if edit.InstanceIDs != nil {
		if len(edit.InstanceIDs) == 0 {
			return ispm.Source{}, errors.New("a source needs at least one instance; delete it instead")
		}
		labels := map[string]string{}
		if org := s.orgs[st.src.OktaOrgID]; org != nil {
			for _, in := range org.okta.Instances() {
				labels[in.ID] = in.Label
			}
		}
		var instances []ispm.SourceInstance
		for _, iid := range edit.InstanceIDs {
			if !idPattern.MatchString(iid) {
				return ispm.Source{}, fmt.Errorf("instance id %q is malformed", iid)
			}
			instances = append(instances, ispm.SourceInstance{ID: iid, Label: cmp.Or(labels[iid], iid)})
		}
		st.src.Instances = instances
	}
	if edit.DisplayName != nil {
		st.src.DisplayName = *edit.DisplayName
	}
	if edit.Status != nil {
		switch *edit.Status {
		case ispm.SourceConnected:
			if st.src.Status != ispm.SourceConnected {
				s.connectLocked(st)
			}
		case ispm.SourceConnecting:
			st.src.Status = ispm.SourceConnecting
			st.src.ConnectedAt = time.Time{}
			st.src.Health = nil
			st.reads = 0
		default:
			return ispm.Source{}, fmt.Errorf("status %q is not CONNECTING or CONNECTED", *edit.Status)
		}
	}
	st.src.UpdatedAt = s.now().UTC()
	return cloneSource(st.src), nil
}

// DeleteSource removes a source out of band; false when there is none.
func (s *Service) DeleteSource(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sources[id]; !ok {
		return false
	}
	delete(s.sources, id)
	return true
}

// SetHealth sets a source's health as if ISPM's test had found it; the
// next test (on demand or on the interval) replaces it.
func (s *Service) SetHealth(id string, h ispm.Health) (ispm.Source, error) {
	if h.Status != ispm.HealthConnected && h.Status != ispm.HealthFailed {
		return ispm.Source{}, fmt.Errorf("health status %q is not CONNECTED or FAILED", h.Status)
	}
	if h.Status == ispm.HealthFailed && h.Reason == "" {
		return ispm.Source{}, errors.New("a FAILED health needs a reason: FAILED_AUTHENTICATION, MISSING_PERMISSIONS or MISSING_CONFIGURATION")
	}
	if h.Status == ispm.HealthConnected {
		h.Reason = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[id]
	if !ok {
		return ispm.Source{}, fmt.Errorf("no source has the id %q", id)
	}
	if h.LastCheckedAt.IsZero() {
		h.LastCheckedAt = s.now().UTC()
	}
	st.src.Health = &h
	return cloneSource(st.src), nil
}

// RunHealthChecks tests the health of the source id, or of every connected
// source when id is empty, and returns the tested sources.
func (s *Service) RunHealthChecks(id string) ([]ispm.Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ispm.Source
	for _, st := range s.sources {
		if id != "" && st.src.ID != id {
			continue
		}
		s.runHealthCheckLocked(st)
		out = append(out, cloneSource(st.src))
	}
	if id != "" && len(out) == 0 {
		return nil, fmt.Errorf("no source has the id %q", id)
	}
	sortSources(out)
	return out, nil
}

func cloneSource(src ispm.Source) ispm.Source {
	src.Instances = slices.Clone(src.Instances)
	if src.Health != nil {
		h := *src.Health
		src.Health = &h
	}
	return src
}

func sortSources(list []ispm.Source) {
	slices.SortFunc(list, func(a, b ispm.Source) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
