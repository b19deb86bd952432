package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// DefaultSessionLimit is the number of concurrent sessions an account may hold, as on Starfish.
const DefaultSessionLimit = 10

// Account is who may log in to the gateway and which devices it may reach.
type Account struct {
	// ID is the account name, the "sub" of its tokens.
	ID string `json:"id"`
	// ClientID and the secret whose bcrypt hash is SecretHash obtain tokens at /api/tokens.
	ClientID   string `json:"clientId"`
	SecretHash string `json:"secretHash"`
	// Devices are host-name patterns the account may reach ("*" for every device,
	// "SSN0013*", "*.sim.starfish.test"); matched without regard to case.
	Devices []string `json:"devices"`
	// SessionLimit bounds the account's concurrent sessions (DefaultSessionLimit when 0).
	SessionLimit int `json:"sessionLimit,omitempty"`
}

// MayReach reports whether the account may send requests to the device named host.
func (a Account) MayReach(host string) bool {
	host = strings.ToLower(host)
	for _, pattern := range a.Devices {
		if ok, _ := path.Match(strings.ToLower(pattern), host); ok {
			return true
		}
	}
	return false
}

// Limit is the account's session limit with the default applied.
func (a Account) Limit() int {
	if a.SessionLimit <= 0 {
		return DefaultSessionLimit
	}
	return a.SessionLimit
}

// HashSecret returns the bcrypt hash of a client secret for Account.SecretHash.
func HashSecret(secret string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("cannot hash client secret: %w", err)
	}
	return string(h), nil
}

// NewClientSecret returns a random secret fit for a client.
func NewClientSecret() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// ErrBadCredentials is returned for an unknown client id or a wrong secret (which one is not
// said, on purpose).
var ErrBadCredentials = errors.New("unknown client id or wrong client secret")

// Accounts is an immutable set of accounts indexed by id and by client id.
type Accounts struct {
	byID       map[string]Account
	byClientID map[string]Account
	ordered    []Account
}

// NewAccounts validates accounts and indexes them.
func NewAccounts(accounts []Account) (*Accounts, error) {
	set := &Accounts{byID: map[string]Account{}, byClientID: map[string]Account{}}
	for i, a := range accounts {
		if a.ID == "" {
			return nil, fmt.Errorf("account #%d has no id", i+1)
		}
		if _, dup := set.byID[a.ID]; dup {
			return nil, fmt.Errorf("account %q is defined twice", a.ID)
		}
		for _, p := range a.Devices {
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("account %q: device pattern %q is not a valid pattern: %w", a.ID, p, err)
			}
		}
		if a.SessionLimit < 0 {
			return nil, fmt.Errorf("account %q: session limit %d must not be negative", a.ID, a.SessionLimit)
		}
		if a.ClientID != "" {
			if _, dup := set.byClientID[a.ClientID]; dup {
				return nil, fmt.Errorf("client id %q is used by two accounts", a.ClientID)
			}
			if a.SecretHash == "" {
				return nil, fmt.Errorf("account %q has a client id but no secret hash", a.ID)
			}
			set.byClientID[a.ClientID] = a
		}
		set.byID[a.ID] = a
		set.ordered = append(set.ordered, a)
	}
	return set, nil
}

// Lookup returns the account with the given id.
func (s *Accounts) Lookup(id string) (Account, bool) {
	a, ok := s.byID[id]
	return a, ok
}

// All returns the accounts in their configured order.
func (s *Accounts) All() []Account { return append([]Account(nil), s.ordered...) }

// dummyHash keeps the time of a failed lookup close to that of a wrong secret.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a secret"), bcrypt.MinCost)

// Authenticate returns the account whose client id and secret these are.
func (s *Accounts) Authenticate(clientID, secret string) (Account, error) {
	a, ok := s.byClientID[clientID]
	if !ok {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(secret))
		return Account{}, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(a.SecretHash), []byte(secret)) != nil {
		return Account{}, ErrBadCredentials
	}
	return a, nil
}
