package history

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/coap-workbench/coap-workbench/coapengine"
	"github.com/coap-workbench/coap-workbench/coapengine/ssn"
	"github.com/plgd-dev/go-coap/v3/message"
	"github.com/plgd-dev/go-coap/v3/message/codes"
	"go.etcd.io/bbolt"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var samplePaths = []string{"/sys/stats?mod=pwr", "/sys/time", "/snsr/temp", "/.well-known/core", "/sys/info"}

// sampleExchange is the i-th of a varied, deterministic set of exchanges: 40 devices, two
// profiles, five paths, mostly 2.05 with some 4.04, 5.04 and unanswered ones.
func sampleExchange(i int) coapengine.Exchange {
	device := fmt.Sprintf("SSN00135005%08X.sim.starfish.test", i%40)
	path := samplePaths[i%len(samplePaths)]
	x := coapengine.Exchange{
		Profile: []string{"embedded", "lab"}[i%2],
		Device:  device,
		Path:    path,
		URI:     "coap://" + device + ":4849" + path,
		Request: coapengine.MessageRecord{Code: codes.GET, Type: "CON", Token: []byte{byte(i), byte(i >> 8)}},
		Start:   t0.Add(time.Duration(i) * time.Second),
		RTT:     time.Duration(1+i%7) * time.Millisecond,
	}
	if i%11 == 0 {
		x.Request.Code = codes.PUT
	}
	code := codes.Content
	switch {
	case i%17 == 0:
		x.Err = "no answer within 5s"
		return x
	case i%13 == 0:
		code = codes.NotFound
	case i%19 == 0:
		code = codes.GatewayTimeout
	}
	resp := &coapengine.MessageRecord{Code: code, Type: "ACK", Token: x.Request.Token}
	if code == codes.Content && path == "/sys/stats?mod=pwr" {
		resp.Payload = ssn.PowerStats{TotalTime: 1000, SleepTime: 900, RFCTime: 50, BatteryMicrovolts: 3_000_000 + uint32(i%1000)*1000}.Append(nil)
		resp.Options = []coapengine.OptionRecord{{Number: uint16(message.ContentFormat), Name: "Content-Format", Value: []byte{42}}}
	} else if code == codes.Content {
		resp.Payload = []byte(fmt.Sprintf("reading %d", i))
		resp.Options = []coapengine.OptionRecord{{Number: uint16(message.ContentFormat), Name: "Content-Format", Value: nil}}
	}
	x.Response = resp
	return x
}

func openTemp(t testing.TB, opts Options) *Store {
	t.Helper()
	s, notice, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if notice != "" {
		t.Fatalf("unexpected notice: %s", notice)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func fill(t testing.TB, s *Store, n int) []coapengine.Exchange {
	t.Helper()
	all := make([]coapengine.Exchange, n)
	for i := range all {
		all[i] = sampleExchange(i)
		s.Append(all[i])
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range all {
		all[i].ID = uint64(i + 1)
	}
	return all
}

// listAll pages through a filter with the given page size.
func listAll(t *testing.T, s *Store, f Filter, pageSize int) []coapengine.Exchange {
	t.Helper()
	var out []coapengine.Exchange
	for before := uint64(0); ; {
		page, err := s.List(context.Background(), f, before, pageSize)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) > pageSize {
			t.Fatalf("page of %d entries, limit %d", len(page.Entries), pageSize)
		}
		if page.Skipped != 0 {
			t.Fatalf("%d damaged or orphaned records under filter %+v", page.Skipped, f)
		}
		out = append(out, page.Entries...)
		if page.Next == 0 {
			return out
		}
		before = page.Next
	}
}

func ids(xs []coapengine.Exchange) []uint64 {
	out := make([]uint64, len(xs))
	for i, x := range xs {
		out[i] = x.ID
	}
	return out
}

func TestListIsNewestFirstWithPaging(t *testing.T) {
	s := openTemp(t, Options{})
	all := fill(t, s, 250)
	got := listAll(t, s, Filter{}, 30)
	if len(got) != len(all) {
		t.Fatalf("listed %d of %d", len(got), len(all))
	}
	for i, x := range got {
		want := all[len(all)-1-i]
		if x.ID != want.ID || x.URI != want.URI || !x.Start.Equal(want.Start) || x.RTT != want.RTT {
			t.Fatalf("entry %d: got %d %s, want %d %s", i, x.ID, x.URI, want.ID, want.URI)
		}
	}
	if n, _ := s.Count(); n != 250 {
		t.Fatalf("Count = %d", n)
	}
	x, err := s.Get(17)
	if err != nil || x.URI != all[16].URI || x.Err != all[16].Err {
		t.Fatalf("Get(17) = %+v, %v", x, err)
	}
	if _, err := s.Get(9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of a missing entry: %v", err)
	}
}

// TestFiltersAgreeWithABruteForceScan checks every filter field, alone and combined, against
// a plain scan of the same entries.
func TestFiltersAgreeWithABruteForceScan(t *testing.T) {
	s := openTemp(t, Options{})
	all := fill(t, s, 600)
	notif := sampleExchange(600)
	notif.Notification, notif.ObserveSeq = true, 7
	s.Append(notif)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	notif.ID = 601
	all = append(all, notif)

	device := all[5].Device
	filters := map[string]Filter{
		"device":                {Device: device},
		"device in lower case":  {Device: strings.ToLower(device)},
		"unknown device":        {Device: "SSN0000000000000000.nowhere"},
		"profile":               {Profile: "lab"},
		"path":                  {PathContains: "MOD=PWR"},
		"method":                {Method: codes.PUT},
		"client errors":         {Class: ClientError},
		"server errors":         {Class: ServerError},
		"unanswered":            {Class: NoResponse},
		"success":               {Class: Success},
		"time range":            {From: t0.Add(100 * time.Second), To: t0.Add(200 * time.Second)},
		"decoded text":          {Text: "3.010 v"},
		"without notifications": {WithoutNotifications: true},
		"combined":              {Profile: "lab", Device: device, PathContains: "sys", Class: Success, From: t0.Add(50 * time.Second)},
		"profile and class":     {Profile: "lab", Class: ClientError},
	}
	reg := s.opts.Decoders
	// wanted is the filter written out plainly on the exchange's own fields, independent of
	// the summaries and indexes under test.
	wanted := func(f Filter, x coapengine.Exchange) bool {
		class := NoResponse
		if x.Response != nil {
			class = CodeClass(x.Response.Code >> 5)
		}
		return (f.Profile == "" || x.Profile == f.Profile) &&
			(f.Device == "" || strings.EqualFold(x.Device, f.Device)) &&
			(f.PathContains == "" || strings.Contains(strings.ToLower(x.Path), strings.ToLower(f.PathContains))) &&
			(f.Method == 0 || x.Request.Code == f.Method) &&
			(f.Class == AnyClass || class == f.Class) &&
			(f.From.IsZero() || !x.Start.Before(f.From)) &&
			(f.To.IsZero() || x.Start.Before(f.To)) &&
			(f.Text == "" || strings.Contains(strings.ToLower(x.Decode(reg).Text), strings.ToLower(f.Text))) &&
			(!f.WithoutNotifications || !x.Notification)
	}
	for name, f := range filters {
		t.Run(name, func(t *testing.T) {
			var want []uint64
			for i := len(all) - 1; i >= 0; i-- {
				if wanted(f, all[i]) {
					want = append(want, all[i].ID)
				}
			}
			got := ids(listAll(t, s, f, 7))
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("got %v\nwant %v", got, want)
			}
			if name != "unknown device" && len(want) == 0 {
				t.Fatal("the sample set has no entry for this filter: the test proves nothing")
			}
		})
	}
}

func TestDeleteRemovesEntriesAndTheirIndexRecords(t *testing.T) {
	s := openTemp(t, Options{})
	all := fill(t, s, 100)
	device := all[3].Device
	var ofDevice []uint64
	for _, x := range all {
		if x.Device == device {
			ofDevice = append(ofDevice, x.ID)
		}
	}
	n, err := s.Delete(append(ofDevice, 5000)...)
	if err != nil || n != len(ofDevice) {
		t.Fatalf("Delete = %d, %v; want %d", n, err, len(ofDevice))
	}
	if got := listAll(t, s, Filter{Device: device}, 10); len(got) != 0 {
		t.Fatalf("deleted entries still listed: %v", ids(got))
	}
	// Listings through the other indexes find no orphaned index records (listAll checks).
	for _, f := range []Filter{{Profile: "lab"}, {Profile: "embedded"}, {Class: Success}, {Class: NoResponse}} {
		listAll(t, s, f, 50)
	}
	// An entry whose summary is damaged is still deleted from every index.
	victim := all[5].ID
	s.update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketSummaries).Put(itob(victim), []byte{1}) })
	if n, err := s.Delete(victim); err != nil || n != 1 {
		t.Fatalf("deleting an entry with a damaged summary: %d %v", n, err)
	}
	for _, f := range []Filter{{Profile: all[5].Profile}, {Device: all[5].Device}, {Class: ClassOf(all[5].Code())}} {
		listAll(t, s, f, 50)
	}
	if c, _ := s.Count(); c != 100-len(ofDevice)-1 { // and the victim
		t.Fatalf("Count = %d", c)
	}
	if err := s.DeleteAll(); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Count(); c != 0 {
		t.Fatalf("Count after DeleteAll = %d", c)
	}
	s.Append(sampleExchange(0))
	s.Flush()
	page, _ := s.List(context.Background(), Filter{}, 0, 10)
	if len(page.Entries) != 1 || page.Entries[0].ID != 101 {
		t.Fatalf("after DeleteAll a new entry must take a new ID: %v", ids(page.Entries))
	}
}

func TestRetainByCountAndAgeThenCompact(t *testing.T) {
	s := openTemp(t, Options{})
	fill(t, s, 30000)
	removed, err := s.Retain(20000, 0, time.Now())
	if err != nil || removed != 10000 {
		t.Fatalf("Retain by count removed %d, %v", removed, err)
	}
	listAll(t, s, Filter{Class: Success}, 50000) // no orphaned index records
	oldest := listAll(t, s, Filter{}, 50000)
	if len(oldest) != 20000 || oldest[len(oldest)-1].ID != 10001 {
		t.Fatalf("kept %d, oldest %d", len(oldest), oldest[len(oldest)-1].ID)
	}
	// Keep the last hour: entries are a second apart, so 3601 of them (inclusive bound aside).
	now := t0.Add(29999 * time.Second)
	removed, err = s.Retain(0, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Count(); c != 3601 || removed != 20000-3601 {
		t.Fatalf("Retain by age removed %d, left %d", removed, c)
	}
	before, after, err := s.Compact()
	if err != nil {
		t.Fatal(err)
	}
	if after >= before/2 {
		t.Fatalf("compaction did not shrink the file: %d → %d bytes", before, after)
	}
	// The store works on the compacted file.
	s.Append(sampleExchange(1))
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	page, err := s.List(context.Background(), Filter{Device: sampleExchange(1).Device}, 0, 1)
	if err != nil || len(page.Entries) != 1 || page.Entries[0].ID != 30001 {
		t.Fatalf("after compaction: %v %v", ids(page.Entries), err)
	}
}

func TestExportJSONLinesAndCSV(t *testing.T) {
	s := openTemp(t, Options{})
	all := fill(t, s, 40)
	var jsonl bytes.Buffer
	n, err := s.Export(context.Background(), &jsonl, FormatJSONLines, Filter{PathContains: "mod=pwr"})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(jsonl.String()), "\n")
	if n != 8 || len(lines) != n {
		t.Fatalf("exported %d, %d lines", n, len(lines))
	}
	var first struct {
		ID      uint64 `json:"id"`
		Method  string `json:"method"`
		Code    string `json:"code"`
		URI     string `json:"uri"`
		Decoded string `json:"decoded"`
		Decoder string `json:"decoder"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.ID != 36 || first.Method != "GET" || first.Code != "2.05 Content" || first.URI != all[35].URI || first.Decoder != "power-stats" || !strings.Contains(first.Decoded, "3.035 V") {
		t.Fatalf("first line: %+v", first)
	}

	var out bytes.Buffer
	n, err = s.Export(context.Background(), &out, FormatCSV, Filter{})
	if err != nil || n != 40 {
		t.Fatalf("CSV export: %d, %v", n, err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 41 || strings.Join(rows[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	last := rows[len(rows)-1] // the oldest: entry 1, sample 0 (no answer)
	if last[0] != "1" || last[4] != "PUT" || last[7] != "" || last[15] != "no answer within 5s" {
		t.Fatalf("oldest row: %v", last)
	}
	if _, err := s.Export(context.Background(), &out, "xml", Filter{}); err == nil || !strings.Contains(err.Error(), "jsonl") {
		t.Fatalf("unknown format: %v", err)
	}
}

func TestASecondInstanceGetsAClearErrorWithinASecond(t *testing.T) {
	dir := t.TempDir()
	s, _, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	_, _, err = Open(dir, Options{})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "another running workbench") {
		t.Fatalf("second open: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the second open took %v", took)
	}
	// Nothing was moved aside or lost.
	if matches, _ := filepath.Glob(filepath.Join(dir, FileName+".corrupt-*")); len(matches) != 0 {
		t.Fatalf("a file in use was moved aside: %v", matches)
	}
}

func TestACorruptFileIsMovedAsideAndANewOneCreated(t *testing.T) {
	valid := func() []byte {
		dir := t.TempDir()
		s, _, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		fill(t, s, 500)
		s.Close()
		b, err := os.ReadFile(filepath.Join(dir, FileName))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}()
	damagedMeta := append([]byte(nil), valid...)
	for i := 0; i < 2*4096 && i < len(damagedMeta); i++ {
		damagedMeta[i] ^= 0x5a
	}
	for name, content := range map[string][]byte{
		"garbage":        bytes.Repeat([]byte("not a database "), 1000),
		"truncated":      valid[:4096+100],
		"damaged header": damagedMeta,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			s, notice, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			matches, _ := filepath.Glob(path + ".corrupt-*")
			if len(matches) != 1 || !strings.Contains(notice, matches[0]) || !strings.Contains(notice, "moved") {
				t.Fatalf("notice %q, files %v", notice, matches)
			}
			kept, _ := os.ReadFile(matches[0])
			if !bytes.Equal(kept, content) {
				t.Fatal("the damaged file was altered")
			}
			if c, err := s.Count(); err != nil || c != 0 {
				t.Fatalf("the new history: %d entries, %v", c, err)
			}
			s.Append(sampleExchange(1))
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLostBatchesAreReportedByFlushAndClose(t *testing.T) {
	s, _, err := Open(t.TempDir(), Options{BatchSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	// A device name far beyond bbolt's key limit still records (its index bucket is named by
	// a prefix) and is found by its whole name.
	long := sampleExchange(1)
	long.Device = strings.Repeat("d", 40000)
	s.Append(long)
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if page, _ := s.List(context.Background(), Filter{Device: long.Device}, 0, 10); len(page.Entries) != 1 {
		t.Fatalf("the long-named entry: %d found", len(page.Entries))
	}
	// With the file gone from under it, every batch fails: Flush says how many were lost.
	s.db.Close()
	for i := range 15 {
		s.Append(sampleExchange(i))
	}
	if err := s.Flush(); err == nil || !strings.Contains(err.Error(), "15 exchanges could not be recorded") {
		t.Fatalf("Flush: %v", err)
	}
	if err := s.Flush(); err != nil {
		t.Fatalf("a second Flush reports the same loss again: %v", err)
	}
	s.Append(sampleExchange(1))
	if err := s.Close(); err == nil || !strings.Contains(err.Error(), "1 exchanges could not be recorded") {
		t.Fatalf("Close: %v", err)
	}
}

func TestAFileThatCannotBeOpenedIsAnErrorAndStaysPut(t *testing.T) {
	dir := t.TempDir()
	// A directory where the file should be: not a damaged history, nothing to move aside.
	if err := os.Mkdir(filepath.Join(dir, FileName), 0o700); err != nil {
		t.Fatal(err)
	}
	_, notice, err := Open(dir, Options{})
	if err == nil || notice != "" || !strings.Contains(err.Error(), "cannot open the history") {
		t.Fatalf("Open = %q, %v", notice, err)
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, FileName+".corrupt-*")); len(matches) != 0 {
		t.Fatalf("moved aside: %v", matches)
	}
	if st, err := os.Stat(filepath.Join(dir, FileName)); err != nil || !st.IsDir() {
		t.Fatalf("the directory was touched: %v", err)
	}
}

// The child process of TestKillDuringRecordingLosesAtMostTheLastBatch: it records batches of
// killBatch exchanges forever, printing the number committed after each batch.
const (
	childEnv  = "COAP_WORKBENCH_HISTORY_CHILD_DIR"
	killBatch = 100
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		runChildWriter(dir)
		return
	}
	code := m.Run()
	removeBenchData()
	os.Exit(code)
}

func runChildWriter(dir string) {
	s, _, err := Open(dir, Options{BatchSize: killBatch, BatchDelay: time.Hour})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		s.Append(sampleExchange(i))
		if (i+1)%killBatch == 0 {
			if err := s.Flush(); err != nil {
				fmt.Println("error", err)
				os.Exit(1)
			}
			fmt.Println("committed", i+1)
		}
	}
}

func TestAfterListsOnlyWhatWasRecordedSince(t *testing.T) {
	s := openTemp(t, Options{})
	all := fill(t, s, 40)
	for _, f := range []Filter{{}, {Device: all[35].Device}} {
		f.After = 30
		page, err := s.List(t.Context(), f, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var want []uint64
		for i := len(all) - 1; i >= 30; i-- {
			if f.Device == "" || strings.EqualFold(all[i].Device, f.Device) {
				want = append(want, uint64(i+1))
			}
		}
		var got []uint64
		for _, x := range page.Entries {
			got = append(got, x.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || page.Next != 0 {
			t.Fatalf("filter %+v: IDs %v, want %v (next %d)", f, got, want, page.Next)
		}
	}
}

// Message IDs and the wire log are kept (an ID of 0 as 0, not as "unknown"); an entry
// without them, as older versions wrote, loads with none.
func TestMessageIDsAndTheWireLogAreKept(t *testing.T) {
	s := openTemp(t, Options{})
	zero, answered := uint16(0), uint16(0x7711)
	withIDs := sampleExchange(1)
	withIDs.Request.MessageID, withIDs.Response.MessageID = &zero, &answered
	withIDs.Wire = []coapengine.WireMessage{
		{Sent: true, Type: "CON", Code: codes.GET, MessageID: 0},
		{Sent: true, Type: "CON", Code: codes.GET, MessageID: 0, Retransmission: true, At: 2 * time.Second},
		{Type: "ACK", Code: codes.Empty, MessageID: 0, At: 2100 * time.Millisecond},
		{Type: "CON", Code: codes.Content, MessageID: 0x7711, At: 3 * time.Second, Block: "Block2 num 0 · last · 64 B"},
	}
	s.Append(withIDs)
	s.Append(sampleExchange(2))
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Request.MessageID == nil || *got.Request.MessageID != 0 || got.Response.MessageID == nil || *got.Response.MessageID != 0x7711 || !reflect.DeepEqual(got.Wire, withIDs.Wire) {
		t.Fatalf("kept request ID %v, response ID %v, wire %+v", got.Request.MessageID, got.Response.MessageID, got.Wire)
	}
	old, err := s.Get(2)
	if err != nil {
		t.Fatal(err)
	}
	if old.Request.MessageID != nil || old.Response.MessageID != nil || old.Wire != nil {
		t.Fatalf("an entry without IDs loaded with request ID %v, response ID %v, wire %+v", old.Request.MessageID, old.Response.MessageID, old.Wire)
	}
}
