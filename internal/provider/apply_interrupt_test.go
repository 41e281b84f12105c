package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

type noPrivate struct{}

func (noPrivate) SetKey(context.Context, string, []byte) diag.Diagnostics { return nil }

// settleAfter runs settle on a connection ISPM is still connecting, with
// the operation's context ended by end, and returns the saved state and the
// diagnostics.
func settleAfter(t *testing.T, end func(context.Context) (context.Context, context.CancelFunc)) (sourceConnectionModel, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	src := &ispm.Source{ID: "src_1", OktaOrgID: acmeOrgID, App: "slack", Status: ispm.SourceConnecting,
		Instances: []ispm.SourceInstance{{ID: acmeSlack, Label: "Slack"}}}
	r := &sourceConnectionResource{data: &providerData{ispm: stillConnecting{src: src}}, pollPause: time.Millisecond}
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	state := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	plan := sourceConnectionModel{
		OktaOrg: types.StringValue("acme.okta.com"), AppName: types.StringValue("slack"), InstanceIDs: instanceIDSetOf([]string{acmeSlack}),
		Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})},
	}
	opCtx, cancel := end(ctx)
	defer cancel()
	var diags diag.Diagnostics
	a := &applyRun{r: r, ctx: ctx, opCtx: opCtx, op: "create", timeout: time.Minute, plan: &plan, state: &state, private: noPrivate{}, diags: &diags}
	a.settle(src, nil)
	var saved sourceConnectionModel
	diags.Append(state.Get(ctx, &saved)...)
	return saved, diags
}

// Ctrl-C while ISPM is still connecting keeps the connection in state with
// a warning and no error: an error would taint it, and the next apply
// would delete it and make another (item 2 of issue 14).
func TestSettleInterruptedKeepsTheConnectionUntainted(t *testing.T) {
	t.Parallel()
	saved, diags := settleAfter(t, func(ctx context.Context) (context.Context, context.CancelFunc) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		return c, cancel
	})
	if diags.HasError() {
		t.Fatalf("an interrupted wait is an error (Terraform taints the connection): %v", diags)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Summary(), "status not known") ||
		!strings.Contains(diags[0].Detail(), "src_1 was still CONNECTING") || !strings.Contains(diags[0].Detail(), "not tainted") ||
		!strings.Contains(diags[0].Detail(), "next plan or refresh reads") {
		t.Fatalf("want one warning saying the status is unknown and the next plan reads it: %v", diags)
	}
	if saved.ID.ValueString() != "src_1" || saved.Status.ValueString() != "CONNECTING" {
		t.Fatalf("saved %s in %s", saved.ID, saved.Status)
	}

	// A timeout still taints: ISPM may be stuck, and the error says so.
	saved, diags = settleAfter(t, func(ctx context.Context) (context.Context, context.CancelFunc) {
		return context.WithDeadline(ctx, time.Unix(0, 0))
	})
	if !diags.HasError() || saved.ID.ValueString() != "src_1" {
		t.Fatalf("a timed-out wait: %v, saved %s", diags, saved.ID)
	}
}
