package catalog

import (
	"strings"
	"testing"
)

func TestListHoldsTheConfirmedKeys(t *testing.T) {
	for _, k := range []string{"slack", "zoomus", "office365", "google", "workday", "okta_org2org", "deelhr"} {
		a, ok := OIN()[k]
		if !ok || a.Label == "" || a.Source == "" {
			t.Errorf("%s: %+v, %v", k, a, ok)
		}
	}
	if n := len(OIN()); n != 22 {
		t.Errorf("%d keys, want the 22 confirmed ones", n)
	}
}

func TestParseRefusesBadLines(t *testing.T) {
	head := "key\tlabel\tcategory\timport_groups\tsource\n"
	for _, bad := range []string{
		"",
		"wrong\theader\n",
		head + "slack\tSlack\tChat\tyes\n",
		head + "slack\tSlack\tChat\tmaybe\tsrc\n",
		head + "slack\tSlack\tChat\tyes\t\n",
		head + "slack\tSlack\tChat\tyes\tsrc\nslack\tSlack\tChat\tyes\tsrc\n",
	} {
		if _, err := parse(bad); err == nil || !strings.Contains(err.Error(), "oin-scim-apps.tsv") {
			t.Errorf("parse(%q) = %v, want an error naming the file", bad, err)
		}
	}
}
