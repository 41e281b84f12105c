package oktasim

import (
	"crypto/sha256"
	"encoding/binary"
	"regexp"
)

const (
	idAlphabet      = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	errorIDAlphabet = idAlphabet + "-_"
)

// Okta object ids are a three-character type prefix and 17 alphanumerics:
// 0oa… for app instances, 00g… for groups, 00o… for orgs.
var (
	appIDPattern   = regexp.MustCompile(`^0oa[0-9A-Za-z]{17}$`)
	groupIDPattern = regexp.MustCompile(`^00g[0-9A-Za-z]{17}$`)
)

// deterministicID derives an Okta-shaped id from its parts, so scenarios and
// out-of-band changes produce the same ids on every run.
func deterministicID(prefix string, parts ...string) string {
	return prefix + hashChars(idAlphabet, 20-len(prefix), parts...)
}

func hashChars(alphabet string, n int, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		var l [8]byte
		binary.BigEndian.PutUint64(l[:], uint64(len(p)))
		h.Write(l[:])
		h.Write([]byte(p))
	}
	sum := h.Sum(nil)
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[int(sum[i%len(sum)]+byte(i/len(sum)))%len(alphabet)]
	}
	return string(out)
}
