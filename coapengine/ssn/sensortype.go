package ssn

import "fmt"

// SensorType is the type byte of the HDK's coap_sens_tl_t header (coap_res_data_type_t).
type SensorType uint8

// The type codes of the HDK (coapextif.h).
const (
	TypeTilt          SensorType = 0
	TypeShock         SensorType = 1
	TypeTemp          SensorType = 2
	TypeHumid         SensorType = 3
	TypeAll           SensorType = 4
	TypeLog           SensorType = 5
	TypeTimeAbsolute  SensorType = 6
	TypeTimeDelta     SensorType = 7
	TypeStatCoap      SensorType = 8
	TypeStatMNICPower SensorType = 9
	TypeStatLNICPower SensorType = 10
	TypeBatteryConfig SensorType = 11
	TypeSysvar        SensorType = 12
	TypeUpgImageVer   SensorType = 13
	TypeUpgImageInfo  SensorType = 14
	TypeUpgState      SensorType = 15
	TypeNone          SensorType = 16
)

var sensorTypeNames = [...]string{
	"tilt", "shock", "temp", "humid", "all", "log", "time_abs", "time_delta", "stat_coap",
	"stat_mnic_pwr", "stat_lnic_ap_pwr", "batt_cfg", "sysvar", "upg_img_ver", "upg_img_info",
	"upg_state", "none",
}

// String returns the HDK's name of the type, e.g. "stat_mnic_pwr".
func (t SensorType) String() string {
	if int(t) < len(sensorTypeNames) {
		return sensorTypeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}
