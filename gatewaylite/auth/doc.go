// Package auth is gateway-lite's identity layer: its ES256 signing key, the tokens it issues and
// verifies (JWTs shaped like Starfish's), the accounts that may log in, and the loopback HTTP
// endpoint that exchanges an account's client id and secret for a token, as Starfish's
// /api/tokens did.
package auth
