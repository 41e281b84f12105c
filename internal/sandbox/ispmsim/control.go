package ispmsim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// ControlPrefix is where ControlHandler serves.
const ControlPrefix = "/_sandbox/ispm"

// ControlHandler serves the control API under /_sandbox/ispm/: what an ISPM
// admin does in the console, plus faults and request counters. It has no
// authentication: the sandbox listens on loopback only. Errors are
// {"error": "..."} with a 4xx status.
//
//	GET    /_sandbox/ispm/state                     orgs, sources, faults, counters
//	PUT    /_sandbox/ispm/orgs/{id}                 {"connection_state": "DISCONNECTED"}
//	POST   /_sandbox/ispm/refresh                   Refresh Data for every org ({"okta_org_id"} for one)
//	GET    /_sandbox/ispm/sources                   every source, without advancing it
//	POST   /_sandbox/ispm/sources                   connect in the console {"okta_org_id","app","instance_ids","display_name"}
//	GET    /_sandbox/ispm/sources/{id}
//	PATCH  /_sandbox/ispm/sources/{id}              edit in the console {"instance_ids","display_name","status"}
//	DELETE /_sandbox/ispm/sources/{id}              delete in the console
//	PUT    /_sandbox/ispm/sources/{id}/health       {"status","reason","message"}
//	POST   /_sandbox/ispm/health-checks             run ISPM's health test now ({"source_id"} for one)
//	GET    /_sandbox/ispm/faults                    PUT replaces, DELETE clears (see Faults)
//	GET    /_sandbox/ispm/requests                  per-endpoint API request counts; DELETE resets
func (s *Service) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	p := ControlPrefix
	mux.HandleFunc("GET "+p+"/state", s.ctlState)
	mux.HandleFunc("PUT "+p+"/orgs/{id}", s.ctlPutOrg)
	mux.HandleFunc("POST "+p+"/refresh", s.ctlRefresh)
	mux.HandleFunc("GET "+p+"/sources", func(w http.ResponseWriter, _ *http.Request) {
		ctlJSON(w, http.StatusOK, map[string]any{"sources": s.Sources()})
	})
	mux.HandleFunc("POST "+p+"/sources", s.ctlCreateSource)
	mux.HandleFunc("GET "+p+"/sources/{id}", func(w http.ResponseWriter, r *http.Request) {
		src, ok := s.Source(r.PathValue("id"))
		if !ok {
			ctlError(w, http.StatusNotFound, fmt.Errorf("no source has the id %q", r.PathValue("id")))
			return
		}
		ctlJSON(w, http.StatusOK, src)
	})
	mux.HandleFunc("PATCH "+p+"/sources/{id}", s.ctlEditSource)
	mux.HandleFunc("DELETE "+p+"/sources/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !s.DeleteSource(r.PathValue("id")) {
			ctlError(w, http.StatusNotFound, fmt.Errorf("no source has the id %q", r.PathValue("id")))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PUT "+p+"/sources/{id}/health", s.ctlSetHealth)
	mux.HandleFunc("POST "+p+"/health-checks", s.ctlHealthChecks)
	mux.HandleFunc("GET "+p+"/faults", func(w http.ResponseWriter, _ *http.Request) {
		ctlJSON(w, http.StatusOK, s.CurrentFaults())
	})
	mux.HandleFunc("PUT "+p+"/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if !ctlDecode(w, r, &f, false) {
			return
		}
		if err := s.SetFaults(f); err != nil {
			ctlError(w, http.StatusBadRequest, err)
			return
		}
		ctlJSON(w, http.StatusOK, s.CurrentFaults())
	})
	mux.HandleFunc("DELETE "+p+"/faults", func(w http.ResponseWriter, _ *http.Request) {
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET "+p+"/requests", func(w http.ResponseWriter, _ *http.Request) {
		counts := s.RequestCounts()
		total := 0
		for _, n := range counts {
			total += n
		}
		ctlJSON(w, http.StatusOK, map[string]any{"counts": counts, "total": total})
	})
	mux.HandleFunc("DELETE "+p+"/requests", func(w http.ResponseWriter, _ *http.Request) {
		s.ResetRequestCounts()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		ctlError(w, http.StatusNotFound, fmt.Errorf("the ISPM control API has no %s %s; see the sandbox README", r.Method, r.URL.Path))
	})
	return mux
}

// Handler serves both the API and the control API, for tests and for
// running the ISPM service on its own.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(ControlPrefix+"/", s.ControlHandler())
	mux.Handle("/", s.APIHandler())
	return mux
}

func ctlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func ctlError(w http.ResponseWriter, status int, err error) {
	ctlJSON(w, status, map[string]string{"error": err.Error()})
}

// ctlDecode reads a JSON body strictly; an empty body is allowed when
// optional is set.
func ctlDecode(w http.ResponseWriter, r *http.Request, dst any, optional bool) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if optional && errors.Is(err, io.EOF) {
			return true
		}
		ctlError(w, http.StatusBadRequest, fmt.Errorf("the body is not valid JSON for this request: %w", err))
		return false
	}
	return true
}

func (s *Service) ctlState(w http.ResponseWriter, _ *http.Request) {
	ctlJSON(w, http.StatusOK, map[string]any{
		"orgs":     s.Orgs(),
		"sources":  s.Sources(),
		"faults":   s.CurrentFaults(),
		"requests": s.RequestCounts(),
	})
}

func (s *Service) ctlPutOrg(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ConnectionState ispm.OrgConnectionState `json:"connection_state"`
	}
	if !ctlDecode(w, r, &body, false) {
		return
	}
	if err := s.SetOrgConnectionState(r.PathValue("id"), body.ConnectionState); err != nil {
		ctlError(w, http.StatusBadRequest, err)
		return
	}
	ctlJSON(w, http.StatusOK, map[string]any{"orgs": s.Orgs()})
}

func (s *Service) ctlRefresh(w http.ResponseWriter, r *http.Request) {
	var body struct {
		OktaOrgID string `json:"okta_org_id"`
	}
	if !ctlDecode(w, r, &body, true) {
		return
	}
	if err := s.Refresh(body.OktaOrgID); err != nil {
		ctlError(w, http.StatusNotFound, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) ctlCreateSource(w http.ResponseWriter, r *http.Request) {
	var body struct {
		OktaOrgID   string   `json:"okta_org_id"`
		App         string   `json:"app"`
		InstanceIDs []string `json:"instance_ids"`
		DisplayName string   `json:"display_name"`
	}
	if !ctlDecode(w, r, &body, false) {
		return
	}
	src, err := s.ConsoleCreate(body.OktaOrgID, body.App, body.InstanceIDs, body.DisplayName)
	if err != nil {
		ctlError(w, http.StatusUnprocessableEntity, err)
		return
	}
	ctlJSON(w, http.StatusCreated, src)
}

func (s *Service) ctlEditSource(w http.ResponseWriter, r *http.Request) {
	var edit SourceEdit
	if !ctlDecode(w, r, &edit, false) {
		return
	}
	src, err := s.EditSource(r.PathValue("id"), edit)
	if err != nil {
		ctlError(w, http.StatusBadRequest, err)
		return
	}
	ctlJSON(w, http.StatusOK, src)
}

func (s *Service) ctlSetHealth(w http.ResponseWriter, r *http.Request) {
	var h ispm.Health
	if !ctlDecode(w, r, &h, false) {
		return
	}
	src, err := s.SetHealth(r.PathValue("id"), h)
	if err != nil {
		ctlError(w, http.StatusBadRequest, err)
		return
	}
	ctlJSON(w, http.StatusOK, src)
}

func (s *Service) ctlHealthChecks(w http.ResponseWriter, r *http.Request) {
	var body struct {
		SourceID string `json:"source_id"`
	}
	if !ctlDecode(w, r, &body, true) {
		return
	}
	tested, err := s.RunHealthChecks(body.SourceID)
	if err != nil {
		ctlError(w, http.StatusNotFound, err)
		return
	}
	ctlJSON(w, http.StatusOK, map[string]any{"sources": tested})
}
