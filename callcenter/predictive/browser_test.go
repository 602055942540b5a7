package predictive

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wismo/wismo/telephony"
)

// fakeBrowsers is the desk softphone as sessions see it: which pages are connected, and the
// sessions asked for.
type fakeBrowsers struct {
	online map[int64]bool
	opened chan int64
}

func (f fakeBrowsers) Online(agent int64) bool { return f.online[agent] }

func (f fakeBrowsers) OpenSession(_ context.Context, agent int64) (*telephony.Leg, error) {
	f.opened <- agent
	return nil, errors.New("the page did not answer")
}

// TestBrowserAgentsGetTheirSessionInTheBrowser: with no SIP endpoint attached, an available
// agent whose desk page is connected gets the shift's session in the browser; a paused agent
// with a page and an available one without do not; an agent whose page did not answer is
// left alone for the backoff.
func TestBrowserAgentsGetTheirSessionInTheBrowser(t *testing.T) {
	e := newEnv(t, 3)
	e.state(t, e.agents[1], "paused", e.now)
	f := fakeBrowsers{online: map[int64]bool{e.agents[0]: true, e.agents[1]: true}, opened: make(chan int64, 10)}
	e.p.AttachBrowsers(f)
	e.allow(t)
	select {
	case a := <-f.opened:
		if a != e.agents[0] {
			t.Fatalf("session opened for agent %d, want the available agent with a page (%d)", a, e.agents[0])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no session opened in the browser of the available agent with a page")
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		e.p.s.mu.Lock()
		dialing := e.p.s.dialing[e.agents[0]]
		e.p.s.mu.Unlock()
		if !dialing {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the failed session is still dialling")
		}
	}
	e.allow(t)
	select {
	case a := <-f.opened:
		t.Fatalf("session opened again for agent %d within the backoff (or for another agent)", a)
	case <-time.After(200 * time.Millisecond):
	}
	if e.p.Sessions() != 0 {
		t.Errorf("sessions: %d, want none (the page did not answer)", e.p.Sessions())
	}
}
