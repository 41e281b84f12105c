package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

// OrgParams shapes a generated large Okta org.
type OrgParams struct {
	// Name is the org's name in the sandbox, and the prefix of its custom
	// apps' generated names.
	Name string `json:"name"`
	Seed uint64 `json:"seed"`
	// Apps is the total number of app instances in the org.
	Apps int `json:"apps"`
	// OINInstances are instances of the gallery's OIN apps, spread over
	// every OIN key of the built-in gallery, in mixed readiness states.
	OINInstances int `json:"oin_instances"`
	// CustomSCIMApps are custom SCIM apps built in Okta, one instance each,
	// each its own gallery entry (ISPM allows one connection per org and
	// app, so N connections need N distinct apps).
	CustomSCIMApps int `json:"custom_scim_apps"`
	// OrgGroups are OKTA_GROUP groups besides Everyone; they are not
	// imported from apps.
	OrgGroups int `json:"org_groups"`
}

// DefaultOrgParams is the benchmark's large org: 5,000 apps, of which about
// 900 are SCIM instances.
func DefaultOrgParams() OrgParams {
	return OrgParams{Name: "bigcorp", Seed: 20261127, Apps: 5000, OINInstances: 350, CustomSCIMApps: 580, OrgGroups: 60}
}

// QuickOrgParams is a CI-sized org with the same mix.
func QuickOrgParams() OrgParams {
	return OrgParams{Name: "bigcorp", Seed: 20261127, Apps: 1000, OINInstances: 80, CustomSCIMApps: 40, OrgGroups: 20}
}

// State is an app instance's readiness, as the generator made it.
type State string

// Readiness states of generated instances.
const (
	// StateReady meets every prerequisite; its imported APP_GROUP groups
	// are Okta's evidence of Import Groups.
	StateReady State = "ready"
	// StateReadyNoGroups meets every prerequisite but has imported no
	// group yet: only ISPM vouches for Import Groups.
	StateReadyNoGroups State = "ready_no_groups"
	// StateImportUnchecked pushes users but does not import them (P6).
	StateImportUnchecked State = "import_unchecked"
	// StateProvisioningDisabled has provisioning off: an empty features
	// list, so only the provisioning endpoints can tell (P5).
	StateProvisioningDisabled State = "provisioning_disabled"
	// StateFeaturesHidden has its provisioning connection ENABLED while its
	// app object lists no features, as Okta has been recorded doing: only
	// the connection endpoint can tell; P6 fails.
	StateFeaturesHidden State = "features_hidden"
	// StateInactive is deactivated, otherwise ready (P4).
	StateInactive State = "inactive"
	// StateImportGroupsOff has Import Groups unchecked (P7).
	StateImportGroupsOff State = "import_groups_off"
	// StateNotSCIM is an app that cannot provision (bookmark, SAML, OIDC).
	StateNotSCIM State = "not_scim"
)

// Eligible reports whether ISPM accepts the instance in a connection.
func (s State) Eligible() bool { return s == StateReady || s == StateReadyNoGroups }

// Instance is one generated app instance.
type Instance struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Label string `json:"label"`
	State State  `json:"state"`
	// ListingAnswers is true when the app object's features already show
	// provisioning on, so the listing alone answers P5.
	ListingAnswers bool `json:"listing_answers"`
	// ProvisioningCalls is what a minimal client spends on the apps bucket
	// to learn P5 when the listing cannot answer: 1 for apps whose
	// connection Okta's API manages, 2 (connection, then features) for the
	// others, whose connection answers UNKNOWN.
	ProvisioningCalls int `json:"provisioning_calls"`
}

// GalleryApp is a gallery app with instances in the org.
type GalleryApp struct {
	Key       string `json:"key"`
	PoweredBy string `json:"powered_by"`
	// Instances are indexes into GeneratedOrg.Instances.
	Instances []int `json:"instances"`
}

// GeneratedOrg is a sandbox scenario with one large org, and what the
// benchmark needs to know about it.
type GeneratedOrg struct {
	Params OrgParams
	// JSON is the scenario, in the sandbox's scenario format.
	JSON      []byte
	Instances []Instance
	// Gallery lists the gallery apps installed in the org: OIN apps first
	// (most instances first), then custom apps in generation order.
	Gallery []GalleryApp
	// Connectable are the gallery apps with at least one eligible instance,
	// in Gallery order: connection i of a benchmark of N is Connectable[i].
	Connectable []int
}

// Scenario parses and validates the generated scenario.
func (g *GeneratedOrg) Scenario() (sandbox.Scenario, error) { return sandbox.ParseScenario(g.JSON) }

// EligibleIDs returns the eligible instance ids of gallery app i.
func (g *GeneratedOrg) EligibleIDs(i int) []string {
	var ids []string
	for _, j := range g.Gallery[i].Instances {
		if g.Instances[j].State.Eligible() {
			ids = append(ids, g.Instances[j].ID)
		}
	}
	return ids
}

// ListingPages is how many pages of 200 GET /api/v1/apps takes.
func (g *GeneratedOrg) ListingPages() int { return (g.Params.Apps + 199) / 200 }

// oinKeys are the OIN apps of the sandbox's built-in gallery
// (internal/sandbox/ispmsim/catalog.json), most commonly installed first.
var oinKeys = []string{
	"slack", "office365", "google", "atlassian", "zoomus", "salesforce", "okta_org2org", "workday",
	"servicenow_app2", "boxnet", "zendesk", "dropbox_for_business", "docusign", "amazon_aws", "amazon_aws_sso",
	"pagerduty", "netsuite", "smartsheet", "cornerstone", "segment", "deelhr", "zscalerbyz", "asana",
	"bamboohr", "figma", "lucidchart", "miro", "strongdm", "successfactors", "sumologic", "webex",
}

// oinLabels are the apps' labels in Okta.
var oinLabels = map[string]string{
	"slack": "Slack", "office365": "Microsoft Office 365", "google": "Google Workspace", "atlassian": "Atlassian Cloud",
	"zoomus": "Zoom", "salesforce": "Salesforce.com", "okta_org2org": "Okta Org2Org", "workday": "Workday",
	"servicenow_app2": "ServiceNow UD", "boxnet": "Box", "zendesk": "Zendesk", "dropbox_for_business": "Dropbox Business",
	"docusign": "DocuSign", "amazon_aws": "AWS Account Federation", "amazon_aws_sso": "AWS IAM Identity Center",
	"pagerduty": "PagerDuty", "netsuite": "NetSuite", "smartsheet": "Smartsheet", "cornerstone": "Cornerstone OnDemand",
	"segment": "Segment", "deelhr": "Deel HR", "zscalerbyz": "Zscaler 2.0", "asana": "Asana", "bamboohr": "BambooHR",
	"figma": "Figma", "lucidchart": "Lucid", "miro": "Miro", "strongdm": "strongDM", "successfactors": "SAP SuccessFactors",
	"sumologic": "Sumo Logic", "webex": "Webex",
}

// connectionAPIApps are the apps whose provisioning connection Okta's API
// manages (ENABLED/DISABLED); every other app answers UNKNOWN. The list is
// the sandbox's (internal/sandbox/README.md, "Provisioning connection").
var connectionAPIApps = map[string]bool{
	"okta_org2org": true, "zscalerbyz": true, "slack": true, "zoomus": true, "google": true, "office365": true,
}

// oinSignOn is the sign-on mode of the OIN apps that do not use SAML 2.0.
var oinSignOn = map[string]string{"office365": "WS_FEDERATION", "amazon_aws": "SAML_2_0"}

var (
	labelWords1 = []string{
		"Payroll", "Expense", "Travel", "Benefits", "Recruiting", "Onboarding", "Learning", "Inventory", "Billing",
		"Procurement", "Facilities", "Legal", "Compliance", "Audit", "Analytics", "Reporting", "Forecast", "Pricing",
		"Support", "Service", "Field", "Partner", "Vendor", "Customer", "Asset", "Fleet", "Warehouse", "Shipping",
		"Quality", "Research", "Clinical", "Lab", "Design", "Marketing", "Events", "Sales", "Claims", "Treasury",
		"Tax", "Risk", "Security", "Identity", "Network", "Data", "Build", "Release", "Incident", "Knowledge",
	}
	labelWords2 = []string{
		"Portal", "Hub", "Console", "Tracker", "Manager", "Desk", "Center", "Workbench", "Studio", "Gateway",
		"Board", "Vault", "Registry", "Planner", "Viewer", "Archive", "Exchange", "Ledger", "Monitor", "Dashboard",
		"Wiki", "Catalog", "Scheduler", "Builder", "Insights", "Assistant", "Notebook", "Directory", "Inbox", "Pipeline",
	}
	labelRegions = []string{"", " EMEA", " APAC", " Americas", " UK", " DE", " FR", " JP", " Dev", " Staging", " QA", " Legacy"}
	instanceTags = []string{"", "Production", "EU", "US", "APAC", "Sandbox", "Contractors", "Subsidiary", "Test", "Legacy", "Engineering", "Sales"}
	groupNames   = []string{"All Staff", "Admins", "Engineering", "Sales", "Support", "Finance", "Marketing", "Contractors", "Managers", "Read Only"}
)

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// gen holds the generator's random source and what it has handed out.
type gen struct {
	p      OrgParams
	rng    *rand.Rand
	ids    map[string]bool
	labels map[string]bool
	names  map[string]bool
	orgID  string
}

func (g *gen) id(prefix string) string {
	for {
		b := make([]byte, 17)
		for i := range b {
			b[i] = idChars[g.rng.IntN(len(idChars))]
		}
		id := prefix + string(b)
		if !g.ids[id] {
			g.ids[id] = true
			return id
		}
	}
}

func (g *gen) chars(n int) string {
	const alphabet = idChars + "-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// label is a fresh, realistic label for an in-house app.
func (g *gen) label() string {
	for range 100 {
		l := labelWords1[g.rng.IntN(len(labelWords1))] + " " + labelWords2[g.rng.IntN(len(labelWords2))] +
			labelRegions[g.rng.IntN(len(labelRegions))]
		if !g.labels[l] {
			g.labels[l] = true
			return l
		}
	}
	for n := 2; ; n++ {
		l := fmt.Sprintf("%s %s %d", labelWords1[g.rng.IntN(len(labelWords1))], labelWords2[g.rng.IntN(len(labelWords2))], n)
		if !g.labels[l] {
			g.labels[l] = true
			return l
		}
	}
}

// customName is the name Okta generates for a custom app:
// <org>_<label slug>_<n>, n counting apps with the same slug.
func (g *gen) customName(label string) string {
	var slug strings.Builder
	for _, r := range strings.ToLower(label) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			slug.WriteRune(r)
		}
	}
	for n := 1; ; n++ {
		name := fmt.Sprintf("%s_%s_%d", g.p.Name, slug.String(), n)
		if !g.names[name] {
			g.names[name] = true
			return name
		}
	}
}

var genEpoch = time.Date(2019, 3, 4, 8, 0, 0, 0, time.UTC)

func (g *gen) times() (created, updated string) {
	const oktaTime = "2006-01-02T15:04:05.000Z"
	c := genEpoch.Add(time.Duration(g.rng.Int64N(int64(6 * 365 * 24 * time.Hour)))).Truncate(time.Second)
	u := c.Add(time.Duration(g.rng.Int64N(int64(400 * 24 * time.Hour)))).Truncate(time.Second)
	return c.Format(oktaTime), u.Format(oktaTime)
}

// appSpec is what varies between generated app objects.
type appSpec struct {
	id, name, label, status, signOnMode string
	features                            []string
}

const orgURL = "https://{yourOktaDomain}"

type link struct {
	Href  string         `json:"href"`
	Name  string         `json:"name,omitempty"`
	Type  string         `json:"type,omitempty"`
	Hints map[string]any `json:"hints,omitempty"`
}

// appObject is an Okta Application object, members in the order Okta
// sends them.
type appObject struct {
	ID              string         `json:"id"`
	ORN             string         `json:"orn"`
	Name            string         `json:"name"`
	Label           string         `json:"label"`
	Status          string         `json:"status"`
	LastUpdated     string         `json:"lastUpdated"`
	Created         string         `json:"created"`
	Accessibility   map[string]any `json:"accessibility"`
	Visibility      map[string]any `json:"visibility"`
	Features        []string       `json:"features"`
	SignOnMode      *string        `json:"signOnMode"`
	Credentials     map[string]any `json:"credentials"`
	UniversalLogout map[string]any `json:"universalLogout"`
	Settings        map[string]any `json:"settings"`
	Links           map[string]any `json:"_links"`
}

// app builds an app object of the size and shape Okta returns (2–3 KB).
func (g *gen) app(s appSpec) json.RawMessage {
	created, updated := g.times()
	self := orgURL + "/api/v1/apps/" + s.id
	linkName := "login"
	o := appObject{
		ID: s.id, ORN: "orn:okta:idp:" + g.orgID + ":apps:" + s.name + ":" + s.id,
		Name: s.name, Label: s.label, Status: s.status, LastUpdated: updated, Created: created,
		Accessibility:   map[string]any{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
		Features:        s.features,
		Credentials:     map[string]any{"userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"}},
		UniversalLogout: map[string]any{"status": "UNSUPPORTED"},
		Settings: map[string]any{
			"app":                map[string]any{},
			"notifications":      map[string]any{"vpn": map[string]any{"network": map[string]any{"connection": "DISABLED"}, "message": nil, "helpUrl": nil}},
			"manualProvisioning": false,
			"implicitAssignment": false,
			"emOptInStatus":      "NONE",
			"notes":              map[string]any{"admin": nil, "enduser": nil},
		},
		Links: map[string]any{
			"uploadLogo": link{Href: self + "/logo", Hints: map[string]any{"allow": []string{"POST"}}},
			"policies":   link{Href: self + "/policies", Hints: map[string]any{"allow": []string{"PUT"}}},
			"groups":     link{Href: self + "/groups"},
			"users":      link{Href: self + "/users"},
			"logo":       []link{{Name: "medium", Href: "https://ok12static.oktacdn.com/assets/img/logos/" + s.name + ".png", Type: "image/png"}},
		},
	}
	if s.signOnMode != "" {
		mode := s.signOnMode
		o.SignOnMode = &mode
	}
	switch s.signOnMode {
	case "SAML_2_0", "SAML_1_1", "WS_FEDERATION":
		o.Credentials["signing"] = map[string]any{"kid": g.chars(43)}
		o.Settings["signOn"] = map[string]any{
			"defaultRelayState": nil, "ssoAcsUrlOverride": nil, "audienceOverride": nil,
			"recipientOverride": nil, "destinationOverride": nil, "attributeStatements": []any{},
		}
		o.Settings["app"] = map[string]any{"baseUrl": "https://" + strings.ReplaceAll(s.name, "_", "-") + ".example.com", "acsUrl": nil, "audRestriction": nil}
		o.Links["metadata"] = link{Href: self + "/sso/saml/metadata", Type: "application/xml"}
	case "OPENID_CONNECT":
		linkName = "oidc_client_link"
		o.Credentials["oauthClient"] = map[string]any{"autoKeyRotation": true, "client_id": s.id, "token_endpoint_auth_method": "client_secret_basic", "pkce_required": false}
		o.Settings["oauthClient"] = map[string]any{
			"redirect_uris": []string{"https://apps.example.com/" + strings.ToLower(s.id) + "/callback"}, "response_types": []string{"code"},
			"grant_types": []string{"authorization_code", "refresh_token"}, "application_type": "web", "consent_method": "TRUSTED",
			"issuer_mode": "ORG_URL", "wildcard_redirect": "DISABLED", "idp_initiated_login": map[string]any{"mode": "DISABLED", "default_scope": []string{}},
		}
	case "BOOKMARK":
		o.Settings["app"] = map[string]any{"requestIntegration": false, "url": "https://intranet.example.com/" + strings.ToLower(strings.ReplaceAll(s.label, " ", "-"))}
	case "AUTO_LOGIN", "BROWSER_PLUGIN":
		o.Credentials["scheme"] = "EDIT_USERNAME_AND_PASSWORD"
		o.Settings["app"] = map[string]any{"loginUrl": "https://login.example.com/" + strings.ToLower(s.id), "redirectUrl": nil}
	}
	o.Visibility = map[string]any{"autoLaunch": false, "autoSubmitToolbar": false,
		"hide": map[string]any{"iOS": false, "web": false}, "appLinks": map[string]any{linkName: true}}
	o.Links["appLinks"] = []link{{Name: linkName, Href: orgURL + "/home/" + s.name + "/" + s.id + "/" + fmt.Sprint(10000+g.rng.IntN(90000)), Type: "text/html"}}
	if s.status == "ACTIVE" {
		o.Links["deactivate"] = link{Href: self + "/lifecycle/deactivate"}
	} else {
		o.Links["activate"] = link{Href: self + "/lifecycle/activate"}
	}
	raw, err := json.Marshal(o)
	if err != nil {
		panic("bench: an app object does not marshal: " + err.Error())
	}
	return raw
}

// scimFeatures are the features of an app with provisioning and imports on.
func (g *gen) scimFeatures(custom bool) []string {
	f := []string{"IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS"}
	if g.rng.IntN(3) > 0 {
		f = append(f, "GROUP_PUSH")
	}
	if g.rng.IntN(4) == 0 {
		f = append(f, "IMPORT_USER_SCHEMA")
	}
	if custom {
		f = append([]string{"SCIM_PROVISIONING"}, f...)
	}
	return f
}

// appSettings is a scenario's app_settings entry.
type appSettings struct {
	Connection   string            `json:"connection,omitempty"`
	ImportGroups *bool             `json:"import_groups,omitempty"`
	Groups       []json.RawMessage `json:"groups,omitempty"`
}

// scimInstance builds a SCIM instance in state st: its app object, its
// settings and what the benchmark records about it.
func (g *gen) scimInstance(name, label, signOn string, custom bool, st State) (json.RawMessage, *appSettings, Instance) {
	s := appSpec{id: g.id("0oa"), name: name, label: label, status: "ACTIVE", signOnMode: signOn}
	set := &appSettings{}
	yes, no := true, false
	switch st {
	case StateReady:
		s.features = g.scimFeatures(custom)
		set.ImportGroups = &yes
		for k := range 1 + g.rng.IntN(3) {
			n := groupNames[(g.rng.IntN(len(groupNames))+k)%len(groupNames)]
			set.Groups = append(set.Groups, mustJSON(map[string]any{"profile": map[string]string{"name": label + " " + n, "description": "Imported from " + label}}))
		}
	case StateReadyNoGroups:
		s.features = g.scimFeatures(custom)
		set.ImportGroups = &yes
	case StateImportUnchecked:
		s.features = []string{"PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION"}
		if custom {
			s.features = append([]string{"SCIM_PROVISIONING"}, s.features...)
		}
		set.ImportGroups = &no
	case StateProvisioningDisabled:
		s.features = []string{}
	case StateFeaturesHidden:
		s.features = []string{}
		set.Connection = "ENABLED"
	case StateInactive:
		s.status = "INACTIVE"
		s.features = g.scimFeatures(custom)
		set.ImportGroups = &yes
	case StateImportGroupsOff:
		s.features = g.scimFeatures(custom)
		set.ImportGroups = &no
	}
	in := Instance{ID: s.id, Name: name, Label: label, State: st, ListingAnswers: len(provisioningFeatures(s.features)) > 0}
	if !in.ListingAnswers {
		in.ProvisioningCalls = 1
		if !connectionAPIApps[name] {
			in.ProvisioningCalls = 2
		}
	}
	if set.Connection == "" && set.ImportGroups == nil && len(set.Groups) == 0 {
		set = nil
	}
	return g.app(s), set, in
}

// provisioningFeatures are the features that show provisioning on, as the
// sandbox and the adapter read them.
func provisioningFeatures(fs []string) []string {
	var out []string
	for _, f := range fs {
		if f == "SCIM_PROVISIONING" || strings.HasPrefix(f, "IMPORT_") || strings.HasPrefix(f, "PUSH_") {
			out = append(out, f)
		}
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		panic("bench: " + err.Error())
	}
	return raw
}

// oinStates is the readiness mix of OIN instances, in percent.
var oinStates = []struct {
	state State
	pct   int
}{
	{StateReady, 40}, {StateReadyNoGroups, 14}, {StateImportUnchecked, 12}, {StateProvisioningDisabled, 13},
	{StateFeaturesHidden, 3}, {StateInactive, 9}, {StateImportGroupsOff, 9},
}

// customStates is the mix of custom SCIM apps, which mostly exist to be
// connected: in percent.
var customStates = []struct {
	state State
	pct   int
}{
	{StateReady, 70}, {StateReadyNoGroups, 18}, {StateImportUnchecked, 3}, {StateProvisioningDisabled, 4},
	{StateInactive, 3}, {StateImportGroupsOff, 2},
}

// spread returns n states in the given proportions (largest remainder),
// shuffled.
func (g *gen) spread(n int, mix []struct {
	state State
	pct   int
},
) []State {
	out := make([]State, 0, n)
	type rem struct {
		i    int
		frac float64
	}
	var rems []rem
	for i, m := range mix {
		exact := float64(n*m.pct) / 100
		k := int(math.Floor(exact))
		for range k {
			out = append(out, m.state)
		}
		rems = append(rems, rem{i, exact - float64(k)})
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		switch {
		case a.frac > b.frac:
			return -1
		case a.frac < b.frac:
			return 1
		}
		return 0
	})
	for k := 0; len(out) < n; k++ {
		out = append(out, mix[rems[k%len(rems)].i].state)
	}
	g.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// validate checks that the parameters describe a possible org.
func (p OrgParams) validate() error {
	switch {
	case !orgNameOK(p.Name):
		return fmt.Errorf("org name %q must be lowercase letters and digits, like bigcorp", p.Name)
	case p.OINInstances < 2*len(oinKeys):
		return fmt.Errorf("%d OIN instances are too few: give at least %d (two for each of the %d OIN gallery apps)", p.OINInstances, 2*len(oinKeys), len(oinKeys))
	case p.CustomSCIMApps < 0:
		return fmt.Errorf("custom SCIM apps must not be negative, got %d", p.CustomSCIMApps)
	case p.Apps < p.OINInstances+p.CustomSCIMApps+1:
		return fmt.Errorf("%d apps cannot hold %d OIN instances, %d custom SCIM apps and a directory app; raise the total", p.Apps, p.OINInstances, p.CustomSCIMApps)
	case p.Apps > 100000:
		return fmt.Errorf("%d apps is more than the sandbox takes (100,000)", p.Apps)
	case p.OrgGroups < 0:
		return fmt.Errorf("org groups must not be negative, got %d", p.OrgGroups)
	}
	return nil
}

func orgNameOK(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// Generate builds a large org deterministically from p: the same
// parameters always give the same bytes.
func Generate(p OrgParams) (*GeneratedOrg, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	g := &gen{p: p, rng: rand.New(rand.NewPCG(p.Seed, 0x6265_6e63_68)), ids: map[string]bool{}, labels: map[string]bool{}, names: map[string]bool{}}
	g.orgID = g.id("00o")
	out := &GeneratedOrg{Params: p}
	apps := make([]json.RawMessage, 0, p.Apps)
	settings := map[string]*appSettings{}
	add := func(raw json.RawMessage, set *appSettings, in Instance) int {
		apps = append(apps, raw)
		if set != nil {
			settings[in.ID] = set
		}
		out.Instances = append(out.Instances, in)
		return len(out.Instances) - 1
	}

	// OIN instances: every key gets two, the rest follow a Zipf-like
	// popularity so that a few apps have dozens of instances.
	counts := make([]int, len(oinKeys))
	var weights float64
	for i := range oinKeys {
		weights += 1 / math.Pow(float64(i+1), 0.9)
	}
	extra := p.OINInstances - 2*len(oinKeys)
	given := 0
	for i := range oinKeys {
		counts[i] = 2 + int(float64(extra)/math.Pow(float64(i+1), 0.9)/weights)
		given += counts[i]
	}
	for i := 0; given < p.OINInstances; i = (i + 1) % len(oinKeys) {
		counts[i]++
		given++
	}
	oinMix := g.spread(p.OINInstances, oinStates)
	next := 0
	for i, key := range oinKeys {
		ga := GalleryApp{Key: key, PoweredBy: "OIN"}
		used := map[string]bool{}
		for k := range counts[i] {
			st := oinMix[next]
			next++
			if st == StateFeaturesHidden && !connectionAPIApps[key] {
				st = StateProvisioningDisabled
			}
			label := oinLabels[key]
			if k > 0 {
				tag := instanceTags[g.rng.IntN(len(instanceTags))]
				if tag == "" || used[tag] {
					tag = fmt.Sprint(k + 1)
				}
				used[tag] = true
				label = fmt.Sprintf("%s (%s)", label, tag)
			}
			signOn := oinSignOn[key]
			if signOn == "" {
				signOn = "SAML_2_0"
			}
			raw, set, in := g.scimInstance(key, label, signOn, false, st)
			ga.Instances = append(ga.Instances, add(raw, set, in))
		}
		out.Gallery = append(out.Gallery, ga)
	}

	// Custom SCIM apps, one instance each.
	customMix := g.spread(p.CustomSCIMApps, customStates)
	var catalog []map[string]any
	for _, st := range customMix {
		label := g.label()
		name := g.customName(label)
		raw, set, in := g.scimInstance(name, label, "SAML_2_0", true, st)
		out.Gallery = append(out.Gallery, GalleryApp{Key: name, PoweredBy: "CUSTOM", Instances: []int{add(raw, set, in)}})
		catalog = append(catalog, map[string]any{
			"key": name, "display_name": label, "powered_by": "CUSTOM", "categories": []string{"Custom apps"},
			"description": "A custom SCIM app built in " + p.Name + "'s Okta org.",
		})
	}

	// Everything else: apps that cannot provision, as most of a large
	// org's apps are. One directory app has signOnMode null.
	rest := p.Apps - len(apps)
	for i := range rest {
		s := appSpec{id: g.id("0oa"), status: "ACTIVE", features: []string{}}
		if g.rng.IntN(100) < 6 {
			s.status = "INACTIVE"
		}
		switch x := g.rng.IntN(100); {
		case i == 0:
			s.name, s.label, s.signOnMode = "active_directory", p.Name+".local", ""
			s.features = []string{"IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "IMPORT_USER_SCHEMA", "PROFILE_MASTERING"}
		case x < 28:
			s.name, s.label, s.signOnMode = "bookmark", g.label(), "BOOKMARK"
		case x < 58:
			s.label, s.signOnMode = g.label(), "SAML_2_0"
			s.name = g.customName(s.label)
		case x < 82:
			s.name, s.label, s.signOnMode = "oidc_client", g.label(), "OPENID_CONNECT"
		case x < 94:
			s.name, s.label, s.signOnMode = "template_swa", g.label(), "BROWSER_PLUGIN"
		default:
			s.label, s.signOnMode = g.label(), "AUTO_LOGIN"
			s.name = g.customName(s.label)
		}
		add(g.app(s), nil, Instance{ID: s.id, Name: s.name, Label: s.label, State: StateNotSCIM})
	}
	// The listing's order is the org's install order, not our build order.
	order := g.rng.Perm(len(apps))
	shuffled := make([]json.RawMessage, len(apps))
	for i, j := range order {
		shuffled[i] = apps[j]
	}

	groups := []json.RawMessage{g.group("BUILT_IN", "Everyone", "All users in your organization")}
	for range p.OrgGroups {
		l := g.label()
		groups = append(groups, g.group("OKTA_GROUP", l+" users", "Everyone who uses "+l))
	}

	for i, ga := range out.Gallery {
		for _, j := range ga.Instances {
			if out.Instances[j].State.Eligible() {
				out.Connectable = append(out.Connectable, i)
				break
			}
		}
	}

	scenario := map[string]any{
		"description": fmt.Sprintf("Generated by internal/bench (seed %d): %d apps, %d OIN SCIM instances over %d gallery apps, %d custom SCIM apps.",
			p.Seed, p.Apps, p.OINInstances, len(oinKeys), p.CustomSCIMApps),
		"okta_orgs": []any{map[string]any{
			"name":         p.Name,
			"api_tokens":   []string{"sandbox-" + p.Name + "-bench-token"},
			"apps":         shuffled,
			"app_settings": settings,
			"groups":       groups,
		}},
		"ispm": map[string]any{
			"api_token":             "sandbox-" + p.Name + "-ispm-bench-token",
			"catalog":               catalog,
			"orgs":                  []any{map[string]any{"okta_org": p.Name, "id": "oktaorg_" + p.Name, "display_name": strings.ToUpper(p.Name[:1]) + p.Name[1:]}},
			"connect_after_reads":   1,
			"health_check_interval": "24h",
		},
	}
	raw, err := json.Marshal(scenario)
	if err != nil {
		return nil, fmt.Errorf("the generated scenario does not marshal: %w", err)
	}
	out.JSON = raw
	return out, nil
}

func (g *gen) group(typ, name, desc string) json.RawMessage {
	id := g.id("00g")
	created, updated := g.times()
	class := "okta:user_group"
	base := orgURL + "/api/v1/groups/" + id
	return mustJSON(map[string]any{
		"id": id, "created": created, "lastUpdated": updated, "lastMembershipUpdated": updated,
		"objectClass": []string{class}, "type": typ,
		"profile": map[string]string{"name": name, "description": desc},
		"_links": map[string]any{
			"logo": []link{
				{Name: "medium", Href: orgURL + "/img/logos/groups/okta-medium.png", Type: "image/png"},
				{Name: "large", Href: orgURL + "/img/logos/groups/okta-large.png", Type: "image/png"},
			},
			"users": link{Href: base + "/users"},
			"apps":  link{Href: base + "/apps"},
		},
	})
}
