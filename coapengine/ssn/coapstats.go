package ssn

import (
	"encoding/binary"
	"fmt"
)

// CoapStatsSize is the size of coap_sys_coap_stats_t: type/length, 2 pad bytes, 9 counters.
const CoapStatsSize = 40

const coapStatsBodySize = 36

// CoapStats is the Device IC's struct coap_stats, from GET sys/stats?mod=coap.
type CoapStats struct {
	NoMbufs          uint32
	NoMem            uint32
	SensorsEnabled   uint32
	SensorsDisabled  uint32
	ErrHDLCSend      uint32
	ActiveObs        uint32
	RxSuccess        uint32
	TxSuccess        uint32
	NRetriesExceeded uint32
}

func (c *CoapStats) fields() []*uint32 {
	return []*uint32{
		&c.NoMbufs, &c.NoMem, &c.SensorsEnabled, &c.SensorsDisabled, &c.ErrHDLCSend,
		&c.ActiveObs, &c.RxSuccess, &c.TxSuccess, &c.NRetriesExceeded,
	}
}

// CoapStatsFieldNames are the HDK's names of the counters, in wire order.
var CoapStatsFieldNames = []string{
	"no_mbufs", "no_mem", "sensors_enabled", "sensors_disabled", "err_hdlc_send",
	"active_obs", "rx_success", "tx_success", "nretries_exceeded",
}

// Values returns the counters in wire order (see CoapStatsFieldNames).
func (c CoapStats) Values() []uint32 {
	out := make([]uint32, 0, 9)
	for _, f := range c.fields() {
		out = append(out, *f)
	}
	return out
}

// MarshalBinary encodes the 40-byte record.
func (c CoapStats) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, CoapStatsSize)
	b = append(b, byte(TypeStatCoap), coapStatsBodySize, 0, 0)
	for _, f := range c.fields() {
		b = binary.BigEndian.AppendUint32(b, *f)
	}
	return b, nil
}

// UnmarshalBinary decodes the record, checking its size and header.
func (c *CoapStats) UnmarshalBinary(b []byte) error {
	if len(b) != CoapStatsSize {
		return fmt.Errorf("CoAP stats must be %d bytes, got %d", CoapStatsSize, len(b))
	}
	if SensorType(b[0]) != TypeStatCoap {
		return fmt.Errorf("CoAP stats type byte is %d (%v), want %d (%v)", b[0], SensorType(b[0]), TypeStatCoap, TypeStatCoap)
	}
	if b[1] != coapStatsBodySize {
		return fmt.Errorf("CoAP stats length byte is %d, want %d", b[1], coapStatsBodySize)
	}
	for i, f := range c.fields() {
		*f = binary.BigEndian.Uint32(b[4+4*i:])
	}
	return nil
}
