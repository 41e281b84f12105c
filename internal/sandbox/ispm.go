package sandbox

// The ISPM service's place in the sandbox (owned by the ISPM side): the
// scenario's "ispm" section, the adapter through which ISPM reads the Okta
// orgs, and what the first stdout line says about ISPM.

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// oktaView is an Okta org as the ISPM service reads it.
type oktaView struct{ org *oktasim.Org }

func (v oktaView) Domain() string            { return v.org.Domain() }
func (v oktaView) LifecycleManagement() bool { return v.org.LifecycleManagement() }

// Instances gives ISPM the hidden "Import Groups" setting, which ISPM reads
// where Okta's public API cannot. When the scenario does not state it (an
// app copied from a recorded listing), the simulated ISPM still has to
// answer; it finds the setting selected, so P7 is not what keeps such an
// instance out of the gallery. Okta itself still shows no evidence of it,
// so a client without ISPM cannot verify P7 for the instance.
func (v oktaView) Instances() []ispmsim.OktaInstance {
	states := v.org.Instances()
	out := make([]ispmsim.OktaInstance, len(states))
	for i, st := range states {
		out[i] = ispmsim.OktaInstance{
			ID: st.ID, Name: st.Name, Label: st.Label, Status: st.Status,
			ProvisioningEnabled: st.ProvisioningEnabled, ImportNewUsers: st.ImportNewUsers,
			ImportGroups: st.ImportGroups || !st.ImportGroupsStated, LastUpdated: st.LastUpdated,
		}
	}
	return out
}

func parseISPMSection(sc *Scenario, raw json.RawMessage, _ string) error {
	s, err := ispmsim.ParseScenario(raw)
	if err != nil {
		return err
	}
	sc.ISPM = s
	return nil
}

// newISPM builds the ISPM service over orgs. Without an "ispm" section every
// Okta org is connected to ISPM and the gallery is the built-in one.
func newISPM(sc *ispmsim.Scenario, orgs []*oktasim.Org, clock func() time.Time) (*ispmsim.Service, error) {
	if sc == nil {
		sc = &ispmsim.Scenario{}
		for _, org := range orgs {
			sc.Orgs = append(sc.Orgs, ispmsim.ScenarioOrg{OktaOrg: org.Name()})
		}
	}
	byName := map[string]*oktasim.Org{}
	for _, org := range orgs {
		byName[org.Name()] = org
	}
	opts, err := sc.Options(func(name string) (ispmsim.OktaOrg, bool) {
		org, ok := byName[name]
		if !ok {
			return nil, false
		}
		return oktaView{org}, true
	})
	if err != nil {
		return nil, fmt.Errorf("ispm: %w", err)
	}
	opts.Now = clock
	svc, err := ispmsim.New(opts)
	if err != nil {
		return nil, fmt.Errorf("ispm: %w", err)
	}
	return svc, nil
}

// validateISPM checks the "ispm" section against freshly built Okta orgs.
func (sc Scenario) validateISPM() error {
	orgs := make([]*oktasim.Org, 0, len(sc.OktaOrgs))
	for _, spec := range sc.OktaOrgs {
		org, err := oktasim.NewOrg(spec)
		if err != nil {
			return err
		}
		orgs = append(orgs, org)
	}
	_, err := newISPM(sc.ISPM, orgs, nil)
	return err
}

// ISPM returns the sandbox's ISPM service, for tests.
func (s *Sandbox) ISPM() *ispmsim.Service { return s.ispm }

// ISPMInfo tells the provider where the sandbox's ISPM API is.
type ISPMInfo struct {
	// Endpoint is the provider's endpoint (ISPM_ENDPOINT); the API is
	// under /api/v1 there.
	Endpoint string `json:"endpoint"`
	APIToken string `json:"api_token"`
	// Control is the base URL of the ISPM control API.
	Control string `json:"control"`
}

func (s *Sandbox) ispmInfo() ISPMInfo {
	return ISPMInfo{Endpoint: s.URL(), APIToken: s.ispm.APIToken(), Control: s.URL() + ispmsim.ControlPrefix}
}
