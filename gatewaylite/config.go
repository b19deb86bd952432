package gatewaylite

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/coap-workbench/coap-workbench/gatewaylite/auth"
	"github.com/coap-workbench/coap-workbench/gatewaylite/datadir"
)

// ConfigFile is the name of the gateway's configuration in its data directory.
const ConfigFile = "gateway.json"

// DevSecretFile holds the dev account's client secret in plain text (mode 0600), written on
// first run so that the local user can obtain tokens from /api/tokens.
const DevSecretFile = "dev-client-secret.txt"

// FileConfig is the gateway's configuration file: who may log in, and which real devices
// (beyond the simulated mesh) the proxy may reach.
type FileConfig struct {
	Accounts []auth.Account `json:"accounts"`
	// Hosts maps a device host name (matched without regard to case) to the UDP address
	// requests for it are sent to, e.g. "SSN00135005003CB8E1.example.net": "192.0.2.7:4849".
	// The proxy reaches these names and the simulated mesh, nothing else.
	Hosts map[string]string `json:"hosts"`
}

// LoadOrCreateFileConfig reads dataDir/gateway.json, creating it on first run with a "dev"
// account allowed on every device (its secret is written to dataDir/dev-client-secret.txt).
// created reports whether this call created it. A file that exists but is invalid is an error
// and is left untouched.
func LoadOrCreateFileConfig(dataDir string) (cfg FileConfig, created bool, err error) {
	path := filepath.Join(dataDir, ConfigFile)
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		cfg, err = parseFileConfig(path, raw)
		return cfg, false, err
	case !errors.Is(err, fs.ErrNotExist):
		return FileConfig{}, false, fmt.Errorf("cannot read %s: %w", path, err)
	}
	if err := datadir.Ensure(dataDir); err != nil {
		return FileConfig{}, false, err
	}
	secret, err := auth.NewClientSecret()
	if err != nil {
		return FileConfig{}, false, err
	}
	hash, err := auth.HashSecret(secret)
	if err != nil {
		return FileConfig{}, false, err
	}
	cfg = FileConfig{
		Accounts: []auth.Account{{ID: "dev", ClientID: "dev", SecretHash: hash, Devices: []string{"*"}, SessionLimit: auth.DefaultSessionLimit}},
		Hosts:    map[string]string{},
	}
	out, _ := json.MarshalIndent(cfg, "", "  ")
	// The secret is written aside first and moved in place only once this process has won the
	// creation of gateway.json: two first starts at once must not leave a secret that does not
	// match the stored hash.
	secretPath := filepath.Join(dataDir, DevSecretFile)
	pending, err := os.CreateTemp(dataDir, DevSecretFile+".*")
	if err != nil {
		return FileConfig{}, false, fmt.Errorf("cannot store the dev client secret: %w", err)
	}
	defer os.Remove(pending.Name())
	_, err = pending.WriteString(secret + "\n")
	if closeErr := pending.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return FileConfig{}, false, fmt.Errorf("cannot store the dev client secret: %w", err)
	}
	if err := datadir.WriteNew(path, append(out, '\n')); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateFileConfig(dataDir)
		}
		return FileConfig{}, false, fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(pending.Name(), secretPath); err != nil {
		return FileConfig{}, false, fmt.Errorf("cannot store the dev client secret: %w", err)
	}
	return cfg, true, nil
}

func parseFileConfig(path string, raw []byte) (FileConfig, error) {
	var cfg FileConfig
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return FileConfig{}, fmt.Errorf("%s is not a valid gateway configuration: %w", path, err)
	}
	if _, err := auth.NewAccounts(cfg.Accounts); err != nil {
		return FileConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := parseHosts(cfg.Hosts); err != nil {
		return FileConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	return cfg, nil
}

// parseHosts validates the static host table and keys it by lower-case name.
func parseHosts(hosts map[string]string) (map[string]netip.AddrPort, error) {
	out := make(map[string]netip.AddrPort, len(hosts))
	for name, addr := range hosts {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return nil, fmt.Errorf("host %q: %q is not an IP:port address: %w", name, addr, err)
		}
		out[strings.ToLower(name)] = ap
	}
	return out, nil
}

// DefaultDataDir is the gateway's data directory when --data-dir is not given.
func DefaultDataDir() string { return datadir.Default() }
