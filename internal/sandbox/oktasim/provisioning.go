package oktasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// provisioningEnabled is the one rule for "provisioning is enabled": the
// connection is ENABLED or, for apps without a public connection API
// (UNKNOWN), the features show provisioning.
func (c *appConfig) provisioningEnabled() bool {
	switch c.connStatus {
	case ConnectionEnabled:
		return true
	case ConnectionUnknown:
		return c.showsProvisioning()
	}
	return false
}

// showsProvisioning reports whether the features show provisioning.
func (c *appConfig) showsProvisioning() bool {
	return slices.ContainsFunc(c.features, isProvisioningFeature)
}

func (c *appConfig) has(f string) bool { return slices.Contains(c.features, f) }

func (c *appConfig) importNewUsers() bool {
	return c.has(featureImportNewUsers) && c.has(featureImportProfileUpdates)
}

// applySettings sets the hidden state of an app from its scenario settings,
// deriving what they leave out.
func (o *Org) applySettings(a *app, s AppSettings) error {
	if s.ProvisioningSupported != nil {
		a.provisioningSupported = *s.ProvisioningSupported
	}
	a.connStatus = ConnectionUnknown
	if connectionScheme(a.name) != "" {
		a.connStatus = ConnectionDisabled
		if a.showsProvisioning() {
			a.connStatus = ConnectionEnabled
		}
	}
	if len(s.Connection) > 0 {
		switch jsonKind(s.Connection) {
		case "a string":
			var st string
			_ = json.Unmarshal(s.Connection, &st)
			if !validConnectionStatus(st) {
				return fmt.Errorf(`connection is %q; use "ENABLED", "DISABLED" or "UNKNOWN", or a connection object`, st)
			}
			a.connStatus = st
		case "an object":
			obj, err := parseObject(s.Connection)
			if err != nil {
				return fmt.Errorf("connection: %w", err)
			}
			st, _, err := obj.str("status")
			if err != nil {
				return fmt.Errorf("connection: %w", err)
			}
			if !validConnectionStatus(st) {
				return fmt.Errorf(`connection: "status" is %q; use "ENABLED", "DISABLED" or "UNKNOWN"`, st)
			}
			a.connStatus, a.connObj = st, obj
			a.connRaw, a.connRawStatus = bytes.TrimSpace(s.Connection), st
		default:
			return fmt.Errorf("connection must be a status string or a connection object, not %s", jsonKind(s.Connection))
		}
	}
	if a.connStatus != ConnectionUnknown && !a.provisioningSupported {
		return errors.New("provisioning_supported is false but the connection is " + a.connStatus + "; an app that cannot provision has an UNKNOWN connection")
	}
	for i, raw := range s.Features {
		obj, err := parseObject(raw)
		if err != nil {
			return fmt.Errorf("features[%d]: %w", i, err)
		}
		if name, _, err := obj.str("name"); err != nil || name == "" {
			return fmt.Errorf(`features[%d]: "name" is missing; use USER_PROVISIONING or INBOUND_PROVISIONING`, i)
		}
		a.featureObjs = append(a.featureObjs, obj)
	}
	for i, raw := range s.Groups {
		if _, err := o.addAppGroup(a, raw, i); err != nil {
			return fmt.Errorf("groups[%d]%s: %w", i, describeRaw(raw, "id"), err)
		}
	}
	// Imported groups show the setting was on once, not that it still is,
	// so only "import_groups" states it; left out, it stays not stated.
	a.importGroups = importGroupsNotStated
	if s.ImportGroups != nil {
		a.importGroups = knownImportGroups(*s.ImportGroups)
	}
	return nil
}

func validConnectionStatus(s string) bool {
	return s == ConnectionEnabled || s == ConnectionDisabled || s == ConnectionUnknown
}

// setProvisioning plans enabling or disabling provisioning of a: the
// connection follows, and the provisioning features are removed (and saved)
// or restored.
func setProvisioning(a *app, c *appConfig, on bool) {
	if on == c.provisioningEnabled() {
		return
	}
	if c.connStatus != ConnectionUnknown {
		c.connStatus = ConnectionDisabled
		if on {
			c.connStatus = ConnectionEnabled
		}
	}
	if !on {
		c.savedFeatures = nil
		kept := c.features[:0:0]
		for _, f := range c.features {
			if removedWithProvisioning(f) {
				c.savedFeatures = append(c.savedFeatures, f)
			} else {
				kept = append(kept, f)
			}
		}
		if c.features != nil {
			c.features = kept
		}
		return
	}
	restore := c.savedFeatures
	if len(restore) == 0 {
		restore = slices.Clone(defaultPushFeatures)
		if _, inCatalog := catalog[a.name]; !inCatalog {
			restore = append([]string{"SCIM_PROVISIONING"}, restore...)
		}
	}
	for _, f := range restore {
		if !slices.Contains(c.features, f) {
			c.features = append(c.features, f)
		}
	}
	c.savedFeatures = nil
}

// LifecycleManagement reports whether the org subscribes to Lifecycle Management.
func (o *Org) LifecycleManagement() bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.lcm
}

// SetLifecycleManagement adds or removes the Lifecycle Management product.
func (o *Org) SetLifecycleManagement(on bool) {
	o.mu.Lock()
	o.lcm = on
	o.mu.Unlock()
}
