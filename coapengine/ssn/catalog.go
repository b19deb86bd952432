package ssn

// NICType names a kind of network interface card.
type NICType string

// The NIC types of the mesh. Milli NICs answer only on port 4849 and have no /time or /gpio;
// the other type (called Gen5 here) answers both and also on the default CoAP port.
const (
	NICMilli NICType = "Milli"
	NICGen5  NICType = "Gen5"
)

// MilliPort is the only port a Milli NIC answers on.
const MilliPort = 4849

// SensorPrefix is the path prefix under which a NIC exposes its Device IC; the NIC strips it
// before forwarding.
const SensorPrefix = "snsr"

// GatewayDevicesPath is gateway-lite's listing of its simulated mesh (link format, one
// <coap://HOST:4849/> a device, with a session only). A real gateway has no such resource.
const GatewayDevicesPath = "/devices"

// Content formats used by the devices (RFC 7252 registry numbers).
const (
	FormatText       = 0
	FormatLinkFormat = 40
	FormatOctets     = 42
	FormatJSON       = 50
	FormatCBOR       = 60
	FormatNone       = -1
)

// Resource describes one resource a device serves, for discovery (link format) and for
// clients that want a friendly name for a path.
type Resource struct {
	// Path as the device itself serves it, with its query if the query selects the resource.
	Path          string
	Title         string
	ResourceType  string // rt
	Interface     string // if
	ContentFormat int    // FormatNone if the resource has no representation
	Observable    bool
}

// NICResources are the resources of every NIC, Milli or not (contract §6).
var NICResources = []Resource{
	{Path: "/", Title: "NIC version", ResourceType: "ssn.nic.version", ContentFormat: FormatText},
	{Path: "/sys", Title: "NIC system resources", Interface: "core.ll", ContentFormat: FormatLinkFormat},
	{Path: "/sys/stats?mod=pwr", Title: "Power statistics", ResourceType: "ssn.stats.pwr", Interface: "core.s", ContentFormat: FormatOctets, Observable: true},
	{Path: "/sys/snsr?ev=rbt", Title: "Device IC reboot notice", ResourceType: "ssn.snsr.reboot", ContentFormat: FormatNone},
	{Path: "/snsr", Title: "Device IC", Interface: "core.ll", ContentFormat: FormatLinkFormat},
}

// Gen5Resources are the extra resources of non-Milli NICs.
var Gen5Resources = []Resource{
	{Path: "/time", Title: "NIC time", ResourceType: "ssn.nic.time", ContentFormat: FormatText},
	{Path: "/gpio", Title: "GPIO pins", ResourceType: "ssn.nic.gpio", ContentFormat: FormatJSON},
}

// DeviceICResources are the Device IC's resources as the IC serves them (without the
// SensorPrefix the NIC adds), contract §7.
var DeviceICResources = []Resource{
	{Path: "/sys", Title: "System", Interface: "sys", ContentFormat: FormatLinkFormat},
	{Path: "/sys/info", Title: "Build version and date", ResourceType: "ssn.ic.info", ContentFormat: FormatCBOR},
	{Path: "/sys/time", Title: "Device IC clock", ResourceType: "ssn.ic.time", ContentFormat: FormatOctets},
	{Path: "/sys/reset", Title: "Reboot the Device IC", ResourceType: "ssn.ic.reset", ContentFormat: FormatNone},
	{Path: "/sys/event", Title: "Events from the NIC", ResourceType: "ssn.ic.event", ContentFormat: FormatCBOR},
	{Path: "/sys/stats?mod=coap", Title: "CoAP statistics", ResourceType: "ssn.stats.coap", ContentFormat: FormatOctets},
	{Path: "/arduino", Title: "Arduino Sensors", Interface: "arduino", ContentFormat: FormatLinkFormat},
	{Path: "/arduino/temp?sens", Title: "Temperature", ResourceType: "ssn.sensor.temp", Interface: "core.s", ContentFormat: FormatCBOR, Observable: true},
	{Path: "/arduino/temp?cfg", Title: "Temperature unit (cfg=C or cfg=F)", ResourceType: "ssn.sensor.temp.cfg", Interface: "core.p", ContentFormat: FormatCBOR},
}
