package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/coap-workbench/coap-workbench/coapengine/diagnosis"
)

// ClockVerdictsFile is the file of the reports folder that keeps each NIC's last clock verdict,
// for the window's diagnoses and the diagnose command alike: a clock near the limit keeps its
// verdict from one diagnosis to the next (diagnosis.ClockMemory).
const ClockVerdictsFile = "clock-verdicts.json"

// clockVerdicts is the clock memory of a data directory, read once and written after each
// diagnosis.
type clockVerdicts struct {
	path   string
	once   sync.Once
	memory *diagnosis.ClockMemory
	mu     sync.Mutex // one write at a time
	kept   []byte     // what the file holds, as written: an unchanged memory is not written
}

func newClockVerdicts(dataDir string) *clockVerdicts {
	return &clockVerdicts{path: filepath.Join(dataDir, ReportsDir, ClockVerdictsFile)}
}

// Memory is the memory as the file had it (empty when there is none, or it cannot be read:
// the memory only steadies verdicts, it is not worth failing a diagnosis for).
func (c *clockVerdicts) Memory() *diagnosis.ClockMemory {
	c.once.Do(func() {
		c.memory = &diagnosis.ClockMemory{}
		if raw, err := os.ReadFile(c.path); err == nil {
			if json.Unmarshal(raw, c.memory) != nil {
				c.memory = &diagnosis.ClockMemory{}
			}
		}
		c.kept, _ = json.Marshal(c.memory)
	})
	return c.memory
}

// Save writes the memory back, when a diagnosis changed it.
func (c *clockVerdicts) Save() error {
	raw, err := json.Marshal(c.Memory())
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if bytes.Equal(raw, c.kept) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("the clock verdicts were not kept: %w", err)
	}
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("the clock verdicts were not kept: %w", err)
	}
	if err := os.Rename(tmp, c.path); err != nil {
		return fmt.Errorf("the clock verdicts were not kept: %w", err)
	}
	c.kept = raw
	return nil
}
