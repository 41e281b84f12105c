package oktasim_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

func statusSequence(t *testing.T, org *oktasim.Org, n int) []int {
	t.Helper()
	var out []int
	for range n {
		r := get(t, org.URL()+"/api/v1/apps?limit=1", "SSWS "+acmeToken)
		if r.status == http.StatusInternalServerError {
			wantError(t, r, http.StatusInternalServerError, "E0000009", "Internal Server Error")
		}
		out = append(out, r.status)
	}
	return out
}

func TestInjectedServerErrorsAreReproducible(t *testing.T) {
	t.Parallel()
	f := oktasim.Faults{ErrorRate: 0.5, Seed: 7}
	a, b := startAcme(t), startAcme(t)
	for _, org := range []*oktasim.Org{a, b} {
		if err := org.SetFaults(f); err != nil {
			t.Fatal(err)
		}
	}
	first, second := statusSequence(t, a, 30), statusSequence(t, b, 30)
	if !slices.Equal(first, second) {
		t.Errorf("the same seed gave different answers:\n%v\n%v", first, second)
	}
	failed := 0
	for _, s := range first {
		if s == http.StatusInternalServerError {
			failed++
		}
	}
	if failed == 0 || failed == len(first) {
		t.Errorf("%d of %d requests failed at a 50%% error rate", failed, len(first))
	}
	if c := a.RequestCounts()[oktasim.EndpointListApps]; c.ServerErrors != int64(failed) || c.Requests != 30 {
		t.Errorf("counters: %+v, want %d server errors", c, failed)
	}
	// Setting the faults again reseeds them.
	if err := a.SetFaults(f); err != nil {
		t.Fatal(err)
	}
	if again := statusSequence(t, a, 30); !slices.Equal(again, first) {
		t.Errorf("reseeding did not restart the sequence")
	}
}

func TestDroppedConnections(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	if err := org.SetFaults(oktasim.Faults{DropRate: 1, Endpoints: []string{oktasim.EndpointGetApp}}); err != nil {
		t.Fatal(err)
	}
	// A fresh connection per request: Go's client retries a request that
	// failed on a reused connection, which would hide the drop.
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	req, _ := http.NewRequest(http.MethodGet, org.URL()+"/api/v1/apps/"+appByLabel(t, org, "Slack").ID, nil)
	req.Header.Set("Authorization", "SSWS "+acmeToken)
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a dropped connection answered %d", resp.StatusCode)
	}
	// Other endpoints are untouched.
	if r := do(t, c, http.MethodGet, org.URL()+"/api/v1/apps", "SSWS "+acmeToken); r.status != http.StatusOK {
		t.Errorf("listing: %d", r.status)
	}
	got := org.RequestCounts()[oktasim.EndpointGetApp]
	if got.Requests != 1 || got.Dropped != 1 || len(got.Statuses) != 0 {
		t.Errorf("counters: %+v", got)
	}
	// A dropped request never reached Okta's rate limiter.
	if u := org.RateLimitUsage()[oktasim.BucketAppGet]; u.Used != 0 {
		t.Errorf("app_get bucket used %d", u.Used)
	}
}

func TestInjectedLatency(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	if err := org.SetFaults(oktasim.Faults{LatencyMS: 80, Endpoints: []string{oktasim.EndpointConnection}}); err != nil {
		t.Fatal(err)
	}
	slack := appByLabel(t, org, "Slack").ID
	start := time.Now()
	get(t, org.URL()+"/api/v1/apps/"+slack+"/connections/default", "SSWS "+acmeToken)
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("the connection call took %v, want at least 80ms", d)
	}
	if f := org.Faults(); f.LatencyMS != 80 || len(f.Endpoints) != 1 {
		t.Errorf("faults: %+v", f)
	}
	if err := org.SetFaults(oktasim.Faults{}); err != nil {
		t.Fatal(err)
	}
	if f := org.Faults(); f.LatencyMS != 0 {
		t.Errorf("cleared faults: %+v", f)
	}
}

func TestFaultValidation(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	for _, f := range []oktasim.Faults{{LatencyMS: -1}, {ErrorRate: 2}, {DropRate: -0.1}, {ErrorRate: 0.6, DropRate: 0.6}, {Endpoints: []string{"GET /nope"}}} {
		if err := org.SetFaults(f); err == nil {
			t.Errorf("faults %+v were accepted", f)
		}
	}
}

func TestRequestCountersPerEndpoint(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	auth := "SSWS " + acmeToken
	slack := appByLabel(t, org, "Slack").ID
	for _, p := range []string{
		"/api/v1/apps", "/api/v1/apps", "/api/v1/apps/" + slack, "/api/v1/apps/" + slack + "/connections/default",
		"/api/v1/apps/" + slack + "/features", "/api/v1/apps/" + slack + "/features/USER_PROVISIONING", "/api/v1/groups",
	} {
		get(t, org.URL()+p, auth)
	}
	get(t, org.URL()+"/api/v1/apps/0oa0000000000000miss", auth)
	got := org.RequestCounts()
	for ep, n := range map[string]int64{
		oktasim.EndpointListApps: 2, oktasim.EndpointGetApp: 2, oktasim.EndpointConnection: 1,
		oktasim.EndpointFeatures: 1, oktasim.EndpointFeature: 1, oktasim.EndpointGroups: 1,
	} {
		if got[ep].Requests != n {
			t.Errorf("%s: %d requests, want %d", ep, got[ep].Requests, n)
		}
	}
	if got[oktasim.EndpointGetApp].Statuses[http.StatusNotFound] != 1 {
		t.Errorf("the 404 was not counted: %+v", got[oktasim.EndpointGetApp])
	}
	org.ResetRequestCounts()
	if n := len(org.RequestCounts()); n != 0 {
		t.Errorf("%d endpoints counted after reset", n)
	}
}

// TestInjectedAnswerIsServedVerbatim: an answer fault replaces the matching
// endpoint's answer with the given status, headers and body, and leaves the
// other endpoints alone; a status that is not HTTP is refused.
func TestInjectedAnswerIsServedVerbatim(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	f := oktasim.Faults{Endpoints: []string{oktasim.EndpointListApps}, Answer: &oktasim.Answer{
		Status: 200, Headers: map[string]string{"Content-Type": "text/html", "Link": `<https://elsewhere.example/api/v1/apps?after=x>; rel="next"`},
		Body: "<html>sign in</html>"}}
	if err := org.SetFaults(f); err != nil {
		t.Fatal(err)
	}
	r := get(t, org.URL()+"/api/v1/apps", "SSWS "+acmeToken)
	if r.status != 200 || string(r.body) != "<html>sign in</html>" || r.header.Get("Content-Type") != "text/html" || r.header.Get("Link") == "" {
		t.Fatalf("answer %d %q %v", r.status, r.body, r.header)
	}
	if c := org.RequestCounts()[oktasim.EndpointListApps]; c.Statuses[200] != 1 {
		t.Errorf("counters: %+v", c)
	}
	if err := org.SetFaults(oktasim.Faults{Answer: &oktasim.Answer{Status: 42}}); err == nil {
		t.Error("status 42 was accepted")
	}
}
