package ispm

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
)

// TestPrerequisiteVocabularies walks both prerequisite enums and the
// engine's table: each ISPM prerequisite converts to a table entry with the
// same wire name and back, and each table entry has an ISPM name.
func TestPrerequisiteVocabularies(t *testing.T) {
	if got := declared(t, "Prerequisite"); !sameSet(got, stringsOf(Prerequisites)) {
		t.Fatalf("types.go declares the prerequisites %v but Prerequisites lists %v", got, Prerequisites)
	}
	for _, p := range Prerequisites {
		id := p.CheckID()
		if _, ok := eligibility.Lookup(id); !ok || string(id) != string(p) {
			t.Errorf("ISPM's %s converts to %q, which the engine's table does not hold under that name", p, id)
		}
		if back := PrerequisiteOf(id); back != p {
			t.Errorf("%s converts back to %s", p, back)
		}
	}
	for _, pr := range eligibility.Prerequisites() {
		if p := PrerequisiteOf(pr.ID); !slices.Contains(Prerequisites, p) {
			t.Errorf("the engine's %s has no ISPM name", pr.ID)
		}
		if HealthReasonFor(pr.ID) == "" {
			t.Errorf("%s has no ISPM health reason", pr.ID)
		}
	}
	if got := declaredIn(t, "../eligibility", "CheckID"); !sameSet(got, stringsOf(eligibility.CheckIDs)) {
		t.Errorf("the engine declares the prerequisites %v but its table holds %v", got, eligibility.CheckIDs)
	}
	if len(eligibility.Prerequisites()) != len(Prerequisites) {
		t.Errorf("the engine knows %d prerequisites, ISPM %d", len(eligibility.Prerequisites()), len(Prerequisites))
	}
	if got := Prerequisite("P9_LATER").CheckID(); got != "P9_LATER" {
		t.Errorf("an unknown prerequisite converts to %q, want its text", got)
	}
}

// TestStatusVocabularies walks both app-status enums.
func TestStatusVocabularies(t *testing.T) {
	if got := declared(t, "GalleryStatus"); !sameSet(got, stringsOf(GalleryStatuses)) {
		t.Fatalf("types.go declares the statuses %v but GalleryStatuses lists %v", got, GalleryStatuses)
	}
	engine := []eligibility.AppStatus{eligibility.StatusNotIntegrated, eligibility.StatusProvisioningDisabled, eligibility.StatusAvailable, eligibility.StatusConnected}
	for i, s := range GalleryStatuses {
		a := s.AppStatus()
		if a != engine[i] || string(a) != string(s) {
			t.Errorf("%s converts to %q, want %q", s, a, engine[i])
		}
		if GalleryStatusOf(a) != s {
			t.Errorf("%s does not convert back", s)
		}
	}
	if GalleryStatus("LATER").AppStatus() != eligibility.StatusUnknown || GalleryStatusOf(eligibility.StatusUnknown) != "" {
		t.Error("unknown statuses must stay unknown both ways")
	}
}

// declared lists the values of the constants of type typ in this package's
// non-test files, so that a constant added without its list entry fails.
func declared(t *testing.T, typ string) []string { return declaredIn(t, ".", typ) }

// declaredIn is declared for the package in dir.
func declaredIn(t *testing.T, dir, typ string) []string {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, pkg := range pkgs {
		for name, f := range pkg.Files {
			if len(name) > 8 && name[len(name)-8:] == "_test.go" {
				continue
			}
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				for _, spec := range g.Specs {
					vs, ok := spec.(*ast.ValueSpec)
					if !ok || vs.Type == nil || len(vs.Values) != 1 {
						continue
					}
					if id, ok := vs.Type.(*ast.Ident); ok && id.Name == typ {
						if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
							out = append(out, lit.Value[1:len(lit.Value)-1])
						}
					}
				}
			}
		}
	}
	return out
}

func stringsOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
