package provider

// Protocol-level tests of the ispm_source_connection list resource
// (terraform query, Terraform 1.14+), through the provider's gRPC server
// against a sandbox: they run on every CLI. The acceptance test at the end
// runs terraform query itself when TF_ACC_TERRAFORM_PATH is Terraform 1.14
// or later.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
)

// listQuery is one list block: its config and the query's options.
type listQuery struct {
	org, app, status string
	includeResource  bool
	limit            int64
}

func (e *protoEnv) listConfig(q listQuery) *tfprotov6.DynamicValue {
	typ := e.schemas.ListResourceSchemas[sourceConnectionType].ValueType()
	vals := map[string]tftypes.Value{"okta_org": tftypes.NewValue(tftypes.String, q.org)}
	if q.app != "" {
		vals["app_name"] = tftypes.NewValue(tftypes.String, q.app)
	}
	if q.status != "" {
		vals["status"] = tftypes.NewValue(tftypes.String, q.status)
	}
	return e.dynamic(typ, e.object(typ, vals))
}

// list runs a ListResource request to its end.
func (e *protoEnv) list(q listQuery) []tfprotov6.ListResourceResult {
	e.t.Helper()
	stream, err := e.srv.ListResource(context.Background(), &tfprotov6.ListResourceRequest{
		TypeName: sourceConnectionType, Config: e.listConfig(q), IncludeResource: q.includeResource, Limit: q.limit,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []tfprotov6.ListResourceResult
	for r := range stream.Results {
		out = append(out, r)
	}
	return out
}

// listed is what a list returned: each result's identity, and the
// results' diagnostics.
func (e *protoEnv) listed(rs []tfprotov6.ListResourceResult) (ids []string, diags []*tfprotov6.Diagnostic) {
	for _, r := range rs {
		diags = append(diags, r.Diagnostics...)
		if r.Identity != nil {
			ids = append(ids, e.identityOf(r.Identity))
		}
	}
	return ids, diags
}

// consoleConnect connects apps in acme as an admin would in the console.
func (e *protoEnv) consoleConnect(apps map[string]string) map[string]ispm.Source {
	e.t.Helper()
	out := map[string]ispm.Source{}
	for app, instance := range apps {
		src, err := e.SB.ISPM().ConsoleCreate(acmeOrgID, app, []string{instance}, "")
		if err != nil {
			e.t.Fatal(err)
		}
		out[app] = src
	}
	return out
}

// The list block's filters keep the right connections, each with its
// identity, a display name and, when asked, the resource object
// -generate-config-out writes.
func TestProtocolSourceConnectionList(t *testing.T) {
	t.Parallel()
	// A connection stays CONNECTING however often it is read.
	e := newProtoEnv(t, func(sc *sandbox.Scenario) { never := 1 << 30; sc.ISPM.ConnectAfterReads = &never })
	acme := e.Domain("acme")
	made := e.consoleConnect(map[string]string{"slack": acmeSlack, "okta_org2org": acmeOrg2Org3})
	connecting := ispm.SourceConnecting
	if _, err := e.SB.ISPM().EditSource(made["okta_org2org"].ID, ispmsim.SourceEdit{Status: &connecting}); err != nil {
		t.Fatal(err)
	}
	all := []string{acmeOrgID + "/office365", acmeOrgID + "/okta_org2org", acmeOrgID + "/slack"}

	for _, c := range []struct {
		name string
		q    listQuery
		want []string
	}{
		{"every connection of the org by domain", listQuery{org: acme}, all},
		{"every connection of the org by ISPM id", listQuery{org: acmeOrgID}, all},
		{"by app", listQuery{org: acme, app: "slack"}, all[2:]},
		{"by status", listQuery{org: acme, status: "CONNECTING"}, all[1:2]},
		{"by app and status", listQuery{org: acme, app: "slack", status: "CONNECTING"}, nil},
		{"an app without a connection", listQuery{org: acme, app: "zoomus"}, nil},
		{"up to the limit", listQuery{org: acme, limit: 2}, all[:2]},
	} {
		t.Run(c.name, func(t *testing.T) {
			ids, diags := e.listed(e.list(c.q))
			if len(diags) > 0 || !slices.Equal(ids, c.want) {
				t.Fatalf("listed %v, want %v; diagnostics:\n%s", ids, c.want, diagText(diags))
			}
		})
	}

	// Without include_resource, identities and names only.
	for _, r := range e.list(listQuery{org: acme}) {
		if r.Resource != nil || r.DisplayName == "" {
			t.Fatalf("without include_resource: resource %v, display name %q", r.Resource, r.DisplayName)
		}
	}
	rs := e.list(listQuery{org: acme, app: "slack", includeResource: true})
	if len(rs) != 1 || rs[0].Resource == nil {
		t.Fatalf("with include_resource: %+v", rs)
	}
	if want := fmt.Sprintf("Slack (slack) on %s, 1 instance(s)", acme); rs[0].DisplayName != want {
		t.Errorf("display name %q, want %q", rs[0].DisplayName, want)
	}
	st := e.strings(e.resourceType(), rs[0].Resource)
	if st["id"] != made["slack"].ID || st["okta_org"] != acme || st["okta_org_id"] != acmeOrgID || st["app_name"] != "slack" ||
		st["status"] != "CONNECTED" || st["prerequisite_checks"] != "" {
		t.Fatalf("listed resource %v", st)
	}
	v, err := rs[0].Resource.Unmarshal(e.resourceType())
	if err != nil {
		t.Fatal(err)
	}
	var attrs map[string]tftypes.Value
	var instances []tftypes.Value
	var instance string
	if err := v.As(&attrs); err != nil || attrs["instance_ids"].As(&instances) != nil || len(instances) != 1 || instances[0].As(&instance) != nil || instance != acmeSlack {
		t.Fatalf("listed instance_ids %v, want [%s]", attrs["instance_ids"], acmeSlack)
	}
}

// Bad filter values get a diagnostic that names the value and the fix,
// from validation (terraform validate) and from the list itself.
func TestProtocolSourceConnectionListBadFilters(t *testing.T) {
	t.Parallel()
	// globex is configured in the provider but not connected to ISPM.
	e := newProtoEnv(t, func(sc *sandbox.Scenario) { sc.ISPM.Orgs = sc.ISPM.Orgs[:1] })
	acme := e.Domain("acme")
	before := e.SB.ISPM().RequestCounts()["GET /api/v1/sources"]
	for _, c := range []struct {
		name             string
		q                listQuery
		summary, message string
		validates        bool // terraform validate catches it too
	}{
		{"status in lower case", listQuery{org: acme, status: "connected"}, "Invalid status filter", `^status "connected" is not a connection state: use CONNECTING or CONNECTED`, true},
		{"app label", listQuery{org: acme, app: "Microsoft Office 365"}, "Invalid app_name filter", `^app_name "Microsoft Office 365" is not a gallery key.* not its label`, true},
		{"unknown org", listQuery{org: "nope.okta.com"}, "Unknown Okta org", `^No Okta org "nope\.okta\.com" is connected to ISPM`, false},
		{"org not connected", listQuery{org: e.Domain("globex")}, "Okta org not connected to ISPM", `is not known to ISPM, so ISPM cannot ingest any of its apps`, false},
		{"empty org", listQuery{org: ""}, "Missing okta_org", `^okta_org is empty\.`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, diags := e.listed(e.list(c.q))
			wantError(t, diags, c.summary, c.message)
			vresp, err := e.srv.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{
				TypeName: sourceConnectionType, Config: e.listConfig(c.q),
			})
			if err != nil {
				t.Fatal(err)
			}
			if hasErrors(vresp.Diagnostics) != c.validates {
				t.Fatalf("validation: want errors %v, got:\n%s", c.validates, diagText(vresp.Diagnostics))
			}
		})
	}
	if n := e.SB.ISPM().RequestCounts()["GET /api/v1/sources"] - before; n != 0 {
		t.Fatalf("bad filters sent %d listing(s) to ISPM", n)
	}
	// A well-formed app_name that is no gallery key lists nothing: it is
	// named, with the key it may have meant, rather than an empty list.
	_, diags := e.listed(e.list(listQuery{org: acme, app: "slak"}))
	wantError(t, diags, "App not in the ISPM Sources Gallery", `"slak".*slack`)
}

// scaleApps adds n custom apps to acme, each with a ready instance in Okta
// and a connection made in the console, and returns their source ids.
func scaleApps(n int) (func(*sandbox.Scenario), []string) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("src_scale_%03d", i)
	}
	return func(sc *sandbox.Scenario) {
		for i := range n {
			app, instance := fmt.Sprintf("acme_scale_%03d", i), fmt.Sprintf("0oascale%012d", i)
			sc.OktaOrgs[0].Apps = append(sc.OktaOrgs[0].Apps, json.RawMessage(fmt.Sprintf(
				`{"id":%q,"name":%q,"label":"Scale %03d","status":"ACTIVE","signOnMode":"SAML_2_0","features":["IMPORT_NEW_USERS","IMPORT_PROFILE_UPDATES","PUSH_NEW_USERS"]}`,
				instance, app, i)))
			sc.ISPM.Catalog = append(sc.ISPM.Catalog, ispm.CatalogEntry{Key: app, DisplayName: fmt.Sprintf("Scale %03d", i), PoweredBy: ispm.PoweredByCustom})
			sc.ISPM.Sources = append(sc.ISPM.Sources, ispmsim.ScenarioSource{ID: ids[i], OktaOrg: "acme", App: app, Instances: []string{instance}})
		}
	}, ids
}

// An org with hundreds of connections: ISPM lists them in pages of at most
// 200, and the list returns every one once, with every page read once.
func TestProtocolSourceConnectionListHundreds(t *testing.T) {
	t.Parallel()
	const n = 450
	mutate, ids := scaleApps(n)
	e := newProtoEnv(t, mutate)
	want := append([]string{"src_office365acme01"}, ids...)
	before := e.SB.ISPM().RequestCounts()["GET /api/v1/sources"]

	rs := e.list(listQuery{org: e.Domain("acme"), includeResource: true, limit: 1000})
	var got []string
	seen := map[string]bool{}
	for _, r := range rs {
		if len(r.Diagnostics) > 0 || r.Identity == nil || r.Resource == nil {
			t.Fatalf("result %q: identity %v, resource %v\n%s", r.DisplayName, r.Identity, r.Resource, diagText(r.Diagnostics))
		}
		id := e.strings(e.resourceType(), r.Resource)["id"]
		if seen[id] {
			t.Fatalf("%s listed twice", id)
		}
		seen[id] = true
		got = append(got, id)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("listed %d connections, want %d; missing or extra among %v", len(got), len(want), got)
	}
	// 451 sources in pages of 200: three requests, none repeated.
	if pages := e.SB.ISPM().RequestCounts()["GET /api/v1/sources"] - before; pages != 3 {
		t.Fatalf("ISPM answered %d listing requests for %d sources, want 3 pages of at most 200", pages, len(want))
	}

	// Terraform's default limit is 100: the list stops there.
	if rs := e.list(listQuery{org: acmeOrgID, limit: 100}); len(rs) != 100 {
		t.Fatalf("with limit 100 the list returned %d results", len(rs))
	}
}

// A connection that a shifted page shows twice is listed once.
func TestUniqueSources(t *testing.T) {
	t.Parallel()
	in := []ispm.Source{{ID: "src_b", App: "slack"}, {ID: "src_a", App: "zoomus"}, {ID: "src_b", App: "slack"}, {ID: "src_c", App: "box"}}
	var got []string
	for _, s := range uniqueSources(in) {
		got = append(got, s.App+":"+s.ID)
	}
	if want := []string{"box:src_c", "slack:src_b", "zoomus:src_a"}; !slices.Equal(got, want) {
		t.Fatalf("uniqueSources = %v, want %v", got, want)
	}
}

// TestAccSourceConnectionQueryGeneratesConfig runs terraform query
// -generate-config-out on the org's console-made connections and applies
// the generated import and resource blocks: every connection is adopted
// with no change. terraform query exists from Terraform 1.14 on, which CI
// cannot build; the protocol tests above cover the list resource there.
func TestAccSourceConnectionQueryGeneratesConfig(t *testing.T) {
	t.Parallel()
	tf := terraformBinary(t)
	if ok, have := terraformAtLeast(t, tf, "1.14.0"); !ok {
		t.Skipf("terraform query needs Terraform 1.14 or later (OpenTofu has no query command); TF_ACC_TERRAFORM_PATH is %s, "+
			"so the protocol tests (TestProtocolSourceConnectionList*) cover the list resource instead", have)
	}
	env := newAccEnv(t)
	if _, err := env.SB.ISPM().ConsoleCreate(acmeOrgID, "slack", []string{acmeSlack}, ""); err != nil {
		t.Fatal(err)
	}
	d := newTFDir(t)
	d.write(cliProviderBlock(env))
	example, err := os.ReadFile(filepath.Join(examplesDir, "list-resources", "ispm_source_connection", "list-resource.tfquery.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	query := strings.ReplaceAll(string(example), `"acme.okta.com"`, fmt.Sprintf("%q", env.Domain("acme")))
	if err := os.WriteFile(filepath.Join(d.dir, "adopt.tfquery.hcl"), []byte(query), 0o600); err != nil {
		t.Fatal(err)
	}
	d.must(0, "query", "-generate-config-out=adopted.tf")
	generated, err := os.ReadFile(filepath.Join(d.dir, "adopted.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"src_office365acme01", acmeSlack, `okta_org_id = "oktaorg_acme"`, `app_name = "slack"`} {
		if !strings.Contains(strings.Join(strings.Fields(string(generated)), " "), want) {
			t.Fatalf("the generated config lacks %q:\n%s", want, generated)
		}
	}
	d.must(0, "apply", "-auto-approve")
	plan := d.must(0, "plan", "-detailed-exitcode")
	if !strings.Contains(plan.stdout, "No changes") {
		t.Fatalf("after adopting, the plan is not empty:\n%s", plan)
	}
	if n := env.creates(); n != 0 {
		t.Fatalf("adopting sent %d create request(s) to ISPM", n)
	}
}

// terraformAtLeast reports whether the CLI at tf is Terraform (not
// OpenTofu) at least min, and what it is.
func terraformAtLeast(t *testing.T, tf, min string) (bool, string) {
	t.Helper()
	raw, err := exec.Command(tf, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", tf, err)
	}
	out := string(raw)
	fields := strings.Fields(out)
	if len(fields) < 2 {
		t.Fatalf("%s version printed %q", tf, out)
	}
	have := strings.TrimPrefix(fields[1], "v")
	return fields[0] == "Terraform" && versionAtLeast(have, min), fields[0] + " " + have
}

// versionAtLeast compares dotted versions numerically ("1.14.0" >= "1.9.8");
// a pre-release suffix counts as its release.
func versionAtLeast(have, min string) bool {
	h, m := strings.Split(have, "."), strings.Split(min, ".")
	for i := range m {
		var hv, mv int
		if i < len(h) {
			_, _ = fmt.Sscanf(h[i], "%d", &hv)
		}
		_, _ = fmt.Sscanf(m[i], "%d", &mv)
		if hv != mv {
			return hv > mv
		}
	}
	return true
}

// The list-resource examples (examples/list-resources, which the docs show)
// are list blocks of a list resource the provider has, and their config
// passes the provider's validation. No CLI before Terraform 1.14 can
// validate a .tfquery.hcl file, so the test parses them itself.
func TestListResourceExamplesValidate(t *testing.T) {
	t.Parallel()
	raw, err := providerserver.NewProtocol6WithError(&ispmProvider{version: "test", env: mapEnv(nil)})()
	if err != nil {
		t.Fatal(err)
	}
	srv, ok := raw.(tfprotov6.ProviderServerWithListResource)
	if !ok {
		t.Fatalf("the provider server %T cannot list resources", raw)
	}
	schemas, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %s", err, diagText(schemas.Diagnostics))
	}
	files, err := filepath.Glob(filepath.Join(examplesDir, "list-resources", "*", "*.tfquery.hcl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no list-resource examples: %v", err)
	}
	listSchema := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "list", LabelNames: []string{"type", "name"}}}}
	blockSchema := &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "provider"}, {Name: "include_resource"}, {Name: "limit"}, {Name: "count"}, {Name: "for_each"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "config"}},
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			file, diags := hclparse.NewParser().ParseHCLFile(f)
			content, more := file.Body.Content(listSchema)
			if diags = append(diags, more...); diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if len(content.Blocks) == 0 {
				t.Fatalf("%s has no list block", f)
			}
			for _, b := range content.Blocks {
				if want := filepath.Base(filepath.Dir(f)); b.Labels[0] != want {
					t.Fatalf("%s lists %s, not %s", f, b.Labels[0], want)
				}
				schema := schemas.ListResourceSchemas[b.Labels[0]]
				if schema == nil {
					t.Fatalf("the provider has no list resource %s", b.Labels[0])
				}
				inner, diags := b.Body.Content(blockSchema)
				if diags.HasErrors() || len(inner.Blocks) != 1 {
					t.Fatalf("list %q: %s (config blocks: %d)", b.Labels[1], diags.Error(), len(inner.Blocks))
				}
				attrs, diags := inner.Blocks[0].Body.JustAttributes()
				if diags.HasErrors() {
					t.Fatal(diags.Error())
				}
				typ, ok := schema.ValueType().(tftypes.Object)
				if !ok {
					t.Fatalf("the list resource's config is a %s", schema.ValueType())
				}
				vals := map[string]tftypes.Value{}
				for name, at := range typ.AttributeTypes {
					vals[name] = tftypes.NewValue(at, nil)
				}
				for name, a := range attrs {
					if _, ok := typ.AttributeTypes[name]; !ok {
						t.Fatalf("list %q: config has %s, which the list resource does not", b.Labels[1], name)
					}
					v, diags := a.Expr.Value(nil)
					if diags.HasErrors() || !v.Type().Equals(cty.String) {
						t.Fatalf("list %q: %s is not a literal string: %s", b.Labels[1], name, diags.Error())
					}
					vals[name] = tftypes.NewValue(tftypes.String, v.AsString())
				}
				dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
				if err != nil {
					t.Fatal(err)
				}
				resp, err := srv.ValidateListResourceConfig(context.Background(), &tfprotov6.ValidateListResourceConfigRequest{TypeName: b.Labels[0], Config: &dv})
				if err != nil || len(resp.Diagnostics) > 0 {
					t.Fatalf("list %q does not validate: %v\n%s", b.Labels[1], err, diagText(resp.Diagnostics))
				}
			}
		})
	}
}
