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
	"encoding/binary"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
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
