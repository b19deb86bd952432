package mesh

import (
	"net/netip"
	"sync"
	"time"

	"github.com/coap-workbench/coap-workbench/gatewaylite/observers"
	"github.com/coap-workbench/coap-workbench/internal/udpendpoint"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/pool"
)

// confirmableEvery makes every n-th notification confirmable, so that a device learns when an
// observer has gone away (RFC 7641 §4.5).
const confirmableEvery = 10

// observedResource is an observable resource of a device: its observers, and a ticker that
// notifies them every period while there are any.
type observedResource struct {
	set    *observers.Set
	period time.Duration
	fill   func(m *pool.Message)

	mu      sync.Mutex
	stopCh  chan struct{}
	counter int
}

func newObservedResource(e *udpendpoint.Endpoint, period time.Duration, fill func(m *pool.Message)) *observedResource {
	o := &observedResource{period: period, fill: fill}
	o.set = observers.New(e, o.stop)
	return o
}

// register adds an observer and returns the Observe value of its first response.
func (o *observedResource) register(peer netip.AddrPort, token []byte) uint32 {
	seq := o.set.Add(peer, token)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopCh == nil {
		o.stopCh = make(chan struct{})
		go o.run(o.stopCh)
	}
	return seq
}

func (o *observedResource) run(stop chan struct{}) {
	ticker := time.NewTicker(o.period)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			o.mu.Lock()
			o.counter++
			typ := message.NonConfirmable
			if o.counter%confirmableEvery == 0 {
				typ = message.Confirmable
			}
			o.mu.Unlock()
			o.set.Notify(observers.Notification{Type: typ, Fill: o.fill})
		}
	}
}

func (o *observedResource) stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.stopCh != nil {
		close(o.stopCh)
		o.stopCh = nil
	}
}

// forgetAll drops every observer without telling them, as a rebooting device does.
func (o *observedResource) forgetAll() {
	for _, obs := range o.set.Observers() {
		o.set.Remove(obs.Peer, obs.Token)
	}
}

// maxAge is the Max-Age of a notification: how long until the next one is overdue.
func maxAge(period time.Duration) uint32 {
	return uint32((2*period + time.Second - 1) / time.Second)
}
