package telephony

import (
	"net/netip"
	"time"

	"github.com/wismo/wismo/throttle"
)

// DefaultAuthMaxWait caps how long failed REGISTERs make a phone wait.
const DefaultAuthMaxWait = 5 * time.Minute

// authGuard slows down password guessing on REGISTER (issue 13, defect 5) without handing
// an attacker a way to lock a real phone out. It counts a failure only when the request
// answered a challenge we sent to its source address (the nonce is bound to it): a spoofed
// UDP source cannot earn failures for somebody else's address. Three counters, each a
// throttle.Backoff whose wait doubles up to a cap:
//
//   - (account, address), strict: 5 failures free, then 1 s doubling up to the cap. It is
//     what stops a guesser; only failures from that address slow that address down.
//   - account, from any address: 20 failures free. It bounds guessing spread over many
//     addresses.
//   - address, any account: 20 failures free. It bounds one address trying many accounts.
//
// A phone registered now for the account from the same address is held only to the strict
// counter, which only its own failures feed: however many addresses guess at its account,
// the real phone keeps registering. Every wait is capped, so nobody is locked out for good.
type authGuard struct {
	pair, account, addr *throttle.Backoff
}

func newAuthGuard(maxWait time.Duration, now throttle.Clock) *authGuard {
	if maxWait <= 0 {
		maxWait = DefaultAuthMaxWait
	}
	policy := func(free int) throttle.Policy {
		return throttle.Policy{Free: free, Base: time.Second, Max: maxWait, Forget: time.Hour}
	}
	return &authGuard{
		pair:    throttle.NewBackoff(policy(5), 0, now),
		account: throttle.NewBackoff(policy(20), 0, now),
		addr:    throttle.NewBackoff(policy(20), 0, now),
	}
}

func pairKey(user string, addr netip.Addr) string { return user + "\x00" + addr.String() }

// wait is how long user at addr must wait before its next attempt is looked at; known says
// the account's phone is registered from addr now.
func (g *authGuard) wait(user string, addr netip.Addr, known bool) time.Duration {
	w := g.pair.Wait(pairKey(user, addr))
	if !known {
		w = max(w, g.account.Wait(user), g.addr.Wait(addr.String()))
	}
	return w
}

// fail records a wrong secret (or an unknown account) from addr.
func (g *authGuard) fail(user string, addr netip.Addr) {
	g.pair.Fail(pairKey(user, addr))
	g.account.Fail(user)
	g.addr.Fail(addr.String())
}

// succeed forgets the failures of user at addr. The account's and the address's counters
// are left to forget by themselves: a success of the real phone must not give a guesser
// elsewhere a new set of free failures.
func (g *authGuard) succeed(user string, addr netip.Addr) {
	g.pair.Reset(pairKey(user, addr))
}
