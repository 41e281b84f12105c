package ispmsim

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/ispm-community/terraform-provider-ispm/internal/ispm"
)

// idempotency is whether a route that changes sources needs an
// Idempotency-Key header.
type idempotency int

const (
	idempotencyOptional idempotency = iota
	idempotencyRequired
)

type idemKey struct{ method, path, key string }

type idemEntry struct {
	fingerprint string
	status      int
	body        []byte
	location    string
	sourceID    string
	expires     time.Time
}

// idempotencyKey reads and checks the Idempotency-Key header.
func (c *call) idempotencyKey(required bool) (string, bool) {
	key := c.r.Header.Get("Idempotency-Key")
	if key == "" && !required {
		return "", true
	}
	valid := len(key) >= 1 && len(key) <= 255
	for i := 0; i < len(key) && valid; i++ {
		valid = key[i] >= 0x21 && key[i] <= 0x7e
	}
	if !valid {
		detail := "the Idempotency-Key header must be 1 to 255 visible ASCII characters"
		if key == "" {
			detail = "creating a source needs an Idempotency-Key header, the same on every retry, so that retries cannot create it twice"
		}
		c.problem(http.StatusBadRequest, ispm.ProblemBadRequest, detail, nil)
		return "", false
	}
	return key, true
}

// replayLocked answers from a stored idempotent response, or refuses a key
// reused with another body. It reports whether it answered.
func (s *Service) replayLocked(c *call, k idemKey, fp string) bool {
	e := s.lookupIdemLocked(k)
	if e == nil {
		return false
	}
	if e.fingerprint != fp {
		c.problem(http.StatusUnprocessableEntity, ispm.ProblemIdempotencyKeyReused,
			"this Idempotency-Key was already used with a different request body; use a new key for a different request", nil)
		return true
	}
	if e.location != "" {
		c.w.Header().Set("Location", e.location)
	}
	c.w.Header().Set("Idempotent-Replayed", "true")
	writeBody(c.w, e.status, e.body)
	return true
}

// storeIdemLocked remembers the answer to a request with an
// Idempotency-Key, for the key's lifetime.
func (s *Service) storeIdemLocked(k idemKey, e idemEntry) {
	if k.key == "" {
		return
	}
	e.expires = s.now().Add(s.idemTTL)
	s.idem[k] = &e
}

// lookupIdemLocked returns the stored answer for key, dropping it when it
// expired or when the source it created is gone.
func (s *Service) lookupIdemLocked(k idemKey) *idemEntry {
	e, ok := s.idem[k]
	if !ok {
		return nil
	}
	if !s.now().Before(e.expires) {
		delete(s.idem, k)
		return nil
	}
	if _, alive := s.sources[e.sourceID]; !alive {
		delete(s.idem, k)
		return nil
	}
	return e
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		var l [8]byte
		binary.BigEndian.PutUint64(l[:], uint64(len(p)))
		h.Write(l[:])
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}
