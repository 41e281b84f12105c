package provider

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// accEnv is one sandbox (Okta orgs + ISPM) for one acceptance test.
type accEnv struct {
	SB   *sandbox.Sandbox
	Info sandbox.Info
}

// newAccEnv starts a sandbox on loopback for t, with the default scenario
// changed by mutate, and skips the test unless TF_ACC is set.
func newAccEnv(t *testing.T, mutate ...func(*sandbox.Scenario)) *accEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make test does)")
	}
	sc := sandbox.DefaultScenario()
	for _, m := range mutate {
		m(&sc)
	}
	sb, err := sandbox.New(sc)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	if err := sb.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("sandbox start: %v", err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	return &accEnv{SB: sb, Info: sb.Info()}
}

// org returns the sandbox's info on the named Okta org.
func (e *accEnv) org(name string) sandbox.OktaOrgInfo {
	for _, o := range e.Info.OktaOrgs {
		if o.Name == name {
			return o
		}
	}
	panic("no sandbox org " + name)
}

// Domain is the named org's domain, the okta_org value users write.
func (e *accEnv) Domain(name string) string { return e.org(name).Domain }

// ProviderConfig is a provider block for the sandbox with credentials for
// the named Okta orgs (every org when none is named), plus extra lines.
func (e *accEnv) ProviderConfig(orgs []string, extra ...string) string {
	if orgs == nil {
		for _, o := range e.Info.OktaOrgs {
			orgs = append(orgs, o.Name)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "provider \"ispm\" {\n  endpoint  = %q\n  api_token = %q\n", e.Info.ISPM.Endpoint, e.Info.ISPM.APIToken)
	for _, l := range extra {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	for _, name := range orgs {
		o := e.org(name)
		fmt.Fprintf(&b, "  okta_org {\n    org_url   = %q\n    api_token = %q\n  }\n", o.URL, o.APIToken)
	}
	b.WriteString("}\n")
	return b.String()
}

// Config is the provider block for every org followed by body.
func (e *accEnv) Config(body string) string { return e.ProviderConfig(nil) + "\n" + body }

// Factories serves the provider in-process with an empty environment.
func (e *accEnv) Factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return factories(nil)
}
