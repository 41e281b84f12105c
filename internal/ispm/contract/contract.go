// Package contract holds the OpenAPI document of the ISPM sources API that
// the provider's client speaks and the sandbox serves. Both sides, and the
// tests that check them, read this one embedded file.
package contract

import (
	"context"
	_ "embed"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Spec is the OpenAPI 3 document (YAML) of the ISPM sources API.
//
//go:embed openapi.yaml
var Spec []byte

// BasePath is the path prefix of every operation in Spec.
const BasePath = "/api/v1"

// Load parses Spec and validates it as an OpenAPI 3 document. Each call
// returns a fresh document that the caller may modify.
func Load(ctx context.Context) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(Spec)
	if err != nil {
		return nil, fmt.Errorf("parsing the embedded ISPM OpenAPI document: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("the embedded ISPM OpenAPI document is not valid OpenAPI 3: %w", err)
	}
	return doc, nil
}

var shared struct {
	once sync.Once
	doc  *openapi3.T
	err  error
}

// Shared returns one validated document for read-only use by many
// goroutines, parsed on first use.
func Shared() (*openapi3.T, error) {
	shared.once.Do(func() {
		shared.doc, shared.err = Load(context.Background())
	})
	return shared.doc, shared.err
}
