package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite/auth/authtest"
	"github.com/golang-jwt/jwt/v5"
)

func newAuthority(t testing.TB, now func() time.Time) (*TokenAuthority, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return NewTokenAuthority(key, now), key
}

func TestIssuedTokenVerifiesWithStarfishClaims(t *testing.T) {
	a, _ := newAuthority(t, nil)
	tok, err := a.Issue("dev", 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(tok.ExpiresAt); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("default lifetime %v, want one hour", d)
	}
	claims, err := a.Verify(tok.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if claims.Subject != "dev" || claims.Scope != "api" || claims.Issuer != Issuer || claims.ID == "" || claims.IssuedAt == nil {
		t.Fatalf("claims %+v", claims)
	}
	// The raw token is what clients send: no "Bearer", surrounding whitespace tolerated.
	if _, err := a.Verify("  " + tok.Raw + "\n"); err != nil {
		t.Fatal(err)
	}
}

func TestEveryKindOfBadTokenIsRefusedWithItsReason(t *testing.T) {
	a, key := newAuthority(t, nil)
	for _, bad := range authtest.BadTokens(key, "dev") {
		_, err := a.Verify(bad.Raw)
		if err == nil {
			t.Errorf("%s: accepted", bad.Name)
			continue
		}
		if !strings.Contains(err.Error(), bad.Reason) {
			t.Errorf("%s: error %q does not say %q", bad.Name, err, bad.Reason)
		}
	}
	if _, err := a.Verify(""); err == nil {
		t.Error("empty token accepted")
	}
}

func TestExpiryFollowsTheInjectedClock(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, _ := newAuthority(t, func() time.Time { return now })
	tok, err := a.Issue("dev", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(9 * time.Minute)
	if _, err := a.Verify(tok.Raw); err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	now = now.Add(2 * time.Minute)
	_, err = a.Verify(tok.Raw)
	if err == nil || !strings.Contains(err.Error(), "expired at 2026-01-01T00:10:00Z") {
		t.Fatalf("got %v", err)
	}
}

func TestTokenWithoutAccountIsRefused(t *testing.T) {
	a, key := newAuthority(t, nil)
	raw, _ := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"exp": time.Now().Add(time.Hour).Unix()}).SignedString(key)
	if _, err := a.Verify(raw); err == nil || !strings.Contains(err.Error(), "no account") {
		t.Fatalf("got %v", err)
	}
	if _, err := a.Issue("", 0); err == nil {
		t.Fatal("issued a token without account")
	}
}

// FuzzVerify feeds arbitrary session bodies (what a client POSTs to /sessions) to the token
// check: it must refuse everything it did not sign, with an explanation, and never panic.
func FuzzVerify(f *testing.F) {
	a, key := newAuthority(f, nil)
	good, _ := a.Issue("dev", time.Hour)
	f.Add(good.Raw)
	for _, bad := range authtest.BadTokens(key, "dev") {
		f.Add(bad.Raw)
	}
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJFUzI1NiJ9..")
	f.Fuzz(func(t *testing.T, raw string) {
		claims, err := a.Verify(raw)
		if err == nil {
			if strings.TrimSpace(raw) != good.Raw || claims.Subject != "dev" {
				t.Fatalf("accepted a token it did not issue: %q", raw)
			}
			return
		}
		if err.Error() == "" {
			t.Fatal("refusal without explanation")
		}
	})
}
