package oktasim

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// An expression is an Okta filter or search expression:
//
//	name eq "slack"
//	type eq "APP_GROUP" and (source.id eq "0oa…" or profile.name sw "Eng")
type expr interface {
	eval(get func(attr string) (string, bool)) bool
}

type andExpr struct{ l, r expr }
type orExpr struct{ l, r expr }
type cmpExpr struct {
	attr, op, value string
}
type presentExpr struct{ attr string }

func (e andExpr) eval(get func(string) (string, bool)) bool { return e.l.eval(get) && e.r.eval(get) }
func (e orExpr) eval(get func(string) (string, bool)) bool  { return e.l.eval(get) || e.r.eval(get) }
func (e presentExpr) eval(get func(string) (string, bool)) bool {
	_, ok := get(e.attr)
	return ok
}

func (e cmpExpr) eval(get func(string) (string, bool)) bool {
	v, ok := get(e.attr)
	if !ok {
		return false
	}
	switch e.op {
	case "eq":
		return v == e.value
	case "ne":
		return v != e.value
	case "sw":
		return strings.HasPrefix(strings.ToLower(v), strings.ToLower(e.value))
	case "co":
		return strings.Contains(strings.ToLower(v), strings.ToLower(e.value))
	}
	c := compareValues(v, e.value)
	switch e.op {
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	default: // le
		return c <= 0
	}
}

// compareValues orders timestamps as times and anything else as text.
func compareValues(a, b string) int {
	ta, errA := time.Parse(time.RFC3339, a)
	tb, errB := time.Parse(time.RFC3339, b)
	if errA == nil && errB == nil {
		return ta.Compare(tb)
	}
	return strings.Compare(a, b)
}

// exprRules says what an endpoint's expression may use.
type exprRules struct {
	// attrs lists the attributes allowed; nil allows any.
	attrs map[string]bool
	ops   map[string]bool
	or    bool
	// single allows one expression only: no "and" either.
	single bool
}

var (
	// Okta's apps filter: a few properties, eq only, and "only a single
	// expression is supported" (Okta's Apps API reference): name and status
	// cannot be combined, in either order, with or without parentheses.
	appFilterRules = exprRules{
		attrs:  map[string]bool{"id": true, "name": true, "status": true, "credentials.signing.kid": true, "settings.slo.enabled": true},
		ops:    map[string]bool{"eq": true},
		single: true,
	}
	groupSearchRules = exprRules{
		ops: map[string]bool{"eq": true, "ne": true, "sw": true, "co": true, "gt": true, "ge": true, "lt": true, "le": true, "pr": true},
		or:  true,
	}
	groupFilterRules = exprRules{
		attrs: map[string]bool{"id": true, "type": true, "lastUpdated": true, "lastMembershipUpdated": true},
		ops:   map[string]bool{"eq": true, "gt": true, "ge": true, "lt": true, "le": true},
		or:    true,
	}
)

// errSyntax marks expressions that do not parse, as opposed to expressions
// that parse but use something the endpoint does not support.
var errSyntax = errors.New("invalid search syntax")

func parseExpr(s string, rules exprRules) (expr, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	p := &exprParser{toks: toks, rules: rules}
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.pos != len(p.toks) {
		return nil, fmt.Errorf("%w: unexpected %q", errSyntax, p.toks[p.pos].text)
	}
	return e, nil
}

type token struct {
	text   string
	quoted bool
}

func tokenize(s string) ([]token, error) {
	var out []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')':
			out = append(out, token{text: string(r)})
			i++
		case r == '"':
			var b strings.Builder
			i++
			closed := false
			for i < len(rs) {
				if rs[i] == '\\' && i+1 < len(rs) {
					b.WriteRune(rs[i+1])
					i += 2
					continue
				}
				if rs[i] == '"' {
					closed = true
					i++
					break
				}
				b.WriteRune(rs[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("%w: unterminated string", errSyntax)
			}
			out = append(out, token{text: b.String(), quoted: true})
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' && rs[j] != '"' {
				j++
			}
			out = append(out, token{text: string(rs[i:j])})
			i = j
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty expression", errSyntax)
	}
	return out, nil
}

type exprParser struct {
	toks  []token
	pos   int
	rules exprRules
}

func (p *exprParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && !p.toks[p.pos].quoted && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *exprParser) parseOr() (expr, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peekWord("or") {
		if !p.rules.or {
			return nil, errors.New("\"or\" is not supported here")
		}
		p.pos++
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		l = orExpr{l, r}
	}
	return l, nil
}

func (p *exprParser) parseAnd() (expr, error) {
	l, err := p.parseTerm()
	if err != nil {
		return nil, err
	}
	for p.peekWord("and") {
		if p.rules.single {
			return nil, errors.New("only a single expression is supported here")
		}
		p.pos++
		r, err := p.parseTerm()
		if err != nil {
			return nil, err
		}
		l = andExpr{l, r}
	}
	return l, nil
}

func (p *exprParser) parseTerm() (expr, error) {
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("%w: expression ends too early", errSyntax)
	}
	t := p.toks[p.pos]
	if !t.quoted && t.text == "(" {
		p.pos++
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].quoted || p.toks[p.pos].text != ")" {
			return nil, fmt.Errorf("%w: missing \")\"", errSyntax)
		}
		p.pos++
		return e, nil
	}
	if t.quoted || t.text == ")" {
		return nil, fmt.Errorf("%w: expected an attribute, got %q", errSyntax, t.text)
	}
	attr := t.text
	p.pos++
	if p.pos >= len(p.toks) || p.toks[p.pos].quoted {
		return nil, fmt.Errorf("%w: expected an operator after %q", errSyntax, attr)
	}
	op := strings.ToLower(p.toks[p.pos].text)
	p.pos++
	if !validOp(op) {
		return nil, fmt.Errorf("%w: unknown operator %q", errSyntax, op)
	}
	if p.rules.attrs != nil && !p.rules.attrs[attr] {
		return nil, fmt.Errorf("attribute %q is not supported here", attr)
	}
	if !p.rules.ops[op] {
		return nil, fmt.Errorf("operator %q is not supported here", op)
	}
	if op == "pr" {
		return presentExpr{attr: attr}, nil
	}
	if p.pos >= len(p.toks) {
		return nil, fmt.Errorf("%w: expected a value after %q %s", errSyntax, attr, op)
	}
	v := p.toks[p.pos]
	if !v.quoted && (v.text == "(" || v.text == ")") {
		return nil, fmt.Errorf("%w: expected a value, got %q", errSyntax, v.text)
	}
	p.pos++
	return cmpExpr{attr: attr, op: op, value: v.text}, nil
}

func validOp(op string) bool {
	switch op {
	case "eq", "ne", "sw", "co", "gt", "ge", "lt", "le", "pr":
		return true
	}
	return false
}
