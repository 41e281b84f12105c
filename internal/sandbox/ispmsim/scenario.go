package ispmsim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// defaultCatalogJSON is the built-in Sources Gallery: OIN apps with SCIM or
// API provisioning. Keys and labels of most entries come from the project's
// design evidence (oin-scim-apps.tsv, 25 keys confirmed in public Okta
// material); asana, bamboohr, figma, lucidchart, miro, strongdm,
// successfactors, sumologic and webex are well-known OIN SCIM apps whose
// keys were not verified.
//
//go:embed catalog.json
var defaultCatalogJSON []byte

// DefaultCatalog returns the built-in gallery, sorted by key.
func DefaultCatalog() []ispm.CatalogEntry {
	var entries []ispm.CatalogEntry
	if err := json.Unmarshal(defaultCatalogJSON, &entries); err != nil {
		panic("ispmsim: the embedded catalog.json is not valid: " + err.Error())
	}
	slices.SortFunc(entries, func(a, b ispm.CatalogEntry) int { return strings.Compare(a.Key, b.Key) })
	return entries
}

// Duration is a time.Duration written in JSON as a Go duration string
// ("90s", "24h") or a number of seconds.
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil || v < 0 {
			return fmt.Errorf("%q is not a duration such as \"30s\" or \"24h\"", s)
		}
		*d = Duration(v)
		return nil
	}
	var secs float64
	if err := json.Unmarshal(b, &secs); err != nil || secs < 0 {
		return fmt.Errorf("%s is not a duration: give a string such as \"30s\" or a number of seconds", string(b))
	}
	*d = Duration(secs * float64(time.Second))
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// Scenario is the "ispm" section of a sandbox scenario file.
type Scenario struct {
	// APIToken is the bearer token the API accepts; empty means a random
	// one is made at start.
	APIToken string `json:"api_token,omitempty"`
	// ReadOnlyAPIToken, when set, is accepted for reads only (writes
	// answer 403).
	ReadOnlyAPIToken string `json:"read_only_api_token,omitempty"`
	// DefaultCatalog includes the built-in gallery (DefaultCatalog);
	// absent means true.
	DefaultCatalog *bool `json:"default_catalog,omitempty"`
	// Catalog adds entries to the gallery (or replaces built-in entries
	// with the same key), e.g. the scenario's custom SCIM apps.
	Catalog []ispm.CatalogEntry `json:"catalog,omitempty"`
	// Orgs are the Okta orgs connected to ISPM. An Okta org of the
	// scenario that is not listed here is not connected (P1 fails).
	Orgs []ScenarioOrg `json:"orgs"`
	// Sources exist when the sandbox starts (connected in the console).
	Sources []ScenarioSource `json:"sources,omitempty"`
	// ConnectAfterReads is how many reads of a new source show it
	// CONNECTING before it is CONNECTED; absent means 1, 0 means a create
	// answers CONNECTED at once.
	ConnectAfterReads *int `json:"connect_after_reads,omitempty"`
	// ConnectDelay, when set, makes a new source CONNECTED after this
	// much time instead of after a number of reads.
	ConnectDelay Duration `json:"connect_delay,omitempty"`
	// HealthCheckInterval is how often ISPM tests each source (ISPM does
	// it daily); 0 means only on demand through the control API.
	HealthCheckInterval Duration `json:"health_check_interval,omitempty"`
}

// ScenarioOrg connects one Okta org of the scenario to ISPM.
type ScenarioOrg struct {
	// OktaOrg is the Okta org's name in the scenario; its domain is
	// resolved when the sandbox starts.
	OktaOrg string `json:"okta_org"`
	// ID is the org's ISPM id; empty means "oktaorg_" + OktaOrg.
	ID          string `json:"id,omitempty"`
	DisplayName string `json:"display_name,omitempty"`
	// ConnectionState is CONNECTED (the default) or DISCONNECTED.
	ConnectionState ispm.OrgConnectionState `json:"connection_state,omitempty"`
	ConnectedAt     time.Time               `json:"connected_at,omitzero"`
}

// ScenarioSource is a source that exists at start.
type ScenarioSource struct {
	ID string `json:"id,omitempty"`
	// OktaOrg is the Okta org's scenario name or its ISPM id.
	OktaOrg string `json:"okta_org"`
	App     string `json:"app"`
	// Instances are instance ids or labels of the app in that org.
	Instances   []string          `json:"instances"`
	DisplayName string            `json:"display_name,omitempty"`
	Health      *ispm.Health      `json:"health,omitempty"`
	CreatedAt   time.Time         `json:"created_at,omitzero"`
	Status      ispm.SourceStatus `json:"status,omitempty"`
}

// ParseScenario reads the "ispm" section strictly: unknown members are
// errors, so a typo does not silently change the sandbox.
func ParseScenario(data []byte) (*Scenario, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Scenario
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("the ispm section of the scenario is not valid: %w", err)
	}
	if dec.More() {
		return nil, errors.New("the ispm section of the scenario has data after its JSON object")
	}
	return &s, nil
}

var (
	idPattern  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	keyPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
)

// Options builds the service options from the scenario. lookup finds a
// scenario Okta org by name.
func (s *Scenario) Options(lookup func(name string) (OktaOrg, bool)) (Options, error) {
	opts := Options{
		APIToken:            s.APIToken,
		ReadOnlyAPIToken:    s.ReadOnlyAPIToken,
		ConnectAfterReads:   1,
		ConnectDelay:        time.Duration(s.ConnectDelay),
		HealthCheckInterval: time.Duration(s.HealthCheckInterval),
	}
	if s.ConnectAfterReads != nil {
		if *s.ConnectAfterReads < 0 {
			return Options{}, fmt.Errorf("ispm.connect_after_reads is %d; give 0 or more", *s.ConnectAfterReads)
		}
		opts.ConnectAfterReads = *s.ConnectAfterReads
	}
	if s.DefaultCatalog == nil || *s.DefaultCatalog {
		opts.Catalog = DefaultCatalog()
	}
	for _, e := range s.Catalog {
		if i := slices.IndexFunc(opts.Catalog, func(c ispm.CatalogEntry) bool { return c.Key == e.Key }); i >= 0 {
			opts.Catalog[i] = e
		} else {
			opts.Catalog = append(opts.Catalog, e)
		}
	}
	idByName := map[string]string{}
	for i, o := range s.Orgs {
		okta, ok := lookup(o.OktaOrg)
		if !ok {
			return Options{}, fmt.Errorf("ispm.orgs[%d] names Okta org %q, which the scenario does not define", i, o.OktaOrg)
		}
		id := o.ID
		if id == "" {
			id = "oktaorg_" + sanitizeID(o.OktaOrg)
		}
		name := o.DisplayName
		if name == "" {
			name = o.OktaOrg
		}
		idByName[o.OktaOrg] = id
		opts.Orgs = append(opts.Orgs, OrgSpec{
			ID: id, DisplayName: name, ConnectionState: o.ConnectionState, ConnectedAt: o.ConnectedAt, Okta: okta,
		})
	}
	for i, src := range s.Sources {
		if src.OktaOrg == "" {
			return Options{}, fmt.Errorf("ispm.sources[%d] has no okta_org; give the Okta org's name or ISPM id", i)
		}
		orgID, ok := idByName[src.OktaOrg]
		if !ok {
			orgID = src.OktaOrg
		}
		opts.Sources = append(opts.Sources, SourceSpec{
			ID: src.ID, OktaOrgID: orgID, App: src.App, Instances: src.Instances,
			DisplayName: src.DisplayName, Health: src.Health, CreatedAt: src.CreatedAt, Status: src.Status,
		})
	}
	return opts, nil
}

func sanitizeID(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	out := b.String()
	if len(out) > 50 {
		out = out[:50]
	}
	return out
}
