package uiqueue

import "testing"

func TestQueuedWorkRunsInOrderOnTheDrainingGoroutine(t *testing.T) {
	q := New()
	var got []int
	done := make(chan struct{})
	go func() {
		q.Do(func() { got = append(got, 1) })
		q.Do(func() {
			got = append(got, 2)
			q.Do(func() { got = append(got, 3) })
		})
		close(done)
	}()
	<-done
	if len(got) != 0 {
		t.Fatal("work ran before the queue was drained")
	}
	q.WaitFor(t, "all three", func() bool { return len(got) == 3 })
	if got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("order %v", got)
	}
}
