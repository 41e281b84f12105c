package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

const controlPrefix = "/_sandbox"

type controlError struct {
	Error string `json:"error"`
}

// orgView is an org as the control API shows it.
type orgView struct {
	Name                string             `json:"name"`
	URL                 string             `json:"url"`
	Domain              string             `json:"domain"`
	LifecycleManagement bool               `json:"lifecycle_management"`
	RateLimits          oktasim.RateLimits `json:"rate_limits"`
	Faults              oktasim.Faults     `json:"faults"`
	Apps                int                `json:"apps"`
}

// appView is an app instance's state plus the object Okta serves for it.
type appView struct {
	oktasim.InstanceState
	App json.RawMessage `json:"app"`
}

type rateLimitsView struct {
	Limits oktasim.RateLimits                     `json:"limits"`
	Usage  map[oktasim.Bucket]oktasim.BucketUsage `json:"usage"`
}

type orgPatch struct {
	LifecycleManagement *bool `json:"lifecycle_management,omitempty"`
}

// mountControl registers the control API. Every route answers JSON; errors
// are {"error": "..."} with 400 (bad request), 404 (no such org, app or
// group) or 409 (the change conflicts with the current state).
func (s *Sandbox) mountControl() {
	m := s.mux
	p := controlPrefix
	m.HandleFunc("GET "+p, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Info()) })
	m.HandleFunc("GET "+p+"/{$}", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, s.Info()) })

	m.HandleFunc("GET "+p+"/okta/orgs", func(w http.ResponseWriter, _ *http.Request) {
		out := []orgView{}
		for _, org := range s.orgs {
			out = append(out, viewOrg(org))
		}
		writeJSON(w, http.StatusOK, out)
	})
	m.HandleFunc("GET "+p+"/okta/orgs/{org}", s.withOrg(func(w http.ResponseWriter, _ *http.Request, org *oktasim.Org) {
		writeJSON(w, http.StatusOK, viewOrg(org))
	}))
	m.HandleFunc("PATCH "+p+"/okta/orgs/{org}", s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		var patch orgPatch
		if !decodeBody(w, r, &patch) {
			return
		}
		if patch.LifecycleManagement != nil {
			org.SetLifecycleManagement(*patch.LifecycleManagement)
		}
		writeJSON(w, http.StatusOK, viewOrg(org))
	}))

	m.HandleFunc("GET "+p+"/okta/orgs/{org}/apps", s.withOrg(func(w http.ResponseWriter, _ *http.Request, org *oktasim.Org) {
		writeJSON(w, http.StatusOK, org.Instances())
	}))
	m.HandleFunc("POST "+p+"/okta/orgs/{org}/apps", s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		var n oktasim.NewApp
		if !decodeBody(w, r, &n) {
			return
		}
		st, err := org.Install(n)
		if err != nil {
			writeStateError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, viewApp(org, st))
	}))
	m.HandleFunc("GET "+p+"/okta/orgs/{org}/apps/{id}", s.withApp(func(w http.ResponseWriter, _ *http.Request, org *oktasim.Org, st oktasim.InstanceState) {
		writeJSON(w, http.StatusOK, viewApp(org, st))
	}))
	m.HandleFunc("PATCH "+p+"/okta/orgs/{org}/apps/{id}", s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		var u oktasim.AppUpdate
		if !decodeBody(w, r, &u) {
			return
		}
		st, err := org.UpdateApp(r.PathValue("id"), u)
		if err != nil {
			writeStateError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, viewApp(org, st))
	}))
	m.HandleFunc("DELETE "+p+"/okta/orgs/{org}/apps/{id}", s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		if err := org.Remove(r.PathValue("id")); err != nil {
			writeStateError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	m.HandleFunc("GET "+p+"/okta/orgs/{org}/apps/{id}/groups", s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		groups, err := org.AppGroups(r.PathValue("id"))
		if err != nil {
			writeStateError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, groups)
	}))
	m.HandleFunc("POST "+p+"/okta/orgs/{org}/apps/{id}/groups", s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		var ng oktasim.NewGroup
		if !decodeBody(w, r, &ng) {
			return
		}
		g, err := org.AddAppGroup(r.PathValue("id"), ng)
		if err != nil {
			writeStateError(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, g)
	}))
	m.HandleFunc("DELETE "+p+"/okta/orgs/{org}/groups/{gid}", s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		if err := org.RemoveGroup(r.PathValue("gid")); err != nil {
			writeStateError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))

	m.HandleFunc("GET "+p+"/okta/orgs/{org}/rate-limits", s.withOrg(func(w http.ResponseWriter, _ *http.Request, org *oktasim.Org) {
		writeJSON(w, http.StatusOK, rateLimitsView{Limits: org.RateLimits(), Usage: org.RateLimitUsage()})
	}))
	m.HandleFunc("PATCH "+p+"/okta/orgs/{org}/rate-limits", s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		var spec oktasim.RateLimitsSpec
		if !decodeBody(w, r, &spec) {
			return
		}
		if err := org.SetRateLimits(org.RateLimits().With(spec)); err != nil {
			writeStateError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, rateLimitsView{Limits: org.RateLimits(), Usage: org.RateLimitUsage()})
	}))
	m.HandleFunc("POST "+p+"/okta/orgs/{org}/rate-limits/reset", s.withOrg(func(w http.ResponseWriter, _ *http.Request, org *oktasim.Org) {
		org.ResetRateLimitWindows()
		writeJSON(w, http.StatusOK, rateLimitsView{Limits: org.RateLimits(), Usage: org.RateLimitUsage()})
	}))
	m.HandleFunc("PATCH "+p+"/okta/rate-limits", func(w http.ResponseWriter, r *http.Request) {
		var spec oktasim.RateLimitsSpec
		if !decodeBody(w, r, &spec) {
			return
		}
		out := map[string]oktasim.RateLimits{}
		for _, org := range s.orgs {
			if err := org.SetRateLimits(org.RateLimits().With(spec)); err != nil {
				writeStateError(w, err)
				return
			}
			out[org.Name()] = org.RateLimits()
		}
		writeJSON(w, http.StatusOK, out)
	})

	m.HandleFunc("GET "+p+"/okta/orgs/{org}/faults", s.withOrg(func(w http.ResponseWriter, _ *http.Request, org *oktasim.Org) {
		writeJSON(w, http.StatusOK, org.Faults())
	}))
	m.HandleFunc("PUT "+p+"/okta/orgs/{org}/faults", s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		var f oktasim.Faults
		if !decodeBody(w, r, &f) {
			return
		}
		if err := org.SetFaults(f); err != nil {
			writeStateError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, org.Faults())
	}))
	m.HandleFunc("DELETE "+p+"/okta/orgs/{org}/faults", s.withOrg(func(w http.ResponseWriter, _ *http.Request, org *oktasim.Org) {
		_ = org.SetFaults(oktasim.Faults{})
		w.WriteHeader(http.StatusNoContent)
	}))
	m.HandleFunc("PUT "+p+"/okta/faults", func(w http.ResponseWriter, r *http.Request) {
		var f oktasim.Faults
		if !decodeBody(w, r, &f) {
			return
		}
		if err := s.SetOktaFaults(f); err != nil {
			writeStateError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, f)
	})
	m.HandleFunc("DELETE "+p+"/okta/faults", func(w http.ResponseWriter, _ *http.Request) {
		_ = s.SetOktaFaults(oktasim.Faults{})
		w.WriteHeader(http.StatusNoContent)
	})

	m.HandleFunc("GET "+p+"/okta/orgs/{org}/requests", s.withOrg(func(w http.ResponseWriter, _ *http.Request, org *oktasim.Org) {
		writeJSON(w, http.StatusOK, org.RequestCounts())
	}))
	m.HandleFunc("DELETE "+p+"/okta/orgs/{org}/requests", s.withOrg(func(w http.ResponseWriter, _ *http.Request, org *oktasim.Org) {
		org.ResetRequestCounts()
		w.WriteHeader(http.StatusNoContent)
	}))
	m.HandleFunc("GET "+p+"/okta/requests", func(w http.ResponseWriter, _ *http.Request) {
		out := map[string]map[string]oktasim.EndpointCount{}
		for _, org := range s.orgs {
			out[org.Name()] = org.RequestCounts()
		}
		writeJSON(w, http.StatusOK, out)
	})
	m.HandleFunc("DELETE "+p+"/okta/requests", func(w http.ResponseWriter, _ *http.Request) {
		for _, org := range s.orgs {
			org.ResetRequestCounts()
		}
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, controlError{Error: fmt.Sprintf("the control API has no route %s %s; see internal/sandbox/README.md", r.Method, r.URL.Path)})
	})
}

func viewOrg(org *oktasim.Org) orgView {
	return orgView{
		Name: org.Name(), URL: org.URL(), Domain: org.Domain(), LifecycleManagement: org.LifecycleManagement(),
		RateLimits: org.RateLimits(), Faults: org.Faults(), Apps: len(org.Instances()),
	}
}

func viewApp(org *oktasim.Org, st oktasim.InstanceState) appView {
	raw, _ := org.App(st.ID)
	return appView{InstanceState: st, App: raw}
}

func (s *Sandbox) withOrg(h func(http.ResponseWriter, *http.Request, *oktasim.Org)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("org")
		org := s.byName[name]
		if org == nil {
			names := make([]string, 0, len(s.orgs))
			for _, o := range s.orgs {
				names = append(names, o.Name())
			}
			sort.Strings(names)
			writeJSON(w, http.StatusNotFound, controlError{Error: fmt.Sprintf("no Okta org is named %q; the sandbox has %s", name, strings.Join(names, ", "))})
			return
		}
		h(w, r, org)
	}
}

func (s *Sandbox) withApp(h func(http.ResponseWriter, *http.Request, *oktasim.Org, oktasim.InstanceState)) http.HandlerFunc {
	return s.withOrg(func(w http.ResponseWriter, r *http.Request, org *oktasim.Org) {
		id := r.PathValue("id")
		st, ok := org.Instance(id)
		if !ok {
			writeJSON(w, http.StatusNotFound, controlError{Error: fmt.Sprintf("app %q is not installed in Okta org %q", id, org.Name())})
			return
		}
		h(w, r, org, st)
	})
}

// decodeBody reads a JSON body strictly: a misspelt field is an error, not a
// silently ignored change.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, controlError{Error: "cannot read the request body: " + err.Error()})
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := strings.TrimPrefix(err.Error(), "json: ")
		if errors.Is(err, io.EOF) {
			msg = "the request body is empty; send a JSON object"
		}
		writeJSON(w, http.StatusBadRequest, controlError{Error: "invalid request body: " + msg})
		return false
	}
	return true
}

func writeStateError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, oktasim.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, oktasim.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, oktasim.ErrInvalid):
		status = http.StatusBadRequest
	}
	writeJSON(w, status, controlError{Error: err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
