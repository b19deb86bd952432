package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/coap-workbench/coap-workbench/views"
)

// The preference key of the saved profiles (without their secrets).
const prefProfiles = "profiles"

// SecretsFile holds the profiles' secrets (pasted tokens, client secrets), readable by its
// owner only.
const SecretsFile = "profile-secrets.json"

// profileStore keeps gateway profiles in the app's preferences and their secrets in a file of
// the data directory with owner-only permissions, so that no secret lands in the
// preferences, the history, the log or an export.
type profileStore struct {
	prefs   fyne.Preferences
	dataDir string
	mu      sync.Mutex
}

func newProfileStore(prefs fyne.Preferences, dataDir string) *profileStore {
	return &profileStore{prefs: prefs, dataDir: dataDir}
}

// List returns the saved profiles with their secrets.
func (s *profileStore) List() ([]views.ProfileForm, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []views.ProfileForm
	if raw := s.prefs.String(prefProfiles); raw != "" {
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return nil, fmt.Errorf("the saved profiles are unreadable (%v); save them again", err)
		}
	}
	secrets, err := s.readSecrets()
	for i := range list {
		list[i].Secret = secrets[list[i].Name]
		list[i].TokenSource = views.TokenSourceKey(list[i].TokenSource)
	}
	return list, err
}

// savedList is List for a change: it refuses when the saved profiles cannot be read, so that
// a save never replaces them with what it could read. (A damaged secrets file is no reason:
// its secrets are lost already, and were reported.)
func (s *profileStore) savedList() ([]views.ProfileForm, error) {
	s.mu.Lock()
	raw := s.prefs.String(prefProfiles)
	s.mu.Unlock()
	var probe []views.ProfileForm
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &probe); err != nil {
			return nil, fmt.Errorf("the saved profiles are unreadable (%v); nothing was changed", err)
		}
	}
	list, _ := s.List()
	return list, nil
}

// Save adds or replaces a profile.
func (s *profileStore) Save(p views.ProfileForm) error {
	list, err := s.savedList()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list = slices.DeleteFunc(list, func(q views.ProfileForm) bool { return q.Name == p.Name })
	list = append(list, p)
	return s.write(list)
}

// Remove forgets a profile and its secret.
func (s *profileStore) Remove(name string) error {
	list, err := s.savedList()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.write(slices.DeleteFunc(list, func(q views.ProfileForm) bool { return q.Name == name }))
}

func (s *profileStore) write(list []views.ProfileForm) error {
	secrets := map[string]string{}
	for _, p := range list {
		if p.Secret != "" {
			secrets[p.Name] = p.Secret
		}
	}
	raw, err := json.Marshal(list) // Secret is not marshalled
	if err != nil {
		return err
	}
	if err := s.writeSecrets(secrets); err != nil {
		return err
	}
	s.prefs.SetString(prefProfiles, string(raw))
	return nil
}

func (s *profileStore) secretsPath() string { return filepath.Join(s.dataDir, SecretsFile) }

func (s *profileStore) readSecrets() (map[string]string, error) {
	secrets := map[string]string{}
	raw, err := os.ReadFile(s.secretsPath())
	if errors.Is(err, fs.ErrNotExist) {
		return secrets, nil
	}
	if err != nil {
		return secrets, fmt.Errorf("cannot read the profiles' secrets: %w", err)
	}
	if err := json.Unmarshal(raw, &secrets); err != nil {
		return map[string]string{}, fmt.Errorf("%s is damaged (%v): enter the secrets again", s.secretsPath(), err)
	}
	return secrets, nil
}

// writeSecrets replaces the secrets file atomically, created with mode 0600.
func (s *profileStore) writeSecrets(secrets map[string]string) error {
	if err := os.MkdirAll(s.dataDir, 0o700); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(secrets, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(s.dataDir, SecretsFile+".*")
	if err != nil {
		return fmt.Errorf("cannot save the profiles' secrets: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.secretsPath())
}

// engineProfile turns a saved profile into the engine's.
func engineProfile(p views.ProfileForm, dataDir string) (coapengine.Profile, error) {
	if err := p.Check(); err != nil {
		return coapengine.Profile{}, err
	}
	ep := coapengine.Profile{Name: p.Name, Gateway: p.Gateway, LocalPort: p.LocalPort, Sticky: p.Sticky}
	if p.ProxyScheme {
		ep.Form = coapengine.ProxySchemeForm
	}
	if p.Gateway == "" {
		return ep, nil
	}
	switch p.TokenSource {
	case views.TokenPaste:
		ep.Tokens = coapengine.PastedToken(p.Secret)
	case views.TokenURL:
		ep.Tokens = coapengine.TokenURL{URL: p.TokenURL, ClientID: p.ClientID, ClientSecret: p.Secret}
	case views.TokenLocal:
		tokens, err := localIssuer(dataDir, p.Account)
		if err != nil {
			return ep, err
		}
		ep.Tokens = tokens
	default:
		return ep, fmt.Errorf("profile %q: unknown token source %q: edit the profile and choose one", p.Name, p.TokenSource)
	}
	return ep, nil
}

// localIssuer signs tokens for account with the key of the gateway-lite in dataDir; nil when
// there is no key there (requests will then say that a login is needed).
func localIssuer(dataDir, account string) (coapengine.TokenSource, error) {
	key, err := auth.LoadSigningKey(dataDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	authority := auth.NewTokenAuthority(key, nil)
	return coapengine.IssuerFunc(func(context.Context) (coapengine.Token, error) {
		tok, err := authority.Issue(account, auth.DefaultTokenTTL)
		return coapengine.Token{Raw: tok.Raw, ExpiresAt: tok.ExpiresAt}, err
	}), nil
}
