package oktasim

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recordedBody reads the response body of a reference fixture.
func recordedBody(t *testing.T, name string) json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "okta-reference", name))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Response struct {
			Body json.RawMessage `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f.Response.Body
}

func TestParseObjectKeepsRecordedObjectsByteForByte(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"recorded/app_get_oidc_client.json",
		"recorded/app_okta_flow_sso_scim_provisioning.json",
		"recorded/app_okta_org2org_import_features.json",
		"recorded/app_okta_org2org_push_and_import_features.json",
		"recorded/app_zoomus_no_provisioning.json",
	} {
		body := recordedBody(t, name)
		obj, err := parseObject(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want bytes.Buffer
		if err := json.Compact(&want, body); err != nil {
			t.Fatal(err)
		}
		if got := obj.marshal(); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: marshal changed the object:\n got %s\nwant %s", name, got, want.Bytes())
		}
	}
}

func TestParseObjectRewritesOnlyWhatItSets(t *testing.T) {
	t.Parallel()
	obj, err := parseObject([]byte(`{"b": 1, "a": {"x": "<&>"}, "c": null}`))
	if err != nil {
		t.Fatal(err)
	}
	obj.set("a", mustJSON("https://x/?a=1&b=2"))
	obj.set("d", mustJSON([]string{}))
	obj.rename("c", "e")
	if got, want := string(obj.marshal()), `{"b":1,"a":"https://x/?a=1&b=2","e":null,"d":[]}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestParseObjectRefusesWhatOktaNeverSends(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`[1,2]`:              "must be a JSON object",
		`{"a":1,"a":2}`:      `member "a" appears twice`,
		`{"a":1} {"b":2}`:    "invalid JSON",
		`{"a":"x\"y","a":2}`: `member "a" appears twice`,
		`{"\u0061":1,"a":2}`: `member "a" appears twice`,
		`{"a":`:              "invalid JSON",
		`{"a":1`:             "invalid JSON",
		`"just a string"`:    "must be a JSON object",
		`{"a": [1, 2}`:       "invalid JSON",
		`{"id": "0oa", "x"}`: "invalid JSON",
	} {
		if _, err := parseObject([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseObject(%s) = %v, want an error containing %q", in, err, want)
		}
	}
}

func TestDeterministicIDsHaveOktasShape(t *testing.T) {
	t.Parallel()
	a := deterministicID("0oa", "acme", "x")
	if !appIDPattern.MatchString(a) {
		t.Errorf("app id %q does not look like an Okta app id", a)
	}
	if b := deterministicID("0oa", "acme", "x"); a != b {
		t.Errorf("ids differ between calls: %q, %q", a, b)
	}
	if c := deterministicID("0oa", "acme", "y"); c == a {
		t.Errorf("different inputs gave the same id %q", c)
	}
	if g := deterministicID("00g", "acme"); !groupIDPattern.MatchString(g) {
		t.Errorf("group id %q does not look like an Okta group id", g)
	}
}

func TestMustJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"plain", "with \"quote\"", "tab\there", "ünïcode", "a&b<c>", []string{}, []string{"A", "B"}, []string{"x", "y\"z"}} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		if got := string(mustJSON(v)); got != strings.TrimSpace(want.String()) {
			t.Errorf("mustJSON(%#v) = %s, want %s", v, got, want.String())
		}
	}
}
