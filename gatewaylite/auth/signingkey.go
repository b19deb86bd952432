package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/coap-workbench/coap-workbench/gatewaylite/datadir"
)

// SigningKeyFile is the name of the gateway's private key in its data directory.
const SigningKeyFile = "gateway-signing-key.pem"

// LoadOrCreateSigningKey reads the gateway's P-256 key from dataDir, generating and storing it
// (mode 0600) on first use. A key file that exists but cannot be read is an error: it is never
// overwritten, because every token signed with it would silently stop working.
func LoadOrCreateSigningKey(dataDir string) (*ecdsa.PrivateKey, error) {
	path := filepath.Join(dataDir, SigningKeyFile)
	raw, err := os.ReadFile(path)
	switch {
	case err == nil:
		return parseSigningKey(path, raw)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("cannot read the gateway signing key %s: %w", path, err)
	}
	if err := datadir.Ensure(dataDir); err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cannot generate the gateway signing key: %w", err)
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("cannot encode the gateway signing key: %w", err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
	if err := datadir.WriteNew(path, pemBytes); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first: use theirs.
			return LoadOrCreateSigningKey(dataDir)
		}
		return nil, fmt.Errorf("cannot store the gateway signing key %s: %w", path, err)
	}
	return key, nil
}

// LoadSigningKey reads the gateway's key from dataDir without ever creating one; the error
// wraps fs.ErrNotExist when there is none.
func LoadSigningKey(dataDir string) (*ecdsa.PrivateKey, error) {
	path := filepath.Join(dataDir, SigningKeyFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the gateway signing key: %w", err)
	}
	return parseSigningKey(path, raw)
}

func parseSigningKey(path string, raw []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "EC PRIVATE KEY" {
		return nil, fmt.Errorf("%s is not a PEM \"EC PRIVATE KEY\" file; move it aside to have a new key generated (tokens signed with the old one stop working)", path)
	}
	key, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s holds no valid EC key (%w); move it aside to have a new key generated", path, err)
	}
	if key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%s holds a %s key; ES256 needs P-256", path, key.Curve.Params().Name)
	}
	return key, nil
}
