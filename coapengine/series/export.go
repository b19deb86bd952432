package series

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine/decode"
	"github.com/coap-workbench/coap-workbench/coapengine/history"
)

// Column is one column of a CSV export: a series' samples, oldest first.
type Column struct {
	Name    string
	Unit    string
	Samples []Sample
}

// WriteCSV writes the samples of keys at or after since (Unix ns; 0 for all) as CSV (see
// WriteColumns), and returns the number of rows written.
func (s *Set) WriteCSV(w io.Writer, keys []string, since int64) (int, error) {
	infos := map[string]Info{}
	for _, in := range s.Infos() {
		infos[in.Key] = in
	}
	columns := make([]Column, len(keys))
	for i, k := range keys {
		columns[i] = Column{Name: k, Unit: infos[k].Unit, Samples: s.Snapshot(k, since, nil)}
	}
	return WriteColumns(w, columns)
}

// WriteColumns writes columns as CSV: a time column (RFC 3339 with milliseconds, UTC) and one
// column per series, "name (unit)", a row per time at which any of them has a sample; a
// series without a sample at that time leaves its cell empty. It returns the rows written.
func WriteColumns(w io.Writer, columns []Column) (int, error) {
	head := []string{"time"}
	var times []int64
	seen := map[int64]bool{}
	for i, c := range columns {
		// In time order, whatever the caller gathered: the rows below walk each column once.
		sorted := slices.Clone(c.Samples)
		slices.SortStableFunc(sorted, func(a, b Sample) int { return cmp.Compare(a.At, b.At) })
		columns[i].Samples = sorted
		name := c.Name
		if c.Unit != "" {
			name += " (" + c.Unit + ")"
		}
		head = append(head, name)
		for _, smp := range c.Samples {
			if !seen[smp.At] {
				seen[smp.At] = true
				times = append(times, smp.At)
			}
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return 0, err
	}
	next := make([]int, len(columns))
	row := make([]string, len(head))
	for _, at := range times {
		row[0] = time.Unix(0, at).UTC().Format("2006-01-02T15:04:05.000Z07:00")
		for i, c := range columns {
			row[i+1] = ""
			if next[i] < len(c.Samples) && c.Samples[next[i]].At == at {
				row[i+1] = strconv.FormatFloat(c.Samples[next[i]].Value, 'g', -1, 64)
				next[i]++
				for next[i] < len(c.Samples) && c.Samples[next[i]].At == at {
					next[i]++ // two samples at one time: the first is written
				}
			}
		}
		if err := cw.Write(row); err != nil {
			return 0, err
		}
	}
	cw.Flush()
	return len(times), cw.Error()
}

// FromHistory rebuilds the series of one resource from the history: the answers and
// notifications with a response in f (a device and path, a time range) are read oldest first
// into a new set of capacity samples a series. "The last hour of battery volts for this NIC"
// is f = {Device, PathContains: "/sys/stats?mod=pwr", From: now-1h}.
func FromHistory(ctx context.Context, store *history.Store, f history.Filter, decoders *decode.Registry, capacity int) (*Set, int, error) {
	if store == nil {
		return nil, 0, fmt.Errorf("there is no history to read: the workbench runs without one")
	}
	var collected []exchangeSample
	before := uint64(0)
	for {
		page, err := store.List(ctx, f, before, 1000)
		if err != nil {
			return nil, 0, err
		}
		for _, x := range page.Entries {
			if x.Response == nil || !x.OK() {
				continue
			}
			collected = append(collected, exchangeSample{at: x.Start.Add(x.RTT), decoded: x.Decode(decoders)})
		}
		if page.Next == 0 || len(collected) >= capacity {
			break
		}
		before = page.Next
	}
	set := NewSet(capacity)
	// The history lists newest first; series are built oldest first.
	for i := len(collected) - 1; i >= 0; i-- {
		set.Add(collected[i].at, collected[i].decoded)
	}
	return set, len(collected), nil
}

type exchangeSample struct {
	at      time.Time
	decoded decode.Decoded
}
