package ispm

import "time"

// Enumerated values are string types so that a value the server adds later
// is kept as it came, never rejected: callers compare against the
// constants and treat anything else as unknown.

// OrgConnectionState says whether ISPM can read an Okta org.
type OrgConnectionState string

// Org connection states.
const (
	OrgConnected    OrgConnectionState = "CONNECTED"
	OrgDisconnected OrgConnectionState = "DISCONNECTED"
)

// PoweredBy says where a gallery app comes from.
type PoweredBy string

// Gallery app origins.
const (
	PoweredByOIN    PoweredBy = "OIN"
	PoweredByCustom PoweredBy = "CUSTOM"
)

// GalleryStatus is an app's status in one org as the Sources Gallery shows it.
type GalleryStatus string

// Gallery statuses, from least to most ready.
const (
	StatusNotIntegrated        GalleryStatus = "NOT_INTEGRATED"
	StatusProvisioningDisabled GalleryStatus = "PROVISIONING_DISABLED"
	StatusAvailable            GalleryStatus = "AVAILABLE"
	StatusConnected            GalleryStatus = "CONNECTED"
)

// Prerequisite identifies one of the ISPM prerequisites P1–P7.
type Prerequisite string

// Prerequisite ids.
const (
	P1OrgConnected        Prerequisite = "P1_ORG_CONNECTED"
	P2LifecycleManagement Prerequisite = "P2_LIFECYCLE_MANAGEMENT"
	P3Installed           Prerequisite = "P3_INSTALLED"
	P4Active              Prerequisite = "P4_ACTIVE"
	P5Provisioning        Prerequisite = "P5_PROVISIONING"
	P6ImportUsers         Prerequisite = "P6_IMPORT_USERS"
	P7ImportGroups        Prerequisite = "P7_IMPORT_GROUPS"
)

// SourceStatus is a source's lifecycle state.
type SourceStatus string

// Source lifecycle states.
const (
	SourceConnecting SourceStatus = "CONNECTING"
	SourceConnected  SourceStatus = "CONNECTED"
)

// HealthStatus is the result of ISPM's connection test of a source.
type HealthStatus string

// Health statuses.
const (
	HealthConnected HealthStatus = "CONNECTED"
	HealthFailed    HealthStatus = "FAILED"
)

// HealthReason says why a source's health is FAILED.
type HealthReason string

// Health failure reasons.
const (
	ReasonFailedAuthentication HealthReason = "FAILED_AUTHENTICATION"
	ReasonMissingPermissions   HealthReason = "MISSING_PERMISSIONS"
	ReasonMissingConfiguration HealthReason = "MISSING_CONFIGURATION"
)

// Org is an Okta org connected to ISPM.
type Org struct {
	ID string `json:"id"`
	// Domain is the org URL's host, with the port when it is not the
	// default (acme.okta.com, or 127.0.0.1:8443 in the sandbox).
	Domain          string             `json:"domain"`
	DisplayName     string             `json:"display_name"`
	ConnectionState OrgConnectionState `json:"connection_state"`
	ConnectedAt     time.Time          `json:"connected_at,omitzero"`
}

// OrgRefresh is the answer to refreshing a whole org.
type OrgRefresh struct {
	OktaOrgID   string    `json:"okta_org_id"`
	RefreshedAt time.Time `json:"refreshed_at"`
	// Apps is how many catalog apps were recomputed.
	Apps int `json:"apps"`
}

// CatalogEntry is one app of the Sources Gallery.
type CatalogEntry struct {
	// Key is the Okta app name (slack, zoomus, or a custom app's generated
	// name).
	Key         string    `json:"key"`
	DisplayName string    `json:"display_name"`
	PoweredBy   PoweredBy `json:"powered_by"`
	Categories  []string  `json:"categories"`
	Description string    `json:"description,omitempty"`
	// OrgStatus is set when the entry was read for an org.
	OrgStatus *AppStatus `json:"org_status,omitempty"`
}

// AppStatus is an app's cached gallery status and instances in one org.
type AppStatus struct {
	OktaOrgID string        `json:"okta_org_id"`
	App       string        `json:"app"`
	Status    GalleryStatus `json:"status"`
	Instances []Instance    `json:"instances"`
	// SourceID names the org's source for the app when Status is CONNECTED.
	SourceID string `json:"source_id,omitempty"`
	// RefreshedAt is when ISPM last read the app from Okta; the status
	// does not follow Okta changes made after it until a refresh.
	RefreshedAt time.Time `json:"refreshed_at"`
}

// Instance is an installed instance of a gallery app as ISPM last saw it.
type Instance struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	// Status is the instance's Okta status (ACTIVE, INACTIVE).
	Status   string `json:"status"`
	Eligible bool   `json:"eligible"`
	// UnmetPrerequisites lists what keeps the instance from being
	// eligible; empty when Eligible.
	UnmetPrerequisites []Prerequisite `json:"unmet_prerequisites"`
}

// Source is an app connected to ISPM: one org, one app, some instances.
type Source struct {
	ID          string           `json:"id"`
	OktaOrgID   string           `json:"okta_org_id"`
	App         string           `json:"app"`
	DisplayName string           `json:"display_name"`
	PoweredBy   PoweredBy        `json:"powered_by"`
	Instances   []SourceInstance `json:"instances"`
	Status      SourceStatus     `json:"status"`
	// Health is nil until ISPM has tested the connection once.
	Health      *Health   `json:"health,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ConnectedAt time.Time `json:"connected_at,omitzero"`
}

// InstanceIDs returns the ids of s's instances in their order.
func (s *Source) InstanceIDs() []string {
	ids := make([]string, len(s.Instances))
	for i, in := range s.Instances {
		ids[i] = in.ID
	}
	return ids
}

// SourceInstance is one app instance of a source.
type SourceInstance struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Health is the result of ISPM's last connection test of a source.
type Health struct {
	Status HealthStatus `json:"status"`
	// Reason is set when Status is FAILED.
	Reason        HealthReason `json:"reason,omitempty"`
	Message       string       `json:"message,omitempty"`
	LastCheckedAt time.Time    `json:"last_checked_at"`
}

// CatalogFilter narrows ListCatalog. Zero fields do not filter.
type CatalogFilter struct {
	PoweredBy PoweredBy
	// Category matches one of an entry's categories, case-insensitively.
	Category string
	// Query matches text in an entry's key or display name.
	Query string
	// OktaOrgID attaches each entry's status in that org (OrgStatus).
	OktaOrgID string
	// Status keeps entries with this status in OktaOrgID; it needs
	// OktaOrgID.
	Status GalleryStatus
}

// SourceFilter narrows ListSources. Zero fields do not filter.
type SourceFilter struct {
	OktaOrgID string
	App       string
	Status    SourceStatus
	Health    HealthStatus
}

// CreateSourceRequest asks for a new source.
type CreateSourceRequest struct {
	OktaOrgID   string   `json:"okta_org_id"`
	App         string   `json:"app"`
	InstanceIDs []string `json:"instance_ids"`
	// DisplayName defaults to the catalog entry's display name.
	DisplayName string `json:"display_name,omitempty"`
	// IdempotencyKey is sent as the Idempotency-Key header. Keep the same
	// key for every attempt at one intended create, including attempts
	// in later runs after an unknown outcome: the server then returns the
	// source the first attempt made instead of a 409. Empty means the
	// client picks a random key, which covers its own retries only.
	IdempotencyKey string `json:"-"`
}

// UpdateSourceRequest changes a source. Nil fields are left as they are.
type UpdateSourceRequest struct {
	// InstanceIDs replaces the source's whole instance set.
	InstanceIDs []string `json:"instance_ids,omitempty"`
	DisplayName *string  `json:"display_name,omitempty"`
}
