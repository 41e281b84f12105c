// Command floorprovider is a do-nothing Terraform provider whose one
// resource, floor_source_connection, has ispm_source_connection's schema:
// the real one, taken from the provider itself, not a copy. It runs
// through the provider's own process setup (internal/serve: quiet SDK
// logs, memory limit, serve options). The benchmark plans it beside the
// real provider: what it costs is Terraform's plugin protocol and
// terraform-plugin-framework with this schema, which the provider pays
// before doing any work of its own, so it separates that floor from the
// provider's own time and memory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	ispmprovider "github.com/ispm-community/terraform-provider-ispm/internal/provider"
	"github.com/ispm-community/terraform-provider-ispm/internal/serve"
)

// mimicked is the provider's resource whose schema the floor serves.
const mimicked = "ispm_source_connection"

func main() {
	newReal, err := realResource(context.Background())
	if err == nil {
		err = serve.Main("registry.terraform.io/ispm-community/floor", func() provider.Provider { return floorProvider{real: newReal} }, os.Args[1:], os.Stderr)
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		log.Fatal(err.Error())
	}
}

// realResource finds the mimicked resource among the real provider's.
func realResource(ctx context.Context) (func() resource.Resource, error) {
	p := ispmprovider.New("floor")()
	var meta provider.MetadataResponse
	p.Metadata(ctx, provider.MetadataRequest{}, &meta)
	for _, newResource := range p.Resources(ctx) {
		var m resource.MetadataResponse
		newResource().Metadata(ctx, resource.MetadataRequest{ProviderTypeName: meta.TypeName}, &m)
		if m.TypeName == mimicked {
			return newResource, nil
		}
	}
	return nil, fmt.Errorf("the provider has no resource %s any more; point the floor provider at the resource the benchmark plans", mimicked)
}

type floorProvider struct{ real func() resource.Resource }

func (floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "floor"
}

func (floorProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return connection{real: p.real()} }}
}

func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// connection has the real resource's schema (attributes, validators, plan
// modifiers, timeouts block) and none of its work: no ModifyPlan, no I/O.
type connection struct{ real resource.Resource }

func (connection) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_source_connection"
}

func (c connection) Schema(ctx context.Context, req resource.SchemaRequest, resp *resource.SchemaResponse) {
	c.real.Schema(ctx, req, resp)
}

func (connection) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	raw, err := known(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("floor: cannot fill the computed values", err.Error())
		return
	}
	resp.State.Raw = raw
}

func (connection) Read(_ context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	resp.State.Raw = req.State.Raw
}

func (connection) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	raw, err := known(req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("floor: cannot fill the computed values", err.Error())
		return
	}
	resp.State.Raw = raw
}

func (connection) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
