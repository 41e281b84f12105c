package provider

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// Values shared by the ispm_source_connection resource and the
// ispm_source_connection(s) data sources.

var sourceInstanceAttrTypes = map[string]attr.Type{
	"id":    types.StringType,
	"label": types.StringType,
}

var sourceInstanceObjectType = types.ObjectType{AttrTypes: sourceInstanceAttrTypes}

var sourceHealthAttrTypes = map[string]attr.Type{
	"status":       types.StringType,
	"reason":       types.StringType,
	"message":      types.StringType,
	"last_checked": types.StringType,
}

var sourceHealthObjectType = types.ObjectType{AttrTypes: sourceHealthAttrTypes}

// Descriptions used by the resource and both data sources.
const (
	sourceIDDescription          = "The connection's id in ISPM (a source id such as `src_…`)."
	sourceDisplayNameDescription = "The connection's name in the ISPM console; defaults to the gallery app's name."
	sourcePoweredByDescription   = "Where the app comes from: `OIN` (Okta Integration Network) or `CUSTOM` (a custom SCIM app built in Okta)."
	sourceStatusDescription      = "The connection's lifecycle state in ISPM: `CONNECTING` while ISPM sets it up, then `CONNECTED`."
	sourceConnectedAtDescription = "When ISPM finished connecting the source (RFC 3339), or null while it is connecting."
	sourceInstancesDescription   = "The connected app instances as ISPM lists them, sorted by id, with their Okta labels."
	sourceHealthDescription      = "The result of ISPM's last connection test (ISPM tests every source daily), or null before the first test. " +
		"`status` is `CONNECTED` or `FAILED`; a failure has a `reason`: `FAILED_AUTHENTICATION` (ISPM cannot authenticate to the Okta org), " +
		"`MISSING_PERMISSIONS` (Lifecycle Management or an instance's provisioning was turned off) or `MISSING_CONFIGURATION` " +
		"(an instance was removed or deactivated, or lost an import setting); `message` says what ISPM found and `last_checked` when (RFC 3339)."
	sourceHealthStatusDescription  = "`CONNECTED` or `FAILED`."
	sourceHealthReasonDescription  = "Why the test failed: `FAILED_AUTHENTICATION`, `MISSING_PERMISSIONS` or `MISSING_CONFIGURATION`; null when it passed."
	sourceHealthMessageDescription = "What ISPM's test found, or null."
	sourceHealthCheckedDescription = "When ISPM last tested the connection (RFC 3339)."
	sourceInstanceIDDescription    = "The Okta app instance id (`0oa…`)."
	sourceInstanceLabelDescription = "The instance's label in Okta, as ISPM last read it."
)

// appKeyPattern is the shape of a gallery key (an Okta app name).
var appKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// sourceIDPattern is the shape of an ISPM source id.
var sourceIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// sortedInstances returns src's instances sorted by id, so that state does
// not change when ISPM lists them in another order.
func sortedInstances(src *ispm.Source) []ispm.SourceInstance {
	out := slices.Clone(src.Instances)
	slices.SortFunc(out, func(a, b ispm.SourceInstance) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

func sourceInstancesValue(src *ispm.Source) types.List {
	ins := sortedInstances(src)
	vals := make([]attr.Value, 0, len(ins))
	for _, in := range ins {
		vals = append(vals, types.ObjectValueMust(sourceInstanceAttrTypes, map[string]attr.Value{
			"id":    types.StringValue(in.ID),
			"label": types.StringValue(in.Label),
		}))
	}
	return types.ListValueMust(sourceInstanceObjectType, vals)
}

// sourceInstanceIDs returns src's instance ids, sorted.
func sourceInstanceIDs(src *ispm.Source) []string {
	ids := src.InstanceIDs()
	slices.Sort(ids)
	return ids
}

func sourceHealthValue(h *ispm.Health) types.Object {
	if h == nil {
		return types.ObjectNull(sourceHealthAttrTypes)
	}
	return types.ObjectValueMust(sourceHealthAttrTypes, map[string]attr.Value{
		"status":       types.StringValue(string(h.Status)),
		"reason":       optString(string(h.Reason)),
		"message":      optString(h.Message),
		"last_checked": timeString(h.LastCheckedAt),
	})
}

// timeString is t in RFC 3339 (UTC), or null for the zero time.
func timeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

func stringSet(ss []string) types.Set {
	vals := make([]attr.Value, 0, len(ss))
	for _, s := range ss {
		vals = append(vals, types.StringValue(s))
	}
	return types.SetValueMust(types.StringType, vals)
}

// orgDomains maps ISPM org ids to their Okta domains.
func orgDomains(orgs []ispm.Org) map[string]string {
	m := make(map[string]string, len(orgs))
	for _, o := range orgs {
		m[o.ID] = strings.ToLower(o.Domain)
	}
	return m
}

// healthFailure is the warning for a source whose last health test failed:
// what ISPM found and what to do about it.
func healthFailure(src *ispm.Source) (summary, detail string, failed bool) {
	h := src.Health
	if h == nil || h.Status != ispm.HealthFailed {
		return "", "", false
	}
	reason := string(h.Reason)
	if reason == "" {
		reason = "no reason given"
	}
	summary = fmt.Sprintf("ISPM connection %s (%s) is FAILED: %s", src.ID, src.App, reason)
	var b strings.Builder
	if h.Message != "" {
		b.WriteString(ensureSentence(h.Message))
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "ISPM's connection test found this at %s; ISPM does not ingest the app's data while the connection is FAILED.\n\n",
		h.LastCheckedAt.UTC().Format(time.RFC3339))
	switch h.Reason {
	case ispm.ReasonFailedAuthentication:
		b.WriteString("What to do: ISPM can no longer authenticate to the Okta org. In the ISPM console open Settings, Okta orgs, and reconnect the org.")
	case ispm.ReasonMissingPermissions:
		b.WriteString("What to do: ISPM lost access to the app's data: the org's Lifecycle Management subscription, or provisioning (API integration) " +
			"of an instance, was turned off. Turn provisioning back on in the Okta Admin Console (Applications › the app › Provisioning); " +
			"terraform plan names each instance's failing prerequisite.")
	case ispm.ReasonMissingConfiguration:
		b.WriteString("What to do: an instance was removed or deactivated in Okta, or lost \"Import New Users and Profile Updates\" or " +
			"\"Import Groups\". Fix the instance in the Okta Admin Console, or remove it from instance_ids; terraform plan names each " +
			"instance's failing prerequisite.")
	default:
		b.WriteString("What to do: open the connection in the ISPM console (Connected Sources) for details.")
	}
	b.WriteString(" The status clears at ISPM's next daily test after the fix.")
	return summary, b.String(), true
}

// ensureSentence ends s with a period unless it already ends a sentence.
func ensureSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

// instanceIDSetType is the type of the resource's instance_ids: a set of
// strings, as Terraform sees it, whose checks cost time linear in its size.
// The framework's own set type checks for duplicates by comparing every
// element with every other each time it reads the attribute (several times
// a plan), and compares sets the same way: a plan of 10,000 ids spent
// minutes there. Strings compare by value, so a map does the same check.
type instanceIDSetType struct{ basetypes.SetType }

var (
	_ basetypes.SetTypable  = instanceIDSetType{}
	_ basetypes.SetValuable = instanceIDSet{}
	//nolint:staticcheck // the framework still calls the deprecated interface, and it is the check to replace
	_ xattr.TypeWithValidate = instanceIDSetType{}
)

func newInstanceIDSetType() instanceIDSetType {
	return instanceIDSetType{SetType: basetypes.SetType{ElemType: types.StringType}}
}

func (t instanceIDSetType) Equal(o attr.Type) bool {
	other, ok := o.(instanceIDSetType)
	return ok && t.SetType.Equal(other.SetType)
}

func (t instanceIDSetType) String() string { return "instanceIDSetType" }

func (t instanceIDSetType) ValueFromSet(_ context.Context, s basetypes.SetValue) (basetypes.SetValuable, diag.Diagnostics) {
	return instanceIDSet{SetValue: s}, nil
}

func (t instanceIDSetType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.SetType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.SetValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T for instance_ids", v)
	}
	return instanceIDSet{SetValue: s}, nil
}

func (t instanceIDSetType) ValueType(context.Context) attr.Value {
	return instanceIDSet{SetValue: basetypes.NewSetNull(types.StringType)}
}

// Validate reports duplicate elements, as the framework's set type does,
// with one pass and a map.
func (t instanceIDSetType) Validate(_ context.Context, in tftypes.Value, p path.Path) diag.Diagnostics {
	var diags diag.Diagnostics
	if in.Type() == nil || !in.IsKnown() || in.IsNull() {
		return diags
	}
	var elems []tftypes.Value
	if err := in.As(&elems); err != nil {
		diags.AddAttributeError(p, "Set Type Validation Error", "instance_ids is not a set of strings: "+err.Error()+
			" This is always an error in the provider; please report it.")
		return diags
	}
	seen := make(map[string]bool, len(elems))
	for _, e := range elems {
		var s string
		if !e.IsFullyKnown() || e.IsNull() || e.As(&s) != nil {
			continue
		}
		if seen[s] {
			diags.AddAttributeError(p, "Duplicate Set Element", fmt.Sprintf("This attribute contains duplicate values of: %q", s))
		}
		seen[s] = true
	}
	return diags
}

// instanceIDSet is a value of instanceIDSetType.
type instanceIDSet struct{ basetypes.SetValue }

func (v instanceIDSet) Type(context.Context) attr.Type { return newInstanceIDSetType() }

// Equal compares two sets of strings in one pass; sets holding anything
// but known strings compare as the framework does.
func (v instanceIDSet) Equal(o attr.Value) bool {
	other, ok := o.(instanceIDSet)
	if !ok {
		return false
	}
	a, aok := knownStrings(v.SetValue)
	b, bok := knownStrings(other.SetValue)
	if !aok || !bok {
		return v.SetValue.Equal(other.SetValue)
	}
	if len(a) != len(b) {
		return false
	}
	in := make(map[string]bool, len(a))
	for _, s := range a {
		in[s] = true
	}
	for _, s := range b {
		if !in[s] {
			return false
		}
	}
	return true
}

// knownStrings returns the elements of a known set whose elements are all
// known strings, and false otherwise.
func knownStrings(s basetypes.SetValue) ([]string, bool) {
	if s.IsNull() || s.IsUnknown() {
		return nil, false
	}
	elems := s.Elements()
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		str, ok := e.(types.String)
		if !ok || str.IsNull() || str.IsUnknown() {
			return nil, false
		}
		out = append(out, str.ValueString())
	}
	return out, true
}

// instanceIDSetOf is instance_ids holding ids.
func instanceIDSetOf(ids []string) instanceIDSet { return instanceIDSet{SetValue: stringSet(ids)} }
