package sandbox

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/ispmsim"
	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox/oktasim"
)

// Scenario is the state a sandbox starts from. Its JSON form is documented
// in the sandbox README.
type Scenario struct {
	// Description is free text for the reader of a scenario file.
	Description string `json:"description,omitempty"`
	// OktaOrgs are the simulated Okta orgs; the first is the default one,
	// whose credentials the first-line JSON puts in "env".
	OktaOrgs []oktasim.OrgSpec `json:"okta_orgs"`
	// ISPM is the ISPM service's state (see ispmsim.Scenario); nil
	// connects every Okta org to ISPM with the built-in gallery.
	ISPM *ispmsim.Scenario `json:"ispm,omitempty"`
}

//go:embed scenarios/default.json
var defaultScenarioJSON []byte

// DefaultScenario returns the scenario the sandbox runs without -scenario: a
// realistic org "acme" with OIN SCIM apps in every readiness state, and an
// org "globex" without Lifecycle Management. Each call returns a fresh copy.
func DefaultScenario() Scenario {
	sc, err := parseScenario(defaultScenarioJSON, "")
	if err != nil {
		panic("sandbox: the embedded default scenario is invalid: " + err.Error())
	}
	return sc
}

// LoadScenario reads and validates a scenario file. An org's apps_file is
// read relative to the scenario file. Errors name the file, the org, the app
// and the field at fault.
func LoadScenario(path string) (Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("cannot read the scenario: %w", err)
	}
	sc, err := parseScenario(data, filepath.Dir(path))
	if err == nil {
		err = sc.Validate()
	}
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario %s: %w", path, err)
	}
	return sc, nil
}

// ParseScenario decodes and validates a scenario held in memory. It cannot
// resolve apps_file; use LoadScenario for scenarios that use it.
func ParseScenario(data []byte) (Scenario, error) {
	sc, err := parseScenario(data, "")
	if err == nil {
		err = sc.Validate()
	}
	if err != nil {
		return Scenario{}, fmt.Errorf("scenario: %w", err)
	}
	return sc, nil
}

// scenarioSections decodes each top-level member of a scenario file.
var scenarioSections = map[string]func(sc *Scenario, raw json.RawMessage, dir string) error{
	"description": func(sc *Scenario, raw json.RawMessage, _ string) error {
		if err := json.Unmarshal(raw, &sc.Description); err != nil {
			return errors.New("must be a string")
		}
		return nil
	},
	"okta_orgs": parseOktaOrgs,
	"ispm":      parseISPMSection,
}

func parseScenario(data []byte, dir string) (Scenario, error) {
	var sc Scenario
	if err := checkJSON(data); err != nil {
		return sc, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return sc, errors.New("a scenario must be a JSON object with an \"okta_orgs\" list")
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parse, ok := scenarioSections[k]
		if !ok {
			known := make([]string, 0, len(scenarioSections))
			for n := range scenarioSections {
				known = append(known, n)
			}
			sort.Strings(known)
			return sc, fmt.Errorf("unknown top-level field %q; known fields are %s", k, strings.Join(known, ", "))
		}
		if err := parse(&sc, top[k], dir); err != nil {
			// List indexes join the field directly: okta_orgs[1] ("globex"): ...
			if strings.HasPrefix(err.Error(), "[") {
				return sc, fmt.Errorf("%s%w", k, err)
			}
			return sc, fmt.Errorf("%s: %w", k, err)
		}
	}
	return sc, nil
}

func parseOktaOrgs(sc *Scenario, raw json.RawMessage, dir string) error {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return errors.New("must be a list of orgs")
	}
	for i, item := range items {
		spec, err := oktasim.ParseOrgSpec(item)
		where := fmt.Sprintf("[%d]", i)
		if spec.Name != "" {
			where += fmt.Sprintf(" (%q)", spec.Name)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if spec.AppsFile != "" {
			if err := readAppsFile(&spec, dir); err != nil {
				return fmt.Errorf("%s: apps_file %q: %w", where, spec.AppsFile, err)
			}
		}
		sc.OktaOrgs = append(sc.OktaOrgs, spec)
	}
	return nil
}

// readAppsFile appends the apps of a file holding a JSON array of Application
// objects, such as a recorded GET /api/v1/apps body.
func readAppsFile(spec *oktasim.OrgSpec, dir string) error {
	if dir == "" {
		return errors.New("a scenario held in memory cannot name a file; load it with LoadScenario")
	}
	p := spec.AppsFile
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("cannot read it: %w", err)
	}
	if err := checkJSON(data); err != nil {
		return err
	}
	var apps []json.RawMessage
	if err := json.Unmarshal(data, &apps); err != nil {
		return errors.New("must hold a JSON array of Okta app objects, as GET /api/v1/apps returns")
	}
	spec.Apps = append(spec.Apps, apps...)
	spec.AppsFile = ""
	return nil
}

// checkJSON reports a syntax error with its line and column.
func checkJSON(data []byte) error {
	if json.Valid(data) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line, col := lineCol(data, syn.Offset)
			return fmt.Errorf("invalid JSON at line %d, column %d: %s", line, col, strings.TrimPrefix(syn.Error(), "json: "))
		}
		return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return errors.New("invalid JSON: more than one value in the file")
	}
	return nil
}

func lineCol(data []byte, offset int64) (line, col int) {
	offset = min(offset, int64(len(data)))
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// Validate checks everything New would: org names, credentials, every app,
// setting and group.
func (sc Scenario) Validate() error {
	if len(sc.OktaOrgs) == 0 {
		return errors.New(`okta_orgs is empty; a scenario needs at least one Okta org`)
	}
	seen := map[string]bool{}
	for i, spec := range sc.OktaOrgs {
		if seen[spec.Name] {
			return fmt.Errorf("okta_orgs[%d]: the org name %q is used twice", i, spec.Name)
		}
		seen[spec.Name] = true
		if _, err := oktasim.NewOrg(spec); err != nil {
			return fmt.Errorf("okta_orgs[%d] (%q): %w", i, spec.Name, err)
		}
	}
	return sc.validateISPM()
}
