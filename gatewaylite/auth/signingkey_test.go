package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSigningKeyIsCreatedOnceWithOwnerOnlyMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := LoadOrCreateSigningKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, SigningKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", info.Mode().Perm())
	}
	second, err := LoadOrCreateSigningKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Equal(second) {
		t.Fatal("second load produced a different key")
	}
}

func TestCorruptSigningKeyIsReportedNotReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, SigningKeyFile)
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadOrCreateSigningKey(dir)
	if err == nil || !strings.Contains(err.Error(), "move it aside") {
		t.Fatalf("got %v", err)
	}
	if raw, _ := os.ReadFile(path); string(raw) != "garbage" {
		t.Fatal("the corrupt key file was overwritten")
	}
}
