package auth

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Issuer is the "iss" of every token gateway-lite signs.
const Issuer = "gateway-lite"

// DefaultTokenTTL is how long an issued token is valid, as Starfish's were.
const DefaultTokenTTL = time.Hour

// Claims are a token's claims: Starfish's shape, {iss, sub: account, scope: "api", jti, iat, exp}.
type Claims struct {
	Scope string `json:"scope,omitempty"`
	jwt.RegisteredClaims
}

// Token is a signed token and when it expires.
type Token struct {
	Raw       string
	Account   string
	ExpiresAt time.Time
}

// TokenAuthority signs and verifies the gateway's tokens with one ES256 key.
type TokenAuthority struct {
	key *ecdsa.PrivateKey
	now func() time.Time
}

// NewTokenAuthority uses key to sign and verify; now is the clock (time.Now when nil).
func NewTokenAuthority(key *ecdsa.PrivateKey, now func() time.Time) *TokenAuthority {
	if now == nil {
		now = time.Now
	}
	return &TokenAuthority{key: key, now: now}
}

// PublicKey is the key tokens are verified against.
func (a *TokenAuthority) PublicKey() *ecdsa.PublicKey { return &a.key.PublicKey }

// Issue signs a token for account valid for ttl (DefaultTokenTTL when ttl is 0).
func (a *TokenAuthority) Issue(account string, ttl time.Duration) (Token, error) {
	if account == "" {
		return Token{}, errors.New("cannot issue a token without an account")
	}
	if ttl == 0 {
		ttl = DefaultTokenTTL
	}
	if ttl < 0 {
		return Token{}, fmt.Errorf("token lifetime must be positive, got %v", ttl)
	}
	var jti [12]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return Token{}, err
	}
	now := a.now().Truncate(time.Second)
	expires := now.Add(ttl)
	claims := Claims{
		Scope: "api",
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   account,
			ID:        hex.EncodeToString(jti[:]),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(expires),
		},
	}
	raw, err := jwt.NewWithClaims(jwt.SigningMethodES256, claims).SignedString(a.key)
	if err != nil {
		return Token{}, fmt.Errorf("cannot sign token: %w", err)
	}
	return Token{Raw: raw, Account: account, ExpiresAt: expires}, nil
}

// Verify checks that raw is a token this gateway signed (ES256 with its key), with an expiry
// in the future and an account. The error says why a token is refused, in the user's terms,
// and wraps the jwt package's reason (jwt.ErrTokenExpired, jwt.ErrTokenMalformed, ...).
func (a *TokenAuthority) Verify(raw string) (Claims, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return Claims{}, fmt.Errorf("no token: POST the token as the payload: %w", jwt.ErrTokenMalformed)
	}
	var claims Claims
	_, err := jwt.ParseWithClaims(raw, &claims,
		func(*jwt.Token) (any, error) { return &a.key.PublicKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(a.now),
		jwt.WithLeeway(5*time.Second),
	)
	if err != nil {
		return Claims{}, explainTokenError(err, claims)
	}
	if claims.Subject == "" {
		return Claims{}, fmt.Errorf("token names no account (its sub claim is empty): %w", jwt.ErrTokenInvalidSubject)
	}
	return claims, nil
}

func explainTokenError(err error, claims Claims) error {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return fmt.Errorf("token is not a JWT (expected three base64url parts separated by dots): %w", err)
	case errors.Is(err, jwt.ErrTokenExpired):
		if claims.ExpiresAt != nil {
			return fmt.Errorf("token expired at %s: get a new token: %w", claims.ExpiresAt.UTC().Format(time.RFC3339), err)
		}
		return fmt.Errorf("token expired: get a new token: %w", err)
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return fmt.Errorf("token has no expiry (exp claim): gateway-lite accepts only tokens that expire: %w", err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		if strings.Contains(err.Error(), "signing method") {
			return fmt.Errorf("token is not signed with ES256, the only algorithm gateway-lite accepts: %w", err)
		}
		return fmt.Errorf("token signature does not verify with this gateway's key (was it issued by another gateway?): %w", err)
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued), errors.Is(err, jwt.ErrTokenNotValidYet):
		return fmt.Errorf("token is not valid yet (issued in the future: check the clocks): %w", err)
	}
	return fmt.Errorf("token refused: %w", err)
}
