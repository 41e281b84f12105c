package oktasim

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	accessTokenLifetime = time.Hour
	// Okta refuses client assertions that expire more than an hour ahead;
	// the margin absorbs clock skew between client and server.
	maxAssertionLifetime = time.Hour + 5*time.Minute
	jwtBearerAssertion   = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

type oauthClient struct {
	OAuthClient
	key *rsa.PublicKey
}

type accessToken struct {
	clientID string
	scopes   []string
	expires  time.Time
}

// oauthServer is the org authorization server's token endpoint for service
// apps: client_credentials with a private_key_jwt client assertion.
type oauthServer struct {
	clients map[string]*oauthClient

	mu     sync.Mutex
	tokens map[string]accessToken
	// usedJTIs remembers assertion ids until the assertion expires, so an
	// assertion cannot be replayed.
	usedJTIs map[string]time.Time
}

func newOAuthServer(specs []OAuthClient) (*oauthServer, error) {
	s := &oauthServer{clients: map[string]*oauthClient{}, tokens: map[string]accessToken{}, usedJTIs: map[string]time.Time{}}
	for i, c := range specs {
		where := fmt.Sprintf("oauth_clients[%d]", i)
		if c.ClientID == "" {
			return nil, fmt.Errorf("%s: client_id is missing", where)
		}
		where += fmt.Sprintf(" (client_id %q)", c.ClientID)
		if s.clients[c.ClientID] != nil {
			return nil, fmt.Errorf("%s: the client_id is used twice", where)
		}
		key, err := parseRSAPublicKey(c.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("%s: public_key: %w", where, err)
		}
		if len(c.Scopes) == 0 {
			return nil, fmt.Errorf("%s: scopes is empty; grant at least %q", where, ScopeAppsRead)
		}
		for _, sc := range c.Scopes {
			if !strings.HasPrefix(sc, "okta.") {
				return nil, fmt.Errorf("%s: scope %q is not an Okta API scope like %q", where, sc, ScopeAppsRead)
			}
		}
		s.clients[c.ClientID] = &oauthClient{OAuthClient: c, key: key}
	}
	return s, nil
}

func parseRSAPublicKey(p string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(strings.ReplaceAll(p, `\n`, "\n")))
	if block == nil {
		return nil, errors.New(`not a PEM block; paste the key from "-----BEGIN PUBLIC KEY-----" to its END line`)
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("cannot parse the public key: %w", err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("the key is a %T; the sandbox verifies RS256, so it must be an RSA key", k)
		}
		return rk, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("cannot parse the public key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("the PEM block is a %q; give the client's public key, never its private key", block.Type)
}

func (s *oauthServer) lookup(tok string, now time.Time) (accessToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.tokens[tok]
	if !ok || !now.Before(at.expires) {
		return accessToken{}, false
	}
	return at, true
}

// oauthError is the token endpoint's error body (RFC 6749 §5.2).
type oauthError struct {
	status      int
	Code        string `json:"error"`
	Description string `json:"error_description"`
}

func invalidClient(desc string) *oauthError {
	return &oauthError{status: http.StatusUnauthorized, Code: "invalid_client", Description: desc}
}

func (o *Org) token(w http.ResponseWriter, r *http.Request, _ route) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	// okta-sdk-golang/v2 sends the parameters in the query string, forms
	// send them in the body: Okta accepts both.
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, &oauthError{status: http.StatusBadRequest, Code: "invalid_request", Description: "The request body is not a valid form."})
		return
	}
	resp, oe := o.oauth.issue(r, o.URL()+"/oauth2/v1/token", o.now())
	if oe != nil {
		writeOAuthError(w, oe)
		return
	}
	writeJSON(w, http.StatusOK, mustJSON(resp))
}

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	writeJSON(w, e.status, mustJSON(e))
}

type tokenResponse struct {
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	AccessToken string `json:"access_token"`
	Scope       string `json:"scope"`
}

type assertionClaims struct {
	Issuer    string          `json:"iss"`
	Subject   string          `json:"sub"`
	Audience  json.RawMessage `json:"aud"`
	Expiry    *float64        `json:"exp"`
	NotBefore *float64        `json:"nbf"`
	ID        string          `json:"jti"`
}

func (s *oauthServer) issue(r *http.Request, tokenURL string, now time.Time) (*tokenResponse, *oauthError) {
	if gt := r.Form.Get("grant_type"); gt != "client_credentials" {
		return nil, &oauthError{status: http.StatusBadRequest, Code: "unsupported_grant_type",
			Description: "The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials]."}
	}
	if r.Form.Get("client_assertion_type") != jwtBearerAssertion {
		return nil, invalidClient("client_assertion_type must be " + jwtBearerAssertion + "; the sandbox authenticates service apps by private_key_jwt.")
	}
	client, claims, oe := s.verifyAssertion(r.Form.Get("client_assertion"), r.Form.Get("client_id"), tokenURL, now)
	if oe != nil {
		return nil, oe
	}
	if client.RequireDPoP {
		desc := "The DPoP proof JWT header is missing."
		if r.Header.Get("DPoP") != "" {
			desc = "The sandbox does not validate DPoP proofs; turn off \"Require DPoP\" for this client in the scenario."
		}
		return nil, &oauthError{status: http.StatusBadRequest, Code: "invalid_dpop_proof", Description: desc}
	}
	scopes := strings.Fields(r.Form.Get("scope"))
	if len(scopes) == 0 {
		return nil, &oauthError{status: http.StatusBadRequest, Code: "invalid_scope",
			Description: "The authorization server resource does not have any configured default scopes, 'scope' must be provided."}
	}
	for _, sc := range scopes {
		if !slices.Contains(client.Scopes, sc) {
			return nil, &oauthError{status: http.StatusBadRequest, Code: "invalid_scope",
				Description: fmt.Sprintf("The scope %q is not granted to this client.", sc)}
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.tokens {
		if !now.Before(v.expires) {
			delete(s.tokens, k)
		}
	}
	for k, exp := range s.usedJTIs {
		if now.After(exp) {
			delete(s.usedJTIs, k)
		}
	}
	if claims.ID != "" {
		key := client.ClientID + "\x00" + claims.ID
		if _, used := s.usedJTIs[key]; used {
			return nil, invalidClient("The client_assertion token has already been used.")
		}
		s.usedJTIs[key] = time.Unix(int64(*claims.Expiry), 0)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	s.tokens[tok] = accessToken{clientID: client.ClientID, scopes: scopes, expires: now.Add(accessTokenLifetime)}
	return &tokenResponse{TokenType: "Bearer", ExpiresIn: int(accessTokenLifetime / time.Second), AccessToken: tok, Scope: strings.Join(scopes, " ")}, nil
}

// verifyAssertion checks a private_key_jwt client assertion: RS256 signature
// by the client's key, iss and sub equal to the client id, aud equal to the
// token endpoint, and an expiry in the near future. Error descriptions never
// repeat the assertion.
func (s *oauthServer) verifyAssertion(assertion, clientID, tokenURL string, now time.Time) (*oauthClient, *assertionClaims, *oauthError) {
	if assertion == "" {
		return nil, nil, invalidClient("client_assertion is missing.")
	}
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return nil, nil, invalidClient("The client_assertion is not a well-formed JWT.")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims assertionClaims
	hb, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[0], "="))
	cb, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	sig, err3 := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "="))
	if err := errors.Join(err1, err2, err3); err != nil || json.Unmarshal(hb, &header) != nil || json.Unmarshal(cb, &claims) != nil {
		return nil, nil, invalidClient("The client_assertion is not a well-formed JWT.")
	}
	client := s.clients[claims.Issuer]
	if client == nil || (clientID != "" && clientID != claims.Issuer) {
		return nil, nil, invalidClient("Invalid value for 'client_id' parameter.")
	}
	if header.Alg != "RS256" {
		return nil, nil, invalidClient(fmt.Sprintf("The client_assertion token is signed with %q; the sandbox verifies RS256.", header.Alg))
	}
	if client.KeyID != "" && header.Kid != "" && header.Kid != client.KeyID {
		return nil, nil, invalidClient("The client_assertion key id (kid) does not match the key registered for the client.")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(client.key, crypto.SHA256, digest[:], sig) != nil {
		return nil, nil, invalidClient("The client_assertion signature is invalid.")
	}
	if claims.Subject != claims.Issuer {
		return nil, nil, invalidClient("The client_assertion sub claim must be the client_id, as its iss claim is.")
	}
	if !audienceMatches(claims.Audience, tokenURL) {
		return nil, nil, invalidClient("The audience claim for client_assertion must be the endpoint invoked for the request.")
	}
	if claims.Expiry == nil {
		return nil, nil, invalidClient("The client_assertion token must have an exp claim.")
	}
	exp := time.Unix(int64(*claims.Expiry), 0)
	switch {
	case !now.Before(exp):
		return nil, nil, invalidClient("The client_assertion token is expired.")
	case exp.Sub(now) > maxAssertionLifetime:
		return nil, nil, invalidClient("The client_assertion token has an expiration too far into the future.")
	case claims.NotBefore != nil && now.Before(time.Unix(int64(*claims.NotBefore), 0).Add(-time.Minute)):
		return nil, nil, invalidClient("The client_assertion token is not valid yet (nbf).")
	}
	return client, &claims, nil
}

func audienceMatches(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return slices.Contains(many, want)
	}
	return false
}
