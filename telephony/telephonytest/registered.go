package telephonytest

import (
	"testing"
	"time"
)

// Locator finds where a registered phone is reached (telephony.Registrar implements it).
type Locator interface {
	Locate(user string) (string, bool)
}

// WaitRegistered waits up to 10 s for phone ph to register as user with reg, and fails the
// test with baresip's output otherwise.
func WaitRegistered(t testing.TB, reg Locator, user string, ph *Phone) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, ok := reg.Locate(user); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("phone %s did not register in 10 s:\n%s", user, ph.Output())
		}
	}
}
