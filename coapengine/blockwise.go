package coapengine

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/net/blockwise"
	"github.com/plgd-dev/go-coap/v3/udp/client"
)

// maxTransfer bounds what a block-wise download may add up to.
const maxTransfer = 16 << 20

// defaultBlockSize is the block size of uploads when the request names none.
const defaultBlockSize = 1024

// transfer sends m and returns the whole answer, doing block-wise (RFC 7959) itself: a payload
// larger than the block size goes up in Block1 blocks, and an answer in Block2 blocks is
// fetched to its end. The request's block size is asked for from the first message on.
func (c *Connection) transfer(cc *client.Conn, m *pool.Message, req Request) (*pool.Message, error) {
	size := req.BlockSize
	if size == 0 {
		size = defaultBlockSize
	}
	szx, _ := szxOf(size)
	if req.BlockSize != 0 && !hasBody(req.Method) {
		block, _ := blockwise.EncodeBlockOption(blockwise.SZX(szx), 0, false)
		m.SetOptionUint32(message.Block2, block)
	}
	resp, err := c.upload(cc, m, req.Payload, size, szx)
	if err != nil {
		return nil, err
	}
	return c.download(cc, m, resp)
}

func hasBody(method codes.Code) bool {
	switch method {
	case codes.POST, codes.PUT, codes.FETCH, codes.PATCH, codes.IPATCH:
		return true
	}
	return false
}

// upload sends the payload, in blocks when it does not fit one.
func (c *Connection) upload(cc *client.Conn, m *pool.Message, payload []byte, size int, szx uint32) (*pool.Message, error) {
	if len(payload) <= size {
		if len(payload) > 0 {
			m.SetBody(bytes.NewReader(payload))
		}
		return cc.Do(m)
	}
	for num := 0; ; num++ {
		from := num * size
		to := min(from+size, len(payload))
		more := to < len(payload)
		block, _ := blockwise.EncodeBlockOption(blockwise.SZX(szx), int64(num), more)
		m.SetOptionUint32(message.Block1, block)
		if num == 0 {
			m.SetOptionUint32(message.Size1, uint32(len(payload)))
		} else {
			m.Remove(message.Size1)
		}
		m.SetBody(bytes.NewReader(payload[from:to]))
		m.SetMessageID(cc.GetMessageID())
		resp, err := cc.Do(m)
		if err != nil {
			return nil, err
		}
		if !more || resp.Code() != codes.Continue {
			return resp, nil
		}
		// The server may ask for smaller blocks (RFC 7959 §2.3): follow it.
		if v, err := resp.GetOptionUint32(message.Block1); err == nil {
			if s, _, _, err := blockwise.DecodeBlockOption(v); err == nil && int(s.Size()) < size {
				return nil, errors.New("the server asked for smaller blocks than requested: send again with its block size")
			}
		}
		cc.ReleaseMessage(resp)
	}
}

// download fetches the rest of an answer that came in Block2 blocks.
func (c *Connection) download(cc *client.Conn, m *pool.Message, resp *pool.Message) (*pool.Message, error) {
	v, err := resp.GetOptionUint32(message.Block2)
	if err != nil {
		return resp, nil // not block-wise
	}
	szx, num, more, err := blockwise.DecodeBlockOption(v)
	if err != nil || !more {
		return resp, nil
	}
	etag, _ := resp.GetOptionBytes(message.ETag)
	var whole bytes.Buffer
	whole.Write(payloadOf(resp))
	m.Remove(message.Block1)
	m.Remove(message.Size1)
	// The rest is asked for with the same method and no payload (RFC 7959 §3.3); the server
	// answers from the representation it made for the first block.
	m.SetBody(nil)
	for more {
		num++
		if whole.Len() > maxTransfer {
			cc.ReleaseMessage(resp)
			return nil, fmt.Errorf("the answer grew past %d MiB in blocks: stopped", maxTransfer>>20)
		}
		block, _ := blockwise.EncodeBlockOption(szx, num, false)
		m.SetOptionUint32(message.Block2, block)
		m.SetMessageID(cc.GetMessageID())
		next, err := cc.Do(m)
		if err != nil {
			cc.ReleaseMessage(resp)
			return nil, fmt.Errorf("block %d of the answer: %w", num, err)
		}
		if next.Code() != resp.Code() {
			cc.ReleaseMessage(resp)
			return next, nil // an error half way: that is the answer
		}
		if e, _ := next.GetOptionBytes(message.ETag); !bytes.Equal(e, etag) {
			cc.ReleaseMessage(next)
			cc.ReleaseMessage(resp)
			return nil, errors.New("the representation changed during the block-wise transfer (ETag differs): send the request again")
		}
		nv, err := next.GetOptionUint32(message.Block2)
		if err != nil {
			cc.ReleaseMessage(next)
			break
		}
		var n int64
		_, n, more, _ = blockwise.DecodeBlockOption(nv)
		if n != num {
			cc.ReleaseMessage(next)
			cc.ReleaseMessage(resp)
			return nil, fmt.Errorf("asked for block %d, got block %d", num, n)
		}
		whole.Write(payloadOf(next))
		cc.ReleaseMessage(next)
	}
	resp.Remove(message.Block2)
	resp.SetBody(bytes.NewReader(whole.Bytes()))
	return resp, nil
}

func payloadOf(m *pool.Message) []byte {
	b, _ := m.ReadBody()
	return b
}
