package provider

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func baseModel() providerModel {
	return providerModel{
		Endpoint: types.StringValue("https://ispm.example.com"),
		APIToken: types.StringValue("ispm-secret"),
	}
}

// errorAt returns the summary+detail of the first error whose path is p.
func errorAt(diags diag.Diagnostics, p string) (string, bool) {
	for _, d := range diags.Errors() {
		if wp, ok := d.(diag.DiagnosticWithPath); ok && wp.Path().String() == p {
			return d.Summary() + ": " + d.Detail(), true
		}
	}
	return "", false
}

func TestResolveConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, diags := resolveConfig(baseModel(), mapEnv(nil))
	if diags.HasError() {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	if cfg.Mode != ModeEnforce || cfg.MaxRetries != 5 || cfg.RequestTimeout != 30*time.Second || cfg.OktaMaxAPICapacity != 50 {
		t.Fatalf("defaults = %+v", cfg)
	}
	if len(cfg.OktaOrgs) != 0 {
		t.Fatalf("okta orgs = %v, want none without blocks or env", cfg.OktaOrgs)
	}
}

func TestResolveConfigEnvFallbackAndOverride(t *testing.T) {
	t.Parallel()
	env := mapEnv(map[string]string{
		EnvISPMEndpoint: "https://from-env.example.com",
		EnvISPMAPIToken: "env-ispm-token",
		EnvOktaOrgName:  "acme",
		EnvOktaBaseURL:  "oktapreview.com",
		EnvOktaAPIToken: "env-okta-token",
	})
	// Nothing configured: everything from env.
	cfg, diags := resolveConfig(providerModel{}, env)
	if diags.HasError() {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	if cfg.ISPMEndpoint.String() != "https://from-env.example.com" || cfg.ISPMAPIToken != "env-ispm-token" {
		t.Fatalf("ISPM from env = %v %q", cfg.ISPMEndpoint, cfg.ISPMAPIToken)
	}
	if len(cfg.OktaOrgs) != 1 || cfg.OktaOrgs[0].URL.String() != "https://acme.oktapreview.com" || cfg.OktaOrgs[0].APIToken != "env-okta-token" {
		t.Fatalf("okta org from env = %+v", cfg.OktaOrgs)
	}

	// Configuration wins over env, attribute by attribute.
	m := baseModel()
	m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://globex.okta.com"), APIToken: types.StringValue("cfg-okta-token")}}
	cfg, diags = resolveConfig(m, env)
	if diags.HasError() {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	if cfg.ISPMEndpoint.String() != "https://ispm.example.com" || cfg.ISPMAPIToken != "ispm-secret" {
		t.Fatalf("config did not override env: %v %q", cfg.ISPMEndpoint, cfg.ISPMAPIToken)
	}
	if cfg.OktaOrgs[0].Domain() != "globex.okta.com" || cfg.OktaOrgs[0].APIToken != "cfg-okta-token" {
		t.Fatalf("okta org = %+v", cfg.OktaOrgs[0])
	}

	// One block that leaves the token out takes it from env.
	m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://globex.okta.com")}}
	cfg, _ = resolveConfig(m, env)
	if cfg.OktaOrgs[0].APIToken != "env-okta-token" {
		t.Fatalf("single block did not fall back to env: %+v", cfg.OktaOrgs[0])
	}
}

func TestResolveConfigNoEnvFallbackWithSeveralOrgs(t *testing.T) {
	t.Parallel()
	env := mapEnv(map[string]string{EnvOktaAPIToken: "env-okta-token"})
	m := baseModel()
	m.OktaOrgs = []oktaOrgModel{
		{OrgURL: types.StringValue("https://a.okta.com"), APIToken: types.StringValue("a")},
		{OrgURL: types.StringValue("https://b.okta.com")},
	}
	_, diags := resolveConfig(m, env)
	msg, ok := errorAt(diags, "okta_org[1].api_token")
	if !ok || !strings.Contains(msg, "b.okta.com") || strings.Contains(msg, "OKTA_API_TOKEN") {
		t.Fatalf("diagnostics = %v; want a missing-credentials error on okta_org[1].api_token that names the org and no env var", diags)
	}
}

func TestResolveConfigErrors(t *testing.T) {
	t.Parallel()
	key := testKeyPEM(t, false)
	cases := []struct {
		name   string
		mutate func(*providerModel)
		env    map[string]string
		path   string
		want   []string
	}{
		{name: "missing endpoint", mutate: func(m *providerModel) { m.Endpoint = types.StringNull() },
			path: "endpoint", want: []string{`"endpoint"`, "ISPM_ENDPOINT"}},
		{name: "missing token", mutate: func(m *providerModel) { m.APIToken = types.StringNull() },
			path: "api_token", want: []string{`"api_token"`, "ISPM_API_TOKEN"}},
		{name: "http endpoint off loopback", mutate: func(m *providerModel) { m.Endpoint = types.StringValue("http://ispm.example.com") },
			path: "endpoint", want: []string{"plain http", "https"}},
		{name: "missing okta credentials name attribute and env", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://acme.okta.com")}}
		}, path: "okta_org[0].api_token", want: []string{"api_token", "OKTA_API_TOKEN", "OKTA_API_CLIENT_ID", "OKTA_API_PRIVATE_KEY", "acme.okta.com"}},
		{name: "token and private key conflict", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://acme.okta.com"), APIToken: types.StringValue("t"),
				ClientID: types.StringValue("c"), PrivateKey: types.StringValue(key)}}
		}, path: "okta_org[0].private_key", want: []string{"both an API token and a private key"}},
		{name: "private key from env conflicts with token in config", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://acme.okta.com"), APIToken: types.StringValue("t")}}
		}, env: map[string]string{EnvOktaPrivateKey: key}, path: "okta_org[0].private_key", want: []string{"both"}},
		{name: "client id without key", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://acme.okta.com"), ClientID: types.StringValue("0oaclient")}}
		}, path: "okta_org[0].private_key", want: []string{"private_key", "OKTA_API_PRIVATE_KEY"}},
		{name: "key without client id", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://acme.okta.com"), PrivateKey: types.StringValue(key)}}
		}, path: "okta_org[0].client_id", want: []string{"client_id", "OKTA_API_CLIENT_ID"}},
		{name: "garbage private key", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://acme.okta.com"), ClientID: types.StringValue("c"), PrivateKey: types.StringValue("not-a-key-SECRET")}}
		}, path: "okta_org[0].private_key", want: []string{"not PEM", "file("}},
		{name: "org url and org name conflict", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://acme.okta.com"), OrgName: types.StringValue("acme"), APIToken: types.StringValue("t")}}
		}, path: "okta_org[0].org_url", want: []string{"either org_url"}},
		{name: "no org address", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{APIToken: types.StringValue("t")}}
		}, path: "okta_org[0].org_url", want: []string{"org_url", "OKTA_ORG_NAME", "OKTA_BASE_URL"}},
		{name: "duplicate org", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{
				{OrgURL: types.StringValue("https://acme.okta.com"), APIToken: types.StringValue("t")},
				{OrgName: types.StringValue("acme"), APIToken: types.StringValue("u")},
			}
		}, path: "okta_org[1]", want: []string{"acme.okta.com", "once"}},
		{name: "http okta org off loopback", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("http://acme.okta.com"), APIToken: types.StringValue("t")}}
		}, path: "okta_org[0].org_url", want: []string{"plain http"}},
		{name: "PEM header with a corrupt body", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://acme.okta.com"), ClientID: types.StringValue("0oaclient"),
				PrivateKey: types.StringValue("-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n")}}
		}, path: "okta_org[0].private_key", want: []string{"not valid base64", "damaged"}},
		{name: "org name with a path", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgName: types.StringValue("acme/../evil"), APIToken: types.StringValue("t")}}
		}, path: "okta_org[0].org_name", want: []string{`"acme/../evil"`, "letters, digits and hyphens"}},
		{name: "org name that is a domain", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgName: types.StringValue("acme.okta.com"), APIToken: types.StringValue("t")}}
		}, path: "okta_org[0].org_name", want: []string{`"acme.okta.com"`, `org_url = "https://acme.okta.com"`}},
		{name: "org name that is a URL", mutate: func(m *providerModel) {
			m.OktaOrgs = []oktaOrgModel{{OrgName: types.StringValue("https://acme.okta.com/"), APIToken: types.StringValue("t")}}
		}, path: "okta_org[0].org_name", want: []string{`"https://acme.okta.com/"`, `set org_url = "https://acme.okta.com" instead`}},
		{name: "org name from env that is a domain", env: map[string]string{EnvOktaOrgName: "acme.okta.com", EnvOktaAPIToken: "t"}, mutate: func(m *providerModel) {
			m.OktaOrgs = nil
		}, path: "okta_org[0].org_name", want: []string{`"acme.okta.com"`}},
		{name: "ISPM token without endpoint", mutate: func(m *providerModel) { m.Endpoint = types.StringNull() },
			path: "endpoint", want: []string{"token is set but no ISPM API endpoint", "Okta alone"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := baseModel()
			tc.mutate(&m)
			_, diags := resolveConfig(m, mapEnv(tc.env))
			msg, ok := errorAt(diags, tc.path)
			if !ok {
				t.Fatalf("no error at %s; diagnostics: %v", tc.path, diags)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
			for _, secret := range []string{"ispm-secret", "SECRET", strings.Split(key, "\n")[1][:40]} {
				for _, d := range diags {
					if strings.Contains(d.Detail(), secret) || strings.Contains(d.Summary(), secret) {
						t.Errorf("diagnostic leaks a secret: %v", d)
					}
				}
			}
		})
	}
}

func TestResolveConfigOAuth(t *testing.T) {
	t.Parallel()
	for _, pkcs8 := range []bool{false, true} {
		key := testKeyPEM(t, pkcs8)
		m := baseModel()
		m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("http://127.0.0.1:8080"), ClientID: types.StringValue("0oaservice"), PrivateKey: types.StringValue(key), PrivateKeyID: types.StringValue("kid-1")}}
		cfg, diags := resolveConfig(m, mapEnv(nil))
		if diags.HasError() {
			t.Fatalf("pkcs8=%v: unexpected diagnostics %v", pkcs8, diags)
		}
		org := cfg.OktaOrgs[0]
		if org.ClientID != "0oaservice" || org.PrivateKeyID != "kid-1" || strings.Join(org.Scopes, ",") != "okta.apps.read,okta.groups.read" {
			t.Fatalf("oauth org = %+v", org)
		}
		if s := cfg.secrets(); len(s) != 2 || s[1] != key {
			t.Fatalf("secrets() must list the token and the private key")
		}
	}
	// Scopes from config and from env.
	m := baseModel()
	scopes, _ := types.ListValue(types.StringType, []attr.Value{types.StringValue("okta.apps.read")})
	m.OktaOrgs = []oktaOrgModel{{OrgURL: types.StringValue("https://acme.okta.com"), ClientID: types.StringValue("c"), PrivateKey: types.StringValue(testKeyPEM(t, false)), Scopes: scopes}}
	cfg, _ := resolveConfig(m, mapEnv(map[string]string{EnvOktaScopes: "x, y"}))
	if strings.Join(cfg.OktaOrgs[0].Scopes, ",") != "okta.apps.read" {
		t.Fatalf("configured scopes = %v", cfg.OktaOrgs[0].Scopes)
	}
	m.OktaOrgs[0].Scopes = types.ListNull(types.StringType)
	cfg, _ = resolveConfig(m, mapEnv(map[string]string{EnvOktaScopes: "okta.apps.read, okta.groups.read ,"}))
	if strings.Join(cfg.OktaOrgs[0].Scopes, ",") != "okta.apps.read,okta.groups.read" {
		t.Fatalf("env scopes = %v", cfg.OktaOrgs[0].Scopes)
	}
}
