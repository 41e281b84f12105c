package main

import (
	"os"
	"testing"
)

func TestQuietSDKLogsUnlessAsked(t *testing.T) {
	keys := []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}
	reset := func(vals map[string]string) {
		for _, k := range keys {
			t.Setenv(k, "")
			_ = os.Unsetenv(k)
		}
		for k, v := range vals {
			t.Setenv(k, v)
		}
	}

	reset(nil)
	quietSDKLogsUnlessAsked()
	for _, k := range keys[2:] {
		if os.Getenv(k) != "off" {
			t.Errorf("without TF_LOG, %s = %q, want off", k, os.Getenv(k))
		}
	}

	reset(map[string]string{"TF_LOG": "TRACE"})
	quietSDKLogsUnlessAsked()
	if _, set := os.LookupEnv("TF_LOG_SDK"); set {
		t.Error("with TF_LOG set, the SDK's logging must be left alone")
	}

	reset(map[string]string{"TF_LOG_SDK_PROTO": "DEBUG"})
	quietSDKLogsUnlessAsked()
	if os.Getenv("TF_LOG_SDK_PROTO") != "DEBUG" || os.Getenv("TF_LOG_SDK") != "off" {
		t.Error("an explicit TF_LOG_SDK_* setting must win")
	}
}
