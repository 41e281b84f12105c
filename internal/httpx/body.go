package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ReadBody reads r to its end, but never more than limit bytes: a hostile
// or broken server must not make the client read without end. over
// reports that r held more than limit bytes; data is then the first limit
// bytes. err is a read that failed (a connection dropped mid-answer, say)
// before the end or the limit.
func ReadBody(r io.Reader, limit int64) (data []byte, over bool, err error) {
	limit = max(limit, 0)
	n := limit
	if n < math.MaxInt64 {
		n++ // one byte more tells a body of exactly limit bytes from a longer one
	}
	data, err = io.ReadAll(io.LimitReader(r, n))
	if int64(len(data)) > limit {
		return data[:limit], true, err
	}
	return data, false, err
}

// MediaType returns the media type h's Content-Type declares, lower-cased
// and without parameters, or "" when h declares none. When Content-Type
// cannot be parsed it returns unparseable: the caller's words for that in
// a message.
func MediaType(h http.Header, unparseable string) string {
	ct := h.Get("Content-Type")
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return unparseable
	}
	return mt
}

// IsJSONMediaType reports whether mt (as MediaType returns it) is JSON:
// application/json or a +json type such as application/problem+json.
func IsJSONMediaType(mt string) bool {
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// DeclaredNotJSON reports whether h declares a body that is not JSON, such
// as the HTML page of a proxy or firewall that answered in the server's
// place, and returns the media type it declares (unparseable when
// Content-Type cannot be parsed; see MediaType). An answer that declares
// no type is not refused: its body may still be JSON.
func DeclaredNotJSON(h http.Header, unparseable string) (mediaType string, notJSON bool) {
	mt := MediaType(h, unparseable)
	return mt, mt != "" && !IsJSONMediaType(mt)
}

// DescribeJSONError says briefly, for a message, why a body could not be
// decoded as JSON: truncated, a syntax error and where, or a member of the
// wrong type.
func DescribeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err.Error() == "unexpected end of JSON input":
		return "truncated"
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("member %q is a JSON %s where %s was expected", typ.Field, typ.Value, typ.Type)
		}
		return fmt.Sprintf("a JSON %s where %s was expected", typ.Value, typ.Type)
	}
	return err.Error()
}

// UnwrapURLError drops *url.Error's `Get "https://…":` prefix from a
// transport error: the caller's message names the request already, and
// the URL may carry what a message should not repeat.
func UnwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Sanitizer makes text a server sent, or an error that may quote a
// request, safe to show a user: without the client's secrets, without
// control characters, and bounded.
type Sanitizer struct {
	// Secrets are each replaced by Mask wherever they appear; empty ones
	// are ignored.
	Secrets []string
	// Mask replaces a secret, e.g. "[redacted]".
	Mask string
	// Spaces lists the control characters that Clean turns into a space;
	// it drops every other control character.
	Spaces string
}

// Redact replaces every secret in s with Mask.
func (z Sanitizer) Redact(s string) string {
	for _, secret := range z.Secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, z.Mask)
		}
	}
	return s
}

// Clean makes s safe to quote in a message. It turns the control
// characters in Spaces into spaces and drops every other one, and U+FFFD
// (which invalid UTF-8 also reads as), before it redacts the secrets: a
// control character could split a secret and hide it from the redaction.
// It then trims surrounding white space and cuts s to at most limit bytes
// at a character boundary, marking a cut with "…".
func (z Sanitizer) Clean(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(z.Spaces, r):
			return ' '
		case unicode.IsControl(r) || r == utf8.RuneError:
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(z.Redact(s))
	if limit = max(limit, 0); len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
