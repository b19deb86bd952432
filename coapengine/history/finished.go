package history

import (
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
)

// Finished is when an exchange ended: its answer arrived, its request gave up, or (for a
// notification) it came in — Start plus RTT. An exchange is recorded when it ends, and the
// history lists (and exports) newest first in recording order, so Finished is the time that
// order follows: the time to show beside a listing. Start times do not follow it: a request
// that waited 30 s for nothing started before the answers recorded ahead of it.
func Finished(x coapengine.Exchange) time.Time { return x.Start.Add(x.RTT) }
