package ssn

import "testing"

func TestBatteriesAreJudgedByTheWarnAndFailThresholds(t *testing.T) {
	for volts, want := range map[float64]BatteryLevel{3.56: BatteryGood, 3.30: BatteryGood, 3.29: BatteryLow, 3.15: BatteryLow, 3.149: BatteryFailing, 0: BatteryFailing} {
		if got := JudgeBattery(volts); got != want {
			t.Errorf("JudgeBattery(%v) = %v, want %v", volts, got, want)
		}
	}
}
