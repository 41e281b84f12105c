// Package ispm is the provider's view of Okta Identity Security Posture
// Management: the domain types, the Client interface every resource and data
// source is written against, and its REST implementation of the contract in
// package contract. A future official ISPM API is a new implementation of
// Client, not a rewrite of its callers.
package ispm

import "context"

// Client is everything the provider asks of ISPM. Every method honours ctx
// (cancellation and deadline); list methods follow every page and return
// the whole list. Errors from the API are *APIError (see IsNotFound and the
// other Is helpers); a cancelled call returns an error that wraps the
// context's error.
type Client interface {
	// ListOrgs returns the Okta orgs ISPM knows, in any connection state.
	ListOrgs(ctx context.Context) ([]Org, error)
	// GetOrg returns one org by its ISPM id.
	GetOrg(ctx context.Context, orgID string) (*Org, error)
	// FindOrgByDomain returns the org whose Okta domain (URL host, e.g.
	// acme.okta.com; a URL is accepted too) matches, or an error matching
	// ErrNotFound when ISPM knows no such org.
	FindOrgByDomain(ctx context.Context, domain string) (*Org, error)
	// RefreshOrg does the console's Refresh Data for every gallery app of
	// the org.
	RefreshOrg(ctx context.Context, orgID string) (*OrgRefresh, error)

	// ListCatalog returns the Sources Gallery, filtered. With
	// filter.OktaOrgID each entry carries its cached status in that org.
	ListCatalog(ctx context.Context, filter CatalogFilter) ([]CatalogEntry, error)
	// GetCatalogEntry returns one gallery app by key; with a non-empty
	// orgID it carries its cached status in that org.
	GetCatalogEntry(ctx context.Context, appKey, orgID string) (*CatalogEntry, error)
	// GetAppStatus returns an app's cached gallery status and instances in
	// an org.
	GetAppStatus(ctx context.Context, orgID, appKey string) (*AppStatus, error)
	// RefreshAppStatus makes ISPM re-read the app from Okta (Refresh Data)
	// and returns the fresh status.
	RefreshAppStatus(ctx context.Context, orgID, appKey string) (*AppStatus, error)

	// CreateSource connects instances of an app in an org. It is safe to
	// retry with the same req.IdempotencyKey. A second source for the same
	// org and app is a conflict (IsConflict, ExistingSourceID); unmet
	// prerequisites are a validation error listing each (IsValidation).
	CreateSource(ctx context.Context, req CreateSourceRequest) (*Source, error)
	// GetSource returns one source by id.
	GetSource(ctx context.Context, sourceID string) (*Source, error)
	// ListSources returns the sources that match filter.
	ListSources(ctx context.Context, filter SourceFilter) ([]Source, error)
	// UpdateSource changes a source's instance set or display name.
	UpdateSource(ctx context.Context, sourceID string, req UpdateSourceRequest) (*Source, error)
	// DeleteSource disconnects and deletes a source. Deleting a source that
	// is already gone is an error matching ErrNotFound; callers that want
	// it gone may treat that as success.
	DeleteSource(ctx context.Context, sourceID string) error
}
