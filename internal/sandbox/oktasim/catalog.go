package oktasim

import "strings"

// catalogApp is what the simulator knows about an OIN app: its label and,
// for the few apps whose provisioning connection Okta's API manages, the
// connection's auth scheme. Keys and labels are from the team's list of
// confirmed OIN SCIM apps (design/oin-scim-apps.tsv).
type catalogApp struct {
	label      string
	signOnMode string
	// connectionScheme is "TOKEN" or "OAUTH2" for apps with a public
	// provisioning connection API; other apps answer UNKNOWN.
	connectionScheme string
}

var catalog = map[string]catalogApp{
	"google":               {label: "Google Workspace", signOnMode: "SAML_2_0", connectionScheme: "OAUTH2"},
	"office365":            {label: "Microsoft Office 365", signOnMode: "WS_FEDERATION", connectionScheme: "OAUTH2"},
	"okta_org2org":         {label: "Okta Org2Org", signOnMode: "SAML_2_0", connectionScheme: "TOKEN"},
	"slack":                {label: "Slack", signOnMode: "SAML_2_0", connectionScheme: "OAUTH2"},
	"zoomus":               {label: "Zoom", signOnMode: "SAML_2_0", connectionScheme: "OAUTH2"},
	"zscalerbyz":           {label: "Zscaler 2.0", signOnMode: "SAML_2_0", connectionScheme: "TOKEN"},
	"salesforce":           {label: "Salesforce.com", signOnMode: "SAML_2_0"},
	"boxnet":               {label: "Box", signOnMode: "SAML_2_0"},
	"workday":              {label: "Workday", signOnMode: "SAML_2_0"},
	"zendesk":              {label: "Zendesk", signOnMode: "SAML_2_0"},
	"cornerstone":          {label: "Cornerstone OnDemand", signOnMode: "SAML_2_0"},
	"servicenow_app2":      {label: "ServiceNow UD", signOnMode: "SAML_2_0"},
	"dropbox_for_business": {label: "Dropbox Business", signOnMode: "SAML_2_0"},
	"docusign":             {label: "DocuSign", signOnMode: "SAML_2_0"},
	"netsuite":             {label: "NetSuite", signOnMode: "SAML_2_0"},
	"pagerduty":            {label: "PagerDuty", signOnMode: "SAML_2_0"},
	"atlassian":            {label: "Atlassian Cloud", signOnMode: "SAML_2_0"},
	"amazon_aws":           {label: "AWS Account Federation", signOnMode: "SAML_2_0"},
	"amazon_aws_sso":       {label: "AWS IAM Identity Center", signOnMode: "SAML_2_0"},
	"segment":              {label: "Segment", signOnMode: "SAML_2_0"},
	"smartsheet":           {label: "Smartsheet", signOnMode: "SAML_2_0"},
	"deelhr":               {label: "Deel HR", signOnMode: "SAML_2_0"},
}

// scimCatalogKeys lists the catalog in a fixed order, for generated apps.
var scimCatalogKeys = []string{
	"slack", "zoomus", "google", "office365", "okta_org2org", "zscalerbyz", "salesforce", "boxnet",
	"workday", "zendesk", "cornerstone", "servicenow_app2", "dropbox_for_business", "docusign",
	"netsuite", "pagerduty", "atlassian", "amazon_aws_sso", "segment", "smartsheet", "deelhr",
}

// connectionScheme is the auth scheme of an app's provisioning connection, or
// "" when Okta's connection API does not manage the app's provisioning.
func connectionScheme(name string) string { return catalog[name].connectionScheme }

// isProvisioningFeature follows Okta: provisioning shows in an app's features
// as SCIM_PROVISIONING or IMPORT_*/PUSH_* entries.
func isProvisioningFeature(f string) bool {
	return f == "SCIM_PROVISIONING" || strings.HasPrefix(f, "IMPORT_") || strings.HasPrefix(f, "PUSH_")
}

// removedWithProvisioning lists what disabling provisioning takes out of an
// app's features.
func removedWithProvisioning(f string) bool {
	switch f {
	case "GROUP_PUSH", "REACTIVATE_USERS", "PROFILE_MASTERING":
		return true
	}
	return isProvisioningFeature(f)
}

// defaultPushFeatures are what enabling provisioning turns on when the app
// had none before: "To App" provisioning, without imports.
var defaultPushFeatures = []string{"PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS"}

const (
	featureImportNewUsers       = "IMPORT_NEW_USERS"
	featureImportProfileUpdates = "IMPORT_PROFILE_UPDATES"
)
