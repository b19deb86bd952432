package ssn

import (
	"encoding/binary"
	"fmt"
	"time"
)

// PowerStatsSize is the size of coap_sys_pwr_stats_t on the wire: the 2-byte type/length
// header, 2 pad bytes and eleven 32-bit counters.
const PowerStatsSize = 48

// powerStatsBodySize is the length byte of the header: sizeof(struct power_stats).
const powerStatsBodySize = 44

// TimeUnit is the unit of the NIC's time counters: 125 ms (the bottom 3 bits are sub-second).
const TimeUnit = 125 * time.Millisecond

// PowerStats is the Milli NIC's struct power_stats, as read from GET /sys/stats?mod=pwr.
// Time fields count TimeUnit (125 ms) ticks; BatteryMicrovolts is in µV.
type PowerStats struct {
	TotalTime         uint32
	SleepTime         uint32
	StandbyTime       uint32
	RFCTime           uint32
	SFLTime           uint32
	NXPTime           uint32
	TxBytes           uint32
	RxTime            uint32
	ChargeCtrLow      uint32
	ChargeCtrPauseMax uint32
	BatteryMicrovolts uint32
}

func (p *PowerStats) fields() []*uint32 {
	return []*uint32{
		&p.TotalTime, &p.SleepTime, &p.StandbyTime, &p.RFCTime, &p.SFLTime, &p.NXPTime,
		&p.TxBytes, &p.RxTime, &p.ChargeCtrLow, &p.ChargeCtrPauseMax, &p.BatteryMicrovolts,
	}
}

// MarshalBinary encodes the record as the NIC sends it.
func (p PowerStats) MarshalBinary() ([]byte, error) {
	return p.Append(make([]byte, 0, PowerStatsSize)), nil
}

// Append appends the 48-byte record to b.
func (p PowerStats) Append(b []byte) []byte {
	b = append(b, byte(TypeStatMNICPower), powerStatsBodySize, 0, 0)
	for _, f := range p.fields() {
		b = binary.BigEndian.AppendUint32(b, *f)
	}
	return b
}

// UnmarshalBinary decodes a record, checking its size, type and length bytes.
func (p *PowerStats) UnmarshalBinary(b []byte) error {
	if len(b) != PowerStatsSize {
		return fmt.Errorf("power stats must be %d bytes, got %d", PowerStatsSize, len(b))
	}
	if SensorType(b[0]) != TypeStatMNICPower {
		return fmt.Errorf("power stats type byte is %d (%v), want %d (%v)", b[0], SensorType(b[0]), TypeStatMNICPower, TypeStatMNICPower)
	}
	if b[1] != powerStatsBodySize {
		return fmt.Errorf("power stats length byte is %d, want %d", b[1], powerStatsBodySize)
	}
	for i, f := range p.fields() {
		*f = binary.BigEndian.Uint32(b[4+4*i:])
	}
	return nil
}

// Ticks converts a duration to the NIC's 125 ms time units.
func Ticks(d time.Duration) uint32 { return uint32(d / TimeUnit) }

// TickDuration converts the NIC's 125 ms time units to a duration.
func TickDuration(ticks uint32) time.Duration { return time.Duration(ticks) * TimeUnit }

// BatteryVolts is the battery voltage in volts.
func (p PowerStats) BatteryVolts() float64 { return float64(p.BatteryMicrovolts) / 1e6 }

// SleepRatio is the share of total time spent asleep, 0..1 (0 when no time has passed).
func (p PowerStats) SleepRatio() float64 { return ratio(p.SleepTime, p.TotalTime) }

// RadioOnRatio is the share of total time the radio (RFC) was on, 0..1.
func (p PowerStats) RadioOnRatio() float64 { return ratio(p.RFCTime, p.TotalTime) }

func ratio(part, whole uint32) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}
