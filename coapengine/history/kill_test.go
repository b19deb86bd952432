package history

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestKillDuringRecordingLosesAtMostTheLastBatch records in a child process, kills it with
// SIGKILL while it writes, and checks that the history opens cleanly with every batch the
// child had reported committed, and no partial batch.
func TestKillDuringRecordingLosesAtMostTheLastBatch(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), childEnv+"="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	reported := 0
	for reported < 3000 && lines.Scan() {
		f := strings.Fields(lines.Text())
		if len(f) != 2 || f[0] != "committed" {
			child.Process.Kill()
			t.Fatalf("child: %s", lines.Text())
		}
		reported, _ = strconv.Atoi(f[1])
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL: no deferred code runs
		t.Fatal(err)
	}
	child.Wait()
	if reported < 3000 {
		t.Fatalf("the child stopped early after %d", reported)
	}

	s, notice, err := Open(dir, Options{})
	if err != nil || notice != "" {
		t.Fatalf("reopening after kill -9: %v %q", err, notice)
	}
	defer s.Close()
	n, err := s.Count()
	if err != nil {
		t.Fatal(err)
	}
	if n < reported || n%killBatch != 0 {
		t.Fatalf("%d entries after the kill; the child had reported %d committed, in batches of %d", n, reported, killBatch)
	}
	page, err := s.List(context.Background(), Filter{}, 0, n)
	if err != nil || len(page.Entries) != n || page.Skipped != 0 {
		t.Fatalf("listing after the kill: %d entries, %d damaged, %v", len(page.Entries), page.Skipped, err)
	}
	for i, x := range page.Entries {
		want := sampleExchange(n - 1 - i)
		if x.URI != want.URI || !x.Start.Equal(want.Start) {
			t.Fatalf("entry %d is %s at %v, want %s at %v", x.ID, x.URI, x.Start, want.URI, want.Start)
		}
	}
	t.Logf("killed after %d reported; %d recorded", reported, n)
}
