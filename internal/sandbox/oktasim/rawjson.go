package oktasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// object is a JSON object that keeps its members in their original order and
// their values byte for byte (compacted), so a recorded Okta object is served
// back as recorded while the simulator rewrites only the members it owns.
type object struct {
	keys []string
	vals []json.RawMessage
}

var errNotObject = errors.New("must be a JSON object")

// parseObject reads one JSON object. Duplicate member names are refused:
// which of the two Okta meant cannot be known.
func parseObject(data []byte) (*object, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	b := buf.Bytes()
	if len(b) == 0 || b[0] != '{' {
		return nil, errNotObject
	}
	// b is valid, compact JSON: members can be split without a decoder.
	o := &object{}
	seen := map[string]bool{}
	i := 1
	for b[i] != '}' {
		end := scanString(b, i)
		key := string(b[i+1 : end-1])
		if bytes.IndexByte(b[i:end], '\\') >= 0 || !utf8.Valid(b[i:end]) {
			if err := json.Unmarshal(b[i:end], &key); err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
		}
		if seen[key] {
			return nil, fmt.Errorf("member %q appears twice", key)
		}
		seen[key] = true
		vstart := end + 1 // past ':'
		vend := scanValue(b, vstart)
		o.keys = append(o.keys, key)
		o.vals = append(o.vals, json.RawMessage(b[vstart:vend:vend]))
		i = vend
		if b[i] == ',' {
			i++
		}
	}
	return o, nil
}

// splitArray reads a JSON array into its elements, compacted.
func splitArray(data []byte) ([]json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	b := buf.Bytes()
	if len(b) == 0 || b[0] != '[' {
		return nil, fmt.Errorf("must be an array, not %s", jsonKind(b))
	}
	out := []json.RawMessage{}
	for i := 1; b[i] != ']'; {
		end := scanValue(b, i)
		out = append(out, json.RawMessage(b[i:end:end]))
		i = end
		if b[i] == ',' {
			i++
		}
	}
	return out, nil
}

// scanString returns the index just past the JSON string starting at b[i].
func scanString(b []byte, i int) int {
	for j := i + 1; ; j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
}

// scanValue returns the index just past the JSON value starting at b[i],
// which must be valid and compact.
func scanValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return scanString(b, i)
	case '{', '[':
		depth := 0
		for j := i; ; j++ {
			switch b[j] {
			case '"':
				j = scanString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' {
		j++
	}
	return j
}

func (o *object) get(key string) (json.RawMessage, bool) {
	for i, k := range o.keys {
		if k == key {
			return o.vals[i], true
		}
	}
	return nil, false
}

// set replaces a member in place, or appends it when absent.
func (o *object) set(key string, val json.RawMessage) {
	for i, k := range o.keys {
		if k == key {
			o.vals[i] = val
			return
		}
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, val)
}

func (o *object) rename(from, to string) {
	for i, k := range o.keys {
		if k == from {
			o.keys[i] = to
			return
		}
	}
}

// str returns a string member; ok is false when the member is absent, and err
// is set when it is present but not a string (null counts as absent).
func (o *object) str(key string) (s string, ok bool, err error) {
	raw, found := o.get(key)
	if !found || string(raw) == "null" {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false, fmt.Errorf("%q must be a string, not %s", key, jsonKind(raw))
	}
	return s, true, nil
}

func (o *object) marshal() []byte {
	n := 2
	for i, k := range o.keys {
		n += len(k) + len(o.vals[i]) + 4
	}
	var b bytes.Buffer
	b.Grow(n)
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(mustJSON(k))
		b.WriteByte(':')
		b.Write(o.vals[i])
	}
	b.WriteByte('}')
	return b.Bytes()
}

func (o *object) clone() *object {
	c := &object{keys: append([]string(nil), o.keys...), vals: make([]json.RawMessage, len(o.vals))}
	copy(c.vals, o.vals)
	return c
}

// mustJSON marshals values the simulator builds itself (strings, string
// slices, maps of those), without HTML escaping: Okta sends "&" in URLs as is.
func mustJSON(v any) json.RawMessage {
	switch x := v.(type) {
	case string:
		if plain(x) {
			return json.RawMessage(`"` + x + `"`)
		}
	case []string:
		if slices.IndexFunc(x, func(s string) bool { return !plain(s) }) < 0 {
			if len(x) == 0 {
				return json.RawMessage(`[]`)
			}
			return json.RawMessage(`["` + strings.Join(x, `","`) + `"]`)
		}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("oktasim: cannot marshal %T: %v", v, err))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// plain reports whether s needs no escaping inside a JSON string.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			return false
		}
	}
	return true
}

// jsonKind names the JSON type of a raw value, for error messages.
func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "empty"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}
