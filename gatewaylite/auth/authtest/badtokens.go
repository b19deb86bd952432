// Package authtest crafts the bad tokens gateway-lite must refuse, for tests of the token check
// and of the gateway's /sessions resource.
package authtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// BadToken is a token with a name saying what is wrong with it.
type BadToken struct {
	Name string
	Raw  string
	// Reason is a fragment the gateway's explanation must contain.
	Reason string
}

func claims(account string, exp *time.Time) jwt.MapClaims {
	c := jwt.MapClaims{"iss": "gateway-lite", "sub": account, "scope": "api", "iat": time.Now().Unix()}
	if exp != nil {
		c["exp"] = exp.Unix()
	}
	return c
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

// BadTokens returns one token of every kind the gateway must refuse, for account, given the
// gateway's real key (to build the ones that are signed correctly but wrong otherwise).
func BadTokens(gatewayKey *ecdsa.PrivateKey, account string) []BadToken {
	later := time.Now().Add(time.Hour)
	past := time.Now().Add(-time.Hour)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	publicDER, _ := x509.MarshalPKIXPublicKey(&gatewayKey.PublicKey)
	return []BadToken{
		{Name: "garbage", Raw: "this is not a token", Reason: "not a JWT"},
		{Name: "alg none", Raw: must(jwt.NewWithClaims(jwt.SigningMethodNone, claims(account, &later)).SignedString(jwt.UnsafeAllowNoneSignatureType)), Reason: "ES256"},
		// The classic key-confusion attack: HMAC keyed with the public key.
		{Name: "HS256 signed with the public key", Raw: must(jwt.NewWithClaims(jwt.SigningMethodHS256, claims(account, &later)).SignedString(publicDER)), Reason: "ES256"},
		{Name: "signed with another key", Raw: must(jwt.NewWithClaims(jwt.SigningMethodES256, claims(account, &later)).SignedString(otherKey)), Reason: "signature does not verify"},
		{Name: "expired", Raw: must(jwt.NewWithClaims(jwt.SigningMethodES256, claims(account, &past)).SignedString(gatewayKey)), Reason: "expired"},
		{Name: "no exp", Raw: must(jwt.NewWithClaims(jwt.SigningMethodES256, claims(account, nil)).SignedString(gatewayKey)), Reason: "no expiry"},
	}
}
