package provider

import (
	"fmt"
	"strings"
	"testing"
)

// getSourceEndpoint is how the sandbox counts reads of one source.
const getSourceEndpoint = "GET /api/v1/sources/{sourceId}"

// TestAccISPMRefreshListsEachOrgOnce: refreshing several connections of an
// org costs ISPM one listing of the org's sources, not one read per
// connection; a connection deleted in the console is still noticed (its
// own read says it is gone) and planned again; an apply costs the creates
// and about one read per connection.
func TestAccISPMRefreshListsEachOrgOnce(t *testing.T) {
	t.Parallel()
	d := newTFDir(t)
	env := newAccEnv(t, withoutSources)
	apps := env.installSpare(t, 8)
	d.write(cliProviderBlock(env) + connectionsHCL(env.Domain("acme"), apps))

	env.SB.ISPM().ResetRequestCounts()
	d.must(0, "apply", "-auto-approve", "-input=false", "-no-color")
	if err := env.sourcesMatch(apps); err != nil {
		t.Fatal(err)
	}
	// Each create answers CONNECTING and the sandbox connects a source
	// on its first read: the creates, one read each, and what the plan
	// and apply walks read of the gallery and the source list.
	counts := env.SB.ISPM().RequestCounts()
	creates, reads := counts["POST /api/v1/sources"], counts[getSourceEndpoint]
	t.Logf("apply of %d connections, ISPM requests: %v", len(apps), counts)
	if total := env.ispmRequests(); creates != len(apps) || reads > len(apps) || total > 2*len(apps)+10 {
		t.Fatalf("apply of %d connections: %d ISPM requests, %d creates and %d single reads; want %d creates, at most one read each, "+
			"at most %d in all: %v", len(apps), total, creates, reads, len(apps), 2*len(apps)+10, counts)
	}

	env.SB.ISPM().ResetRequestCounts()
	d.must(0, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	counts = env.SB.ISPM().RequestCounts()
	if counts[getSourceEndpoint] != 0 || counts["GET /api/v1/sources"] != 1 || env.ispmRequests() > 10 {
		t.Fatalf("applied-state plan of %d connections: %d single reads and %d source listings, %d ISPM requests in all; "+
			"want 0 single reads, 1 listing, at most 10 in all: %v", len(apps), counts[getSourceEndpoint], counts["GET /api/v1/sources"],
			env.ispmRequests(), counts)
	}

	gone, err := env.oneSource(acmeOrgID, apps[3].Key)
	if err != nil {
		t.Fatal(err)
	}
	if !env.SB.ISPM().DeleteSource(gone.ID) {
		t.Fatalf("the sandbox did not delete %s", gone.ID)
	}
	env.SB.ISPM().ResetRequestCounts()
	res := d.must(2, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if want := fmt.Sprintf("ispm_source_connection.%s will be created", apps[3].Key); !strings.Contains(res.stdout, want) ||
		!strings.Contains(res.stdout, "1 to add, 0 to change, 0 to destroy") {
		t.Fatalf("the plan after a console delete does not say %q and nothing else:\n%s", want, res)
	}
	if n := env.SB.ISPM().RequestCounts()[getSourceEndpoint]; n != 1 {
		t.Fatalf("the plan after a console delete read %d sources on their own; want 1, the deleted one: %v", n, env.SB.ISPM().RequestCounts())
	}
}
