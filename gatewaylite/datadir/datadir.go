// Package datadir is gateway-lite's data directory: where it is unless told otherwise, and how
// files are created in it — owner-only, never over an existing file, never left half-written.
package datadir

import (
	"fmt"
	"os"
	"path/filepath"
)

// Default is the data directory when --data-dir is not given: under the user's configuration
// directory.
func Default() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "coap-workbench", "gateway")
	}
	return filepath.Join(os.TempDir(), "coap-workbench-gateway")
}

// Ensure creates dir (owner-only) if it does not exist.
func Ensure(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create data directory %s: %w", dir, err)
	}
	return nil
}

// WriteNew creates path with data, readable by its owner only. It fails with an error wrapping
// fs.ErrExist if the file exists (another process made it first), and removes what it wrote on
// any other failure.
func WriteNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
