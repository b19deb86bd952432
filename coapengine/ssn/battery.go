package ssn

// The battery thresholds the workbench judges a NIC's battery by, in volts: below
// BatteryWarnVolts it is low (a warning), below BatteryFailVolts it is failing. The tree's
// battery badge and the diagnosis use the same ones.
const (
	BatteryWarnVolts = 3.30
	BatteryFailVolts = 3.15
)

// BatteryLevel is how a battery's voltage is judged.
type BatteryLevel int

// The levels, from good to failing.
const (
	BatteryGood BatteryLevel = iota
	BatteryLow
	BatteryFailing
)

// JudgeBattery is the level of a battery at volts.
func JudgeBattery(volts float64) BatteryLevel {
	switch {
	case volts < BatteryFailVolts:
		return BatteryFailing
	case volts < BatteryWarnVolts:
		return BatteryLow
	}
	return BatteryGood
}
