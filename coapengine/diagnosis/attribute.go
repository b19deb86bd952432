package diagnosis

import (
	"fmt"

	"github.com/plgd-dev/go-coap/v3/message/codes"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
)

// blame places an exchange that did not succeed on its hop, with what it means and what to do.
func blame(x coapengine.Exchange, err error) (Hop, string, string) {
	if x.Response == nil {
		return HopClientGateway, "The gateway did not answer in time.",
			"Check that the gateway runs and its address is right, and that UDP reaches it from this computer."
	}
	code := x.Code()
	where := fmt.Sprintf("%s %s", coapfmt.CodeString(code), coapengine.CodeName(code))
	if x.AnsweredBy == coapengine.AnsweredByGateway {
		switch code {
		case codes.Unauthorized:
			return HopClientGateway, "The gateway refused the request (" + where + "): there is no valid session.",
				"Log in again; if it keeps failing, check the account's token or client secret."
		case codes.GatewayTimeout:
			return HopGatewayDevice, "The device did not answer the gateway in time (" + where + ").",
				"The NIC is off, out of radio range or on a lossy link: check its power and antenna, then try again."
		case codes.BadGateway:
			return HopGateway, "The gateway could not reach the device (" + where + "): it does not know its address, or the address is refused.",
				"Check the MAC and the domain; make sure the NIC is registered with this gateway."
		case codes.ProxyingNotSupported:
			return HopGateway, "The gateway does not proxy this request (" + where + ").",
				"Check the URI's scheme and port (a NIC answers on 4849)."
		case coapengine.HopLimitReached:
			return HopGateway, "The request went round in circles between proxies (" + where + ").",
				"Check the gateway's configuration: a proxy points back at itself."
		case codes.Forbidden:
			return HopGateway, "The account may not reach this device (" + where + ").",
				"Ask for an account that may reach it."
		}
		return HopGateway, "The gateway answered " + where + ": " + x.Explanation, "Try again; if it persists, look at the gateway's log."
	}
	switch {
	case code == codes.ServiceUnavailable:
		return HopDeviceIC, "The NIC answered, but its Device IC did not (" + where + ").",
			"The sensor board is off, rebooting or not connected to the NIC: check its power and cable."
	case code == codes.NotImplemented:
		return HopNIC, "The NIC does not implement this resource (" + where + "): another NIC type or firmware.",
			"Check the NIC's type and firmware version."
	case code >= codes.InternalServerError:
		return HopNIC, "The NIC failed (" + where + ").", "Reboot the NIC; if it keeps failing, replace it."
	}
	return HopNIC, "The NIC refused the request (" + where + ").", "Check the NIC's type and firmware version."
}
