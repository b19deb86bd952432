package traffic

import (
	"testing"

	"github.com/plgd-dev/go-coap/v3/message/codes"
)

func TestBusFansOutAndNeverBlocks(t *testing.T) {
	var b Bus
	if b.Active() {
		t.Fatal("active without subscribers")
	}
	b.Publish(Exchange{Path: "/nobody"}) // no subscriber: nothing happens
	a, stopA := b.Subscribe(10)
	c, stopC := b.Subscribe(1)
	if !b.Active() {
		t.Fatal("not active with subscribers")
	}
	b.Publish(Exchange{Path: "/1", Code: codes.Content})
	b.Publish(Exchange{Path: "/2"})
	if got := (<-a).Path; got != "/1" {
		t.Fatalf("a got %s", got)
	}
	if got := (<-a).Path; got != "/2" {
		t.Fatalf("a got %s", got)
	}
	if got := (<-c).Path; got != "/1" {
		t.Fatalf("c got %s", got)
	}
	if b.Dropped() != 1 {
		t.Fatalf("dropped %d, want 1 (c's buffer held one)", b.Dropped())
	}
	stopC()
	stopC() // idempotent
	if _, open := <-c; open {
		t.Fatal("channel still open after stop")
	}
	b.Publish(Exchange{Path: "/3"})
	if got := (<-a).Path; got != "/3" {
		t.Fatalf("a got %s", got)
	}
	stopA()
	if b.Active() {
		t.Fatal("active after every subscriber left")
	}
}
