package coapengine

import (
	"strings"

	"github.com/coap-workbench/coap-workbench/internal/coapfmt"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// codeNames are RFC 7252's names of the codes (and 5.08 of RFC 8768).
var codeNames = map[codes.Code]string{
	codes.Created: "Created", codes.Deleted: "Deleted", codes.Valid: "Valid", codes.Changed: "Changed", codes.Content: "Content",
	codes.Continue:   "Continue",
	codes.BadRequest: "Bad Request", codes.Unauthorized: "Unauthorized", codes.BadOption: "Bad Option", codes.Forbidden: "Forbidden",
	codes.NotFound: "Not Found", codes.MethodNotAllowed: "Method Not Allowed", codes.NotAcceptable: "Not Acceptable",
	codes.RequestEntityIncomplete: "Request Entity Incomplete", codes.PreconditionFailed: "Precondition Failed",
	codes.RequestEntityTooLarge: "Request Entity Too Large", codes.UnsupportedMediaType: "Unsupported Content-Format",
	codes.InternalServerError: "Internal Server Error", codes.NotImplemented: "Not Implemented", codes.BadGateway: "Bad Gateway",
	codes.ServiceUnavailable: "Service Unavailable", codes.GatewayTimeout: "Gateway Timeout", codes.ProxyingNotSupported: "Proxying Not Supported",
	HopLimitReached: "Hop Limit Reached",
}

// HopLimitReached is RFC 8768's 5.08.
const HopLimitReached codes.Code = 5<<5 | 8

func codeName(c codes.Code) string { return codeNames[c] }

// CodeName names a code, e.g. "Gateway Timeout".
func CodeName(c codes.Code) string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return "Code " + coapfmt.CodeString(c)
}

// gatewayCodes are the answers contract §5 attributes to the gateway itself.
var gatewayCodes = map[codes.Code]bool{
	codes.Unauthorized: true, codes.BadGateway: true, codes.GatewayTimeout: true,
	codes.ProxyingNotSupported: true, HopLimitReached: true,
}

// whoAnswered attributes a response to the gateway or the device (contract §5): the codes
// only a gateway gives, or a diagnostic that says it comes from one, are the gateway's.
func whoAnswered(code codes.Code, payload []byte, proxied bool) Answerer {
	if !proxied {
		return AnsweredByServer
	}
	if gatewayCodes[code] {
		return AnsweredByGateway
	}
	if code == codes.BadRequest && (strings.HasPrefix(string(payload), "gateway-lite:") || strings.Contains(strings.ToLower(string(payload)), "proxy-uri")) {
		return AnsweredByGateway
	}
	return AnsweredByDevice
}

// Explain says in plain words what an error answer means for a Starfish user, given who
// answered. It returns "" for success codes.
func Explain(code codes.Code, by Answerer) string {
	gateway := by == AnsweredByGateway
	switch code {
	case codes.BadRequest:
		if gateway {
			return "The gateway could not read the target: the device URI is malformed (check the host name and the path)."
		}
		return "The device could not make sense of the request: check its options and payload."
	case codes.Unauthorized:
		return "No session on this socket, the session expired, or the account may not reach this device: log in again (POST a token to /sessions from the same local port)."
	case codes.BadOption:
		return "The device does not understand a critical option of the request: remove it."
	case codes.Forbidden:
		return "The gateway refused the login: the account already has its maximum of sessions (10 by default). Log out one of them, or wait for one to expire."
	case codes.NotFound:
		return "No such resource on the device (or on the Device IC behind /snsr): browse /.well-known/core for the ones it has."
	case codes.MethodNotAllowed:
		return "The resource does not accept this method (the temperature sensor also needs a query, ?sens or ?cfg)."
	case codes.NotAcceptable:
		return "The device refused the payload: for sys/time it must be the 10-byte absolute time record (type 6, length 8, seconds, milliseconds)."
	case codes.RequestEntityIncomplete:
		return "A block-wise transfer was interrupted: send the request again."
	case codes.PreconditionFailed:
		return "There was no session on this socket to log out of."
	case codes.RequestEntityTooLarge:
		return "The payload is larger than the gateway accepts (64 KiB by default): send less, or in blocks the device can take."
	case codes.UnsupportedMediaType:
		return "The device does not take this Content-Format: change it to one the resource lists (ct)."
	case codes.InternalServerError:
		return "The device failed while handling the request."
	case codes.NotImplemented:
		return "The NIC does not implement this resource or method (Milli NICs have no /time and no /gpio, for instance)."
	case codes.BadGateway:
		return "The gateway cannot reach that device: the name is not in its mesh (check the MAC and the domain), or the device refused the port (Milli NICs answer on 4849 only)."
	case codes.ServiceUnavailable:
		if gateway {
			return "The gateway closed the session after it sat idle: log in again."
		}
		return "The device is busy or its Device IC did not answer (it may be rebooting): try again in a few seconds."
	case codes.GatewayTimeout:
		return "The device did not answer the gateway in time: it may be offline, out of range, or the mesh is losing packets."
	case codes.ProxyingNotSupported:
		return "The gateway forwards coap:// URIs only."
	case HopLimitReached:
		return "The request went through too many proxies (Hop-Limit reached 0): there may be a forwarding loop."
	}
	if code>>5 >= 4 {
		return "The request failed with " + coapfmt.CodeString(code) + " " + CodeName(code) + "."
	}
	return ""
}
