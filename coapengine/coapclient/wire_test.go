//go:build unix

package coapclient

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/pool"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// coapClientBinary finds libcoap's coap-client; CI must have it.
func coapClientBinary(t *testing.T) string {
	for _, name := range []string{"coap-client-notls", "coap-client"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("coap-client-notls is missing: install libcoap3-bin")
	}
	t.Skip("coap-client-notls is not installed (Debian: libcoap3-bin)")
	return ""
}

// TestRenderedLinesSendTheRequestWithTheRealCoapClient runs rendered command lines with
// libcoap's coap-client against a UDP socket and checks that the datagram it sends is the
// request: method, type, token, options, payload, and the target as Proxy-Uri or Uri-Path.
func TestRenderedLinesSendTheRequestWithTheRealCoapClient(t *testing.T) {
	bin := coapClientBinary(t)
	sock, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	addr := sock.LocalAddr().String()
	rng := rand.New(rand.NewPCG(3, 4))
	// Options coap-client does not also derive from its other flags or from the URI, and
	// that go-coap reads back with values of 1 to 6 bytes (it drops known options whose
	// length is out of range).
	freeOptions := []message.OptionID{message.IfMatch, message.ETag, 2049, 2053, 3000}
	runs := 60
	if testing.Short() {
		runs = 10
	}
	for i := 0; i < runs; i++ {
		c := randomCommand(rng)
		c.LocalPort, c.Observe = 0, 0
		c.Request.Timeout = time.Second
		c.Request.Options = c.Request.Options[:0]
		for n := rng.IntN(3); n > 0; n-- {
			c.Request.Options = append(c.Request.Options, message.Option{ID: freeOptions[rng.IntN(len(freeOptions))], Value: randomBytes(rng, rng.IntN(6)+1)})
		}
		if len(c.Request.Payload) > 0 {
			c.Request.BlockSize = 0 // a block-wise upload is a conversation, not one datagram
			c.Request.Payload = c.Request.Payload[:min(len(c.Request.Payload), 16)]
		}
		proxied := i%2 == 0
		if proxied {
			c.Gateway = addr
		} else {
			c.Gateway = ""
			c.Request.URI = "coap://" + addr + "/sys/stats?mod=pwr"
		}
		line, notes := Render(c)
		if len(notes) != 0 {
			t.Fatalf("notes %v", notes)
		}
		got := sendWithCoapClient(t, bin, line, sock)
		want := c.Request
		if got.Code() != want.Method || (got.Type() == message.NonConfirmable) != want.NonConfirmable {
			t.Fatalf("%s\nsent %v %v", line, got.Code(), got.Type())
		}
		if want.Token != nil && !bytes.Equal(got.Token(), want.Token) {
			t.Fatalf("%s\nsent token %q", line, got.Token())
		}
		if body, _ := got.ReadBody(); !bytes.Equal(body, want.Payload) {
			t.Fatalf("%s\nsent payload %q, want %q", line, body, want.Payload)
		}
		for _, o := range want.Options {
			if !hasOption(got.Options(), o) {
				t.Fatalf("%s\nsent options %v, missing %v", line, got.Options(), o)
			}
		}
		for id, cf := range map[message.OptionID]int{message.ContentFormat: want.ContentFormat, message.Accept: want.Accept} {
			v, err := got.Options().GetUint32(id)
			if (cf == coapengine.NoFormat) != (err != nil) || (err == nil && int(v) != cf) {
				t.Fatalf("%s\nsent option %v = %d (%v), want %d", line, id, v, err, cf)
			}
		}
		if proxied {
			if uri, err := got.Options().GetString(message.ProxyURI); err != nil || uri != want.URI {
				t.Fatalf("%s\nsent Proxy-Uri %q (%v)", line, uri, err)
			}
		} else if p, _ := got.Options().Path(); p != "/sys/stats" {
			t.Fatalf("%s\nsent path %q", line, p)
		}
	}
}

func hasOption(opts message.Options, want message.Option) bool {
	for _, o := range opts {
		if o.ID == want.ID && bytes.Equal(o.Value, want.Value) {
			return true
		}
	}
	return false
}

// sendWithCoapClient runs line with bin in place of "coap-client" and returns the first
// datagram sock receives.
func sendWithCoapClient(t *testing.T, bin, line string, sock net.PacketConn) *pool.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", bin+strings.TrimPrefix(line, Program))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // to stop the shell and coap-client
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	defer cmd.Wait()
	defer stop()
	buf := make([]byte, 2048)
	sock.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := sock.ReadFrom(buf)
	if err != nil {
		t.Fatalf("%s: nothing sent (%v): %s", line, err, out.String())
	}
	m := pool.NewMessage(context.Background())
	if _, err := m.UnmarshalWithDecoder(coder.DefaultCoder, buf[:n]); err != nil {
		t.Fatalf("%s: sent a datagram go-coap cannot read: %v", line, err)
	}
	// Drain retransmissions so that the next run reads its own datagram.
	defer func() {
		stop()
		for sock.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); ; {
			if _, _, err := sock.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return m
}
