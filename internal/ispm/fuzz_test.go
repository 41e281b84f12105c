package ispm

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
)

const fuzzSecret = "fuzz-secret-token"

// FuzzErrorFromResponse feeds arbitrary error answers to the problem
// decoder: it must never panic, never keep the token, and always say which
// request failed.
func FuzzErrorFromResponse(f *testing.F) {
	f.Add(409, "application/problem+json", "7", `{"type":"urn:ispm:problem:source-exists","title":"Source already exists","status":409,"existing_source_id":"src_1"}`)
	f.Add(422, "application/problem+json", "", `{"type":"urn:ispm:problem:prerequisites-unmet","title":"x","status":422,"errors":[{"instance_id":"0oa1","prerequisite":"P5_PROVISIONING","detail":"off"}]}`)
	f.Add(429, "application/problem+json", "Wed, 21 Oct 2015 07:28:00 GMT", `{"type":"t","title":"t","status":429,"retry_after":-5}`)
	f.Add(502, "text/html", "", "<html><h1>Bad Gateway</h1></html>")
	f.Add(500, "", "", `{"detail":"`+fuzzSecret+`"}`)
	f.Add(400, "application/json; charset=\"", "", `{"errors":[{"detail":1}]}`)
	f.Add(404, "application/problem+json", "", `{"type":`)
	f.Add(401, "application/problem+json", "", `{"detail":"fuzz-secret\u0007-token"}`)
	f.Fuzz(func(t *testing.T, status int, contentType, retryAfter, body string) {
		h := http.Header{}
		h.Set("Content-Type", contentType)
		h.Set("Retry-After", retryAfter)
		h.Set("X-Request-Id", fuzzSecret)
		e := errorFromResponse(http.MethodPost, "/api/v1/sources", errorAnswer{status: status, header: h, body: []byte(body)}, time.Unix(1700000000, 0), fuzzSecret)
		msg := e.Error()
		if strings.Contains(msg, fuzzSecret) {
			t.Fatalf("the token leaked: %q", msg)
		}
		if !strings.HasPrefix(msg, "ISPM API POST /api/v1/sources") {
			t.Fatalf("the message does not name the request: %q", msg)
		}
		for _, r := range msg {
			if unicode.IsControl(r) {
				t.Fatalf("control character in %q", msg)
			}
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative Retry-After %s", e.RetryAfter)
		}
		if len(e.Problems) > maxProblems+1 {
			t.Fatalf("%d problems kept", len(e.Problems))
		}
	})
}

// FuzzDecodeSourcePage feeds arbitrary listing bodies to the page decoder:
// errors are fine, panics are not.
func FuzzDecodeSourcePage(f *testing.F) {
	f.Add(`{"data":[{"id":"src_1","okta_org_id":"o","app":"slack","status":"WEIRD","health":{"status":"?"}}],"next_cursor":"c"}`)
	f.Add(`{"data":null}`)
	f.Add(`{"data":[{"instances":[{}]}]}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		var p page[Source]
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			return
		}
		if err := p.check(); err == nil {
			for _, s := range *p.Data {
				if s.ID == "" || s.OktaOrgID == "" || s.App == "" {
					t.Fatalf("check accepted a source without identity: %+v", s)
				}
			}
		}
	})
}
