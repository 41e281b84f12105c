package provider

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// Environment variables read when the configuration leaves a value out.
const (
	EnvISPMEndpoint      = "ISPM_ENDPOINT"
	EnvISPMAPIToken      = "ISPM_API_TOKEN"
	EnvOktaOrgName       = "OKTA_ORG_NAME"
	EnvOktaBaseURL       = "OKTA_BASE_URL"
	EnvOktaAPIToken      = "OKTA_API_TOKEN"
	EnvOktaClientID      = "OKTA_API_CLIENT_ID"
	EnvOktaPrivateKey    = "OKTA_API_PRIVATE_KEY"
	EnvOktaPrivateKeyID  = "OKTA_API_PRIVATE_KEY_ID"
	EnvOktaScopes        = "OKTA_API_SCOPES"
	defaultOktaBaseURL   = "okta.com"
	defaultMaxRetries    = 5
	defaultTimeout       = 30 * time.Second
	defaultOktaCapacity  = 50
	maxRequestTimeoutSec = 300
)

// Prerequisite check modes.
const (
	ModeEnforce = "enforce"
	ModeWarn    = "warn"
	ModeOff     = "off"
)

// DefaultOktaScopes are the least-privilege scopes the provider needs from an
// OAuth 2.0 service app: apps for P3–P6, groups for P7 evidence.
var DefaultOktaScopes = eligibility.OktaReadScopes

type providerModel struct {
	Endpoint           types.String   `tfsdk:"endpoint"`
	APIToken           types.String   `tfsdk:"api_token"`
	PrerequisiteChecks types.String   `tfsdk:"prerequisite_checks"`
	MaxRetries         types.Int64    `tfsdk:"max_retries"`
	RequestTimeout     types.Int64    `tfsdk:"request_timeout"`
	OktaMaxAPICapacity types.Int64    `tfsdk:"okta_max_api_capacity"`
	OktaOrgs           []oktaOrgModel `tfsdk:"okta_org"`
}

type oktaOrgModel struct {
	OrgURL       types.String `tfsdk:"org_url"`
	OrgName      types.String `tfsdk:"org_name"`
	BaseURL      types.String `tfsdk:"base_url"`
	APIToken     types.String `tfsdk:"api_token"`
	ClientID     types.String `tfsdk:"client_id"`
	PrivateKey   types.String `tfsdk:"private_key"`
	PrivateKeyID types.String `tfsdk:"private_key_id"`
	Scopes       types.List   `tfsdk:"scopes"`
}

// resolvedConfig is the provider configuration after env fallbacks and
// validation: everything needed to build the clients.
type resolvedConfig struct {
	// ISPMEndpoint is nil when ISPM is not configured.
	ISPMEndpoint       *url.URL
	ISPMAPIToken       string
	Mode               string
	MaxRetries         int
	RequestTimeout     time.Duration
	OktaMaxAPICapacity int
	OktaOrgs           []oktaOrgConfig
}

// oktaOrgConfig is one Okta org the provider holds credentials for.
type oktaOrgConfig struct {
	URL *url.URL
	// Name is the org's name (acme for acme.okta.com): org_name as
	// configured, else the first label of the org URL's host.
	Name          string
	APIToken      string
	ClientID      string
	PrivateKeyPEM string
	PrivateKeyID  string
	Scopes        []string
}

// Domain is the org's host, the key ISPM knows the org by.
func (o oktaOrgConfig) Domain() string { return strings.ToLower(o.URL.Host) }

// secrets lists every secret in the configuration, for log masking.
func (c resolvedConfig) secrets() []string {
	out := []string{}
	if c.ISPMAPIToken != "" {
		out = append(out, c.ISPMAPIToken)
	}
	for _, o := range c.OktaOrgs {
		for _, s := range []string{o.APIToken, o.PrivateKeyPEM} {
			if s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

type envFunc func(string) string

// resolveConfig applies env fallbacks (configuration wins) and checks every
// rule that needs the final values. Unknown values are reported by the
// caller before this runs.
func resolveConfig(m providerModel, env envFunc) (resolvedConfig, diag.Diagnostics) {
	var diags diag.Diagnostics
	cfg := resolvedConfig{
		Mode:               ModeEnforce,
		MaxRetries:         defaultMaxRetries,
		RequestTimeout:     defaultTimeout,
		OktaMaxAPICapacity: defaultOktaCapacity,
	}

	// ISPM is optional: with neither endpoint nor token the provider judges
	// readiness from Okta alone. One without the other is a mistake.
	endpoint := pick(m.Endpoint, env(EnvISPMEndpoint))
	cfg.ISPMAPIToken = pick(m.APIToken, env(EnvISPMAPIToken))
	switch {
	case endpoint == "" && cfg.ISPMAPIToken != "":
		diags.AddAttributeError(path.Root("endpoint"), "Missing ISPM endpoint",
			fmt.Sprintf("An ISPM API token is set but no ISPM API endpoint. Set the \"endpoint\" attribute or the %s environment variable, for example https://acme.ispm.okta.com; "+
				"or remove the token (and %s) to check readiness from Okta alone.", EnvISPMEndpoint, EnvISPMAPIToken))
	case endpoint != "":
		u, err := httpx.ParseEndpoint("ISPM endpoint", endpoint)
		if err != nil {
			diags.AddAttributeError(path.Root("endpoint"), "Invalid ISPM endpoint", err.Error())
		}
		cfg.ISPMEndpoint = u
		if cfg.ISPMAPIToken == "" {
			diags.AddAttributeError(path.Root("api_token"), "Missing ISPM API token",
				fmt.Sprintf("An ISPM API endpoint is set but no ISPM API token. Set the \"api_token\" attribute or the %s environment variable; "+
					"or remove the endpoint (and %s) to check readiness from Okta alone.", EnvISPMAPIToken, EnvISPMEndpoint))
		}
	}

	if v := m.PrerequisiteChecks.ValueString(); v != "" {
		cfg.Mode = v
	}
	if !m.MaxRetries.IsNull() {
		cfg.MaxRetries = int(m.MaxRetries.ValueInt64())
	}
	if !m.RequestTimeout.IsNull() {
		cfg.RequestTimeout = time.Duration(m.RequestTimeout.ValueInt64()) * time.Second
	}
	if !m.OktaMaxAPICapacity.IsNull() {
		cfg.OktaMaxAPICapacity = int(m.OktaMaxAPICapacity.ValueInt64())
	}

	blocks := m.OktaOrgs
	single := len(blocks) <= 1
	if len(blocks) == 0 && oktaEnvPresent(env) {
		blocks = []oktaOrgModel{{}}
	}
	seen := map[string]int{}
	for i, b := range blocks {
		org, d := resolveOktaOrg(i, b, single, env)
		diags.Append(d...)
		if d.HasError() {
			continue
		}
		if j, dup := seen[org.Domain()]; dup {
			diags.AddAttributeError(path.Root("okta_org").AtListIndex(i), "Duplicate Okta org",
				fmt.Sprintf("okta_org blocks %d and %d both name the org %s; declare each org once.", j, i, org.Domain()))
			continue
		}
		seen[org.Domain()] = i
		cfg.OktaOrgs = append(cfg.OktaOrgs, org)
	}
	if !cfg.ISPMConfigured() && len(blocks) == 0 && !diags.HasError() {
		diags.AddError("Nothing to check readiness against",
			fmt.Sprintf("The provider has neither an ISPM API nor an Okta org. To judge readiness from Okta alone, add an okta_org block "+
				"(or set %s with %s, or %s with %s and %s); to connect apps, also set endpoint and api_token (or %s and %s).",
				EnvOktaOrgName, EnvOktaAPIToken, EnvOktaOrgName, EnvOktaClientID, EnvOktaPrivateKey, EnvISPMEndpoint, EnvISPMAPIToken))
	}
	return cfg, diags
}

func oktaEnvPresent(env envFunc) bool {
	for _, k := range []string{EnvOktaOrgName, EnvOktaAPIToken, EnvOktaClientID, EnvOktaPrivateKey} {
		if env(k) != "" {
			return true
		}
	}
	return false
}

// oktaOrgName is the shape of an Okta org name (the subdomain of its
// domain): acme, acme-dev.
var oktaOrgName = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$`)

// resolveOktaOrg resolves block i; env fallbacks apply only when the
// provider has a single Okta org, as with the Okta provider.
func resolveOktaOrg(i int, b oktaOrgModel, useEnv bool, env envFunc) (oktaOrgConfig, diag.Diagnostics) {
	var diags diag.Diagnostics
	at := path.Root("okta_org").AtListIndex(i)
	e := func(k string) string {
		if useEnv {
			return env(k)
		}
		return ""
	}
	envHint := func(k string) string {
		if useEnv {
			return fmt.Sprintf(" or the %s environment variable", k)
		}
		return ""
	}
	var org oktaOrgConfig

	orgURL := b.OrgURL.ValueString()
	name := pick(b.OrgName, e(EnvOktaOrgName))
	base := pick(b.BaseURL, e(EnvOktaBaseURL))
	switch {
	case orgURL != "" && (b.OrgName.ValueString() != "" || b.BaseURL.ValueString() != ""):
		diags.AddAttributeError(at.AtName("org_url"), "Conflicting Okta org address",
			"Set either org_url, or org_name with base_url, not both.")
		return org, diags
	case orgURL == "" && name == "":
		diags.AddAttributeError(at.AtName("org_url"), "Missing Okta org address",
			"Set org_url (for example https://acme.okta.com), or org_name"+envHint(EnvOktaOrgName)+" with base_url"+envHint(EnvOktaBaseURL)+".")
		return org, diags
	case orgURL == "" && !oktaOrgName.MatchString(name):
		diags.AddAttributeError(at.AtName("org_name"), "Invalid Okta org name",
			fmt.Sprintf("%q is not an Okta org name: the org name is the first part of the org's domain, letters, digits and hyphens "+
				"only (acme for acme.okta.com). To give the whole address, set org_url = \"https://%s\" instead.", name, strings.Trim(ispm.NormalizeDomain(name), ".")))
		return org, diags
	case orgURL == "":
		if base == "" {
			base = defaultOktaBaseURL
		}
		orgURL = "https://" + name + "." + strings.TrimPrefix(base, ".")
		if strings.Contains(base, "://") {
			// base_url given as a full URL, as the sandbox and local tests do.
			orgURL = base
		}
	}
	u, err := httpx.ParseEndpoint("Okta org URL", orgURL)
	if err != nil {
		diags.AddAttributeError(at.AtName("org_url"), "Invalid Okta org URL", err.Error())
		return org, diags
	}
	org.URL = u
	org.Name = strings.ToLower(name)
	if host := u.Hostname(); org.Name == "" && strings.Contains(host, ".") && net.ParseIP(host) == nil {
		org.Name, _, _ = strings.Cut(strings.ToLower(host), ".")
	}

	org.APIToken = pick(b.APIToken, e(EnvOktaAPIToken))
	org.ClientID = pick(b.ClientID, e(EnvOktaClientID))
	org.PrivateKeyPEM = pick(b.PrivateKey, e(EnvOktaPrivateKey))
	org.PrivateKeyID = pick(b.PrivateKeyID, e(EnvOktaPrivateKeyID))
	if !b.Scopes.IsNull() {
		for _, s := range b.Scopes.Elements() {
			if sv, ok := s.(types.String); ok && sv.ValueString() != "" {
				org.Scopes = append(org.Scopes, sv.ValueString())
			}
		}
	} else if v := e(EnvOktaScopes); v != "" {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				org.Scopes = append(org.Scopes, s)
			}
		}
	}

	oauth := org.ClientID != "" || org.PrivateKeyPEM != "" || org.PrivateKeyID != ""
	switch {
	case org.APIToken != "" && org.PrivateKeyPEM != "":
		diags.AddAttributeError(at.AtName("private_key"), "Conflicting Okta credentials",
			fmt.Sprintf("The Okta org %s has both an API token and a private key. Use one: api_token (SSWS), or client_id with private_key for an OAuth 2.0 service app.", org.Domain()))
	case org.APIToken != "" && org.ClientID != "":
		diags.AddAttributeError(at.AtName("client_id"), "Conflicting Okta credentials",
			fmt.Sprintf("The Okta org %s has both an API token and an OAuth client id. Use one: api_token (SSWS), or client_id with private_key for an OAuth 2.0 service app.", org.Domain()))
	case org.APIToken == "" && !oauth:
		diags.AddAttributeError(at.AtName("api_token"), "Missing Okta credentials",
			fmt.Sprintf("The Okta org %s has no credentials. Set api_token%s, or client_id%s with private_key%s for an OAuth 2.0 service app.",
				org.Domain(), envHint(EnvOktaAPIToken), envHint(EnvOktaClientID), envHint(EnvOktaPrivateKey)))
	case oauth && org.ClientID == "":
		diags.AddAttributeError(at.AtName("client_id"), "Missing OAuth client id",
			fmt.Sprintf("OAuth 2.0 authentication for %s needs the service app's client id. Set client_id%s.", org.Domain(), envHint(EnvOktaClientID)))
	case oauth && org.PrivateKeyPEM == "":
		diags.AddAttributeError(at.AtName("private_key"), "Missing OAuth private key",
			fmt.Sprintf("OAuth 2.0 authentication for %s needs the service app's private key (PEM). Set private_key%s.", org.Domain(), envHint(EnvOktaPrivateKey)))
	case oauth:
		if err := checkPrivateKey(org.PrivateKeyPEM); err != nil {
			diags.AddAttributeError(at.AtName("private_key"), "Invalid OAuth private key",
				fmt.Sprintf("The private key for %s cannot be used: %s", org.Domain(), err))
		}
		if len(org.Scopes) == 0 {
			org.Scopes = append([]string(nil), DefaultOktaScopes...)
		}
	}
	return org, diags
}

// checkPrivateKey checks that s is an RSA private key in PEM (PKCS#1 or
// PKCS#8) without ever quoting it.
func checkPrivateKey(s string) error {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil && strings.Contains(s, "-----BEGIN ") && strings.Contains(s, "-----END ") {
		// pem.Decode gives up on a body that is not base64, which is not
		// the same mistake as passing a file name or some other text.
		return fmt.Errorf("it has PEM BEGIN and END lines but the text between them is not valid base64: the key was damaged in copying " +
			"(a line lost or joined, or characters changed); export it again, or read the key file with private_key = file(\"path\")")
	}
	if block == nil {
		return fmt.Errorf("it is not PEM text (expected a block starting with -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----); to read a key file use private_key = file(\"path\")")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return fmt.Errorf("the PKCS#1 RSA key does not parse; export the key again")
		}
	case "PRIVATE KEY":
		if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
			return fmt.Errorf("the PKCS#8 key does not parse; export the key again")
		}
	default:
		return fmt.Errorf("the PEM block is a %q; an RSA private key (PKCS#1 or PKCS#8) is needed", block.Type)
	}
	return nil
}

// pick returns the configured value when set, else the fallback.
func pick(v types.String, fallback string) string {
	if s := v.ValueString(); !v.IsNull() && !v.IsUnknown() && s != "" {
		return s
	}
	return strings.TrimSpace(fallback)
}

// ISPMConfigured reports whether the configuration names an ISPM API.
func (c resolvedConfig) ISPMConfigured() bool { return c.ISPMEndpoint != nil }
