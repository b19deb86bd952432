package ssn

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// untrustedCBOR decodes payloads from devices with tight limits: they are small records, and a
// hostile or broken device must not make the decoder allocate without bound.
var untrustedCBOR = func() cbor.DecMode {
	mode, err := cbor.DecOptions{
		MaxNestedLevels:  8,
		MaxArrayElements: 256,
		MaxMapPairs:      64,
		IndefLength:      cbor.IndefLengthForbidden,
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return mode
}()

// SensorReading is the HDK's CBOR sensor answer: a map {0: "<sensor type>", 1: "<text>"}.
// For the temperature sensor the text is "<epoch seconds>,<value with 2 decimals>,<F|C>" for
// ?sens and "<epoch seconds>,<F|C>" for ?cfg.
type SensorReading struct {
	Sensor string
	Text   string
}

// sensorMap is the wire shape of a SensorReading: keys 0 and 1, in that order, as the HDK's
// encoder writes them (a Go map would come out in any order).
type sensorMap struct {
	Sensor string `cbor:"0,keyasint"`
	Text   string `cbor:"1,keyasint"`
}

// MarshalCBOR encodes the {0: sensor, 1: text} map.
func (r SensorReading) MarshalCBOR() ([]byte, error) {
	return cbor.Marshal(sensorMap(r))
}

// UnmarshalCBOR decodes the {0: sensor, 1: text} map.
func (r *SensorReading) UnmarshalCBOR(b []byte) error {
	var m map[int]string
	if err := untrustedCBOR.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("sensor reading is not a CBOR map of int to text: %w", err)
	}
	sensor, okSensor := m[0]
	text, okText := m[1]
	if !okSensor || !okText {
		return fmt.Errorf("sensor reading must have keys 0 and 1, got %d keys", len(m))
	}
	*r = SensorReading{Sensor: sensor, Text: text}
	return nil
}

// TemperatureReading is a decoded temperature sample.
type TemperatureReading struct {
	Time  time.Time
	Value float64
	Unit  string // "C" or "F"
}

// TemperatureText formats a temperature sample as the HDK's sensor text.
func TemperatureText(t time.Time, value float64, unit string) string {
	return fmt.Sprintf("%d,%.2f,%s", t.Unix(), value, unit)
}

// ParseTemperature reads a temperature sample from the sensor text.
func ParseTemperature(text string) (TemperatureReading, error) {
	parts := strings.Split(text, ",")
	if len(parts) != 3 {
		return TemperatureReading{}, fmt.Errorf("temperature text %q: want \"epoch,value,unit\"", text)
	}
	epoch, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return TemperatureReading{}, fmt.Errorf("temperature text %q: bad time: %w", text, err)
	}
	value, err := strconv.ParseFloat(parts[1], 64)
	if err != nil {
		return TemperatureReading{}, fmt.Errorf("temperature text %q: bad value: %w", text, err)
	}
	if parts[2] != "C" && parts[2] != "F" {
		return TemperatureReading{}, fmt.Errorf("temperature text %q: unit must be C or F", text)
	}
	return TemperatureReading{Time: time.Unix(epoch, 0).UTC(), Value: value, Unit: parts[2]}, nil
}

// SystemInfo is the Device IC's GET sys/info answer, a CBOR map with text keys.
type SystemInfo struct {
	Name      string `cbor:"name"`
	Version   string `cbor:"version"`
	BuildDate string `cbor:"build_date"`
}

// MarshalSystemInfo encodes the record.
func MarshalSystemInfo(info SystemInfo) ([]byte, error) { return cbor.Marshal(info) }

// UnmarshalSystemInfo decodes the record.
func UnmarshalSystemInfo(b []byte) (SystemInfo, error) {
	var info SystemInfo
	if err := untrustedCBOR.Unmarshal(b, &info); err != nil {
		return SystemInfo{}, fmt.Errorf("system info is not the expected CBOR map: %w", err)
	}
	return info, nil
}
