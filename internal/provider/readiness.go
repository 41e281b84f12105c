package provider

import (
	"context"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
	"github.com/ispm-community/terraform-provider-ispm/internal/okta"
)

// readinessQuery asks for the verdict on app in an org.
type readinessQuery struct {
	Org         orgTarget
	App         string
	InstanceIDs []string
	Trusted     map[string]eligibility.Trusted
}

// readiness is a verdict with the Okta facts it rests on (the resource
// remembers successful checks from them).
type readiness struct {
	Verdict eligibility.Verdict
	Okta    eligibility.OktaAppFacts
}

// evaluate is the readiness path, one visit each: ISPM's facts, Okta's
// facts, the engine's judgement, and ISPM's facts once more only when its
// cached view lags behind what Okta showed. The error is for failures no
// verdict can rest on: the context ended, or a service refused the
// provider's credentials.
func (d *providerData) evaluate(ctx context.Context, q readinessQuery) (readiness, error) {
	iq := q.Org.ispmQuery(q.App)
	ispmFacts := eligibility.ISPMNotConfigured()
	var err error
	if d.ispmFacts != nil {
		ispmFacts, err = d.ispmFacts.AppFacts(ctx, iq)
	}
	if err != nil {
		if ctx.Err() != nil || ispm.IsUnauthorized(err) || ispm.IsForbidden(err) {
			return readiness{}, err
		}
		ispmFacts.Reason = err.Error()
	}
	var oktaFacts eligibility.OktaAppFacts
	if q.Org.Okta != nil {
		oktaFacts, err = q.Org.Okta.AppFacts(ctx, okta.AppQuery{
			App:         q.App,
			InstanceIDs: q.InstanceIDs,
			Trusted:     q.Trusted,
			ISPM:        &ispmFacts,
		})
		if err != nil {
			return readiness{}, err
		}
	}
	in := eligibility.Input{OrgURL: q.Org.URL(), App: q.App, InstanceIDs: q.InstanceIDs, Okta: oktaFacts, ISPM: ispmFacts}
	v := eligibility.Evaluate(in)
	if d.ispmFacts != nil {
		fresh, refreshed, err := d.ispmFacts.Reconciled(ctx, iq, ispmFacts, v)
		if err != nil {
			return readiness{}, err
		}
		if refreshed {
			in.ISPM = fresh
			v = eligibility.Evaluate(in)
		}
	}
	return readiness{Verdict: v, Okta: oktaFacts}, nil
}
