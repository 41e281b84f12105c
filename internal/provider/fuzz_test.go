package provider

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParseImportID feeds arbitrary import IDs to the parser behind
// terraform import of ispm_source_connection: it never panics, and every
// ID is exactly one of a well-formed source id, a well-formed
// <okta_org>/<app_name> pair that reassembles into the ID, or a refusal
// that quotes the ID safely and lists the accepted forms. The committed
// corpus (testdata/fuzz/FuzzParseImportID) holds IDs of every shape.
func FuzzParseImportID(f *testing.F) {
	for _, id := range []string{
		"src_office365acme01", "acme.okta.com/slack", "oktaorg_acme/slack", "https://acme.okta.com/slack",
		"http://127.0.0.1:8080/acme_hrportal_1", "", " ", "/", "//", "acme.okta.com/", "/slack", "acme.okta.com:slack",
		"a/b/c", "src 1", "src_\u00fc", "src_1\n", "acme.okta.com/sl ack", "acme.okta.com/" + strings.Repeat("a", 101),
		strings.Repeat("s", 129), "../../etc/passwd", "acme.okta.com/slack\x00", "\u202esrc_1", "::/slack", "https:///slack",
	} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		sourceID, orgRef, app, err := parseImportID(id)
		switch {
		case err != nil:
			if sourceID != "" || orgRef != "" || app != "" {
				t.Fatalf("%q refused but parsed into %q, %q, %q", id, sourceID, orgRef, app)
			}
			msg := err.Error()
			if !strings.Contains(msg, "acme.okta.com/slack or oktaorg_acme/slack") {
				t.Fatalf("the refusal of %q does not list the accepted forms: %q", id, msg)
			}
			for _, r := range msg {
				if unicode.IsControl(r) {
					t.Fatalf("the refusal of %q carries control character %U", id, r)
				}
			}
		case sourceID != "":
			if orgRef != "" || app != "" || !sourceIDPattern.MatchString(sourceID) || sourceID != strings.TrimSpace(id) {
				t.Fatalf("%q accepted as source id %q (org %q, app %q)", id, sourceID, orgRef, app)
			}
		default:
			if orgRef == "" || !appKeyPattern.MatchString(app) {
				t.Fatalf("%q accepted with org %q and app %q", id, orgRef, app)
			}
			if strings.Contains(app, "/") || strings.TrimSpace(orgRef) != orgRef {
				t.Fatalf("%q split badly into %q and %q", id, orgRef, app)
			}
			trimmed := strings.TrimSpace(id)
			if !strings.HasPrefix(trimmed, orgRef) || !strings.HasSuffix(trimmed, app) {
				t.Fatalf("%q does not reassemble from %q and %q", id, orgRef, app)
			}
		}
	})
}
