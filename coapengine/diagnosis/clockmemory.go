package diagnosis

import (
	"encoding/json"
	"sync"
	"time"
)

// clockMemoryFor is how long a clock verdict is remembered: the hysteresis is for a NIC
// checked again and again in a session, not for one checked next month.
const clockMemoryFor = 24 * time.Hour

// ClockMemory remembers the clock step's last verdict for each device, so that a clock whose
// skew sits near the limit keeps its verdict from one diagnosis to the next (see the clock
// step). Its zero value is empty and ready; it is safe for concurrent use, and a nil one
// remembers nothing. It marshals to JSON, to be kept in a file between runs of a command.
type ClockMemory struct {
	mu      sync.Mutex
	devices map[string]clockMemo
}

type clockMemo struct {
	Warned bool      `json:"warned"`
	At     time.Time `json:"at"`
}

// previous is the verdict of the last clock step on device, when there was one lately.
func (m *ClockMemory) previous(device string) (warned, known bool) {
	if m == nil {
		return false, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	memo, ok := m.devices[device]
	if !ok || time.Since(memo.At) > clockMemoryFor {
		return false, false
	}
	return memo.Warned, true
}

func (m *ClockMemory) remember(device string, warned bool, at time.Time) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.devices == nil {
		m.devices = map[string]clockMemo{}
	}
	m.devices[device] = clockMemo{Warned: warned, At: at}
}

// MarshalJSON writes the verdicts remembered lately, by device.
func (m *ClockMemory) MarshalJSON() ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	recent := map[string]clockMemo{}
	for device, memo := range m.devices {
		if time.Since(memo.At) <= clockMemoryFor {
			recent[device] = memo
		}
	}
	return json.Marshal(recent)
}

// UnmarshalJSON reads what MarshalJSON wrote, in place of what m remembered.
func (m *ClockMemory) UnmarshalJSON(raw []byte) error {
	var devices map[string]clockMemo
	if err := json.Unmarshal(raw, &devices); err != nil {
		return err
	}
	m.mu.Lock()
	m.devices = devices
	m.mu.Unlock()
	return nil
}
