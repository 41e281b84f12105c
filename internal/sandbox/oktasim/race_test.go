package oktasim_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/okta/okta-sdk-golang/v2/okta/query"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// TestConcurrentReadsAndChanges runs readers through the SDK while an
// administrator changes the org; run it with -race.
func TestConcurrentReadsAndChanges(t *testing.T) {
	t.Parallel()
	org := startAcme(t)
	big := 1_000_000
	if err := org.SetRateLimits(org.RateLimits().With(oktasim.RateLimitsSpec{Apps: &big, AppGet: &big, Groups: &big})); err != nil {
		t.Fatal(err)
	}
	c := sdkClient(t, org.URL(), acmeToken)
	slack := appByLabel(t, org, "Slack").ID
	hr := appByLabel(t, org, "HR Portal").ID
	ctx := context.Background()

	var wg sync.WaitGroup
	errs := make(chan error, 4096)
	for w := range 8 {
		wg.Go(func() {
			for i := range 10 {
				apps, resp, err := c.Application.ListApplications(ctx, query.NewQueryParams(query.WithLimit(4)))
				for err == nil && resp.HasNextPage() {
					var page []okta.Application
					resp, err = resp.Next(ctx, &page)
					for range page {
						apps = append(apps, nil)
					}
				}
				if err != nil || len(apps) < 10 {
					errs <- fmt.Errorf("reader %d/%d: %d apps, %v", w, i, len(apps), err)
				}
				if _, _, err := c.Application.GetDefaultProvisioningConnectionForApplication(ctx, slack); err != nil {
					errs <- fmt.Errorf("reader %d/%d: %w", w, i, err)
				}
				if _, _, err := c.Group.ListGroups(ctx, query.NewQueryParams(query.WithSearch(`type eq "APP_GROUP"`))); err != nil {
					errs <- fmt.Errorf("reader %d/%d: %w", w, i, err)
				}
				// 400 while provisioning is off, 200 otherwise: both are fine.
				_, fresp, ferr := c.Application.ListFeaturesForApplication(ctx, hr)
				if ferr != nil && (fresp == nil || fresp.StatusCode != http.StatusBadRequest) {
					errs <- fmt.Errorf("reader %d/%d: %w", w, i, ferr)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 40 {
			on := i%2 == 0
			_ = org.SetProvisioning(hr, on)
			_ = org.SetImportNewUsers(slack, on)
			if on {
				_ = org.Deactivate(slack)
			} else {
				_ = org.Activate(slack)
			}
			st, err := org.Install(oktasim.NewApp{Name: "zendesk", Label: fmt.Sprintf("Zendesk %d", i)})
			if err != nil {
				errs <- err
				continue
			}
			if _, err := org.AddAppGroup(st.ID, oktasim.NewGroup{Name: fmt.Sprintf("Agents %d", i)}); err != nil {
				errs <- err
			}
			if i%3 == 0 {
				_ = org.Remove(st.ID)
			}
			_ = org.SetRateLimits(org.RateLimits())
			_ = org.SetFaults(oktasim.Faults{})
			_ = org.RequestCounts()
			_ = org.RateLimitUsage()
			_ = org.Instances()
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := org.RequestCounts()[oktasim.EndpointConnection].Requests; got != 80 {
		t.Errorf("%d connection requests counted, want 80", got)
	}
}
