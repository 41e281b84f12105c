package provider

// Protocol-level tests of the resource identity: the provider served
// in-process (providerserver) against a sandbox, driven with the gRPC
// messages Terraform would send. They need no CLI and no TF_ACC, so they run
// on every CLI, including those that cannot send an identity (Terraform
// before 1.12).

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

const sourceConnectionType = "ispm_source_connection"

// protoEnv is a sandbox and the provider's gRPC server, configured for it.
type protoEnv struct {
	*accEnv
	t       *testing.T
	srv     tfprotov6.ProviderServerWithListResource
	schemas *tfprotov6.GetProviderSchemaResponse
	ids     *tfprotov6.GetResourceIdentitySchemasResponse
	config  *tfprotov6.DynamicValue // the provider configuration
}

// newProtoEnv starts a sandbox of the default scenario changed by mutate
// (without TF_ACC: nothing here runs a CLI) and configures the provider
// for it with credentials for every org.
func newProtoEnv(t *testing.T, mutate ...func(*sandbox.Scenario)) *protoEnv {
	t.Helper()
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
	e := &protoEnv{accEnv: &accEnv{SB: sb, Info: sb.Info()}, t: t}

	srv, err := providerserver.NewProtocol6WithError(&ispmProvider{version: "test", env: mapEnv(nil)})()
	if err != nil {
		t.Fatal(err)
	}
	var ok bool
	if e.srv, ok = srv.(tfprotov6.ProviderServerWithListResource); !ok {
		t.Fatalf("the provider server %T cannot list resources", srv)
	}
	ctx := context.Background()
	e.schemas, err = e.srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(e.schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %s", err, diagText(e.schemas.Diagnostics))
	}
	e.ids, err = e.srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil || hasErrors(e.ids.Diagnostics) {
		t.Fatalf("GetResourceIdentitySchemas: %v %s", err, diagText(e.ids.Diagnostics))
	}

	ptype, ok := e.schemas.Provider.ValueType().(tftypes.Object)
	orgList, ok2 := ptype.AttributeTypes["okta_org"].(tftypes.List)
	if !ok || !ok2 {
		t.Fatalf("the provider schema is %s, with okta_org a %s", ptype, ptype.AttributeTypes["okta_org"])
	}
	orgType := orgList.ElementType
	var orgs []tftypes.Value
	for _, o := range e.Info.OktaOrgs {
		orgs = append(orgs, e.object(orgType, map[string]tftypes.Value{
			"org_url": tftypes.NewValue(tftypes.String, o.URL), "api_token": tftypes.NewValue(tftypes.String, o.APIToken),
		}))
	}
	cfg := e.object(ptype, map[string]tftypes.Value{
		"endpoint":  tftypes.NewValue(tftypes.String, e.Info.ISPM.Endpoint),
		"api_token": tftypes.NewValue(tftypes.String, e.Info.ISPM.APIToken),
		"okta_org":  tftypes.NewValue(tftypes.List{ElementType: orgType}, orgs),
	})
	e.config = e.dynamic(ptype, cfg)
	e.newRun()
	return e
}

// newRun configures the provider afresh, as the provider process of a new
// Terraform command starts with nothing remembered of earlier reads.
func (e *protoEnv) newRun() {
	e.t.Helper()
	resp, err := e.srv.ConfigureProvider(context.Background(), &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: e.config})
	if err != nil || hasErrors(resp.Diagnostics) {
		e.t.Fatalf("ConfigureProvider: %v %s", err, diagText(resp.Diagnostics))
	}
}

// object is an object of typ with the given attributes and every other
// one null.
func (e *protoEnv) object(typ tftypes.Type, vals map[string]tftypes.Value) tftypes.Value {
	e.t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		e.t.Fatalf("%s is not an object type", typ)
	}
	all := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		all[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range vals {
		if _, ok := obj.AttributeTypes[name]; !ok {
			e.t.Fatalf("the schema has no attribute %q", name)
		}
		all[name] = v
	}
	return tftypes.NewValue(obj, all)
}

func (e *protoEnv) dynamic(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	e.t.Helper()
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		e.t.Fatal(err)
	}
	return &dv
}

func (e *protoEnv) resourceType() tftypes.Type {
	return e.schemas.ResourceSchemas[sourceConnectionType].ValueType()
}

func (e *protoEnv) identityType() tftypes.Type {
	return e.ids.IdentitySchemas[sourceConnectionType].ValueType()
}

// identity is an identity value for ReadResource or ImportResourceState.
func (e *protoEnv) identity(orgID, app string) *tfprotov6.ResourceIdentityData {
	typ := e.identityType()
	return &tfprotov6.ResourceIdentityData{IdentityData: e.dynamic(typ, e.object(typ, map[string]tftypes.Value{
		"okta_org_id": tftypes.NewValue(tftypes.String, orgID), "app_name": tftypes.NewValue(tftypes.String, app),
	}))}
}

// strings decodes an object of typ into its string attributes ("" for
// null ones); attributes of other types are left out.
func (e *protoEnv) strings(typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]string {
	e.t.Helper()
	if dv == nil {
		e.t.Fatal("no value")
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		e.t.Fatal(err)
	}
	if v.IsNull() {
		return nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for k, a := range attrs {
		if !a.Type().Is(tftypes.String) {
			continue
		}
		var s string
		if !a.IsNull() {
			if err := a.As(&s); err != nil {
				e.t.Fatal(err)
			}
		}
		out[k] = s
	}
	return out
}

// identityOf decodes an identity into okta_org_id/app_name.
func (e *protoEnv) identityOf(id *tfprotov6.ResourceIdentityData) string {
	e.t.Helper()
	if id == nil {
		return "<no identity>"
	}
	m := e.strings(e.identityType(), id.IdentityData)
	return m["okta_org_id"] + "/" + m["app_name"]
}

func (e *protoEnv) importState(req *tfprotov6.ImportResourceStateRequest) *tfprotov6.ImportResourceStateResponse {
	e.t.Helper()
	req.TypeName = sourceConnectionType
	resp, err := e.srv.ImportResourceState(context.Background(), req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// read refreshes an imported resource as Terraform does right after the import.
func (e *protoEnv) read(imported *tfprotov6.ImportedResource, current *tfprotov6.ResourceIdentityData) *tfprotov6.ReadResourceResponse {
	e.t.Helper()
	resp, err := e.srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName: sourceConnectionType, CurrentState: imported.State, Private: imported.Private, CurrentIdentity: current,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

func hasErrors(ds []*tfprotov6.Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func diagText(ds []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(severityName(d.Severity) + ": " + d.Summary + ": " + d.Detail)
		if d.Attribute != nil {
			b.WriteString(" (at " + d.Attribute.String() + ")")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// wantError fails unless ds holds exactly one diagnostic, an error whose
// summary and detail match.
func wantError(t *testing.T, ds []*tfprotov6.Diagnostic, summary, detail string) {
	t.Helper()
	if len(ds) != 1 || ds[0].Severity != tfprotov6.DiagnosticSeverityError || ds[0].Summary != summary ||
		!regexp.MustCompile(detail).MatchString(ds[0].Detail) {
		t.Fatalf("want one error %q matching %q, got:\n%s", summary, detail, diagText(ds))
	}
}

// The identity schema is what Terraform 1.12+ and OpenTofu 1.12+ read to
// accept import blocks with identity = {…}.
func TestProtocolSourceConnectionIdentitySchema(t *testing.T) {
	t.Parallel()
	e := newProtoEnv(t)
	s := e.ids.IdentitySchemas[sourceConnectionType]
	if s == nil {
		t.Fatalf("no identity schema for %s; have %v", sourceConnectionType, e.ids.IdentitySchemas)
	}
	got := map[string]bool{}
	for _, a := range s.IdentityAttributes {
		if !a.Type.Is(tftypes.String) || !a.RequiredForImport || a.Description == "" {
			t.Errorf("identity attribute %s: type %s, required for import %v, description %q", a.Name, a.Type, a.RequiredForImport, a.Description)
		}
		got[a.Name] = true
	}
	if len(got) != 2 || !got["okta_org_id"] || !got["app_name"] {
		t.Fatalf("identity attributes %v, want okta_org_id and app_name", got)
	}
	if s.Version != 0 {
		t.Fatalf("identity schema version %d, want 0", s.Version)
	}
}

// Every import form, and the read that follows it, returns the identity.
func TestProtocolSourceConnectionImportAndReadCarryIdentity(t *testing.T) {
	t.Parallel()
	e := newProtoEnv(t)
	acme := e.Domain("acme")
	const want = acmeOrgID + "/office365"
	for _, id := range []string{"src_office365acme01", acme + "/office365", acmeOrgID + "/office365"} {
		resp := e.importState(&tfprotov6.ImportResourceStateRequest{ID: id})
		if hasErrors(resp.Diagnostics) || len(resp.ImportedResources) != 1 {
			t.Fatalf("import %s: %s", id, diagText(resp.Diagnostics))
		}
		imported := resp.ImportedResources[0]
		if got := e.identityOf(imported.Identity); got != want {
			t.Errorf("import %s: identity %s, want %s", id, got, want)
		}
		// The org and app are in the imported state itself, so the read
		// that follows can use the org's listing.
		if st := e.strings(e.resourceType(), imported.State); st["okta_org_id"] != acmeOrgID || st["app_name"] != "office365" {
			t.Errorf("import %s: imported state %v, want okta_org_id and app_name set", id, st)
		}
		read := e.read(imported, imported.Identity)
		if hasErrors(read.Diagnostics) {
			t.Fatalf("read after import %s: %s", id, diagText(read.Diagnostics))
		}
		if got := e.identityOf(read.NewIdentity); got != want {
			t.Errorf("read after import %s: identity %s, want %s", id, got, want)
		}
		if st := e.strings(e.resourceType(), read.NewState); st["id"] != "src_office365acme01" || st["okta_org_id"] != acmeOrgID {
			t.Errorf("read after import %s: state %v", id, st)
		}
	}
}

// A state saved before the resource had an identity gets one at its next
// refresh, even when that refresh finds the connection deleted in the
// console (the framework refuses a read that returns no identity).
func TestProtocolSourceConnectionReadGivesOldStatesAnIdentity(t *testing.T) {
	t.Parallel()
	e := newProtoEnv(t)
	imported := e.importState(&tfprotov6.ImportResourceStateRequest{ID: e.Domain("acme") + "/office365"}).ImportedResources[0]

	read := e.read(imported, nil)
	if hasErrors(read.Diagnostics) || e.identityOf(read.NewIdentity) != acmeOrgID+"/office365" {
		t.Fatalf("read without a prior identity: identity %s, diagnostics:\n%s", e.identityOf(read.NewIdentity), diagText(read.Diagnostics))
	}

	if !e.SB.ISPM().DeleteSource("src_office365acme01") {
		t.Fatal("the scenario's office365 connection is missing")
	}
	// The next refresh is another Terraform command: a provider process
	// that has not listed the org's connections yet.
	e.newRun()
	gone := e.read(&tfprotov6.ImportedResource{State: read.NewState, Private: read.Private}, nil)
	if hasErrors(gone.Diagnostics) {
		t.Fatalf("read of a deleted connection without a prior identity:\n%s", diagText(gone.Diagnostics))
	}
	if st := e.strings(e.resourceType(), gone.NewState); st != nil {
		t.Fatalf("a connection deleted in the console stays in state: %v", st)
	}
}

// An import block's identity = {okta_org_id, app_name} imports the
// connection, and names what is wrong when it cannot, as the string import
// IDs do.
func TestProtocolSourceConnectionImportByIdentity(t *testing.T) {
	t.Parallel()
	// globex is configured in the provider but not connected to ISPM.
	e := newProtoEnv(t, func(sc *sandbox.Scenario) { sc.ISPM.Orgs = sc.ISPM.Orgs[:1] })
	acme, globex := e.Domain("acme"), e.Domain("globex")

	resp := e.importState(&tfprotov6.ImportResourceStateRequest{Identity: e.identity(acmeOrgID, "office365")})
	if hasErrors(resp.Diagnostics) || len(resp.ImportedResources) != 1 {
		t.Fatalf("import by identity: %s", diagText(resp.Diagnostics))
	}
	imported := resp.ImportedResources[0]
	st := e.strings(e.resourceType(), imported.State)
	if st["id"] != "src_office365acme01" || st["okta_org"] != acme || st["okta_org_id"] != acmeOrgID || st["app_name"] != "office365" {
		t.Fatalf("imported state %v", st)
	}
	if got := e.identityOf(imported.Identity); got != acmeOrgID+"/office365" {
		t.Fatalf("imported identity %s", got)
	}
	read := e.read(imported, imported.Identity)
	if hasErrors(read.Diagnostics) || e.identityOf(read.NewIdentity) != acmeOrgID+"/office365" {
		t.Fatalf("read after import by identity: identity %s\n%s", e.identityOf(read.NewIdentity), diagText(read.Diagnostics))
	}
	if st := e.strings(e.resourceType(), read.NewState); st["okta_org"] != acme || st["display_name"] != "Microsoft Office 365" {
		t.Fatalf("read after import by identity: state %v", st)
	}

	for _, c := range []struct {
		name, org, app   string
		summary, message string
	}{
		{"unknown org", "oktaorg_nope", "office365", "Cannot import the ISPM connection", `^No Okta org "oktaorg_nope" is connected to ISPM or configured in the provider\. ISPM knows: .*\(oktaorg_acme\)`},
		{"org not connected", globex, "slack", "Cannot import the ISPM connection", `^The Okta org ` + regexp.QuoteMeta(globex) + ` is not known to ISPM, so ISPM cannot ingest any of its apps \(prerequisite P1\)\. In the ISPM console`},
		{"no such connection", acmeOrgID, "slack", "No such ISPM connection", `^The Okta org ` + regexp.QuoteMeta(acme) + ` has no ISPM connection for the app "slack"\. `},
		{"domain for the id", acme, "office365", "Invalid import identity", `^okta_org_id "` + regexp.QuoteMeta(acme) + `" names the Okta org .* write okta_org_id = "oktaorg_acme"\.`},
		{"empty org", " ", "office365", "Invalid import identity", `^okta_org_id is empty\.`},
		{"label for the app", acmeOrgID, "Microsoft Office 365", "Invalid import identity", `^app_name "Microsoft Office 365" is not a gallery key`},
	} {
		resp := e.importState(&tfprotov6.ImportResourceStateRequest{Identity: e.identity(c.org, c.app)})
		t.Run(c.name, func(t *testing.T) { wantError(t, resp.Diagnostics, c.summary, c.message) })
	}
	if n := e.creates(); n != 0 {
		t.Fatalf("importing sent %d create request(s) to ISPM", n)
	}
}

// TestAccSmokeSourceConnectionImportByIdentity adopts a console-made
// connection with an import block's identity = {…}, as
// examples/resources/ispm_source_connection/import-by-identity.tf shows:
// the import plans no change, the state carries the identity, the next
// plan is empty, and an identity that names no connection says so.
// Terraform 1.12 and OpenTofu 1.12 accept identity in import blocks; older
// CLIs skip (the protocol tests above cover the provider's side there).
func TestAccSmokeSourceConnectionImportByIdentity(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t)
	acme := env.Domain("acme")
	example, err := os.ReadFile(filepath.Join(examplesDir, "resources", "ispm_source_connection", "import-by-identity.tf"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := env.Config(strings.ReplaceAll(string(example), `"acme.okta.com"`, fmt.Sprintf("%q", acme)))
	const addr = "ispm_source_connection.office365"
	identity := statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{
		"okta_org_id": knownvalue.StringExact(acmeOrgID),
		"app_name":    knownvalue.StringExact("office365"),
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.Factories(),
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		Steps: []resource.TestStep{{
			Config: strings.Replace(cfg, `app_name    = "office365"`, `app_name    = "slack"`, 1),
			// Only the import block names slack: the resource block is office365's.
			ExpectError: regexp.MustCompile(`No such ISPM connection`),
		}, {
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact("src_office365acme01")),
				plancheck.ExpectKnownValue(addr, tfjsonpath.New("okta_org"), knownvalue.StringExact(acme)),
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				identity,
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("status"), knownvalue.StringExact("CONNECTED")),
			},
		}, {
			Config:            cfg,
			ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{identity},
		}},
	})
	if n := env.creates(); n != 0 {
		t.Fatalf("importing sent %d create request(s) to ISPM", n)
	}
}
