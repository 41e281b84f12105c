package contract_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm/contract"
)

func TestLoadValidatesTheEmbeddedDocument(t *testing.T) {
	t.Parallel()
	doc, err := contract.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"/api/v1/okta-orgs", "/api/v1/okta-orgs/{orgId}", "/api/v1/okta-orgs/{orgId}/refresh",
		"/api/v1/okta-orgs/{orgId}/apps/{appKey}", "/api/v1/okta-orgs/{orgId}/apps/{appKey}/refresh",
		"/api/v1/catalog", "/api/v1/catalog/{appKey}", "/api/v1/sources", "/api/v1/sources/{sourceId}",
	} {
		if doc.Paths.Find(p) == nil {
			t.Errorf("the contract has no path %s", p)
		}
		if !strings.HasPrefix(p, contract.BasePath+"/") {
			t.Errorf("path %s is outside %s", p, contract.BasePath)
		}
	}
}

func TestEveryOperationDocumentsAuthRateLimitAndProblems(t *testing.T) {
	t.Parallel()
	doc, err := contract.Shared()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, code := range []string{"401", "429", "5XX"} {
				r := op.Responses.Value(code)
				if r == nil || r.Value == nil {
					t.Errorf("%s %s does not document %s", method, path, code)
					continue
				}
				if r.Value.Content.Get("application/problem+json") == nil {
					t.Errorf("%s %s answers %s without application/problem+json", method, path, code)
				}
			}
			if r := op.Responses.Value("429"); r != nil && r.Value.Headers["Retry-After"] == nil {
				t.Errorf("%s %s: 429 lacks Retry-After", method, path)
			}
		}
	}
}

func TestSharedReturnsOneDocument(t *testing.T) {
	t.Parallel()
	a, err := contract.Shared()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := contract.Shared()
	if a != b {
		t.Fatal("Shared parsed the document twice")
	}
}
