package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/ispm-community/terraform-provider-ispm/internal/provider"
)

// version is set by goreleaser (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	quietSDKLogsUnlessAsked()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address:         "registry.terraform.io/ispm-community/ispm",
		Debug:           debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietSDKLogsUnlessAsked turns the plugin SDK's own trace logging off when
// the user asked for no logs: Terraform discards those lines anyway, and
// producing them costs about 45 % of the provider's CPU on a large plan
// (see BENCHMARKS.md). TF_LOG, TF_LOG_PROVIDER or an explicit TF_LOG_SDK*
// setting keeps every log line as before.
func quietSDKLogsUnlessAsked() {
	if os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if _, set := os.LookupEnv(k); !set {
			_ = os.Setenv(k, "off")
		}
	}
}
