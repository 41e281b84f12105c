package main

import (
	"errors"
	"flag"
	"log"
	"os"

	"github.com/ispm-community/terraform-provider-ispm/internal/provider"
	"github.com/ispm-community/terraform-provider-ispm/internal/serve"
)

// version is set by goreleaser (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	err := serve.Main("registry.terraform.io/ispm-community/ispm", provider.New(version), os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		log.Fatal(err.Error())
	}
}
