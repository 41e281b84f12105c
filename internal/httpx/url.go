package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// IsLoopbackHost reports whether host (with or without a port) names the
// local machine: localhost or an address in 127.0.0.0/8 or ::1.
func IsLoopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseEndpoint checks that raw is an absolute http(s) URL with a host and
// no credentials, and that plain http is used only on loopback. what names
// the setting in error messages.
func ParseEndpoint(what, raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%s %q is not an absolute http(s) URL; give a URL such as https://example.okta.com", what, raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%s must not carry credentials in the URL; set them in their own attributes", what)
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Host) {
		return nil, fmt.Errorf("%s %q uses plain http on a non-loopback host; use https (plain http is accepted only for 127.0.0.1, ::1 or localhost)", what, u.String())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s %q must not have a query string or fragment", what, u.String())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// ParseLinkNext returns the rel="next" target of the Link header values in
// h, resolved against base, or nil when there is none. A next link on a
// different scheme or host than base is refused with an error: following
// it would send the caller's credentials to that host.
func ParseLinkNext(h http.Header, base *url.URL) (*url.URL, error) {
	for _, value := range h.Values("Link") {
		for _, link := range splitLinks(value) {
			target, params, ok := parseLink(link)
			if !ok || !hasRel(params, "next") {
				continue
			}
			u, err := url.Parse(target)
			if err != nil {
				return nil, fmt.Errorf("the server sent a malformed Link next URL: %w", err)
			}
			if base != nil {
				u = base.ResolveReference(u)
				if !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
					return nil, fmt.Errorf("refusing to follow a pagination link to %s://%s: it is not the host the request went to (%s); the server or a proxy is misbehaving", u.Scheme, u.Host, base.Host)
				}
			} else if !u.IsAbs() {
				return nil, fmt.Errorf("the server sent a relative Link next URL %q with no base to resolve it", target)
			}
			return u, nil
		}
	}
	return nil, nil
}

// splitLinks splits one Link header value into its comma-separated links,
// ignoring commas inside <...> and quoted strings.
func splitLinks(v string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"' && depth == 0:
			quoted = !quoted
		case c == '<' && !quoted:
			depth++
		case c == '>' && !quoted && depth > 0:
			depth--
		case c == ',' && depth == 0 && !quoted:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

func parseLink(s string) (target string, params map[string]string, ok bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "<") {
		return "", nil, false
	}
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return "", nil, false
	}
	target = s[1:end]
	params = map[string]string{}
	for _, p := range strings.Split(s[end+1:], ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found {
			continue
		}
		params[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	return target, params, true
}

func hasRel(params map[string]string, rel string) bool {
	for _, r := range strings.Fields(params["rel"]) {
		if strings.EqualFold(r, rel) {
			return true
		}
	}
	return false
}
