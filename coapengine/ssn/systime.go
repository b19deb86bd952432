package ssn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// SystemTimeSize is the size of the Device IC's GET sys/time answer: a network-order time_t.
const SystemTimeSize = 4

// TimeSetSize is the size of coap_sys_time_data_t, the PUT sys/time payload: the type/length
// header, then seconds and milliseconds, packed.
const TimeSetSize = 10

// ErrTimeDeltaNotSupported is returned for a time-set record of type time_delta: the HDK
// defines it, but devices support only absolute time.
var ErrTimeDeltaNotSupported = errors.New("relative (time_delta) time setting is not supported; send absolute time")

// EncodeSystemTime encodes t as the 4-byte network-order time_t of GET sys/time.
func EncodeSystemTime(t time.Time) []byte {
	return binary.BigEndian.AppendUint32(nil, uint32(t.Unix()))
}

// DecodeSystemTime decodes the 4-byte answer of GET sys/time.
func DecodeSystemTime(b []byte) (time.Time, error) {
	if len(b) != SystemTimeSize {
		return time.Time{}, fmt.Errorf("system time must be %d bytes, got %d", SystemTimeSize, len(b))
	}
	return time.Unix(int64(binary.BigEndian.Uint32(b)), 0).UTC(), nil
}

// TimeSet is the PUT sys/time record.
type TimeSet struct {
	Type         SensorType // TypeTimeAbsolute or TypeTimeDelta
	Seconds      uint32
	Milliseconds uint32
}

// AbsoluteTimeSet returns the record that sets a Device IC's clock to t.
func AbsoluteTimeSet(t time.Time) TimeSet {
	return TimeSet{Type: TypeTimeAbsolute, Seconds: uint32(t.Unix()), Milliseconds: uint32(t.Nanosecond() / 1e6)}
}

// Time returns the absolute time the record carries.
func (s TimeSet) Time() time.Time {
	return time.Unix(int64(s.Seconds), int64(s.Milliseconds)*1e6).UTC()
}

// MarshalBinary encodes the 10-byte record.
func (s TimeSet) MarshalBinary() ([]byte, error) {
	b := []byte{byte(s.Type), 8}
	b = binary.BigEndian.AppendUint32(b, s.Seconds)
	return binary.BigEndian.AppendUint32(b, s.Milliseconds), nil
}

// UnmarshalBinary decodes and validates the record as the HDK does: the type must be
// time_abs or time_delta and the length byte 8. A time_delta record decodes but returns
// ErrTimeDeltaNotSupported.
func (s *TimeSet) UnmarshalBinary(b []byte) error {
	if len(b) != TimeSetSize {
		return fmt.Errorf("time-set record must be %d bytes, got %d", TimeSetSize, len(b))
	}
	typ := SensorType(b[0])
	if typ != TypeTimeAbsolute && typ != TypeTimeDelta {
		return fmt.Errorf("time-set type byte is %d (%v), want %d (time_abs)", b[0], typ, TypeTimeAbsolute)
	}
	if b[1] != 8 {
		return fmt.Errorf("time-set length byte is %d, want 8", b[1])
	}
	*s = TimeSet{Type: typ, Seconds: binary.BigEndian.Uint32(b[2:]), Milliseconds: binary.BigEndian.Uint32(b[6:])}
	if typ == TypeTimeDelta {
		return ErrTimeDeltaNotSupported
	}
	return nil
}
