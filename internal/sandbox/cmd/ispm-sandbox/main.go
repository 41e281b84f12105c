// Command ispm-sandbox serves local Okta orgs and the ISPM service, for
// trying the provider without any account and for scripts.
//
//	go run ./internal/sandbox/cmd/ispm-sandbox [-addr 127.0.0.1:0] [-scenario FILE] [-v]
//
// The first line on stdout is one JSON object describing the sandbox (see
// sandbox.Info); human guidance follows. It serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/ispm-community/terraform-provider-ispm/internal/sandbox"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		stop()
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "ispm-sandbox:", err)
		os.Exit(2)
	}
}

// run starts the sandbox, prints its description and serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ispm-sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `host:port` of the control API (port 0 picks a free port); each Okta org gets its own free port")
	scenarioPath := fs.String("scenario", "", "scenario `file` (JSON); the built-in default scenario when empty")
	verbose := fs.Bool("v", false, "log every request to stderr (never tokens or query strings)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ispm-sandbox [-addr 127.0.0.1:PORT] [-scenario FILE] [-v]")
		fmt.Fprintln(stderr, "Serves local Okta orgs and the ISPM service for the ISPM provider until interrupted.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; see -help", fs.Arg(0))
	}

	sc := sandbox.DefaultScenario()
	if *scenarioPath != "" {
		var err error
		if sc, err = sandbox.LoadScenario(*scenarioPath); err != nil {
			return err
		}
	}
	var opts []sandbox.Option
	if *verbose {
		opts = append(opts, sandbox.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	sb, err := sandbox.New(sc, opts...)
	if err != nil {
		return err
	}
	if err := sb.Start(*addr); err != nil {
		return err
	}
	defer sb.Close()

	info := sb.Info()
	line, err := json.Marshal(info)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", line)
	printGuidance(stdout, info)

	<-ctx.Done()
	if err := sb.Close(); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	fmt.Fprintln(stderr, "ispm-sandbox: stopped")
	return nil
}

func printGuidance(w io.Writer, info sandbox.Info) {
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "ISPM sandbox is running (the line above is the same information as JSON, for scripts).")
	fmt.Fprintln(w, "")
	for _, o := range info.OktaOrgs {
		lcm := "with Lifecycle Management"
		if !o.LifecycleManagement {
			lcm = "without Lifecycle Management"
		}
		fmt.Fprintf(w, "  Okta org %-8s %s  (%s)\n", o.Name, o.URL, lcm)
		if o.APIToken != "" {
			fmt.Fprintf(w, "      API token: %s\n", o.APIToken)
		}
	}
	fmt.Fprintf(w, "  Control API    %s\n", info.Control)
	fmt.Fprintf(w, "  ISPM API       %s/api/v1  (token %s; control %s)\n", info.ISPM.Endpoint, info.ISPM.APIToken, info.ISPM.Control)
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Point the provider at the default org:")
	keys := make([]string, 0, len(info.Env))
	for k := range info.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var exports []string
	for _, k := range keys {
		exports = append(exports, fmt.Sprintf("%s=%s", k, info.Env[k]))
	}
	fmt.Fprintf(w, "  export %s\n", strings.Join(exports, " "))
	if len(info.OktaOrgs) > 0 && info.OktaOrgs[0].APIToken != "" {
		o := info.OktaOrgs[0]
		fmt.Fprintln(w, "")
		fmt.Fprintln(w, "Try it:")
		fmt.Fprintf(w, "  curl -s -H 'Authorization: SSWS %s' %s/api/v1/apps\n", o.APIToken, o.URL)
		fmt.Fprintf(w, "  curl -s %s/apps\n", o.Control)
		fmt.Fprintf(w, "  curl -s -H 'Authorization: Bearer %s' %s/api/v1/sources\n", info.ISPM.APIToken, info.ISPM.Endpoint)
	}
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "The control API is documented in internal/sandbox/README.md. Press Ctrl-C to stop.")
}
