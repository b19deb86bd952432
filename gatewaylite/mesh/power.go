package mesh

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
)

// Battery levels of the simulated NICs, in volts.
const (
	batteryFull = 3.60
	batteryLow  = 3.05 // where a "battery low" fault puts the battery
)

// radioTicksPerPacket is the radio-on time a received packet costs, in 125 ms ticks.
const radioTicksPerPacket = 0.4

// powerModel produces a NIC's power statistics: time is integrated into the power states as it
// passes (mostly asleep, a little standby, radio time that grows with the packets the NIC
// really received), tx_bytes grow with the bytes it really sent, and the battery drains
// slowly with a little noise. Every counter is monotonic between a boot and the next.
type powerModel struct {
	mu  sync.Mutex
	rng *rand.Rand

	bootedAt   time.Time
	last       time.Time
	acc        [6]float64 // ticks: total, sleep, standby, rfc, sfl, nxp
	rxTime     float64
	txBytes    uint64
	pending    float64 // radio ticks owed to received packets, not yet integrated
	base       ssn.PowerStats
	startVolts float64
	drainDaily float64 // volts per day
	lowBattery bool
	radioShare float64
}

const (
	accTotal = iota
	accSleep
	accStandby
	accRFC
	accSFL
	accNXP
)

func newPowerModel(rng *rand.Rand, now time.Time) *powerModel {
	p := &powerModel{
		rng:        rng,
		startVolts: batteryFull - 0.1*rng.Float64(),
		drainDaily: 0.002 + 0.002*rng.Float64(),
		radioShare: 0.010 + 0.010*rng.Float64(),
	}
	// Devices have been up for a while when the workbench starts: up to three days.
	p.bootLocked(now.Add(-time.Duration(rng.Int64N(int64(72 * time.Hour)))))
	p.advanceLocked(now)
	return p
}

func (p *powerModel) bootLocked(at time.Time) {
	p.bootedAt, p.last = at, at
	p.acc = [6]float64{}
	p.rxTime, p.txBytes, p.pending = 0, 0, 0
	p.base = ssn.PowerStats{}
}

// reboot restarts the counters, as a NIC reboot does.
func (p *powerModel) reboot(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bootLocked(now)
}

func (p *powerModel) advanceLocked(now time.Time) {
	dt := float64(now.Sub(p.last)) / float64(ssn.TimeUnit)
	if dt <= 0 {
		return
	}
	p.last = now
	radio := math.Min(dt*p.radioShare+p.pending, 0.9*dt)
	p.pending = math.Max(0, p.pending-(radio-dt*p.radioShare))
	standby, sfl, nxp := 0.03*dt, 0.01*dt, 0.005*dt
	p.acc[accTotal] += dt
	p.acc[accRFC] += radio
	p.acc[accStandby] += standby
	p.acc[accSFL] += sfl
	p.acc[accNXP] += nxp
	p.acc[accSleep] += dt - radio - standby - sfl - nxp
	p.rxTime += 0.006*dt + radio/4
	// Mesh keep-alives: about 24 bytes every 30 s.
	p.txBytes += uint64(dt / 240 * 24)
}

func (p *powerModel) countSent(n int) {
	p.mu.Lock()
	p.txBytes += uint64(n)
	p.mu.Unlock()
}

func (p *powerModel) countReceived() {
	p.mu.Lock()
	p.pending += radioTicksPerPacket
	p.mu.Unlock()
}

func (p *powerModel) setLowBattery(low bool) {
	p.mu.Lock()
	p.lowBattery = low
	p.mu.Unlock()
}

func (p *powerModel) voltsLocked(now time.Time) float64 {
	noise := 0.004 * (p.rng.Float64() - 0.5)
	if p.lowBattery {
		return batteryLow + noise
	}
	days := now.Sub(p.bootedAt).Hours() / 24
	return p.startVolts - p.drainDaily*days + noise
}

func (p *powerModel) batteryVolts(now time.Time) float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.voltsLocked(now)
}

func (p *powerModel) sinceBootLocked(now time.Time) ssn.PowerStats {
	p.advanceLocked(now)
	up := now.Sub(p.bootedAt)
	return ssn.PowerStats{
		TotalTime:         uint32(p.acc[accTotal]),
		SleepTime:         uint32(p.acc[accSleep]),
		StandbyTime:       uint32(p.acc[accStandby]),
		RFCTime:           uint32(p.acc[accRFC]),
		SFLTime:           uint32(p.acc[accSFL]),
		NXPTime:           uint32(p.acc[accNXP]),
		TxBytes:           uint32(p.txBytes),
		RxTime:            uint32(p.rxTime),
		ChargeCtrLow:      uint32(up / (6 * time.Hour)),
		ChargeCtrPauseMax: 3,
		BatteryMicrovolts: uint32(p.voltsLocked(now) * 1e6),
	}
}

// stats returns the counters at now, counted from the last clear.
func (p *powerModel) stats(now time.Time) ssn.PowerStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, b := p.sinceBootLocked(now), p.base
	return ssn.PowerStats{
		TotalTime:         s.TotalTime - b.TotalTime,
		SleepTime:         s.SleepTime - b.SleepTime,
		StandbyTime:       s.StandbyTime - b.StandbyTime,
		RFCTime:           s.RFCTime - b.RFCTime,
		SFLTime:           s.SFLTime - b.SFLTime,
		NXPTime:           s.NXPTime - b.NXPTime,
		TxBytes:           s.TxBytes - b.TxBytes,
		RxTime:            s.RxTime - b.RxTime,
		ChargeCtrLow:      s.ChargeCtrLow - b.ChargeCtrLow,
		ChargeCtrPauseMax: s.ChargeCtrPauseMax,
		BatteryMicrovolts: s.BatteryMicrovolts, // a reading, not a counter: never cleared
	}
}

// clear zeroes the counters (PUT or DELETE /sys/stats?mod=pwr).
func (p *powerModel) clear(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.base = p.sinceBootLocked(now)
}
