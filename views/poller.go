package views

import "time"

// poller runs a function every period on a goroutine of its own, between start and stop:
// the refreshes of a tab while it shows. Its methods are called on the main goroutine.
type poller struct {
	stop, done chan struct{}
}

// start runs fn every period until stop; starting twice keeps the first.
func (p *poller) start(period time.Duration, fn func()) {
	if p.stop != nil {
		return
	}
	stop, done := make(chan struct{}), make(chan struct{})
	p.stop, p.done = stop, done
	go func() {
		defer close(done)
		ticker := time.NewTicker(period)
		defer ticker.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ticker.C:
				fn()
			}
		}
	}()
}

// stopAndWait stops the goroutine and waits for it to end; what fn already queued for the
// main goroutine may still run.
func (p *poller) stopAndWait() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.stop, p.done = nil, nil
}
