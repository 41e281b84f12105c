package httpx

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseLinkNext feeds arbitrary Link header values to the parser: it
// must never panic, and a next URL it returns is always on the base host.
func FuzzParseLinkNext(f *testing.F) {
	for _, seed := range []string{
		`<https://acme.okta.com/api/v1/apps?limit=200>; rel="self"`,
		`<https://acme.okta.com/api/v1/apps?after=0oa2&limit=200>; rel="next"`,
		`<https://evil.example.com/steal>; rel="next"`,
		`</api/v1/apps?after=x>; rel=next, <https://acme.okta.com/x>; rel="self"`,
		`<http://acme.okta.com/api/v1/apps>; rel="next"`,
		`<//evil.example.com/x>; rel="next"`,
		`<https://acme.okta.com:443@evil.example.com/>; rel="next"`,
		`<>; rel="next"`,
		`<%zz>; rel="next"`,
		`,,,;;;"<>`,
	} {
		f.Add(seed)
	}
	base, _ := url.Parse("https://acme.okta.com/api/v1/apps?limit=200")
	f.Fuzz(func(t *testing.T, value string) {
		h := http.Header{}
		for _, v := range strings.Split(value, "\n") {
			h.Add("Link", v)
		}
		next, err := ParseLinkNext(h, base)
		if err != nil || next == nil {
			return
		}
		if next.Scheme != base.Scheme || !strings.EqualFold(next.Host, base.Host) {
			t.Fatalf("followed a link off the base host: %q -> %s", value, next)
		}
	})
}
