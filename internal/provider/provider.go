// Package provider is the Terraform face of the ISPM provider: its
// configuration, data sources and resources.
package provider

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
)

var (
	_ provider.Provider                   = &ispmProvider{}
	_ provider.ProviderWithValidateConfig = &ispmProvider{}
	_ provider.ProviderWithListResources  = &ispmProvider{}
)

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &ispmProvider{version: version, env: os.Getenv}
	}
}

type ispmProvider struct {
	version string
	env     envFunc
}

func (p *ispmProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ispm"
	resp.Version = p.version
}

func (p *ispmProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The ISPM provider connects Okta Identity Security Posture Management (ISPM) to the SCIM " +
			"provisioning-enabled apps of your Okta orgs, and checks every prerequisite of a connection live, against " +
			"Okta, at `terraform plan` time.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL of the ISPM API, for example `https://acme.ispm.okta.com`. " +
					"May also be set with the `ISPM_ENDPOINT` environment variable. Plain `http://` is accepted only for loopback addresses. " +
					"Optional together with `api_token`: with neither, the provider judges readiness from its `okta_org` blocks alone " +
					"(`ispm_app_eligibility`, `ispm_sources_gallery`), and what needs ISPM says so at plan time.",
			},
			"api_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "ISPM API token. May also be set with the `ISPM_API_TOKEN` environment variable. Set it with `endpoint`, or neither.",
			},
			"prerequisite_checks": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "What a failing connection prerequisite does at plan time: `enforce` (the default) makes it an error, " +
					"`warn` a warning, `off` skips the checks. Unverified prerequisites are warnings in every mode but `off`. " +
					"A connection's own `prerequisite_checks` overrides this.",
				Validators: []validator.String{stringvalidator.OneOf(ModeEnforce, ModeWarn, ModeOff)},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many times a request that failed with a rate limit (429), a server error (5xx) "+
					"or a dropped connection is retried, with exponential backoff that honours `Retry-After` and `X-Rate-Limit-Reset`. "+
					"Defaults to %d; 0 to 20.", defaultMaxRetries),
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Timeout of a single HTTP request, in seconds. Defaults to %d; 1 to %d.",
					int(defaultTimeout.Seconds()), maxRequestTimeoutSec),
				Validators: []validator.Int64{int64validator.Between(1, maxRequestTimeoutSec)},
			},
			"okta_max_api_capacity": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("The largest share, in percent, of an Okta rate-limit bucket's capacity that the provider "+
					"may use. Before a request would take a bucket below the rest, the provider waits for the bucket to reset "+
					"instead of risking a 429 that would also hit your production traffic. Defaults to %d; 1 to 100.", defaultOktaCapacity),
				Validators: []validator.Int64{int64validator.Between(1, 100)},
			},
		},
		Blocks: map[string]schema.Block{
			"okta_org": schema.ListNestedBlock{
				MarkdownDescription: "An Okta org whose apps the provider checks against the connection prerequisites. Repeat the block " +
					"for several orgs. With no block, one org is read from the Okta provider's environment variables " +
					"(`OKTA_ORG_NAME`, `OKTA_BASE_URL`, `OKTA_API_TOKEN` or `OKTA_API_CLIENT_ID`, `OKTA_API_PRIVATE_KEY`, " +
					"`OKTA_API_PRIVATE_KEY_ID`, `OKTA_API_SCOPES`); with exactly one block those variables fill what it leaves out. " +
					"Orgs without credentials here are still usable: their checks rest on ISPM's evidence alone and say so.",
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"org_url": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "The org's URL, for example `https://acme.okta.com`. Conflicts with `org_name` and `base_url`.",
						},
						"org_name": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "The org's subdomain, for example `acme` in `acme.okta.com` (env `OKTA_ORG_NAME`).",
						},
						"base_url": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "The org's domain without the subdomain: `okta.com` (the default), `oktapreview.com` or `okta-emea.com` (env `OKTA_BASE_URL`).",
						},
						"api_token": schema.StringAttribute{
							Optional:            true,
							Sensitive:           true,
							MarkdownDescription: "An Okta API token (SSWS) of an admin with read access to apps and groups (env `OKTA_API_TOKEN`). Conflicts with `client_id` and `private_key`.",
						},
						"client_id": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Client id of an OAuth 2.0 service app that uses `private_key_jwt` (env `OKTA_API_CLIENT_ID`). The app must not require DPoP: okta-sdk-golang/v2 cannot do it.",
						},
						"private_key": schema.StringAttribute{
							Optional:            true,
							Sensitive:           true,
							MarkdownDescription: "The service app's RSA private key in PEM, PKCS#1 or PKCS#8 (env `OKTA_API_PRIVATE_KEY`). Use `file(\"key.pem\")` to read a file.",
						},
						"private_key_id": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "The key id (`kid`) of the service app's public key, when it has several (env `OKTA_API_PRIVATE_KEY_ID`).",
						},
						"scopes": schema.ListAttribute{
							Optional:    true,
							ElementType: types.StringType,
							MarkdownDescription: "OAuth scopes to request (env `OKTA_API_SCOPES`, comma-separated). Defaults to `" +
								strings.Join(eligibility.OktaReadScopes, "` and `") + "`, the least the checks need.",
							Validators: []validator.List{listvalidator.SizeAtLeast(1), listvalidator.UniqueValues()},
						},
					},
				},
			},
		},
	}
}

// ValidateConfig checks what can be checked without the environment:
// conflicting attributes and endpoint shapes. Unknown values are skipped.
func (p *ispmProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if v := m.Endpoint; !v.IsNull() && !v.IsUnknown() {
		if _, err := httpx.ParseEndpoint("ISPM endpoint", v.ValueString()); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid ISPM endpoint", err.Error())
		}
	}
	for i, o := range m.OktaOrgs {
		at := path.Root("okta_org").AtListIndex(i)
		if set(o.OrgURL) && (set(o.OrgName) || set(o.BaseURL)) {
			resp.Diagnostics.AddAttributeError(at.AtName("org_url"), "Conflicting Okta org address",
				"Set either org_url, or org_name with base_url, not both.")
		}
		if set(o.OrgURL) {
			if _, err := httpx.ParseEndpoint("Okta org URL", o.OrgURL.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(at.AtName("org_url"), "Invalid Okta org URL", err.Error())
			}
		}
		if set(o.APIToken) && set(o.PrivateKey) {
			resp.Diagnostics.AddAttributeError(at.AtName("private_key"), "Conflicting Okta credentials",
				"Set either api_token (SSWS), or client_id with private_key for an OAuth 2.0 service app, not both.")
		}
		if set(o.PrivateKey) {
			if err := checkPrivateKey(o.PrivateKey.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(at.AtName("private_key"), "Invalid OAuth private key", err.Error())
			}
		}
	}
}

func set(v types.String) bool { return !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" }

func (p *ispmProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	reportUnknown(&m, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, diags := resolveConfig(m, p.env)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, cfg.secrets()...)
	ctx = tflog.MaskMessageStrings(ctx, cfg.secrets()...)

	data, err := newProviderData(ctx, p.version, cfg)
	if err != nil {
		resp.Diagnostics.AddError("Cannot set up the ISPM provider's clients", err.Error())
		return
	}
	endpoint := "(not configured: readiness from Okta alone)"
	if cfg.ISPMConfigured() {
		endpoint = cfg.ISPMEndpoint.String()
	}
	tflog.Debug(ctx, "ISPM provider configured", map[string]any{
		"ispm_endpoint":       endpoint,
		"okta_orgs":           len(cfg.OktaOrgs),
		"prerequisite_checks": cfg.Mode,
	})
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.ListResourceData = data
}

// reportUnknown makes every value unknown at configure time an error on its
// attribute: the provider cannot talk to an API whose address or
// credentials are not known yet.
func reportUnknown(m *providerModel, resp *provider.ConfigureResponse) {
	check := func(p path.Path, unknown bool) {
		if unknown {
			resp.Diagnostics.AddAttributeError(p, "Unknown provider configuration value",
				"The provider cannot be configured with a value that is only known after apply. Set it from a literal, a variable or "+
					"an environment variable, or apply the resources it depends on first with -target.")
		}
	}
	check(path.Root("endpoint"), m.Endpoint.IsUnknown())
	check(path.Root("api_token"), m.APIToken.IsUnknown())
	check(path.Root("prerequisite_checks"), m.PrerequisiteChecks.IsUnknown())
	check(path.Root("max_retries"), m.MaxRetries.IsUnknown())
	check(path.Root("request_timeout"), m.RequestTimeout.IsUnknown())
	check(path.Root("okta_max_api_capacity"), m.OktaMaxAPICapacity.IsUnknown())
	for i, o := range m.OktaOrgs {
		at := path.Root("okta_org").AtListIndex(i)
		check(at.AtName("org_url"), o.OrgURL.IsUnknown())
		check(at.AtName("org_name"), o.OrgName.IsUnknown())
		check(at.AtName("base_url"), o.BaseURL.IsUnknown())
		check(at.AtName("api_token"), o.APIToken.IsUnknown())
		check(at.AtName("client_id"), o.ClientID.IsUnknown())
		check(at.AtName("private_key"), o.PrivateKey.IsUnknown())
		check(at.AtName("private_key_id"), o.PrivateKeyID.IsUnknown())
		check(at.AtName("scopes"), o.Scopes.IsUnknown())
	}
}

func (p *ispmProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewSourceConnectionResource,
	}
}

// ListResources are what terraform query (Terraform 1.14+) can list.
func (p *ispmProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewSourceConnectionListResource,
	}
}

func (p *ispmProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewOktaOrgsDataSource,
		NewSourcesGalleryDataSource,
		NewAppEligibilityDataSource,
		NewSourceConnectionDataSource,
		NewSourceConnectionsDataSource,
	}
}
