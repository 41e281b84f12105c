package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

var (
	_ datasource.DataSourceWithConfigure = &sourcesGalleryDataSource{}
)

// NewSourcesGalleryDataSource returns the ispm_sources_gallery data source.
func NewSourcesGalleryDataSource() datasource.DataSource { return &sourcesGalleryDataSource{} }

type sourcesGalleryDataSource struct {
	data *providerData
}

type sourcesGalleryModel struct {
	OktaOrg          types.String `tfsdk:"okta_org"`
	PoweredBy        types.String `tfsdk:"powered_by"`
	ConnectionStatus types.String `tfsdk:"connection_status"`
	Category         types.String `tfsdk:"category"`
	NameRegex        types.String `tfsdk:"name_regex"`
	Refresh          types.Bool   `tfsdk:"refresh"`
	OktaOrgID        types.String `tfsdk:"okta_org_id"`
	Keys             types.List   `tfsdk:"keys"`
	Apps             types.Map    `tfsdk:"apps"`
}

var galleryAppAttrTypes = map[string]attr.Type{
	"key":                     types.StringType,
	"display_name":            types.StringType,
	"powered_by":              types.StringType,
	"categories":              types.ListType{ElemType: types.StringType},
	"status":                  types.StringType,
	"instance_ids":            types.ListType{ElemType: types.StringType},
	"eligible_instance_ids":   types.ListType{ElemType: types.StringType},
	"source_id":               types.StringType,
	"refreshed_at":            types.StringType,
	"status_source":           types.StringType,
	"okta_ready_instance_ids": types.ListType{ElemType: types.StringType},
}

var galleryStatuses = []string{
	string(ispm.StatusNotIntegrated), string(ispm.StatusProvisioningDisabled),
	string(ispm.StatusAvailable), string(ispm.StatusConnected),
}

func (d *sourcesGalleryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_sources_gallery"
}

func (d *sourcesGalleryDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The ISPM Sources Gallery: the SCIM apps ISPM can ingest, filtered as in the console, and — given an " +
			"Okta org — each app's status there and its instances. `apps` is a map by catalog key, made to feed `for_each`. " +
			"Statuses are ISPM's, as of `refreshed_at`; set `refresh = true` to have ISPM re-read the org first (the console's " +
			"*Refresh Data*), or use `ispm_app_eligibility` for a live, per-prerequisite answer from Okta.",
		Attributes: map[string]schema.Attribute{
			"okta_org": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The Okta org whose statuses to show: its Okta domain (`acme.okta.com`) or its ISPM id. Without it, entries carry no status or instances.",
			},
			"powered_by": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only apps powered by `OIN` (Okta Integration Network) or `CUSTOM` (custom SCIM apps).",
				Validators:          []validator.String{stringvalidator.OneOf(string(ispm.PoweredByOIN), string(ispm.PoweredByCustom))},
			},
			"connection_status": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Keep only apps with this status in `okta_org`: `NOT_INTEGRATED` (no instance installed), " +
					"`PROVISIONING_DISABLED` (installed, no instance eligible), `AVAILABLE` (an instance is eligible) or `CONNECTED`. Needs `okta_org`.",
				Validators: []validator.String{
					stringvalidator.OneOf(galleryStatuses...),
					stringvalidator.AlsoRequires(path.MatchRoot("okta_org")),
				},
			},
			"category": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only apps in this category, case-insensitively (for example `Communication` or `HR`).",
			},
			"name_regex": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only apps whose key or display name matches this regular expression (RE2 syntax).",
			},
			"refresh": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Have ISPM re-read `okta_org` from Okta before answering (the console's *Refresh Data*). Defaults to `false`.",
				Validators:          []validator.Bool{boolvalidator.AlsoRequires(path.MatchRoot("okta_org"))},
			},
			"okta_org_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ISPM's id of `okta_org`, or null without it.",
			},
			"keys": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The catalog keys of the apps kept, sorted.",
			},
			"apps": schema.MapNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The apps kept, by catalog key.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"key":                   schema.StringAttribute{Computed: true, MarkdownDescription: "The catalog key: the Okta app's name (`slack`, `office365`, or a custom app's generated name). Use it as `app_name`."},
					"display_name":          schema.StringAttribute{Computed: true, MarkdownDescription: "The app's name in the gallery."},
					"powered_by":            schema.StringAttribute{Computed: true, MarkdownDescription: "`OIN` or `CUSTOM`."},
					"categories":            schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The gallery categories of the app."},
					"status":                schema.StringAttribute{Computed: true, MarkdownDescription: "The app's status in `okta_org` as ISPM last computed it, or null without `okta_org`."},
					"instance_ids":          schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The app's instances in `okta_org` as ISPM last listed them."},
					"eligible_instance_ids": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The instances ISPM found eligible (every prerequisite met)."},
					"source_id":             schema.StringAttribute{Computed: true, MarkdownDescription: "The id of the org's connection for the app, when `status` is `CONNECTED`."},
					"refreshed_at":          schema.StringAttribute{Computed: true, MarkdownDescription: "When ISPM last read the app from Okta (RFC 3339), or null."},
					"status_source": schema.StringAttribute{Computed: true, MarkdownDescription: "Where `status` came from: `ispm` (ISPM's cached gallery) or `okta` " +
						"(judged live from Okta because ISPM is not configured; `CONNECTED` cannot be known then), or null when there is no status."},
					"okta_ready_instance_ids": schema.ListAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Without ISPM: the instances ready as far as " +
						"Okta can show (see `ispm_app_eligibility`). Null when the status came from ISPM."},
				}},
			},
		},
	}
}

func (d *sourcesGalleryDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *sourcesGalleryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m sourcesGalleryModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var re *regexp.Regexp
	if v := m.NameRegex.ValueString(); v != "" {
		var err error
		if re, err = regexp.Compile(v); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("name_regex"), "Invalid name_regex",
				fmt.Sprintf("%q is not a valid regular expression (RE2 syntax): %s.", v, err))
			return
		}
	}

	var entries map[string]ispm.CatalogEntry
	var judged map[string][]string // Okta-ready ids by key, when judged from Okta
	m.OktaOrgID = types.StringNull()
	if d.data.ispmFacts == nil {
		var ok bool
		if entries, judged, ok = d.fromOkta(ctx, m, &resp.Diagnostics); !ok {
			return
		}
	} else if ref := m.OktaOrg.ValueString(); ref != "" {
		t, err := d.data.resolve(ctx, lookup{Org: ref, Need: orgConnected})
		if err != nil {
			addLookupError(&resp.Diagnostics, err)
			return
		}
		m.OktaOrgID = types.StringValue(t.ID())
		if m.Refresh.ValueBool() {
			if _, err := d.data.ispm.RefreshOrg(ctx, t.ID()); err != nil {
				resp.Diagnostics.AddError("Cannot refresh the ISPM gallery", fmt.Sprintf("Refreshing %s in ISPM failed: %s", t.Domain, err))
				return
			}
			d.data.ispmFacts.ForgetOrg(t.ID())
		}
		entries, err = d.data.ispmFacts.Gallery(ctx, t.ID())
		if err != nil {
			resp.Diagnostics.AddError("Cannot read the ISPM Sources Gallery", err.Error())
			return
		}
	} else {
		var err error
		if entries, err = d.data.ispmFacts.Catalog(ctx); err != nil {
			resp.Diagnostics.AddError("Cannot read the ISPM Sources Gallery", err.Error())
			return
		}
	}

	keys := make([]string, 0, len(entries))
	apps := map[string]attr.Value{}
	for key, e := range entries {
		if !galleryKeeps(e, m, re) {
			continue
		}
		keys = append(keys, key)
		ready, fromOkta := judged[key]
		apps[key] = galleryAppValue(e, fromOkta, ready)
	}
	slices.Sort(keys)
	m.Keys = stringList(keys)
	m.Apps = types.MapValueMust(types.ObjectType{AttrTypes: galleryAppAttrTypes}, apps)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// galleryKeeps applies the data source's filters to one entry.
func galleryKeeps(e ispm.CatalogEntry, m sourcesGalleryModel, re *regexp.Regexp) bool {
	if v := m.PoweredBy.ValueString(); v != "" && string(e.PoweredBy) != v {
		return false
	}
	if v := m.Category.ValueString(); v != "" && !slices.ContainsFunc(e.Categories, func(c string) bool { return strings.EqualFold(c, v) }) {
		return false
	}
	if v := m.ConnectionStatus.ValueString(); v != "" && (e.OrgStatus == nil || string(e.OrgStatus.Status) != v) {
		return false
	}
	if re != nil && !re.MatchString(e.Key) && !re.MatchString(e.DisplayName) {
		return false
	}
	return true
}

// galleryAppValue is one entry of apps; fromOkta says its status was judged
// from Okta, with ready the Okta-ready instances.
func galleryAppValue(e ispm.CatalogEntry, fromOkta bool, ready []string) types.Object {
	status, source, refreshed := types.StringNull(), types.StringNull(), types.StringNull()
	statusSource, readyIDs := types.StringNull(), types.ListNull(types.StringType)
	if fromOkta {
		readyIDs = stringList(ready)
	}
	ids, eligible := []string{}, []string{}
	if st := e.OrgStatus; st != nil {
		status = optString(string(st.Status))
		if st.Status != "" {
			statusSource = types.StringValue(map[bool]string{true: "okta", false: "ispm"}[fromOkta])
		}
		source = optString(st.SourceID)
		if !st.RefreshedAt.IsZero() {
			refreshed = types.StringValue(st.RefreshedAt.UTC().Format(time.RFC3339))
		}
		for _, in := range st.Instances {
			ids = append(ids, in.ID)
			if in.Eligible {
				eligible = append(eligible, in.ID)
			}
		}
	}
	cats := e.Categories
	if cats == nil {
		cats = []string{}
	}
	return types.ObjectValueMust(galleryAppAttrTypes, map[string]attr.Value{
		"key":                     types.StringValue(e.Key),
		"display_name":            types.StringValue(e.DisplayName),
		"powered_by":              types.StringValue(string(e.PoweredBy)),
		"categories":              stringList(cats),
		"status":                  status,
		"instance_ids":            stringList(ids),
		"eligible_instance_ids":   stringList(eligible),
		"source_id":               source,
		"refreshed_at":            refreshed,
		"status_source":           statusSource,
		"okta_ready_instance_ids": readyIDs,
	})
}
