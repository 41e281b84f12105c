package okta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/ispm-community/terraform-provider-ispm/internal/eligibility"
	"github.com/ispm-community/terraform-provider-ispm/internal/httpx"
)

const (
	// appsPageSize is Okta's largest page for GET /api/v1/apps.
	appsPageSize = 200
	// groupsPageSize keeps a page of groups a few megabytes at most.
	groupsPageSize = 1000
	// maxPages stops a listing whose server keeps sending next links.
	maxPages = 5000
)

// snapshot is the org's app listing, read once per provider process.
type snapshot struct {
	apps   []eligibility.AppObject
	byID   map[string]int
	byName map[string][]int // lower-case name → indexes, in listing order
	pages  int
}

func (s *snapshot) get(id string) (eligibility.AppObject, bool) {
	i, ok := s.byID[id]
	if !ok {
		return eligibility.AppObject{}, false
	}
	return s.apps[i], true
}

func (s *snapshot) summaries(name string) []eligibility.InstanceSummary {
	idx := s.byName[strings.ToLower(name)]
	out := make([]eligibility.InstanceSummary, 0, len(idx))
	for _, i := range idx {
		a := s.apps[i]
		out = append(out, eligibility.InstanceSummary{ID: a.ID, Label: a.Label, Status: a.Status})
	}
	return out
}

// appJSON holds the fields of an app object the checks use; the rest of
// the (large) object is skipped while decoding.
type appJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Label       string    `json:"label"`
	Status      string    `json:"status"`
	SignOnMode  *string   `json:"signOnMode"`
	LastUpdated string    `json:"lastUpdated"`
	Features    *[]string `json:"features"`
}

func (a appJSON) object() eligibility.AppObject {
	o := eligibility.AppObject{ID: a.ID, Name: a.Name, Label: a.Label, Status: a.Status, LastUpdated: a.LastUpdated}
	if a.SignOnMode != nil {
		o.SignOnMode = *a.SignOnMode
	}
	if a.Features != nil {
		o.Features, o.FeaturesKnown = *a.Features, true
	}
	return o
}

// fetchListing reads every page of GET /api/v1/apps.
func (o *Org) fetchListing(ctx context.Context) (*snapshot, error) {
	s := &snapshot{byID: map[string]int{}, byName: map[string][]int{}}
	err := o.paginate(ctx, fmt.Sprintf("/api/v1/apps?limit=%d", appsPageSize), func(dec *json.Decoder) error {
		var a appJSON
		if err := dec.Decode(&a); err != nil {
			return err
		}
		if a.ID == "" {
			return nil
		}
		if i, dup := s.byID[a.ID]; dup {
			// The listing moved under us: keep the later copy.
			s.apps[i] = a.object()
			return nil
		}
		s.byID[a.ID] = len(s.apps)
		key := strings.ToLower(a.Name)
		s.byName[key] = append(s.byName[key], len(s.apps))
		s.apps = append(s.apps, a.object())
		return nil
	}, &s.pages)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// groupIndex counts APP_GROUP groups per source app id.
type groupIndex map[string]int

type groupJSON struct {
	Type   string `json:"type"`
	Source *struct {
		ID string `json:"id"`
	} `json:"source"`
	Links struct {
		Source *struct {
			Href string `json:"href"`
		} `json:"source"`
	} `json:"_links"`
}

// sourceID is the app a group was imported from: Okta exposes it as
// _links.source (searchable as source.id); a top-level source.id is
// accepted too.
func (g groupJSON) sourceID() string {
	if g.Source != nil && g.Source.ID != "" {
		return g.Source.ID
	}
	if g.Links.Source != nil {
		if u, err := url.Parse(g.Links.Source.Href); err == nil {
			return path.Base(strings.TrimRight(u.Path, "/"))
		}
	}
	return ""
}

// fetchGroups reads every page of the org's APP_GROUP groups, once.
func (o *Org) fetchGroups(ctx context.Context) (groupIndex, error) {
	idx := groupIndex{}
	q := url.Values{"search": {`type eq "APP_GROUP"`}, "limit": {fmt.Sprint(groupsPageSize)}}
	var pages int
	err := o.paginate(ctx, "/api/v1/groups?"+q.Encode(), func(dec *json.Decoder) error {
		var g groupJSON
		if err := dec.Decode(&g); err != nil {
			return err
		}
		if id := g.sourceID(); id != "" && (g.Type == "" || g.Type == "APP_GROUP") {
			idx[id]++
		}
		return nil
	}, &pages)
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// paginate GETs ref and every rel="next" page after it, handing each
// element of each page's JSON array to each. Next links are followed only
// on the org's own scheme and host.
func (o *Org) paginate(ctx context.Context, ref string, each func(*json.Decoder) error, pages *int) error {
	seen := map[string]bool{ref: true}
	for {
		if *pages >= maxPages {
			return fmt.Errorf("the Okta org %s kept sending next-page links after %d pages of %s; stopped", o.domain, maxPages, ref)
		}
		resp, err := o.get(ctx, ref)
		if err != nil {
			return err
		}
		*pages++
		base := o.url
		if resp.Request != nil && resp.Request.URL != nil {
			base = resp.Request.URL
		}
		err = notJSON(resp)
		if err == nil {
			if err = decodeArray(capped(resp.Body, maxPageBytes), each); err != nil && !errors.Is(err, errTooLarge) {
				err = fmt.Errorf("the answer is not the expected JSON list: %w", err)
			}
		}
		_ = resp.Body.Close()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			endpoint, _ := endpointOf(o.url.EscapedPath(), http.MethodGet, base.Path)
			return fmt.Errorf("%s on the Okta org %s: %w", endpoint, o.domain, err)
		}
		next, err := httpx.ParseLinkNext(resp.Header, base)
		if err != nil {
			return fmt.Errorf("paging through %s on the Okta org %s: %w", strings.SplitN(ref, "?", 2)[0], o.domain, err)
		}
		if next == nil {
			return nil
		}
		ref = relativeRef(o.url, next)
		if seen[ref] {
			return fmt.Errorf("the Okta org %s sent a next-page link back to a page already read (%s); stopped", o.domain, next.Path)
		}
		seen[ref] = true
	}
}

// decodeArray streams a JSON array, one element at a time, so a page of
// large objects is never held whole.
func decodeArray(r io.Reader, each func(*json.Decoder) error) error {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return errors.New("expected a JSON array")
	}
	for dec.More() {
		if err := each(dec); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}
