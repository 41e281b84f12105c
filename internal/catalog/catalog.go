// Package catalog is the provider's own list of Okta Integration Network
// apps that can be ISPM SCIM sources, for when ISPM's Sources Gallery cannot
// be asked (no ISPM configured). The list is a versioned data file,
// oin-scim-apps.tsv, each key with the public evidence that confirms it;
// an app missing from it is not claimed to be a source, and a custom SCIM
// app is recognised from its Okta app object instead.
package catalog

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed oin-scim-apps.tsv
var data string

// App is one OIN app of the list.
type App struct {
	// Key is the app's Okta catalog name (the app object's name).
	Key      string
	Label    string
	Category string
	// ImportGroups is "yes", "no" or "unknown": whether the app's
	// integration is known to import groups (P7 needs it).
	ImportGroups string
	// Source is the evidence that confirms the key and its provisioning.
	Source string
}

var apps = mustParse(data)

// OIN returns the list, by key.
func OIN() map[string]App { return apps }

func mustParse(text string) map[string]App {
	m, err := parse(text)
	if err != nil {
		panic(err)
	}
	return m
}

// parse reads the data file: comment lines, a header, then one app a line.
func parse(text string) (map[string]App, error) {
	out := map[string]App{}
	header := false
	for n, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if !header {
			if strings.Join(f, ",") != "key,label,category,import_groups,source" {
				return nil, fmt.Errorf("oin-scim-apps.tsv line %d: unexpected header %q", n+1, line)
			}
			header = true
			continue
		}
		if len(f) != 5 || f[0] == "" || f[4] == "" {
			return nil, fmt.Errorf("oin-scim-apps.tsv line %d: want key, label, category, import_groups and a source", n+1)
		}
		if _, dup := out[f[0]]; dup {
			return nil, fmt.Errorf("oin-scim-apps.tsv line %d: key %q twice", n+1, f[0])
		}
		switch f[3] {
		case "yes", "no", "unknown":
		default:
			return nil, fmt.Errorf("oin-scim-apps.tsv line %d: import_groups %q is not yes, no or unknown", n+1, f[3])
		}
		out[f[0]] = App{Key: f[0], Label: f[1], Category: f[2], ImportGroups: f[3], Source: f[4]}
	}
	if !header {
		return nil, fmt.Errorf("oin-scim-apps.tsv has no header")
	}
	return out, nil
}
