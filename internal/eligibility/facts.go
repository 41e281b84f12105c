package eligibility

import (
	"slices"
	"strings"
)

// Input is everything the engine judges one app in one Okta org by.
type Input struct {
	// OrgURL is the Okta org's URL (https://acme.okta.com, or the sandbox's
	// http://127.0.0.1:PORT); its host is the org's domain and the base of
	// Admin Console links. A bare domain is read as https.
	OrgURL string
	// App is the gallery key, which is the Okta app's catalog name.
	App string
	// InstanceIDs are the instances to judge, in the caller's order. Empty
	// means every instance Okta or ISPM knows for App in the org.
	InstanceIDs []string
	Okta        OktaAppFacts
	ISPM        ISPMAppFacts
}

// OktaAppFacts is what the Okta adapter learned about one app in one org.
type OktaAppFacts struct {
	// Credentials is false when the provider holds no Okta credentials for
	// the org; every other field is then empty.
	Credentials bool `json:"credentials"`
	// Reason is set when the org's app listing could not be read (a
	// transient failure); it says why, and no instance facts are known.
	Reason string `json:"reason,omitempty"`
	// Lifecycle is the org's Lifecycle Management subscription as far as
	// the provisioning endpoints revealed it.
	Lifecycle LifecycleFacts `json:"lifecycle"`
	// AllInstances lists every app object in the org whose name is the
	// app's key, whatever its status, in listing order.
	AllInstances []InstanceSummary `json:"all_instances,omitempty"`
	// Instances holds the facts for each instance asked about.
	Instances []OktaInstanceFacts `json:"instances,omitempty"`
}

// Available reports whether Okta facts can be used: credentials are held
// and the app listing answered.
func (f OktaAppFacts) Available() bool { return f.Credentials && f.Reason == "" }

// Instance returns the facts for id.
func (f OktaAppFacts) Instance(id string) (OktaInstanceFacts, bool) {
	for _, in := range f.Instances {
		if in.ID == id {
			return in, true
		}
	}
	return OktaInstanceFacts{}, false
}

// InstanceSummary is one app object of the app in the org.
type InstanceSummary struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Status string `json:"status"`
}

// LifecycleState is what the org revealed about its Lifecycle Management
// subscription.
type LifecycleState string

// Lifecycle Management states. Okta has no API for the subscription; it
// answers 401 E0000015 on provisioning endpoints when the product is
// missing.
const (
	LifecycleNotObserved   LifecycleState = ""
	LifecycleSubscribed    LifecycleState = "subscribed"
	LifecycleNotSubscribed LifecycleState = "not_subscribed"
)

// LifecycleFacts is the org's Lifecycle Management state and what showed it.
type LifecycleFacts struct {
	State LifecycleState `json:"state,omitempty"`
	// Evidence names the observation, e.g. "GET /api/v1/apps/0oa…/connections/default answered 401 E0000015".
	Evidence string `json:"evidence,omitempty"`
}

// AppObjectState says whether the instance's Okta app object was found.
type AppObjectState string

// App object states.
const (
	// AppUnknown: Okta could not be asked (no credentials, transient error).
	AppUnknown AppObjectState = ""
	// AppFound: the app object exists; OktaInstanceFacts.App holds it.
	AppFound AppObjectState = "found"
	// AppNotFound: Okta has no app object with this id (404 E0000007, or
	// absent from the org's complete app listing).
	AppNotFound AppObjectState = "not_found"
)

// AppObject holds the fields of an Okta app object the checks use.
type AppObject struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Label  string `json:"label"`
	Status string `json:"status"`
	// SignOnMode is empty when Okta sends null, as it does for directory apps.
	SignOnMode  string   `json:"sign_on_mode,omitempty"`
	LastUpdated string   `json:"last_updated"`
	Features    []string `json:"features"`
	// FeaturesKnown is false when the object carried no features array.
	FeaturesKnown bool `json:"features_known"`
}

// HasFeature reports whether the app's features contain name.
func (a AppObject) HasFeature(name string) bool { return slices.Contains(a.Features, name) }

// OktaInstanceFacts is what Okta said about one instance.
type OktaInstanceFacts struct {
	ID    string         `json:"id"`
	State AppObjectState `json:"state"`
	// Reason explains an AppUnknown state, or how AppNotFound was decided.
	Reason       string            `json:"reason,omitempty"`
	App          AppObject         `json:"app"`
	Provisioning ProvisioningFacts `json:"provisioning"`
	Groups       GroupFacts        `json:"groups"`
}

// ConnectionAnswer is the answer of GET /api/v1/apps/{id}/connections/default.
type ConnectionAnswer string

// Connection answers.
const (
	ConnectionNotFetched ConnectionAnswer = ""
	ConnectionEnabled    ConnectionAnswer = "ENABLED"
	ConnectionDisabled   ConnectionAnswer = "DISABLED"
	// ConnectionStatusUnknown is Okta's 200 with status UNKNOWN ("provisioning
	// isn't supported by the app, or the authentication method is unknown"):
	// the state must come from elsewhere.
	ConnectionStatusUnknown ConnectionAnswer = "UNKNOWN"
	// ConnectionNotFound is a 404 for the connection of an app object the
	// listing holds: the connection resource is missing (or the app was
	// deleted since the listing). It says nothing about provisioning, and
	// is not Okta's UNKNOWN.
	ConnectionNotFound ConnectionAnswer = "404"
	// ConnectionNotAsked is a connection the adapter did not ask for: the
	// app is not one Okta's Application Connections API covers, so its
	// provisioning state comes from GET /features alone.
	ConnectionNotAsked ConnectionAnswer = "not asked"
	// ConnectionSiblingUnknown is a connection not asked because another
	// instance of the same app answered UNKNOWN in this run: its state
	// comes from GET /features, and nothing may be said of what this
	// instance's connection would have answered.
	ConnectionSiblingUnknown ConnectionAnswer = "not asked: another instance answered UNKNOWN"
	// ConnectionProductMissing is 401 E0000015: the org lacks the product.
	ConnectionProductMissing ConnectionAnswer = "E0000015"
	// ConnectionError is any other failure: transient (rate limited after
	// retries, 5xx, timeout) or an error answer that asking again will not
	// change (ProvisioningFacts.Failure says which); Reason says what
	// happened.
	ConnectionError ConnectionAnswer = "error"
)

// FeaturesAnswer is the answer of GET /api/v1/apps/{id}/features.
type FeaturesAnswer string

// Features answers.
const (
	FeaturesNotFetched FeaturesAnswer = ""
	// FeaturesListed is a 200 with the app's provisioning features.
	FeaturesListed FeaturesAnswer = "listed"
	// FeaturesNotEnabled is 400 E0000001, "Provisioning is not enabled for
	// the app instance".
	FeaturesNotEnabled     FeaturesAnswer = "E0000001"
	FeaturesProductMissing FeaturesAnswer = "E0000015"
	FeaturesError          FeaturesAnswer = "error"
)

// FailureKind says whether a failed lookup may succeed when asked again.
type FailureKind string

// Failure kinds.
const (
	// FailureTransient: rate limited after the retries, a server error, or
	// no answer. The next plan may get an answer.
	FailureTransient FailureKind = ""
	// FailureAnswer: Okta answered with an error that is not about this
	// moment (400 E0000024 "not yet supported", 404, 403 for a feature the
	// org lacks): asking again gives the same answer until the org changes.
	FailureAnswer FailureKind = "answer"
)

// ListedFeature is one entry of the /features answer.
type ListedFeature struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// ProvisioningFacts is what the provisioning endpoints said about one
// instance. Both answers are empty when the app object alone settled the
// question.
type ProvisioningFacts struct {
	Connection ConnectionAnswer `json:"connection,omitempty"`
	Features   FeaturesAnswer   `json:"features,omitempty"`
	Listed     []ListedFeature  `json:"listed,omitempty"`
	// Reason explains an error answer (and is kept for other answers when
	// the adapter has something to add).
	Reason string `json:"reason,omitempty"`
	// Failure classes the error behind ConnectionError or FeaturesError.
	Failure FailureKind `json:"failure,omitempty"`
	// Trusted is set when the answer was reused from a previous check
	// because the app object has not changed since.
	Trusted bool `json:"-"`
	// TrustedAt is the app's lastUpdated at the time of the reused check.
	TrustedAt string `json:"-"`
}

// Enabled reports whether the answer shows provisioning switched on.
func (p ProvisioningFacts) Enabled() bool {
	return p.Connection == ConnectionEnabled || (p.Connection != ConnectionDisabled && p.Features == FeaturesListed)
}

// GroupFacts is the APP_GROUP evidence for Import Groups: how many groups
// Okta lists whose source is the instance.
type GroupFacts struct {
	Known  bool   `json:"known"`
	Count  int    `json:"count"`
	Reason string `json:"reason,omitempty"`
}

// Trusted is the provisioning answer of an earlier successful check of an
// instance, remembered by the caller (the resource's private state) with
// the app's lastUpdated at that time. While the app object's lastUpdated is
// unchanged the adapter reuses it instead of asking Okta again.
type Trusted struct {
	LastUpdated  string            `json:"last_updated"`
	Provisioning ProvisioningFacts `json:"provisioning"`
}

// Usable reports whether t may stand in for a fresh check. Only answers
// showing provisioning on are reused: a negative answer is always asked
// again, so that a fix shows at once even if it left lastUpdated alone.
func (t Trusted) Usable() bool {
	return t.LastUpdated != "" && t.Provisioning.Enabled()
}

// Trust returns what a caller should remember about the instance to skip
// re-verifying it next time, and false when there is nothing worth keeping
// (nothing was fetched, or the answer was not a success).
func (f OktaInstanceFacts) Trust() (Trusted, bool) {
	if f.State != AppFound || f.App.LastUpdated == "" {
		return Trusted{}, false
	}
	p := f.Provisioning
	p.Trusted, p.TrustedAt = false, ""
	t := Trusted{LastUpdated: f.App.LastUpdated, Provisioning: p}
	if !t.Usable() {
		return Trusted{}, false
	}
	return t, true
}

// ISPMAppFacts is ISPM's view of one app in one org.
type ISPMAppFacts struct {
	// NotConfigured is set when the provider has no ISPM API: readiness is
	// judged from Okta alone, and what only ISPM knows is unverified.
	NotConfigured bool
	// Reason is set when ISPM's view of the app in the org is missing (ISPM
	// could not be asked, or does not know the org or the app there); it
	// says why, and the fields below except OrgConnected are then ignored.
	Reason string
	// OrgConnected is whether the org is connected to ISPM (P1); it is used
	// even when Reason is set.
	OrgConnected Tristate
	// Status is the gallery's status for the app in the org (StatusUnknown
	// when ISPM did not say).
	Status AppStatus
	// ConnectedInstanceIDs are the instances of an existing connection.
	ConnectedInstanceIDs []string
	// Instances are the instances ISPM lists for the app in the org; the
	// gallery lists active instances only.
	Instances []ISPMInstanceFacts
}

// ISPMNotConfigured is ISPM's view when the provider has no ISPM API.
func ISPMNotConfigured() ISPMAppFacts {
	return ISPMAppFacts{NotConfigured: true, Reason: "ISPM is not configured in the provider"}
}

// Instance returns ISPM's facts for id.
func (f ISPMAppFacts) Instance(id string) (ISPMInstanceFacts, bool) {
	for _, in := range f.Instances {
		if in.ID == id {
			return in, true
		}
	}
	return ISPMInstanceFacts{}, false
}

// InConnection reports whether id belongs to the existing connection.
func (f ISPMAppFacts) InConnection(id string) bool {
	return slices.Contains(f.ConnectedInstanceIDs, id)
}

// ISPMInstanceFacts is ISPM's view of one instance.
type ISPMInstanceFacts struct {
	ID    string
	Label string
	// Eligible is ISPM's own verdict on the instance.
	Eligible Tristate
	// ImportGroups is set when ISPM reports the Import Groups setting,
	// which only ISPM can see.
	ImportGroups Tristate
	// Failing lists the prerequisites ISPM reports as not met, when it says.
	Failing []CheckID
}

// NeedsGroupEvidence reports whether P7 for instance id would benefit from
// Okta's APP_GROUP evidence, that is whether ISPM does not already settle
// Import Groups for it. The Okta adapter fetches groups only when this
// holds for some instance.
func NeedsGroupEvidence(ispm ISPMAppFacts, id string) bool {
	if ispm.Reason != "" {
		return true
	}
	in, ok := ispm.Instance(id)
	return !ispm.InConnection(id) && (!ok || (in.Eligible != Yes && in.ImportGroups == Unknown))
}

// provisioningFeature reports whether an app feature is one that product
// rule P5 reads as provisioning being switched on for the instance:
// SCIM_PROVISIONING and the IMPORT_* and PUSH_* families. Okta documents
// `features` as the app's enabled features, and these exist only on the
// Provisioning tab, so their presence is strong (inferred) evidence; their
// absence proves nothing, because Okta has been seen to send an empty list
// for an app whose connection was enabled.
func provisioningFeature(f string) bool {
	return f == "SCIM_PROVISIONING" || strings.HasPrefix(f, "IMPORT_") || strings.HasPrefix(f, "PUSH_")
}

// ProvisioningFeatures returns the features of a that show provisioning is
// on; an empty result proves nothing either way.
func ProvisioningFeatures(a AppObject) []string {
	var out []string
	for _, f := range a.Features {
		if provisioningFeature(f) {
			out = append(out, f)
		}
	}
	return out
}

// ConnectionAPIApps are the catalog keys whose provisioning connection
// Okta's Application Connections API covers, as the ApplicationConnections
// tag of Okta's management OpenAPI (2026.06.3) lists them: okta_org2org
// and zscalerbyz by token; google, office365, okta_org2org, slack and
// zoomus by OAuth 2.0. For any other app the connection answers UNKNOWN
// at best, so the adapter asks GET /features only.
var ConnectionAPIApps = map[string]bool{
	"google": true, "office365": true, "okta_org2org": true, "slack": true, "zoomus": true, "zscalerbyz": true,
}

// ConnectionAPIAppsText names ConnectionAPIApps in messages.
const ConnectionAPIAppsText = "google, office365, okta_org2org, slack, zoomus and zscalerbyz"
