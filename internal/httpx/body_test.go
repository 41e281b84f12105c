package httpx

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
	"unicode"
	"unicode/utf8"
)

func TestReadBody(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		body     string
		limit    int64
		want     string
		wantOver bool
	}{
		{name: "shorter than the limit", body: "abc", limit: 10, want: "abc"},
		{name: "exactly the limit", body: "abcde", limit: 5, want: "abcde"},
		{name: "one byte over", body: "abcdef", limit: 5, want: "abcde", wantOver: true},
		{name: "far over", body: strings.Repeat("x", 1<<16), limit: 3, want: "xxx", wantOver: true},
		{name: "empty", body: "", limit: 5, want: ""},
		{name: "zero limit, empty body", body: "", limit: 0, want: ""},
		{name: "zero limit", body: "a", limit: 0, want: "", wantOver: true},
		{name: "negative limit reads as zero", body: "a", limit: -1, want: "", wantOver: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data, over, err := ReadBody(strings.NewReader(tc.body), tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.want || over != tc.wantOver {
				t.Fatalf("ReadBody(%d bytes, %d) = %q, over %v; want %q, over %v", len(tc.body), tc.limit, data, over, tc.want, tc.wantOver)
			}
		})
	}
}

func TestReadBodyReadsNoMoreThanItNeeds(t *testing.T) {
	t.Parallel()
	r := strings.NewReader(strings.Repeat("x", 100))
	if _, over, _ := ReadBody(r, 10); !over {
		t.Fatal("a 100-byte body under a 10-byte limit is not over")
	}
	if left := r.Len(); left != 89 {
		t.Fatalf("ReadBody left %d bytes unread, want 89 (the limit and one byte to tell)", left)
	}
}

func TestReadBodyNoLimitOverflow(t *testing.T) {
	t.Parallel()
	data, over, err := ReadBody(strings.NewReader("abc"), 1<<63-1)
	if err != nil || over || string(data) != "abc" {
		t.Fatalf("ReadBody at the largest limit = %q, %v, %v", data, over, err)
	}
}

func TestReadBodyCutOff(t *testing.T) {
	t.Parallel()
	r := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(io.ErrUnexpectedEOF))
	data, over, err := ReadBody(r, 100)
	if !errors.Is(err, io.ErrUnexpectedEOF) || over || string(data) != "partial" {
		t.Fatalf("ReadBody of a dropped answer = %q, %v, %v", data, over, err)
	}
}

func TestMediaType(t *testing.T) {
	t.Parallel()
	// By Content-Type: the media type, whether it is JSON, and whether
	// DeclaredNotJSON refuses it.
	type want struct {
		mediaType     string
		json, refused bool
	}
	for contentType, w := range map[string]want{
		"":                                {},
		"application/json":                {mediaType: "application/json", json: true},
		"application/json; charset=utf-8": {mediaType: "application/json", json: true},
		"Application/JSON":                {mediaType: "application/json", json: true},
		"application/problem+json":        {mediaType: "application/problem+json", json: true},
		"application/vnd.okta+json; okta-version=1": {mediaType: "application/vnd.okta+json", json: true},
		"text/html; charset=iso-8859-1":             {mediaType: "text/html", refused: true},
		"text/plain":                                {mediaType: "text/plain", refused: true},
		"application/jsonp":                         {mediaType: "application/jsonp", refused: true},
		`application/json; charset="`:               {mediaType: "UNPARSEABLE", refused: true},
		"/":                                         {mediaType: "UNPARSEABLE", refused: true},
	} {
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		if got := MediaType(h, "UNPARSEABLE"); got != w.mediaType {
			t.Errorf("MediaType(%q) = %q, want %q", contentType, got, w.mediaType)
		}
		if got := IsJSONMediaType(MediaType(h, "UNPARSEABLE")); got != w.json {
			t.Errorf("IsJSONMediaType(MediaType(%q)) = %v, want %v", contentType, got, w.json)
		}
		if mt, refused := DeclaredNotJSON(h, "UNPARSEABLE"); mt != w.mediaType || refused != w.refused {
			t.Errorf("DeclaredNotJSON(%q) = %q, %v; want %q, %v", contentType, mt, refused, w.mediaType, w.refused)
		}
	}
}

func TestDescribeJSONError(t *testing.T) {
	t.Parallel()
	decode := func(body string, v any) error {
		err := json.Unmarshal([]byte(body), v)
		if err == nil {
			t.Fatalf("%q decoded", body)
		}
		return err
	}
	var obj struct {
		Data []string `json:"data"`
	}
	var list []int
	cases := []struct {
		err  error
		want string
	}{
		{decode(`{"data":[`, &obj), "truncated"},
		{decode(`{"data":x}`, &obj), "syntax error at byte 9"},
		{decode(`{"data":"a"}`, &obj), `member "data" is a JSON string where []string was expected`},
		{decode(`{}`, &list), "a JSON object where []int was expected"},
		{errors.New("something else"), "something else"},
	}
	for _, tc := range cases {
		if got := DescribeJSONError(tc.err); got != tc.want {
			t.Errorf("DescribeJSONError(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestUnwrapURLError(t *testing.T) {
	t.Parallel()
	inner := errors.New("connection refused")
	wrapped := &url.Error{Op: "Get", URL: "https://acme.example.com/x?token=1", Err: inner}
	if got := UnwrapURLError(wrapped); got != inner {
		t.Fatalf("UnwrapURLError(%v) = %v, want %v", wrapped, got, inner)
	}
	if got := UnwrapURLError(inner); got != inner {
		t.Fatalf("UnwrapURLError of a plain error = %v", got)
	}
}

func TestSanitizerRedact(t *testing.T) {
	t.Parallel()
	z := Sanitizer{Secrets: []string{"", "tok-1", "key-2"}, Mask: "[redacted]"}
	if got, want := z.Redact("tok-1 and key-2, tok-1 again"), "[redacted] and [redacted], [redacted] again"; got != want {
		t.Fatalf("Redact = %q, want %q", got, want)
	}
	if got := (Sanitizer{Secrets: []string{""}, Mask: "X"}).Redact("abc"); got != "abc" {
		t.Fatalf("an empty secret changed the text: %q", got)
	}
}

func TestSanitizerClean(t *testing.T) {
	t.Parallel()
	z := Sanitizer{Secrets: []string{"s3cr3t"}, Mask: "[redacted]", Spaces: "\n\t"}
	cases := []struct {
		name  string
		z     Sanitizer
		in    string
		limit int
		want  string
	}{
		{name: "plain", z: z, in: "Bad request", limit: 100, want: "Bad request"},
		{name: "secret", z: z, in: "token s3cr3t rejected", limit: 100, want: "token [redacted] rejected"},
		{name: "a control character cannot hide a secret", z: z, in: "token s3\x07cr\x1b3t rejected", limit: 100, want: "token [redacted] rejected"},
		{name: "spaces", z: z, in: "line one\nline\ttwo", limit: 100, want: "line one line two"},
		{name: "a control character not in Spaces is dropped", z: z, in: "a\rb", limit: 100, want: "ab"},
		{name: "Spaces decides", z: Sanitizer{Spaces: "\n\t\r"}, in: "a\rb", limit: 100, want: "a b"},
		{name: "invalid UTF-8 and U+FFFD are dropped", z: z, in: "a\xffb\uFFFDc", limit: 100, want: "abc"},
		{name: "C1 control characters are dropped", z: z, in: "a\u009bb", limit: 100, want: "ab"},
		{name: "trimmed", z: z, in: "\n  padded \t", limit: 100, want: "padded"},
		{name: "cut", z: z, in: "abcdefgh", limit: 5, want: "abcde…"},
		{name: "cut at a character boundary", z: z, in: "ab€cd", limit: 4, want: "ab…"},
		{name: "limit reached exactly", z: z, in: "abcde", limit: 5, want: "abcde"},
		{name: "zero limit", z: z, in: "abc", limit: 0, want: "…"},
		{name: "negative limit", z: z, in: "abc", limit: -3, want: "…"},
		{name: "cut after the redaction", z: z, in: "s3cr3t", limit: 4, want: "[red…"},
	}
	for _, tc := range cases {
		if got := tc.z.Clean(tc.in, tc.limit); got != tc.want {
			t.Errorf("%s: Clean(%q, %d) = %q, want %q", tc.name, tc.in, tc.limit, got, tc.want)
		}
	}
}

// FuzzSanitizerClean: whatever the text, the result never holds the
// secret or a control character, is valid UTF-8, and is bounded.
func FuzzSanitizerClean(f *testing.F) {
	const secret = "s3cr3t-TOKEN"
	f.Add("token "+secret+" rejected", 100)
	f.Add("s3cr3t\x00-TOKEN\r\nSet-Cookie: x", 20)
	f.Add("\xff\xfe€€€", 4)
	f.Add("", 0)
	z := Sanitizer{Secrets: []string{secret}, Mask: "[redacted]", Spaces: "\n\t"}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		got := z.Clean(s, limit)
		if strings.Contains(got, secret) {
			t.Fatalf("the secret survived: %q", got)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		for _, r := range got {
			if unicode.IsControl(r) {
				t.Fatalf("control character %U in %q", r, got)
			}
		}
		if n := max(limit, 0) + len("…"); len(got) > n {
			t.Fatalf("%d bytes for a limit of %d", len(got), limit)
		}
	})
}
