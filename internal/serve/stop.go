package serve

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// Terraform calls StopProvider when it is interrupted (Ctrl-C), and
// terraform-plugin-go then cancels the contexts of the calls already
// running. A call that arrives a moment later (an apply Terraform had just
// dispatched when the interrupt came) gets a live context, so a create
// stuck behind a slow ISPM would run on, retrying, until its timeout, and
// Terraform waits for it. stopGuard gives every call that starts after a
// stop an already-cancelled context: the provider process serves one
// Terraform command, and once that command is stopping, nothing new
// should start.

// guardedServer is what the framework's protocol server offers and the
// provider uses: the protocol, and list resources.
type guardedServer interface {
	tfprotov6.ProviderServer
	// Deprecated upstream only because its methods will move into
	// ProviderServer; until they do, it is how list resources are served.
	tfprotov6.ProviderServerWithListResource //nolint:staticcheck // see above
}

type stopGuard struct {
	guardedServer
	once    sync.Once
	stopped chan struct{}
}

func newStopGuard(s guardedServer) *stopGuard {
	return &stopGuard{guardedServer: s, stopped: make(chan struct{})}
}

// bound returns ctx, cancelled already when the provider was stopped.
func (g *stopGuard) bound(ctx context.Context) context.Context {
	select {
	case <-g.stopped:
		c, cancel := context.WithCancel(ctx)
		cancel()
		return c
	default:
		return ctx
	}
}

func (g *stopGuard) StopProvider(ctx context.Context, req *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	g.once.Do(func() { close(g.stopped) })
	return g.guardedServer.StopProvider(ctx, req)
}

func (g *stopGuard) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return g.guardedServer.ApplyResourceChange(g.bound(ctx), req)
}

func (g *stopGuard) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return g.guardedServer.PlanResourceChange(g.bound(ctx), req)
}

func (g *stopGuard) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return g.guardedServer.ReadResource(g.bound(ctx), req)
}

func (g *stopGuard) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return g.guardedServer.ReadDataSource(g.bound(ctx), req)
}

func (g *stopGuard) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return g.guardedServer.ImportResourceState(g.bound(ctx), req)
}

func (g *stopGuard) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return g.guardedServer.ListResource(g.bound(ctx), req)
}
