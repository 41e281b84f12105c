package provider

import (
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// oktaAppIDPattern is the shape of an Okta app instance id: "0oa" and 17
// letters or digits.
var oktaAppIDPattern = regexp.MustCompile(`^0oa[0-9A-Za-z]{17}$`)

// instanceIDValidator rejects strings that cannot be Okta app instance ids.
func instanceIDValidator() validator.String {
	return stringvalidator.RegexMatches(oktaAppIDPattern,
		"must be an Okta app instance id: \"0oa\" followed by 17 letters or digits, as in the app's Admin Console URL "+
			"(/admin/app/<name>/instance/<id>/) or the okta_app_* resources' id attribute")
}

// evidenceDescription says in words what each kind of evidence means, for
// schema descriptions and diagnostics.
func evidenceDescription(e eligibility.Evidence) string {
	switch e {
	case eligibility.EvidenceOktaAPI:
		return "verified through Okta's API"
	case eligibility.EvidenceISPMAPI:
		return "reported by ISPM, which checks it internally"
	case eligibility.EvidenceInferred:
		return "inferred from indirect evidence, not verified directly"
	}
	return string(e)
}

// checkIDList is the prerequisites' ids as the schema lists them.
func checkIDList() string {
	ids := make([]string, len(eligibility.CheckIDs))
	for i, id := range eligibility.CheckIDs {
		ids[i] = string(id)
	}
	return "`" + strings.Join(ids, "`, `") + "`"
}

var checkDescription = "A prerequisite check. `id` is one of " + checkIDList() + ". `result` is `pass`, `fail` or `unverified` " +
	"(the facts could not settle it). `evidence` says how sure the result is: `okta_api` (verified through Okta's API), " +
	"`ispm_api` (reported by ISPM) or `inferred` (drawn from indirect evidence). `remediation` lists the steps that make a " +
	"failing check pass, `admin_console_url` the Okta Admin Console page where they are taken, and `cause` the prerequisite " +
	"a result follows from when it was not judged on its own evidence."

var checkAttrTypes = map[string]attr.Type{
	"id":                types.StringType,
	"title":             types.StringType,
	"result":            types.StringType,
	"evidence":          types.StringType,
	"message":           types.StringType,
	"remediation":       types.ListType{ElemType: types.StringType},
	"admin_console_url": types.StringType,
	"cause":             types.StringType,
}

var checkObjectType = types.ObjectType{AttrTypes: checkAttrTypes}

func checkSchema() schema.ListNestedAttribute {
	return schema.ListNestedAttribute{
		Computed:            true,
		MarkdownDescription: checkDescription,
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"id":                schema.StringAttribute{Computed: true, MarkdownDescription: "The prerequisite, `" + string(eligibility.CheckIDs[0]) + "` to `" + string(eligibility.CheckIDs[len(eligibility.CheckIDs)-1]) + "`."},
			"title":             schema.StringAttribute{Computed: true, MarkdownDescription: "The prerequisite in words."},
			"result":            schema.StringAttribute{Computed: true, MarkdownDescription: "`pass`, `fail` or `unverified`."},
			"evidence":          schema.StringAttribute{Computed: true, MarkdownDescription: "`okta_api`, `ispm_api` or `inferred`."},
			"message":           schema.StringAttribute{Computed: true, MarkdownDescription: "What was found."},
			"remediation":       schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Steps that make the check pass."},
			"admin_console_url": schema.StringAttribute{Computed: true, MarkdownDescription: "The Okta Admin Console page for the fix, or null."},
			"cause":             schema.StringAttribute{Computed: true, MarkdownDescription: "The prerequisite this result follows from, or null."},
		}},
	}
}

func checkValue(c eligibility.Check) types.Object {
	rem := make([]attr.Value, 0, len(c.Remediation))
	for _, s := range c.Remediation {
		rem = append(rem, types.StringValue(s))
	}
	return types.ObjectValueMust(checkAttrTypes, map[string]attr.Value{
		"id":                types.StringValue(string(c.ID)),
		"title":             types.StringValue(c.Title),
		"result":            types.StringValue(string(c.Result)),
		"evidence":          types.StringValue(string(c.Evidence)),
		"message":           types.StringValue(c.Message),
		"remediation":       types.ListValueMust(types.StringType, rem),
		"admin_console_url": optString(c.AdminConsoleURL),
		"cause":             optString(string(c.Cause)),
	})
}

func checksValue(cs []eligibility.Check) types.List {
	vals := make([]attr.Value, 0, len(cs))
	for _, c := range cs {
		vals = append(vals, checkValue(c))
	}
	return types.ListValueMust(checkObjectType, vals)
}

// optString is null for "", the string otherwise.
func optString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func stringList(ss []string) types.List {
	vals := make([]attr.Value, 0, len(ss))
	for _, s := range ss {
		vals = append(vals, types.StringValue(s))
	}
	return types.ListValueMust(types.StringType, vals)
}
