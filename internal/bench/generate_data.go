package main

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
