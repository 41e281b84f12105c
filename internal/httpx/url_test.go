package httpx

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestParseLinkNext(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://acme.okta.com/api/v1/apps?limit=200")
	cases := []struct {
		name    string
		values  []string
		want    string
		wantErr string
	}{
		{name: "separate values as Okta sends them", values: []string{
			`<https://acme.okta.com/api/v1/apps?limit=200>; rel="self"`,
			`<https://acme.okta.com/api/v1/apps?after=0oa2&limit=200>; rel="next"`,
		}, want: "https://acme.okta.com/api/v1/apps?after=0oa2&limit=200"},
		{name: "one comma-joined value", values: []string{
			`<https://acme.okta.com/api/v1/apps?limit=200>; rel="self", <https://acme.okta.com/api/v1/apps?after=x,y&limit=2>; rel="next"`,
		}, want: "https://acme.okta.com/api/v1/apps?after=x,y&limit=2"},
		{name: "only self", values: []string{`<https://acme.okta.com/api/v1/apps>; rel="self"`}},
		{name: "none"},
		{name: "relative next", values: []string{`</api/v1/apps?after=z>; rel=next`}, want: "https://acme.okta.com/api/v1/apps?after=z"},
		{name: "other host is refused", values: []string{`<https://evil.example.com/api/v1/apps?after=z>; rel="next"`}, wantErr: "evil.example.com"},
		{name: "scheme downgrade is refused", values: []string{`<http://acme.okta.com/api/v1/apps?after=z>; rel="next"`}, wantErr: "refusing"},
		{name: "garbage is ignored", values: []string{`nonsense; rel="next"`, `<>`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for _, v := range tc.values {
				h.Add("Link", v)
			}
			got, err := ParseLinkNext(h, base)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tc.want == "") || (got != nil && got.String() != tc.want) {
				t.Fatalf("next = %v, want %q", got, tc.want)
			}
		})
	}
}

func TestParseEndpoint(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		"https://acme.okta.com/":     "https://acme.okta.com",
		"http://127.0.0.1:8080":      "http://127.0.0.1:8080",
		"http://localhost:9/api":     "http://localhost:9/api",
		"http://[::1]:1234":          "http://[::1]:1234",
		" https://ispm.example.com ": "https://ispm.example.com",
	}
	for in, want := range ok {
		u, err := ParseEndpoint("endpoint", in)
		if err != nil || u.String() != want {
			t.Errorf("ParseEndpoint(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	bad := map[string]string{
		"http://acme.okta.com":          "plain http",
		"acme.okta.com":                 "not an absolute",
		"ftp://acme.okta.com":           "not an absolute",
		"https://user:pw@acme.okta.com": "credentials",
		"https://acme.okta.com/?x=1":    "query",
		"http://10.0.0.1":               "plain http",
	}
	for in, want := range bad {
		_, err := ParseEndpoint("endpoint", in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseEndpoint(%q) err = %v, want one containing %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
}

func TestRedactURLHidesQueryValuesAndUserinfo(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodPost, "https://user:pw@acme.okta.com/oauth2/v1/token?client_assertion=eyJSECRET&grant_type=client_credentials", nil)
	got := redactURL(req)
	if strings.Contains(got, "SECRET") || strings.Contains(got, "pw") || strings.Contains(got, "client_credentials") {
		t.Fatalf("redactURL = %q leaks a value", got)
	}
	if !strings.Contains(got, "client_assertion=REDACTED") || !strings.Contains(got, "acme.okta.com/oauth2/v1/token") {
		t.Fatalf("redactURL = %q lost the shape of the URL", got)
	}
}
