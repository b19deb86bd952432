package udpendpoint

import (
	"io"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/options/config"
	"github.com/plgd-dev/go-coap/v3/udp/client"
)

// ProcessAsync is a Config.Process that runs every message on a goroutine of its own. The
// conn's loop goroutine (one per peer, long-lived) then never grows the deep stack of a handler
// or of go-coap's block-wise layer: with thousands of peers, that is tens of megabytes of idle
// stack saved; and a slow handler holds up no other message, not even the same peer's next.
// ProcessInline is the other choice.
func ProcessAsync(req *pool.Message, cc *client.Conn, handler config.HandlerFunc[*client.Conn]) {
	go cc.ProcessReceivedMessageWithHandler(req, handler)
}

// ProcessInline is a Config.Process that handles each message on the conn's own loop, one after
// the other: a peer's messages are handled in order, and a slow handler holds up its peer.
func ProcessInline(req *pool.Message, cc *client.Conn, handler config.HandlerFunc[*client.Conn]) {
	cc.ProcessReceivedMessageWithHandler(req, handler)
}

// isIdempotent reports whether a request method may be processed twice with the effect of
// once (RFC 7252 §5.1, RFC 8132 §2).
func isIdempotent(c codes.Code) bool {
	switch c {
	case codes.GET, codes.PUT, codes.DELETE, codes.FETCH, codes.IPATCH:
		return true
	}
	return false
}

// replyInKind sends the response to a non-confirmable request as a non-confirmable message of
// its own, instead of leaving it to go-coap, which would send it confirmable. Block-wise
// exchanges are left to go-coap, whose block-wise layer slices the response after the handler.
func replyInKind(h HandlerFunc) HandlerFunc {
	return func(w *ResponseWriter, r *pool.Message) {
		h(w, r)
		resp := w.Message()
		if r.Type() != message.NonConfirmable || !resp.IsModified() || resp.Code() < codes.Created ||
			r.HasOption(message.Block1) || r.HasOption(message.Block2) || resp.HasOption(message.Block2) {
			return
		}
		cc := w.Conn()
		w.Swap(cc.AcquireMessage(cc.Context())) // go-coap now has nothing to send
		defer cc.ReleaseMessage(resp)
		resp.SetType(message.NonConfirmable)
		resp.SetMessageID(cc.GetMessageID())
		resp.SetToken(r.Token())
		if err := cc.WriteMessage(resp); err != nil {
			cc.Close()
		}
	}
}

// Payload returns a copy of m's payload, of exactly its size (go-coap's ReadBody allocates at
// least 1 KiB, which adds up on a proxy's hot path).
func Payload(m *pool.Message) []byte {
	r := m.Body()
	if r == nil {
		return nil
	}
	size, err := m.BodySize()
	if err != nil || size == 0 {
		return nil
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil
	}
	b := make([]byte, size)
	n, _ := io.ReadFull(r, b)
	return b[:n]
}
