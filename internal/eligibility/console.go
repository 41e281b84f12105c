package eligibility

import (
	"net"
	"net/url"
	"strings"
)

// oktaBaseDomains are the public Okta cells whose admin console lives at
// <subdomain>-admin.<base>.
var oktaBaseDomains = []string{"okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com", "okta.mil"}

// AdminConsoleURL returns the Okta Admin Console page of an app instance,
// for example https://acme-admin.okta.com/admin/app/slack/instance/0oa1/#tab-general,
// or "" when the admin host cannot be derived from orgURL (a custom domain:
// the admin console is served on the org's Okta subdomain, which the custom
// domain does not reveal). A loopback org (the sandbox) keeps its own host.
func AdminConsoleURL(orgURL, appName, instanceID, tab string) string {
	return consoleLink(adminBase(orgURL), appName, instanceID, tab)
}

func consoleLink(base, appName, instanceID, tab string) string {
	if base == "" || appName == "" || instanceID == "" {
		return ""
	}
	link := base + "/admin/app/" + url.PathEscape(appName) + "/instance/" + url.PathEscape(instanceID) + "/"
	if tab != "" {
		link += "#tab-" + tab
	}
	return link
}

// adminBase is the scheme and host of the org's Admin Console.
func adminBase(orgURL string) string {
	raw := strings.TrimSpace(orgURL)
	if raw == "" {
		return ""
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Host)
	if isLoopback(host) {
		return u.Scheme + "://" + host
	}
	if u.Scheme != "https" {
		return ""
	}
	hostname := strings.ToLower(u.Hostname())
	for _, b := range oktaBaseDomains {
		sub, ok := strings.CutSuffix(hostname, "."+b)
		if !ok || sub == "" || strings.Contains(sub, ".") {
			continue
		}
		if !strings.HasSuffix(sub, "-admin") {
			sub += "-admin"
		}
		return "https://" + sub + "." + b
	}
	return ""
}

func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// orgDomain is the org's host as ISPM knows it (acme.okta.com, or
// 127.0.0.1:PORT in the sandbox).
func orgDomain(orgURL string) string {
	raw := strings.TrimSpace(orgURL)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return strings.ToLower(u.Host)
	}
	return strings.TrimSpace(orgURL)
}
