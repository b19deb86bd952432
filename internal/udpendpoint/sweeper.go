package udpendpoint

import (
	"context"
	"sync"
	"time"
)

// Sweeper runs the periodic work (retransmissions, expirations, idle peers) of many endpoints
// on one goroutine, so that a mesh of a thousand simulated devices costs one ticker, not a
// thousand.
type Sweeper struct {
	interval time.Duration

	mu        sync.Mutex
	endpoints map[*Endpoint]struct{}
	snapshot  []*Endpoint
}

// NewSweeper starts a sweeper that ticks every interval until ctx ends.
func NewSweeper(ctx context.Context, interval time.Duration) *Sweeper {
	s := &Sweeper{interval: interval, endpoints: make(map[*Endpoint]struct{})}
	go s.run(ctx)
	return s
}

func (s *Sweeper) add(e *Endpoint) {
	s.mu.Lock()
	s.endpoints[e] = struct{}{}
	s.mu.Unlock()
}

func (s *Sweeper) remove(e *Endpoint) {
	s.mu.Lock()
	delete(s.endpoints, e)
	s.mu.Unlock()
}

func (s *Sweeper) run(ctx context.Context) {
	ticker := time.NewTicker(s.interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticker.C:
			s.mu.Lock()
			s.snapshot = s.snapshot[:0]
			for e := range s.endpoints {
				s.snapshot = append(s.snapshot, e)
			}
			endpoints := s.snapshot
			s.mu.Unlock()
			for _, e := range endpoints {
				e.sweep(now)
			}
		}
	}
}
