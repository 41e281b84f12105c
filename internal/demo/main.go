// Command demo is `make demo`: the provider's main job, end to end, with the
// real Terraform CLI against the local sandbox, for a newcomer with no Okta
// or ISPM account.
//
// It builds the provider into a temporary directory, starts the sandbox
// in-process on free loopback ports, points Terraform at the build through a
// temporary CLI configuration (dev_overrides; the user's ~/.terraformrc is
// never read or written), copies examples/quickstart to a temporary working
// directory, and runs it through the steps listed in steps.go. The last one
// (readiness.go) judges the same org with ISPM not configured: a copy of
// examples/readiness-only, run with the org's OKTA_* variables only, while
// the sandbox's ISPM must receive no request. Everything it made is removed
// on the way out, and nothing is written in the repository.
//
//	go run ./internal/demo [-terraform PATH]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	tf := fs.String("terraform", "", "`path` of the Terraform CLI (1.5 or newer); by default the one scripts/terraform-path.sh prints")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "Usage: go run ./internal/demo [-terraform PATH]")
		fmt.Fprintln(os.Stderr, "Runs examples/quickstart, then examples/readiness-only, with the real Terraform CLI against the local sandbox.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "demo: unexpected argument %q; see -help\n", fs.Arg(0))
		os.Exit(2)
	}

	err := run(ctx, options{Terraform: *tf, Out: os.Stdout, Err: os.Stderr})
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo failed: %v\n", err)
		os.Exit(1)
	}
}
