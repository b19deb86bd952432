// Package ssn holds the wire formats of Silver Spring Networks' Starfish devices, shared by the
// client engine (to decode what devices say) and by gateway-lite's simulated mesh (to say it):
// device host names, the sensor type codes, the Milli NIC's packed power statistics, the Device
// IC's time, event and CoAP-statistics records, its CBOR sensor readings and system information,
// and the catalogue of resources each kind of device serves.
//
// Every binary record is packed without padding other than the explicit pad bytes the HDK
// declares, and multi-byte integers are in network byte order unless a type says otherwise.
package ssn
