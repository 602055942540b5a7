package telephony

import "time"

// SetRegistrarClock moves the registrar's clock (nonce lifetimes, bindings, backoff waits).
func SetRegistrarClock(e *Endpoint, now func() time.Time) { e.reg.setClock(now) }

// BreakUDP closes the endpoint's UDP socket under it, as a socket killed from outside
// (ss -K) or a failing network would.
func BreakUDP(e *Endpoint) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.socks.udp.Close()
}
