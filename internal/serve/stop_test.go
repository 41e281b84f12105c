package serve

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// recording is a protocol server that records whether each call's context
// was already done when the call started.
type recording struct {
	guardedServer
	done map[string]bool
}

func (r *recording) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return &tfprotov6.StopProviderResponse{}, nil
}

func (r *recording) ApplyResourceChange(ctx context.Context, _ *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	r.done["apply"] = ctx.Err() != nil
	return &tfprotov6.ApplyResourceChangeResponse{}, nil
}

func (r *recording) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	r.done["read"] = ctx.Err() != nil
	return &tfprotov6.ReadResourceResponse{}, nil
}

func (r *recording) ListResource(ctx context.Context, _ *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	r.done["list"] = ctx.Err() != nil
	return &tfprotov6.ListResourceServerStream{}, nil
}

// A call Terraform dispatches after it stopped the provider starts with a
// cancelled context; calls before the stop do not.
func TestCallsAfterAStopStartCancelled(t *testing.T) {
	rec := &recording{done: map[string]bool{}}
	g := newStopGuard(rec)
	ctx := context.Background()
	if _, err := g.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{}); err != nil || rec.done["apply"] {
		t.Fatalf("before the stop: err %v, context done %v; want a live context", err, rec.done["apply"])
	}
	if _, err := g.StopProvider(ctx, &tfprotov6.StopProviderRequest{}); err != nil {
		t.Fatal(err)
	}
	// A second stop must not panic (the channel is closed once).
	if _, err := g.StopProvider(ctx, &tfprotov6.StopProviderRequest{}); err != nil {
		t.Fatal(err)
	}
	_, _ = g.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{})
	_, _ = g.ReadResource(ctx, &tfprotov6.ReadResourceRequest{})
	_, _ = g.ListResource(ctx, &tfprotov6.ListResourceRequest{})
	if !rec.done["apply"] || !rec.done["read"] || !rec.done["list"] {
		t.Fatalf("after the stop, contexts done: %v; want every call cancelled", rec.done)
	}
}

type emptyProvider struct{}

func (emptyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, r *provider.MetadataResponse) {
	r.TypeName = "empty"
}
func (emptyProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (emptyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (emptyProvider) Resources(context.Context) []func() resource.Resource       { return nil }
func (emptyProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

// The framework's protocol server has everything the guard forwards, so
// Main always serves through the guard (list resources included).
func TestFrameworkServerIsGuarded(t *testing.T) {
	srv := guarded(func() provider.Provider { return emptyProvider{} })
	if _, ok := srv.(*stopGuard); !ok {
		t.Fatalf("the framework's server %T is served without the stop guard", srv)
	}
	if _, ok := srv.(tfprotov6.ProviderServerWithListResource); !ok {
		t.Fatal("the guarded server lost list resources")
	}
}
