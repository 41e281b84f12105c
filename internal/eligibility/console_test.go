package eligibility

import "testing"

func TestAdminConsoleURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		org, name, id, tab, want string
	}{
		{"https://acme.okta.com", "slack", "0oa1", "general", "https://acme-admin.okta.com/admin/app/slack/instance/0oa1/#tab-general"},
		{"acme.okta.com", "zoomus", "0oa2", "user-management", "https://acme-admin.okta.com/admin/app/zoomus/instance/0oa2/#tab-user-management"},
		{"https://Dev-123.OktaPreview.com/", "oidc_client", "0oa3", "general", "https://dev-123-admin.oktapreview.com/admin/app/oidc_client/instance/0oa3/#tab-general"},
		{"https://acme.okta-emea.com", "box", "0oa4", "", "https://acme-admin.okta-emea.com/admin/app/box/instance/0oa4/"},
		{"https://acme-admin.okta.com", "box", "0oa5", "general", "https://acme-admin.okta.com/admin/app/box/instance/0oa5/#tab-general"},
		{"http://127.0.0.1:8443", "acme_scim_1", "0oa6", "user-management", "http://127.0.0.1:8443/admin/app/acme_scim_1/instance/0oa6/#tab-user-management"},
		{"http://localhost:9000", "box", "0oa7", "general", "http://localhost:9000/admin/app/box/instance/0oa7/#tab-general"},
		{"https://acme.okta.com", "odd name/x", "0oa8", "general", "https://acme-admin.okta.com/admin/app/odd%20name%2Fx/instance/0oa8/#tab-general"},
		// A custom domain does not reveal the admin host; a non-loopback
		// http URL and missing parts give no link.
		{"https://login.acme.com", "box", "0oa9", "general", ""},
		{"https://a.b.okta.com", "box", "0oa9", "general", ""},
		{"http://acme.okta.com", "box", "0oa9", "general", ""},
		{"https://acme.okta.com", "", "0oa9", "general", ""},
		{"https://acme.okta.com", "box", "", "general", ""},
		{"", "box", "0oa9", "general", ""},
	}
	for _, tc := range tests {
		if got := AdminConsoleURL(tc.org, tc.name, tc.id, tc.tab); got != tc.want {
			t.Errorf("AdminConsoleURL(%q, %q, %q, %q) = %q, want %q", tc.org, tc.name, tc.id, tc.tab, got, tc.want)
		}
	}
}

func TestOrgDomain(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://Acme.Okta.com":  "acme.okta.com",
		"acme.okta.com":          "acme.okta.com",
		"http://127.0.0.1:55001": "127.0.0.1:55001",
	} {
		if got := orgDomain(in); got != want {
			t.Errorf("orgDomain(%q) = %q, want %q", in, got, want)
		}
	}
}
