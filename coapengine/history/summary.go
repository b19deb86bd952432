package history

import (
	"encoding/binary"
	"errors"
	"strings"
	"time"
	"unsafe"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/plgd-dev/go-coap/v3/message/codes"
)

// CodeClass groups response codes for filters: the class digit (2 success, 4 client error,
// 5 server error), or NoResponse for exchanges that got no answer.
type CodeClass int

// The classes a filter can ask for. AnyClass matches everything.
const (
	AnyClass    CodeClass = 0
	Success     CodeClass = 2
	ClientError CodeClass = 4
	ServerError CodeClass = 5
	NoResponse  CodeClass = -1
)

// ClassOf is the class of a response code (NoResponse for 0).
func ClassOf(c codes.Code) CodeClass {
	if c == 0 {
		return NoResponse
	}
	return CodeClass(uint8(c) >> 5)
}

// summary holds what filters look at, so that most filters never decode a whole exchange.
// It is stored in a small fixed binary layout (decoding it is the inner loop of every scan):
// time (8 bytes, Unix nanoseconds), method, code, flags, then profile, device and path, each
// preceded by its length as a uvarint.
type summary struct {
	Time         time.Time
	Method       codes.Code
	Code         codes.Code
	Notification bool
	Profile      string
	Device       string
	Path         string
}

const flagNotification = 1

func summaryOf(x coapengine.Exchange) summary {
	return summary{Time: x.Start, Method: x.Method(), Code: x.Code(), Notification: x.Notification, Profile: x.Profile, Device: strings.ToLower(x.Device), Path: x.Path}
}

func (s summary) Class() CodeClass { return ClassOf(s.Code) }

func (s summary) encode() []byte {
	b := make([]byte, 11, 11+3*binary.MaxVarintLen16+len(s.Profile)+len(s.Device)+len(s.Path))
	binary.BigEndian.PutUint64(b, uint64(s.Time.UnixNano()))
	b[8], b[9] = byte(s.Method), byte(s.Code)
	if s.Notification {
		b[10] = flagNotification
	}
	for _, str := range []string{s.Profile, s.Device, s.Path} {
		b = binary.AppendUvarint(b, uint64(len(str)))
		b = append(b, str...)
	}
	return b
}

var errBadSummary = errors.New("damaged summary record")

// decodeSummary reads a summary. The strings alias b, which bbolt keeps valid only for the
// transaction: copy before keeping them.
func decodeSummary(b []byte) (summary, error) {
	if len(b) < 11 {
		return summary{}, errBadSummary
	}
	s := summary{Time: time.Unix(0, int64(binary.BigEndian.Uint64(b))), Method: codes.Code(b[8]), Code: codes.Code(b[9]), Notification: b[10]&flagNotification != 0}
	rest := b[11:]
	var ok bool
	if s.Profile, rest, ok = readString(rest); !ok {
		return summary{}, errBadSummary
	}
	if s.Device, rest, ok = readString(rest); !ok {
		return summary{}, errBadSummary
	}
	if s.Path, _, ok = readString(rest); !ok {
		return summary{}, errBadSummary
	}
	return s, nil
}

// readString reads a uvarint length and that many bytes.
func readString(b []byte) (string, []byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return "", nil, false
	}
	end := k + int(n)
	return unsafeString(b[k:end]), b[end:], true
}

// unsafeString views b as a string without copying; the string is valid as long as b is.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
