package main

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestFloorServesTheRealSchema: the floor's resource has exactly the
// provider's ispm_source_connection schema, and Create turns a plan of it
// into a wholly known state with one instance per configured id.
func TestFloorServesTheRealSchema(t *testing.T) {
	ctx := context.Background()
	newReal, err := realResource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var mimic, floor resource.SchemaResponse
	newReal().Schema(ctx, resource.SchemaRequest{}, &mimic)
	connection{real: newReal()}.Schema(ctx, resource.SchemaRequest{}, &floor)
	if !floor.Schema.Type().Equal(mimic.Schema.Type()) || len(floor.Schema.Attributes) < 10 || floor.Schema.Blocks["timeouts"] == nil {
		t.Fatalf("the floor's schema is not the provider's:\n%v\n%v", floor.Schema.Type(), mimic.Schema.Type())
	}

	typ, isObject := floor.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !isObject {
		t.Fatalf("the schema's type is %T, not an object", floor.Schema.Type().TerraformType(ctx))
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, tftypes.UnknownValue)
	}
	vals["okta_org"] = tftypes.NewValue(tftypes.String, "bigcorp.okta.com")
	vals["app_name"] = tftypes.NewValue(tftypes.String, "slack")
	vals["prerequisite_checks"] = tftypes.NewValue(tftypes.String, nil)
	vals["timeouts"] = tftypes.NewValue(typ.AttributeTypes["timeouts"], nil)
	vals["instance_ids"] = tftypes.NewValue(typ.AttributeTypes["instance_ids"], []tftypes.Value{
		tftypes.NewValue(tftypes.String, "0oa1"), tftypes.NewValue(tftypes.String, "0oa2"), tftypes.NewValue(tftypes.String, "0oa3"),
	})
	got, err := known(tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	if !got.IsFullyKnown() {
		t.Fatalf("unknown values left: %v", got)
	}
	var attrs map[string]tftypes.Value
	var instances []tftypes.Value
	if err := got.As(&attrs); err != nil {
		t.Fatal(err)
	}
	if err := attrs["instances"].As(&instances); err != nil || len(instances) != 3 {
		t.Fatalf("instances = %v (%v), want 3 elements", attrs["instances"], err)
	}
	var app string
	if err := attrs["app_name"].As(&app); err != nil || app != "slack" {
		t.Fatalf("a configured value was changed: app_name = %q", app)
	}
}
