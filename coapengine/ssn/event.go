package ssn

import (
	"encoding/binary"
	"fmt"
)

// Event is a value a NIC sends its Device IC with PUT sys/event: a 4-byte integer in the host
// order of the IC, little-endian here.
type Event uint32

// The events of the seed document, in its order.
const (
	EventStorageMode Event = 1
	EventServiceMode Event = 2
	EventLowBattery  Event = 3
	EventTamper      Event = 4
)

// EventSize is the size of the sys/event payload.
const EventSize = 4

// String names the event in plain words.
func (e Event) String() string {
	switch e {
	case EventStorageMode:
		return "storage mode"
	case EventServiceMode:
		return "service mode"
	case EventLowBattery:
		return "low battery alert"
	case EventTamper:
		return "tamper alert"
	}
	return fmt.Sprintf("event %d", uint32(e))
}

// Known reports whether e is one of the four events the seed defines.
func (e Event) Known() bool { return e >= EventStorageMode && e <= EventTamper }

// MarshalBinary encodes the event in the IC's host order (little-endian).
func (e Event) MarshalBinary() ([]byte, error) {
	return binary.LittleEndian.AppendUint32(nil, uint32(e)), nil
}

// UnmarshalBinary decodes a 4-byte little-endian event.
func (e *Event) UnmarshalBinary(b []byte) error {
	if len(b) != EventSize {
		return fmt.Errorf("event must be %d bytes, got %d", EventSize, len(b))
	}
	*e = Event(binary.LittleEndian.Uint32(b))
	return nil
}
