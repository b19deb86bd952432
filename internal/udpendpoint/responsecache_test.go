package udpendpoint

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

func cachedMessage(mid int32, code codes.Code) *pool.Message {
	m := pool.NewMessage(context.Background())
	m.SetMessageID(mid)
	m.SetType(message.Acknowledgement)
	m.SetCode(code)
	m.SetToken([]byte{byte(mid)})
	return m
}

func TestResponseCacheStoresLoadsAndKeepsFirst(t *testing.T) {
	c := NewResponseCache(time.Minute, time.Minute, 100)
	if err := c.Store("7", cachedMessage(7, codes.Content)); err != nil {
		t.Fatal(err)
	}
	_ = c.Store("7", cachedMessage(7, codes.NotFound)) // a second store of a live key is ignored
	got := pool.NewMessage(context.Background())
	ok, err := c.Load("7", got)
	if err != nil || !ok {
		t.Fatalf("load: %v %v", ok, err)
	}
	if got.Code() != codes.Content || got.MessageID() != 7 {
		t.Fatalf("got %v mid %d", got.Code(), got.MessageID())
	}
	if ok, _ := c.Load("8", got); ok {
		t.Fatal("loaded a key never stored")
	}
}

func TestResponseCacheExpiresInOrder(t *testing.T) {
	c := NewResponseCache(20*time.Millisecond, 20*time.Millisecond, 100)
	for i := range 10 {
		_ = c.Store(strconv.Itoa(i), cachedMessage(int32(i), codes.Content))
	}
	if c.Len() != 10 {
		t.Fatalf("len %d", c.Len())
	}
	time.Sleep(30 * time.Millisecond)
	got := pool.NewMessage(context.Background())
	if ok, _ := c.Load("3", got); ok {
		t.Fatal("an expired entry was loaded")
	}
	c.CheckExpirations(time.Now())
	if c.Len() != 0 {
		t.Fatalf("len after expiry %d", c.Len())
	}
}

func TestResponseCacheCapEvictsOldest(t *testing.T) {
	c := NewResponseCache(time.Minute, time.Minute, 50)
	for i := range 500 {
		_ = c.Store(strconv.Itoa(i), cachedMessage(int32(i), codes.Content))
	}
	if c.Len() != 50 {
		t.Fatalf("len %d, want the cap 50", c.Len())
	}
	got := pool.NewMessage(context.Background())
	if ok, _ := c.Load("449", got); ok {
		t.Fatal("evicted entry still loads")
	}
	if ok, _ := c.Load("450", got); !ok || got.MessageID() != 450 {
		t.Fatal("newest entries must stay")
	}
}

func BenchmarkResponseCacheStoreAtSteadyState(b *testing.B) {
	c := NewResponseCache(time.Minute, time.Minute, 8192)
	m := cachedMessage(1, codes.Content)
	keys := make([]string, 65536)
	for i := range keys {
		keys[i] = strconv.Itoa(i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = c.Store(keys[i&0xffff], m)
	}
}

func TestIdempotentResponsesExpireFirst(t *testing.T) {
	c := NewResponseCache(time.Minute, 20*time.Millisecond, 100)
	c.MarkIdempotent(1)
	_ = c.Store("1", cachedMessage(1, codes.Content)) // a GET's answer
	_ = c.Store("2", cachedMessage(2, codes.Created)) // a POST's answer
	got := pool.NewMessage(context.Background())
	if ok, _ := c.Load("1", got); !ok {
		t.Fatal("a fresh idempotent answer must be there for retransmissions")
	}
	time.Sleep(30 * time.Millisecond)
	if ok, _ := c.Load("1", got); ok {
		t.Fatal("the idempotent answer outlived its short lifetime")
	}
	if ok, _ := c.Load("2", got); !ok || got.Code() != codes.Created {
		t.Fatal("the non-idempotent answer must live the full exchange lifetime")
	}
}
