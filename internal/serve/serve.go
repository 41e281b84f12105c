// Package serve is what the provider's main does before and while serving
// Terraform: the command line, the process settings that keep a large plan
// cheap, and the plugin server. It is shared with the benchmark's floor
// provider (internal/bench/floorprovider), so that the floor pays exactly
// the provider's process setup and cannot drift from it.
package serve

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// SoftMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT is
// not set. The live heap of an applied-state plan of 500 connections is
// about 40 MB; Go's default GC target lets the heap grow to twice that
// before collecting, which put the process's peak above 100 MB. With the
// limit the collector works harder only near it, so smaller plans pay
// nothing (see BENCHMARKS.md for the measurement). A plan whose live heap
// outgrows the limit (a far larger org) is not stopped: the runtime caps
// the collector at about half the CPU, so it slows instead, and
// GOMEMLIMIT=off or a larger GOMEMLIMIT restores Go's default behaviour.
const SoftMemoryLimit = 72 << 20

// Main parses args (the command line without the program name), prepares
// the process and serves p at address until Terraform stops it.
func Main(address string, p func() provider.Provider, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("terraform-provider", flag.ContinueOnError)
	fs.SetOutput(stderr)
	debugMode := fs.Bool("debug", false, "run the provider with support for debuggers like delve")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: the provider takes only -debug; Terraform starts it without arguments", fs.Arg(0))
	}
	Prepare(os.LookupEnv, os.Setenv)
	var opts []tf6server.ServeOpt
	if *debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	return tf6server.Serve(address, func() tfprotov6.ProviderServer { return guarded(p) }, opts...)
}

// guarded is the framework's protocol server for p behind a stopGuard
// (stop.go), or the server alone should it ever lack what the guard
// forwards.
func guarded(p func() provider.Provider) tfprotov6.ProviderServer {
	srv := providerserver.NewProtocol6(p())()
	if full, ok := srv.(guardedServer); ok {
		return newStopGuard(full)
	}
	return srv
}

// Prepare applies the process settings: the SDK's logs off unless asked
// for, and a soft memory limit unless GOMEMLIMIT is set. lookup and set
// are the environment's (os.LookupEnv, os.Setenv).
func Prepare(lookup func(string) (string, bool), set func(string, string) error) {
	quietSDKLogsUnlessAsked(lookup, set)
	if _, given := lookup("GOMEMLIMIT"); !given {
		debug.SetMemoryLimit(SoftMemoryLimit)
	}
}

// quietSDKLogsUnlessAsked turns the plugin SDK's own trace logging off when
// the user asked for no logs: Terraform discards those lines anyway, and
// producing them costs about 45 % of the provider's CPU on a large plan
// (see BENCHMARKS.md). TF_LOG, TF_LOG_PROVIDER or an explicit TF_LOG_SDK*
// setting keeps every log line as before.
func quietSDKLogsUnlessAsked(lookup func(string) (string, bool), set func(string, string) error) {
	for _, k := range []string{"TF_LOG", "TF_LOG_PROVIDER"} {
		if v, _ := lookup(k); v != "" {
			return
		}
	}
	for _, k := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"} {
		if _, given := lookup(k); !given {
			_ = set(k, "off")
		}
	}
}
