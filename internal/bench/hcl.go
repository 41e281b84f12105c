package main

import (
	"fmt"
	"strings"
)

// target is where the Terraform configurations point: the sandbox's ISPM
// and its large Okta org.
type target struct {
	ISPMEndpoint string
	ISPMToken    string
	OrgURL       string
	OrgToken     string
	// OrgRef is what okta_org says in resources and data sources: the
	// org's domain, as users write acme.okta.com.
	OrgRef string
}

// connection is one app and the instances a benchmark connects.
type connection struct {
	App         string
	InstanceIDs []string
}

func hclList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func providerBlock(t target) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    ispm = {
      source = %q
    }
  }
}

provider "ispm" {
  endpoint  = %q
  api_token = %q

  okta_org {
    org_url   = %q
    api_token = %q
  }
}
`, providerSource, t.ISPMEndpoint, t.ISPMToken, t.OrgURL, t.OrgToken)
}

// resourcesConfig declares one ispm_source_connection per connection.
func resourcesConfig(t target, conns []connection) string {
	var b strings.Builder
	b.WriteString(providerBlock(t))
	for i, c := range conns {
		fmt.Fprintf(&b, "\nresource \"ispm_source_connection\" \"c%04d\" {\n  okta_org     = %q\n  app_name     = %q\n  instance_ids = %s\n}\n",
			i, t.OrgRef, c.App, hclList(c.InstanceIDs))
	}
	return b.String()
}

// dataSourcesConfig declares one ispm_app_eligibility per connection's
// app, judging every instance of the app.
func dataSourcesConfig(t target, conns []connection) string {
	var b strings.Builder
	b.WriteString(providerBlock(t))
	for i, c := range conns {
		fmt.Fprintf(&b, "\ndata \"ispm_app_eligibility\" \"e%04d\" {\n  okta_org = %q\n  app_name = %q\n}\n", i, t.OrgRef, c.App)
	}
	return b.String()
}

// floorConfig declares one resource of the do-nothing floor provider per
// connection, with the same values as the real configuration.
func floorConfig(conns []connection) string {
	var b strings.Builder
	fmt.Fprintf(&b, "terraform {\n  required_providers {\n    floor = {\n      source = %q\n    }\n  }\n}\n", floorSource)
	for i, c := range conns {
		fmt.Fprintf(&b, "\nresource \"floor_source_connection\" \"c%04d\" {\n  okta_org     = %q\n  app_name     = %q\n  instance_ids = %s\n}\n",
			i, "bigcorp.okta.com", c.App, hclList(c.InstanceIDs))
	}
	return b.String()
}

// baselineConfig declares one terraform_data per connection, carrying the
// same values, so Terraform's own work is comparable.
func baselineConfig(conns []connection) string {
	var b strings.Builder
	for i, c := range conns {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"c%04d\" {\n  input = {\n    app_name     = %q\n    instance_ids = %s\n  }\n}\n\n",
			i, c.App, hclList(c.InstanceIDs))
	}
	return b.String()
}
