package oktasim

import (
	"errors"
	"testing"
)

func TestExpressions(t *testing.T) {
	t.Parallel()
	attrs := map[string]string{
		"name": "slack", "status": "ACTIVE", "type": "APP_GROUP", "source.id": "0oa1",
		"profile.name": "Engineering users", "created": "2015-08-15T19:15:17.000Z", "settings.slo.enabled": "true",
	}
	get := func(a string) (string, bool) { v, ok := attrs[a]; return v, ok }
	for _, tc := range []struct {
		expr  string
		rules exprRules
		want  bool
	}{
		{`status eq "ACTIVE"`, appFilterRules, true},
		{`name eq "slack"`, appFilterRules, true},
		{`name eq "Slack"`, appFilterRules, false},
		{`(name eq "slack")`, appFilterRules, true},
		{`status eq "INACTIVE"`, appFilterRules, false},
		{`settings.slo.enabled eq true`, appFilterRules, true},
		{`type eq "APP_GROUP" and source.id eq "0oa1"`, groupSearchRules, true},
		{`type eq "APP_GROUP" and source.id eq "0oa2"`, groupSearchRules, false},
		{`type eq "APP_GROUP" and (created lt "2016-01-01T00:00:00.000Z" and source.id eq "0oa1")`, groupSearchRules, true},
		{`created gt "2016-01-01T00:00:00.000Z" or profile.name sw "eng"`, groupSearchRules, true},
		{`profile.name co "USERS"`, groupSearchRules, true},
		{`profile.missing pr`, groupSearchRules, false},
		{`profile.name pr`, groupSearchRules, true},
		{`type ne "OKTA_GROUP"`, groupSearchRules, true},
		{`profile.name eq "Engineering \"users\""`, groupSearchRules, false},
	} {
		e, err := parseExpr(tc.expr, tc.rules)
		if err != nil {
			t.Errorf("parseExpr(%s): %v", tc.expr, err)
			continue
		}
		if got := e.eval(get); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func TestExpressionErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		expr   string
		rules  exprRules
		syntax bool
	}{
		{`name sw "sl"`, appFilterRules, false},
		{`name eq "slack" or status eq "ACTIVE"`, appFilterRules, false},
		{`name eq "slack" and status eq "ACTIVE"`, appFilterRules, false},
		{`status eq "ACTIVE" and name eq "slack"`, appFilterRules, false},
		{`(name eq "slack") AND (status eq "ACTIVE")`, appFilterRules, false},
		{`user.id eq "00u1"`, appFilterRules, false},
		{`name eq`, appFilterRules, true},
		{`name eq "slack`, appFilterRules, true},
		{`(name eq "slack"`, appFilterRules, true},
		{`name equals "slack"`, appFilterRules, true},
		{`name eq "slack" status eq "ACTIVE"`, appFilterRules, true},
		{`   `, groupSearchRules, true},
		{`"type" eq "x"`, groupSearchRules, true},
		{`profile.name eq "x" and`, groupSearchRules, true},
		{`profile.name co "x"`, groupFilterRules, false},
	} {
		_, err := parseExpr(tc.expr, tc.rules)
		if err == nil {
			t.Errorf("parseExpr(%s) succeeded, want an error", tc.expr)
			continue
		}
		if got := errors.Is(err, errSyntax); got != tc.syntax {
			t.Errorf("parseExpr(%s) = %v: syntax error %v, want %v", tc.expr, err, got, tc.syntax)
		}
	}
}
