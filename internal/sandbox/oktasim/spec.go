package oktasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// OrgSpec describes one simulated Okta org. Its JSON form is the element of a
// scenario's "okta_orgs" list; the sandbox README documents every field.
type OrgSpec struct {
	// Name identifies the org in the sandbox (control API, first-line JSON).
	Name string `json:"name"`
	// LifecycleManagement says whether the org subscribes to Okta Lifecycle
	// Management; without it the provisioning endpoints answer 401 E0000015.
	// Nil means true.
	LifecycleManagement *bool `json:"lifecycle_management,omitempty"`
	// APITokens are accepted as "Authorization: SSWS <token>".
	APITokens []APIToken `json:"api_tokens,omitempty"`
	// OAuthClients are service apps allowed to use client_credentials with a
	// private_key_jwt client assertion.
	OAuthClients []OAuthClient `json:"oauth_clients,omitempty"`
	// RateLimits overrides Okta's Enterprise defaults per bucket.
	RateLimits RateLimitsSpec `json:"rate_limits,omitempty"`
	// Faults starts the org with injected faults.
	Faults *Faults `json:"faults,omitempty"`
	// Apps are Okta Application objects exactly as Okta returns them.
	Apps []json.RawMessage `json:"apps,omitempty"`
	// AppsFile names a file holding a JSON array of Application objects (for
	// example a recorded GET /api/v1/apps body). The scenario loader reads it,
	// relative to the scenario file, and appends its apps to Apps.
	AppsFile string `json:"apps_file,omitempty"`
	// AppSettings holds, per app id, the state the app object does not show.
	AppSettings map[string]AppSettings `json:"app_settings,omitempty"`
	// Groups are org-level Group objects (OKTA_GROUP, BUILT_IN), served verbatim.
	Groups []json.RawMessage `json:"groups,omitempty"`
	// SyntheticApps adds generated apps, for scale tests and benchmarks.
	SyntheticApps *SyntheticApps `json:"synthetic_apps,omitempty"`
}

// APIToken is an Okta API token. In JSON it is a string, or an object when
// the token's admin may use only some of the API.
type APIToken struct {
	Token string `json:"token"`
	// Scopes limits what the token's admin may read, in OAuth scope names
	// (okta.apps.read, okta.groups.read). Nil means everything, as for a
	// super admin's token.
	Scopes []string `json:"scopes,omitempty"`
}

// UnmarshalJSON accepts "token" or {"token": "...", "scopes": [...]}.
func (t *APIToken) UnmarshalJSON(data []byte) error {
	if s := bytes.TrimSpace(data); len(s) > 0 && s[0] == '"' {
		return json.Unmarshal(s, &t.Token)
	}
	type plain APIToken
	var p plain
	if err := decodeStrict(data, &p); err != nil {
		return err
	}
	*t = APIToken(p)
	return nil
}

// OAuthClient is an OAuth 2.0 service app of the org.
type OAuthClient struct {
	ClientID string `json:"client_id"`
	// PublicKey is the PEM of the RSA public key that verifies the client's
	// assertions ("PUBLIC KEY" or "RSA PUBLIC KEY").
	PublicKey string `json:"public_key"`
	// KeyID, when set, must match the assertion's "kid" header if it has one.
	KeyID string `json:"key_id,omitempty"`
	// Scopes are the Okta API scopes granted to the service app.
	Scopes []string `json:"scopes"`
	// RequireDPoP models a service app created with DPoP required (Okta's
	// default for new apps), which okta-sdk-golang/v2 cannot satisfy.
	RequireDPoP bool `json:"require_dpop,omitempty"`
}

// RateLimitsSpec overrides rate limits; nil fields keep the defaults.
type RateLimitsSpec struct {
	Apps        *int `json:"apps,omitempty"`
	AppGet      *int `json:"app_get,omitempty"`
	Groups      *int `json:"groups,omitempty"`
	Token       *int `json:"token,omitempty"`
	Other       *int `json:"other,omitempty"`
	Concurrency *int `json:"concurrency,omitempty"`
}

// AppSettings is the state of one app instance that its app object does not
// show: the provisioning connection, the feature objects, the hidden "Import
// Groups" setting and the app groups it imported.
type AppSettings struct {
	// Connection is "ENABLED", "DISABLED" or "UNKNOWN", or a provisioning
	// connection object as Okta returns it (served verbatim until a change
	// moves its status, then with status and _links made current). When
	// absent it is derived from the app (see README).
	Connection json.RawMessage `json:"connection,omitempty"`
	// Features are ApplicationFeature objects as Okta returns them for
	// GET /api/v1/apps/{id}/features. When absent they are derived from the
	// app's features list.
	Features []json.RawMessage `json:"features,omitempty"`
	// ImportGroups is the "Import Groups" provisioning setting, which no
	// public Okta API exposes. Nil means not stated: the scenario does not
	// know it (as for apps copied from real listings), Groups
	// notwithstanding, and the ISPM service then does not report P7 unmet
	// for the app. Installing an app through the control API is the
	// exception: see NewApp.
	ImportGroups *bool `json:"import_groups,omitempty"`
	// ProvisioningSupported is false for apps that cannot provision at all
	// (bookmarks, SAML-only apps); the control API then refuses to enable
	// provisioning. Nil means true.
	ProvisioningSupported *bool `json:"provisioning_supported,omitempty"`
	// Groups are APP_GROUP groups imported from the app: Group objects, of
	// which only "profile" is required; missing members are filled in.
	Groups []json.RawMessage `json:"groups,omitempty"`
}

// SyntheticApps asks for generated app instances in mixed readiness states.
type SyntheticApps struct {
	Count int   `json:"count"`
	Seed  int64 `json:"seed,omitempty"`
}

// Faults are failures injected into an org's Okta API.
type Faults struct {
	// LatencyMS is added to every matching request before it is answered.
	LatencyMS int `json:"latency_ms,omitempty"`
	// ErrorRate is the share (0..1) of matching requests answered with
	// Okta's 500 E0000009.
	ErrorRate float64 `json:"error_rate,omitempty"`
	// DropRate is the share (0..1) of matching requests whose connection is
	// closed without an answer.
	DropRate float64 `json:"drop_rate,omitempty"`
	// Seed seeds the random choices, so a test sees the same sequence on
	// every run.
	Seed int64 `json:"seed,omitempty"`
	// Endpoints limits the faults to these endpoints, written as the request
	// counters name them ("GET /api/v1/apps/{id}"). Empty means all.
	Endpoints []string `json:"endpoints,omitempty"`
	// Answer, when set, answers every matching request verbatim instead of
	// serving it (after latency and drops): a recorded Okta error, a
	// proxy's HTML page, a truncated or oversized body, a next link to
	// another host.
	Answer *Answer `json:"answer,omitempty"`
}

// Answer is an HTTP answer served as given.
type Answer struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body"`
}

func (f Faults) validate() error {
	switch {
	case f.LatencyMS < 0:
		return fmt.Errorf("latency_ms is %d; it must be 0 or more", f.LatencyMS)
	case f.ErrorRate < 0 || f.ErrorRate > 1:
		return fmt.Errorf("error_rate is %g; it must be between 0 and 1", f.ErrorRate)
	case f.DropRate < 0 || f.DropRate > 1:
		return fmt.Errorf("drop_rate is %g; it must be between 0 and 1", f.DropRate)
	case f.ErrorRate+f.DropRate > 1:
		return fmt.Errorf("error_rate plus drop_rate is %g; together they must not exceed 1", f.ErrorRate+f.DropRate)
	case f.Answer != nil && (f.Answer.Status < 100 || f.Answer.Status > 599):
		return fmt.Errorf("answer.status is %d; it must be an HTTP status, 100 to 599", f.Answer.Status)
	}
	for _, e := range f.Endpoints {
		if !knownEndpoint(e) {
			return fmt.Errorf("endpoint %q is not one the sandbox serves; use one of: %s", e, strings.Join(endpointNames(), ", "))
		}
	}
	return nil
}

// ParseOrgSpec decodes one org of a scenario, refusing unknown fields. Errors
// name the field at fault.
func ParseOrgSpec(data []byte) (OrgSpec, error) {
	var spec OrgSpec
	fields, err := objectFields(data)
	if err != nil {
		return spec, err
	}
	// The name first, so every later error can say which org it is about.
	keys := sortedKeys(fields)
	if i := slices.Index(keys, "name"); i > 0 {
		keys = append(append([]string{"name"}, keys[:i]...), keys[i+1:]...)
	}
	for _, k := range keys {
		v := fields[k]
		var err error
		switch k {
		case "name":
			err = decodeStrict(v, &spec.Name)
		case "lifecycle_management":
			err = decodeStrict(v, &spec.LifecycleManagement)
		case "api_tokens":
			err = decodeList(v, &spec.APITokens)
		case "oauth_clients":
			err = decodeList(v, &spec.OAuthClients)
		case "rate_limits":
			err = decodeStrict(v, &spec.RateLimits)
		case "faults":
			err = decodeStrict(v, &spec.Faults)
		case "apps":
			spec.Apps, err = splitArray(v)
		case "apps_file":
			err = decodeStrict(v, &spec.AppsFile)
		case "groups":
			spec.Groups, err = splitArray(v)
		case "synthetic_apps":
			err = decodeStrict(v, &spec.SyntheticApps)
		case "app_settings":
			err = decodeAppSettings(v, &spec.AppSettings)
		default:
			return spec, unknownField(k, OrgSpec{})
		}
		if err != nil {
			return spec, withPath(k, err)
		}
	}
	return spec, nil
}

// withPath prefixes an error with the field it is about, joining list
// indexes directly: "api_tokens[1]: ...", "rate_limits: ...".
func withPath(field string, err error) error {
	if strings.HasPrefix(err.Error(), "[") {
		return fmt.Errorf("%s%w", field, err)
	}
	return fmt.Errorf("%s: %w", field, err)
}

func decodeAppSettings(data []byte, dst *map[string]AppSettings) error {
	raw, err := objectFields(data)
	if err != nil {
		return err
	}
	*dst = make(map[string]AppSettings, len(raw))
	for _, id := range sortedKeys(raw) {
		var s AppSettings
		if err := decodeStrict(raw[id], &s); err != nil {
			return fmt.Errorf("app %q: %w", id, err)
		}
		(*dst)[id] = s
	}
	return nil
}

// decodeList decodes a JSON array element by element, so an error names the
// element's index.
func decodeList[T any](data []byte, dst *[]T) error {
	items, err := splitArray(data)
	if err != nil {
		return err
	}
	out := make([]T, len(items))
	for i, it := range items {
		if err := decodeStrict(it, &out[i]); err != nil {
			return withPath(fmt.Sprintf("[%d]", i), err)
		}
	}
	*dst = out
	return nil
}

func objectFields(data []byte) (map[string]json.RawMessage, error) {
	if k := jsonKind(data); k != "an object" {
		return nil, fmt.Errorf("must be a JSON object, not %s", k)
	}
	obj, err := parseObject(data)
	if err != nil {
		return nil, err
	}
	fields := make(map[string]json.RawMessage, len(obj.keys))
	for i, k := range obj.keys {
		fields[k] = obj.vals[i]
	}
	return fields, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decodeStrict decodes one JSON value into v, refusing unknown fields, and
// turns encoding/json's errors into sentences that name the field.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeJSONError(data, err)
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// describeJSONError rewrites encoding/json errors for scenario authors.
func describeJSONError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := position(data, syn.Offset)
		return fmt.Errorf("invalid JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ):
		want := kindOf(typ.Type)
		if typ.Field == "" {
			return fmt.Errorf("must be %s, not %s", want, article(typ.Value))
		}
		return fmt.Errorf("field %q must be %s, not %s", typ.Field, want, article(typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("unknown field %s; check its spelling against the sandbox README", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the JSON ends too early")
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return line, col
}

func kindOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}

func article(jsonType string) string {
	switch jsonType {
	case "object", "array":
		return "an " + jsonType
	case "bool":
		return "a boolean"
	default:
		if strings.HasPrefix(jsonType, "number") {
			return "a number"
		}
		return "a " + jsonType
	}
}

// unknownField names the fields a JSON object of type t may have.
func unknownField(name string, t any) error {
	var known []string
	rt := reflect.TypeOf(t)
	for i := range rt.NumField() {
		tag := strings.Split(rt.Field(i).Tag.Get("json"), ",")[0]
		if tag != "" && tag != "-" {
			known = append(known, tag)
		}
	}
	sort.Strings(known)
	return fmt.Errorf("unknown field %q; known fields are %s", name, strings.Join(known, ", "))
}
