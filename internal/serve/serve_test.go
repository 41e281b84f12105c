package serve

import (
	"errors"
	"flag"
	"io"
	"runtime/debug"
	"strings"
	"testing"
)

// fakeEnv is an environment of its own, so tests never touch the
// process's.
type fakeEnv map[string]string

func (e fakeEnv) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }
func (e fakeEnv) set(k, v string) error          { e[k] = v; return nil }

func TestQuietSDKLogsUnlessAsked(t *testing.T) {
	sdk := []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

	env := fakeEnv{}
	quietSDKLogsUnlessAsked(env.lookup, env.set)
	for _, k := range sdk {
		if env[k] != "off" {
			t.Errorf("without TF_LOG, %s = %q, want off", k, env[k])
		}
	}

	for _, asked := range []string{"TF_LOG", "TF_LOG_PROVIDER"} {
		env = fakeEnv{asked: "TRACE"}
		quietSDKLogsUnlessAsked(env.lookup, env.set)
		if _, set := env["TF_LOG_SDK"]; set {
			t.Errorf("with %s set, the SDK's logging must be left alone", asked)
		}
	}

	env = fakeEnv{"TF_LOG_SDK_PROTO": "DEBUG"}
	quietSDKLogsUnlessAsked(env.lookup, env.set)
	if env["TF_LOG_SDK_PROTO"] != "DEBUG" || env["TF_LOG_SDK"] != "off" {
		t.Errorf("an explicit TF_LOG_SDK_* setting must win: %v", env)
	}
}

// TestPrepareSetsASoftMemoryLimitUnlessGiven: without GOMEMLIMIT the
// runtime gets SoftMemoryLimit; a GOMEMLIMIT of the user's (which the
// runtime has already applied) is left as it is. Not parallel: the limit
// is the process's.
func TestPrepareSetsASoftMemoryLimitUnlessGiven(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	const users = 1 << 40
	debug.SetMemoryLimit(users)
	Prepare(fakeEnv{"GOMEMLIMIT": "1TiB"}.lookup, fakeEnv{}.set)
	if got := debug.SetMemoryLimit(-1); got != users {
		t.Fatalf("with GOMEMLIMIT set the limit became %d, want the user's %d", got, users)
	}

	env := fakeEnv{}
	Prepare(env.lookup, env.set)
	if got := debug.SetMemoryLimit(-1); got != SoftMemoryLimit {
		t.Fatalf("without GOMEMLIMIT the limit is %d, want %d", got, SoftMemoryLimit)
	}
	if env["TF_LOG_SDK"] != "off" {
		t.Fatal("Prepare must quiet the SDK's logs too")
	}
}

func TestMainRefusesArguments(t *testing.T) {
	err := Main("registry.terraform.io/x/y", nil, []string{"extra"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"extra"`) {
		t.Fatalf("an unexpected argument: err = %v", err)
	}
	if err := Main("registry.terraform.io/x/y", nil, []string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: err = %v, want flag.ErrHelp", err)
	}
}
