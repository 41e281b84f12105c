// Command docschema prints the provider's schemas in the form of
// `terraform providers schema -json`, for tfplugindocs --providers-schema
// (scripts/docs.sh).
//
// tfplugindocs would otherwise ask the local Terraform CLI, and the CLIs
// the project can build (Terraform 1.5 and 1.11, OpenTofu 1.12) do not
// report resource identities (Terraform 1.12+) or list resources
// (Terraform 1.14+), so the docs would lack them. This asks the provider
// itself, over the same protocol messages Terraform reads them from.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"

	"github.com/ispm-community/terraform-provider-ispm/internal/provider"
)

// address is where tfplugindocs looks for the provider's schema.
const address = "registry.terraform.io/hashicorp/ispm"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "docschema:", err)
		os.Exit(1)
	}
}

func run() error {
	srv, err := providerserver.NewProtocol6WithError(provider.New("docs")())()
	if err != nil {
		return err
	}
	ctx := context.Background()
	s, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return err
	}
	if err := diagsErr("GetProviderSchema", s.Diagnostics); err != nil {
		return err
	}
	ids, err := srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return err
	}
	if err := diagsErr("GetResourceIdentitySchemas", ids.Diagnostics); err != nil {
		return err
	}
	if len(s.Functions)+len(s.EphemeralResourceSchemas)+len(s.ActionSchemas)+len(s.StateStoreSchemas) > 0 {
		return fmt.Errorf("the provider has functions, ephemeral resources, actions or state stores, which this command does not convert yet")
	}
	ps := &tfjson.ProviderSchema{
		ConfigSchema:            schema(s.Provider),
		ResourceSchemas:         schemas(s.ResourceSchemas),
		DataSourceSchemas:       schemas(s.DataSourceSchemas),
		ListResourceSchemas:     schemas(s.ListResourceSchemas),
		ResourceIdentitySchemas: map[string]*tfjson.IdentitySchema{},
	}
	for name, is := range ids.IdentitySchemas {
		out := &tfjson.IdentitySchema{Version: uint64(is.Version), Attributes: map[string]*tfjson.IdentityAttribute{}}
		for _, a := range is.IdentityAttributes {
			out.Attributes[a.Name] = &tfjson.IdentityAttribute{IdentityType: ctyType(a.Type), Description: a.Description,
				RequiredForImport: a.RequiredForImport, OptionalForImport: a.OptionalForImport}
		}
		ps.ResourceIdentitySchemas[name] = out
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(tfjson.ProviderSchemas{FormatVersion: "1.0", Schemas: map[string]*tfjson.ProviderSchema{address: ps}})
}

func diagsErr(call string, ds []*tfprotov6.Diagnostic) error {
	for _, d := range ds {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return fmt.Errorf("%s: %s: %s", call, d.Summary, d.Detail)
		}
	}
	return nil
}

func schemas(in map[string]*tfprotov6.Schema) map[string]*tfjson.Schema {
	out := make(map[string]*tfjson.Schema, len(in))
	for name, s := range in {
		out[name] = schema(s)
	}
	return out
}

func schema(s *tfprotov6.Schema) *tfjson.Schema {
	return &tfjson.Schema{Version: uint64(s.Version), Block: block(s.Block)}
}

func block(b *tfprotov6.SchemaBlock) *tfjson.SchemaBlock {
	out := &tfjson.SchemaBlock{Description: b.Description, DescriptionKind: kind(b.DescriptionKind), Deprecated: b.Deprecated}
	if len(b.Attributes) > 0 {
		out.Attributes = attributes(b.Attributes)
	}
	for _, nb := range b.BlockTypes {
		if out.NestedBlocks == nil {
			out.NestedBlocks = map[string]*tfjson.SchemaBlockType{}
		}
		out.NestedBlocks[nb.TypeName] = &tfjson.SchemaBlockType{NestingMode: blockNesting[nb.Nesting], Block: block(nb.Block),
			MinItems: uint64(nb.MinItems), MaxItems: uint64(nb.MaxItems)}
	}
	return out
}

func attributes(in []*tfprotov6.SchemaAttribute) map[string]*tfjson.SchemaAttribute {
	out := make(map[string]*tfjson.SchemaAttribute, len(in))
	for _, a := range in {
		sa := &tfjson.SchemaAttribute{Description: a.Description, DescriptionKind: kind(a.DescriptionKind), Deprecated: a.Deprecated,
			Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, WriteOnly: a.WriteOnly}
		if a.NestedType != nil {
			sa.AttributeNestedType = &tfjson.SchemaNestedAttributeType{Attributes: attributes(a.NestedType.Attributes),
				NestingMode: objectNesting[a.NestedType.Nesting]}
		} else {
			sa.AttributeType = ctyType(a.Type)
		}
		out[a.Name] = sa
	}
	return out
}

// ctyType converts a protocol type; both speak the same JSON.
func ctyType(t tftypes.Type) cty.Type {
	raw, err := json.Marshal(t)
	if err != nil {
		panic(fmt.Sprintf("type %s: %v", t, err))
	}
	var ct cty.Type
	if err := ct.UnmarshalJSON(raw); err != nil {
		panic(fmt.Sprintf("type %s: %v", raw, err))
	}
	return ct
}

func kind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

var blockNesting = map[tfprotov6.SchemaNestedBlockNestingMode]tfjson.SchemaNestingMode{
	tfprotov6.SchemaNestedBlockNestingModeSingle: tfjson.SchemaNestingModeSingle,
	tfprotov6.SchemaNestedBlockNestingModeGroup:  tfjson.SchemaNestingModeGroup,
	tfprotov6.SchemaNestedBlockNestingModeList:   tfjson.SchemaNestingModeList,
	tfprotov6.SchemaNestedBlockNestingModeSet:    tfjson.SchemaNestingModeSet,
	tfprotov6.SchemaNestedBlockNestingModeMap:    tfjson.SchemaNestingModeMap,
}

var objectNesting = map[tfprotov6.SchemaObjectNestingMode]tfjson.SchemaNestingMode{
	tfprotov6.SchemaObjectNestingModeSingle: tfjson.SchemaNestingModeSingle,
	tfprotov6.SchemaObjectNestingModeList:   tfjson.SchemaNestingModeList,
	tfprotov6.SchemaObjectNestingModeSet:    tfjson.SchemaNestingModeSet,
	tfprotov6.SchemaObjectNestingModeMap:    tfjson.SchemaNestingModeMap,
}
