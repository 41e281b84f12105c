package oktasim

import (
	"net/http"
	"strings"
)

// Endpoint names, as the request counters and fault filters spell them.
const (
	EndpointListApps   = "GET /api/v1/apps"
	EndpointGetApp     = "GET /api/v1/apps/{id}"
	EndpointConnection = "GET /api/v1/apps/{id}/connections/default"
	EndpointFeatures   = "GET /api/v1/apps/{id}/features"
	EndpointFeature    = "GET /api/v1/apps/{id}/features/{name}"
	EndpointGroups     = "GET /api/v1/groups"
	EndpointToken      = "POST /oauth2/v1/token"
)

func endpointNames() []string {
	return []string{EndpointListApps, EndpointGetApp, EndpointConnection, EndpointFeatures, EndpointFeature, EndpointGroups, EndpointToken}
}

func knownEndpoint(e string) bool {
	for _, n := range endpointNames() {
		if n == e {
			return true
		}
	}
	return false
}

// OAuth scopes the endpoints require from a bearer token (or a scoped SSWS token).
const (
	ScopeAppsRead     = "okta.apps.read"
	ScopeAppsManage   = "okta.apps.manage"
	ScopeGroupsRead   = "okta.groups.read"
	ScopeGroupsManage = "okta.groups.manage"
)

type handlerFunc func(o *Org, w http.ResponseWriter, r *http.Request, rt route)

// route is what the simulator knows about a request before answering it.
type route struct {
	endpoint string
	bucket   Bucket
	// scopes lists the scopes of which the caller needs one; empty for the
	// token endpoint, which authenticates by client assertion.
	scopes  []string
	serve   handlerFunc
	appID   string
	feature string
}

var (
	appScopes   = []string{ScopeAppsRead, ScopeAppsManage}
	groupScopes = []string{ScopeGroupsRead, ScopeGroupsManage}
)

// resolve maps a request to its endpoint, bucket and handler. Paths outside
// the simulated subset still get a bucket, so every answer carries rate-limit
// headers as Okta's do.
func resolve(method, path string) route {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	get := method == http.MethodGet
	switch {
	case len(seg) >= 3 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "apps":
		return resolveApps(method, get, seg[3:])
	case len(seg) >= 3 && seg[0] == "api" && seg[1] == "v1" && seg[2] == "groups":
		if len(seg) == 3 {
			return methodRoute(get, route{endpoint: EndpointGroups, bucket: BucketGroups, scopes: groupScopes, serve: (*Org).listGroups}, method, "/api/v1/groups")
		}
		return route{endpoint: method + " /api/v1/groups/*", bucket: BucketGroups, scopes: groupScopes, serve: (*Org).unsupported}
	case len(seg) == 3 && seg[0] == "oauth2" && seg[1] == "v1" && seg[2] == "token":
		rt := route{endpoint: EndpointToken, bucket: BucketToken, serve: (*Org).token}
		if method != http.MethodPost {
			rt.endpoint = method + " /oauth2/v1/token"
			rt.serve = (*Org).methodNotAllowed
		}
		return rt
	}
	return route{endpoint: method + " (unsupported path)", bucket: BucketOther, serve: (*Org).unsupported}
}

func resolveApps(method string, get bool, rest []string) route {
	if len(rest) == 0 {
		return methodRoute(get, route{endpoint: EndpointListApps, bucket: BucketApps, scopes: appScopes, serve: (*Org).listApps}, method, "/api/v1/apps")
	}
	id := rest[0]
	rt := route{bucket: BucketApps, scopes: appScopes, appID: id}
	switch {
	case len(rest) == 1:
		if !get {
			rt.endpoint = method + " /api/v1/apps/{id}"
			rt.serve = (*Org).methodNotAllowed
			return rt
		}
		rt.endpoint, rt.bucket, rt.serve = EndpointGetApp, BucketAppGet, (*Org).getApp
		return rt
	case len(rest) == 3 && rest[1] == "connections" && rest[2] == "default":
		rt.endpoint, rt.serve = EndpointConnection, (*Org).getConnection
		return methodRoute(get, rt, method, "/api/v1/apps/{id}/connections/default")
	case len(rest) == 2 && rest[1] == "features":
		rt.endpoint, rt.serve = EndpointFeatures, (*Org).listFeatures
		return methodRoute(get, rt, method, "/api/v1/apps/{id}/features")
	case len(rest) == 3 && rest[1] == "features":
		rt.endpoint, rt.serve, rt.feature = EndpointFeature, (*Org).getFeature, rest[2]
		return methodRoute(get, rt, method, "/api/v1/apps/{id}/features/{name}")
	}
	rt.endpoint = method + " /api/v1/apps/{id}/*"
	rt.serve = (*Org).unsupported
	return rt
}

// methodRoute turns a read endpoint into a 405 for other methods: the
// sandbox simulates only what the provider reads.
func methodRoute(get bool, rt route, method, template string) route {
	if !get {
		rt.endpoint = method + " " + template
		rt.serve = (*Org).methodNotAllowed
	}
	return rt
}
