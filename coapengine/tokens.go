package coapengine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token is a gateway token and when it expires (zero when it says nothing).
type Token struct {
	Raw       string
	ExpiresAt time.Time
}

// TokenSource provides the tokens a profile logs in with.
type TokenSource interface {
	// Token returns a token to log in with now.
	Token(ctx context.Context) (Token, error)
	// Renewable reports whether Token can produce a fresh token by itself, so that an expired
	// session can be re-established without asking anyone.
	Renewable() bool
	// Describe says where tokens come from, for the user (never a secret).
	Describe() string
}

// ExpiryOf reads a JWT's exp claim without verifying its signature: the client only wants to
// know when to expect it to stop working; the gateway does the verifying.
func ExpiryOf(raw string) time.Time {
	var claims jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(raw), &claims); err != nil || claims.ExpiresAt == nil {
		return time.Time{}
	}
	return claims.ExpiresAt.Time
}

// PastedToken is a token a person pasted: used as it is, not renewable.
type PastedToken string

// Token implements TokenSource.
func (p PastedToken) Token(context.Context) (Token, error) {
	raw := strings.TrimSpace(string(p))
	if raw == "" {
		return Token{}, errors.New("no token: paste one, or configure a token URL")
	}
	return Token{Raw: raw, ExpiresAt: ExpiryOf(raw)}, nil
}

// Renewable implements TokenSource.
func (PastedToken) Renewable() bool { return false }

// Describe implements TokenSource.
func (PastedToken) Describe() string { return "a pasted token" }

// TokenURL obtains tokens as Starfish clients did: POST {"clientId", "clientSecret"} to the URL
// (…/api/tokens), answered with {"accessToken": …}.
type TokenURL struct {
	URL          string
	ClientID     string
	ClientSecret string
	// HTTP is the client to use (http.DefaultClient with a 10 s timeout when nil).
	HTTP *http.Client
}

// Token implements TokenSource.
func (u TokenURL) Token(ctx context.Context) (Token, error) {
	body, _ := json.Marshal(map[string]string{"clientId": u.ClientID, "clientSecret": u.ClientSecret})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.URL, bytes.NewReader(body))
	if err != nil {
		return Token{}, fmt.Errorf("token URL %q: %w", u.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := u.HTTP
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return Token{}, fmt.Errorf("cannot reach the token URL %s: %w", u.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e)
		if e.Message == "" {
			e.Message = strings.TrimSpace(string(raw))
		}
		return Token{}, fmt.Errorf("the token URL refused client %q (HTTP %d): %s", u.ClientID, resp.StatusCode, e.Message)
	}
	var out struct {
		AccessToken string `json:"accessToken"`
		ExpiresIn   int64  `json:"expiresIn"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.AccessToken == "" {
		return Token{}, fmt.Errorf("the token URL answered without an accessToken")
	}
	t := Token{Raw: out.AccessToken, ExpiresAt: ExpiryOf(out.AccessToken)}
	if t.ExpiresAt.IsZero() && out.ExpiresIn > 0 {
		t.ExpiresAt = time.Now().Add(time.Duration(out.ExpiresIn) * time.Second)
	}
	return t, nil
}

// Renewable implements TokenSource.
func (TokenURL) Renewable() bool { return true }

// Describe implements TokenSource.
func (u TokenURL) Describe() string { return fmt.Sprintf("client %q at %s", u.ClientID, u.URL) }

// IssuerFunc issues tokens itself: the embedded gateway-lite's own issuer.
type IssuerFunc func(ctx context.Context) (Token, error)

// Token implements TokenSource.
func (f IssuerFunc) Token(ctx context.Context) (Token, error) { return f(ctx) }

// Renewable implements TokenSource.
func (IssuerFunc) Renewable() bool { return true }

// Describe implements TokenSource.
func (IssuerFunc) Describe() string { return "the embedded gateway's issuer" }
