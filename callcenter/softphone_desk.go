package callcenter

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/telephony"
)

// msg is one JSON message on the desk's socket; "type" says which.
type msg map[string]any

// sink is the desk page's socket as the desk writes to it (the WebSocket adapter in
// http_softphone.go implements it).
type sink interface {
	send(m msg) error
	close(reason string)
}

// desk is one agent's desk page as the softphone keeps it: its socket (nil while the page
// reloads), a ringing call, the call in progress, and the timers that end what a vanished
// page left behind.
type desk struct {
	p       *Softphone
	agentID int64
	log     *slog.Logger

	mu      sync.Mutex
	user    access.User
	conn    sink
	ring    *pendingRing
	call    *deskCall
	pending *peer // a reattaching peer connection, until it connects
	reason  string
	last    int64       // the last call's id, for the wrap-up of a reloaded page
	grace   *time.Timer // ends the call when the page does not come back
	offline *time.Timer // puts the agent offline when the page does not come back
	wrap    *time.Timer // ends wrap-up at the limit
}

func (d *desk) userCopy() access.User {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.user
}

func (d *desk) connected() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.conn != nil
}

// send pushes m to the page if it is connected (a page that is away gets the whole state
// again when it comes back).
func (d *desk) send(m msg) {
	d.mu.Lock()
	c := d.conn
	d.mu.Unlock()
	if c == nil {
		return
	}
	if err := c.send(m); err != nil {
		d.log.Debug("desk socket write failed", "err", err)
	}
}

// attach makes c the desk's socket (a second tab takes over from the first) and sends the
// page everything it needs to show: state, queue, the ringing call, the call in progress.
func (d *desk) attach(ctx context.Context, c sink) {
	d.mu.Lock()
	old := d.conn
	d.conn = c
	if d.offline != nil {
		d.offline.Stop()
		d.offline = nil
	}
	ring, call, last := d.ring, d.call, d.last
	d.mu.Unlock()
	if old != nil {
		old.send(msg{"type": "replaced", "message": "the desk was opened in another tab or window"})
		old.close("replaced")
	}
	hello := msg{"type": "hello", "agent": msg{"id": d.agentID, "email": d.userCopy().Email},
		"ice_servers": d.p.iceServersJSON(), "wrap_up_limit_s": int(d.p.cfg.WrapUpLimit / time.Second),
		"dispositions": d.p.dispositions(), "queue": d.p.queueFor(d.userCopy())}
	for k, v := range d.stateMsg(ctx) {
		if k != "type" {
			hello[k] = v
		}
	}
	if ring != nil {
		hello["ringing"] = ring.info
	}
	if last != 0 {
		hello["last_call_id"] = last
	}
	if call != nil {
		hello["call"] = call.infoNow()
	}
	d.send(hello)
	d.log.Info("desk page connected", "in_call", call != nil)
}

// detach forgets socket c if it is still the desk's: a ringing call counts as not
// answered; a call in progress and the agent's state wait ReconnectGrace for the page.
func (d *desk) detach(c sink) {
	d.mu.Lock()
	if d.conn != c {
		d.mu.Unlock()
		return
	}
	d.conn = nil
	ring := d.ring
	grace := d.p.cfg.ReconnectGrace
	if d.offline == nil {
		d.offline = time.AfterFunc(grace, d.goOffline)
	}
	d.mu.Unlock()
	if ring != nil {
		ring.leave()
	}
	d.log.Info("desk page disconnected", "grace", grace)
	d.mediaCheck()
}

// goOffline puts an agent whose page did not come back offline; while a call still holds
// the agent it looks again a second later.
func (d *desk) goOffline() {
	ctx := d.p.c.base
	ag, err := d.p.c.Agents.Get(ctx, d.agentID)
	d.mu.Lock()
	d.offline = nil
	if d.conn != nil {
		d.mu.Unlock()
		return
	}
	if d.call != nil || d.ring != nil || (err == nil && (ag.State == OnCall || ag.State == Ringing)) {
		d.offline = time.AfterFunc(time.Second, d.goOffline)
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	if err != nil || ag.State == Offline {
		return
	}
	if err := d.p.c.Agents.SetState(ctx, d.agentID, Offline); err != nil {
		d.log.Warn("agent not set offline", "err", err)
		return
	}
	d.log.Info("desk page did not come back: agent offline")
}

// shutdown closes the page's socket and any peer connection (process exit).
func (d *desk) shutdown() {
	d.mu.Lock()
	c, call, pend := d.conn, d.call, d.pending
	d.conn = nil
	d.mu.Unlock()
	if pend != nil {
		pend.close()
	}
	if call != nil {
		call.leg.End(telephony.EndedMedia)
	}
	if c != nil {
		c.close("shutting down")
	}
}

// stateMsg is the agent's state as the page shows it: the state, since when, the pause
// reason, and when wrap-up ends.
func (d *desk) stateMsg(ctx context.Context) msg {
	var state string
	var since time.Time
	err := d.p.c.db.SQL.QueryRowContext(ctx, d.p.c.db.Rebind(`SELECT state, since FROM agent_states WHERE user_id = ?`), d.agentID).Scan(&state, &since)
	if err != nil {
		state, since = string(Offline), time.Now().UTC()
	}
	m := msg{"type": "state", "state": state, "since": since.UTC()}
	d.mu.Lock()
	if state == string(Paused) {
		m["reason"] = d.reason
	}
	d.mu.Unlock()
	if state == string(WrapUp) {
		m["wrap_up_until"] = since.Add(d.p.cfg.WrapUpLimit).UTC()
	}
	return m
}

// stateChanged pushes the new state and runs the wrap-up limit.
func (d *desk) stateChanged(s AgentState) {
	d.mu.Lock()
	if d.wrap != nil {
		d.wrap.Stop()
		d.wrap = nil
	}
	if s == WrapUp {
		d.wrap = time.AfterFunc(d.p.cfg.WrapUpLimit, d.wrapExpired)
	}
	d.mu.Unlock()
	d.send(d.stateMsg(d.p.c.base))
}

// wrapExpired makes an agent still in wrap-up available at the limit.
func (d *desk) wrapExpired() {
	ctx := d.p.c.base
	ag, err := d.p.c.Agents.Get(ctx, d.agentID)
	if err != nil || ag.State != WrapUp {
		return
	}
	d.log.Info("wrap-up limit reached without a disposition: agent available")
	d.send(msg{"type": "notice", "message": "Wrap-up time is over: you are available again."})
	if err := d.p.c.Agents.SetState(ctx, d.agentID, Available); err != nil && !errors.Is(err, ErrBadTransition) {
		d.log.Warn("agent not made available after wrap-up", "err", err)
	}
}

// setState is the page asking for available, paused (with a reason) or offline.
func (d *desk) setState(ctx context.Context, to AgentState, reason string) error {
	if to != Available && to != Paused && to != Offline {
		return errors.New("the page may set available, paused or offline")
	}
	if to == Paused && reason == "" {
		return errors.New("say why you pause")
	}
	d.mu.Lock()
	d.reason = reason
	d.mu.Unlock()
	return d.p.c.Agents.SetState(ctx, d.agentID, to)
}
