// Package testwait waits, in tests, for a condition that other goroutines make true: a device
// dropping an observer, a session expiring. It polls, and fails the test after 5 seconds.
package testwait

import (
	"testing"
	"time"
)

// For polls cond until it holds, failing t with what after 5 s.
func For(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
