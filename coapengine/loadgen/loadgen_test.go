package loadgen

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/udp/coder"
)

// echoServer answers every confirmable GET with a piggybacked 2.05, and /fail with 4.04.
func echoServer(t *testing.T) netip.AddrPort {
	t.Helper()
	sock, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sock.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := sock.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			var m message.Message
			m.Options = make(message.Options, 0, 8)
			if _, err := coder.DefaultCoder.Decode(buf[:n], &m); err != nil {
				continue
			}
			code := codes.Content
			if path, _ := m.Options.Path(); path == "/fail" {
				code = codes.NotFound
			}
			resp, _ := encode(message.Message{Type: message.Acknowledgement, Code: code, MessageID: m.MessageID, Token: m.Token, Payload: []byte("ok")})
			_, _ = sock.WriteToUDPAddrPort(resp, from)
		}
	}()
	return sock.LocalAddr().(*net.UDPAddr).AddrPort()
}

func TestRunCountsAnswersAndLatencies(t *testing.T) {
	server := echoServer(t)
	var seconds []uint64
	res, err := Run(context.Background(), Config{
		Clients: 3, Duration: 1500 * time.Millisecond,
		Target: func(int) Target { return Target{Server: server, Path: "/a/b?x=1"} },
		Second: func(_ int, n uint64) { seconds = append(seconds, n) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests < 100 || res.Errors != 0 || res.Timeouts != 0 {
		t.Fatalf("requests %d errors %d timeouts %d", res.Requests, res.Errors, res.Timeouts)
	}
	if len(seconds) != 1 || seconds[0] == 0 {
		t.Fatalf("per-second report %v", seconds)
	}
	if p50, p99 := res.Percentile(50), res.Percentile(99); p50 <= 0 || p99 < p50 {
		t.Fatalf("p50 %v p99 %v", p50, p99)
	}
	if rate := res.Rate(); rate < 60 {
		t.Fatalf("rate %.0f", rate)
	}
}

func TestErrorsAndTimeoutsAreCounted(t *testing.T) {
	server := echoServer(t)
	res, _ := Run(context.Background(), Config{
		Clients: 1, Duration: time.Second,
		Target: func(int) Target { return Target{Server: server, Path: "/fail"} },
	})
	if res.Requests != 0 || res.Errors == 0 {
		t.Fatalf("4.04 answers: requests %d errors %d", res.Requests, res.Errors)
	}
	silent, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	defer silent.Close()
	res, _ = Run(context.Background(), Config{
		Clients: 1, Duration: 1500 * time.Millisecond, Timeout: 200 * time.Millisecond,
		Target: func(int) Target { return Target{Server: silent.LocalAddr().(*net.UDPAddr).AddrPort(), Path: "/"} },
	})
	if res.Timeouts < 5 || res.Requests != 0 {
		t.Fatalf("silent server: requests %d timeouts %d", res.Requests, res.Timeouts)
	}
}

func TestRatePacesClients(t *testing.T) {
	server := echoServer(t)
	res, _ := Run(context.Background(), Config{
		Clients: 2, Duration: 2 * time.Second, Rate: 10,
		Target: func(int) Target { return Target{Server: server, Path: "/"} },
	})
	// 2 clients × 10/s × 2 s = 40, give or take the first period.
	if res.Requests < 30 || res.Requests > 44 {
		t.Fatalf("paced run answered %d requests, want about 40", res.Requests)
	}
}

func TestSteadiness(t *testing.T) {
	r := Result{PerSecond: make([]uint64, 30)}
	for i := range r.PerSecond {
		r.PerSecond[i] = 1000
	}
	if s := r.Steadiness(); s != 1 {
		t.Fatalf("flat run %.2f", s)
	}
	for i := 20; i < 30; i++ {
		r.PerSecond[i] = 800
	}
	if s := r.Steadiness(); s != 0.8 {
		t.Fatalf("declining run %.2f", s)
	}
	if (Result{PerSecond: make([]uint64, 10)}).Steadiness() != 0 {
		t.Fatal("a 10 s run is too short to judge")
	}
}

func TestLoginSendsTheToken(t *testing.T) {
	sock, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	defer sock.Close()
	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, 2048)
		n, from, _ := sock.ReadFromUDPAddrPort(buf)
		var m message.Message
		m.Options = make(message.Options, 0, 8)
		_, _ = coder.DefaultCoder.Decode(buf[:n], &m)
		got <- bytes.Clone(m.Payload)
		resp, _ := encode(message.Message{Type: message.Acknowledgement, Code: codes.Forbidden, MessageID: m.MessageID, Token: m.Token, Payload: []byte("limit")})
		_, _ = sock.WriteToUDPAddrPort(resp, from)
	}()
	_, err := Run(context.Background(), Config{Clients: 1, Duration: time.Second,
		Target: func(int) Target {
			return Target{Server: sock.LocalAddr().(*net.UDPAddr).AddrPort(), ProxyURI: "coap://x/", Token: "tok"}
		}})
	if string(<-got) != "tok" {
		t.Fatal("the token was not the payload of the login")
	}
	if err == nil {
		t.Fatal("a refused login must fail the run")
	}
}
