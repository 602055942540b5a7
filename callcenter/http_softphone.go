package callcenter

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/pion/webrtc/v4"

	"github.com/wismo/wismo/access"
)

// Socket timing: the server pings, a page that answers nothing for deskReadTimeout is gone
// (a laptop that lost its network closes no TCP connection).
const (
	deskPing        = 15 * time.Second
	deskReadTimeout = 40 * time.Second
	deskWrite       = 5 * time.Second
	deskUserKey     = "wismo.softphone.user"
)

// softphoneRoutes mounts the desk page's socket:
//
//	GET /api/v1/agent/softphone  (WebSocket; session cookie; same-origin pages only)
//
// Messages are JSON objects with a "type"; docs/softphone.md lists them.
func softphoneRoutes(r fiber.Router, c *Center) {
	r.Get("/api/v1/agent/softphone", func(ctx *fiber.Ctx) error {
		p := c.phones
		if p == nil {
			return fiber.NewError(fiber.StatusNotFound, "the browser softphone is not enabled")
		}
		if p.closing() {
			return fiber.NewError(fiber.StatusServiceUnavailable, "shutting down: not taking new calls")
		}
		u, err := agentUser(ctx)
		if err != nil {
			return err
		}
		if !sameOrigin(ctx) {
			return fiber.NewError(fiber.StatusForbidden, "the softphone socket is open to wismo's own pages only (Origin mismatch)")
		}
		if !websocket.IsWebSocketUpgrade(ctx) {
			return fiber.NewError(fiber.StatusUpgradeRequired, "this is a WebSocket endpoint")
		}
		ctx.Locals(deskUserKey, *u)
		return ctx.Next()
	}, websocket.New(func(conn *websocket.Conn) {
		u, _ := conn.Locals(deskUserKey).(access.User)
		c.phones.serveSocket(conn, u)
	}))
}

// sameOrigin checks the browser's Origin against the host it asked (RFC 6455 §10.2: a
// server must check Origin, or any site could drive an agent's phone with their cookie).
func sameOrigin(ctx *fiber.Ctx) bool {
	o := ctx.Get(fiber.HeaderOrigin)
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == string(ctx.Request().Host())
}

// wsSink writes to one socket from its own goroutine, in order: call control, which
// pushes states and rings from its call goroutines, never waits for a slow page. A page
// that falls deskQueue messages behind is cut off (it reconnects and gets everything in
// hello).
type wsSink struct {
	mu     sync.Mutex
	conn   *websocket.Conn
	out    chan []byte
	done   chan struct{}
	closed sync.Once
}

const deskQueue = 256

func newSink(conn *websocket.Conn) *wsSink {
	s := &wsSink{conn: conn, out: make(chan []byte, deskQueue), done: make(chan struct{})}
	go s.write()
	return s
}

func (s *wsSink) write() {
	for {
		select {
		case <-s.done:
			return
		case b := <-s.out:
			s.mu.Lock()
			if s.isClosed() { // fiber reuses the Conn once the handler returned
				s.mu.Unlock()
				return
			}
			s.conn.SetWriteDeadline(time.Now().Add(deskWrite))
			err := s.conn.WriteMessage(websocket.TextMessage, b)
			s.mu.Unlock()
			if err != nil {
				s.close("write failed")
				return
			}
		}
	}
}

func (s *wsSink) send(m msg) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	select {
	case <-s.done:
		return errors.New("socket closed")
	case s.out <- b:
		return nil
	default:
		s.close("the page does not keep up")
		return errors.New("the page does not keep up")
	}
}

func (s *wsSink) close(reason string) {
	s.closed.Do(func() {
		close(s.done)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, reason), time.Now().Add(time.Second))
		s.conn.Close()
	})
}

func (s *wsSink) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func (s *wsSink) ping() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isClosed() {
		return errors.New("socket closed")
	}
	return s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(deskWrite))
}

// inbound is a message from the page.
type inbound struct {
	Type        string                   `json:"type"`
	CallID      int64                    `json:"call_id"`
	SDP         string                   `json:"sdp"`
	Candidate   *webrtc.ICECandidateInit `json:"candidate"`
	State       string                   `json:"state"`
	Reason      string                   `json:"reason"`
	On          bool                     `json:"on"`
	Music       bool                     `json:"music"`
	To          string                   `json:"to"`
	BrandID     int64                    `json:"brand_id"`
	ParcelID    string                   `json:"parcel_id"`
	Disposition string                   `json:"disposition"`
	Note        string                   `json:"note"`
	Then        string                   `json:"then"`
	CallbackAt  time.Time                `json:"callback_at"`
}

// serveSocket runs one desk page's socket until it closes.
func (p *Softphone) serveSocket(conn *websocket.Conn, u access.User) {
	d := p.deskOf(u.ID, u)
	s := newSink(conn)
	defer s.close("bye")
	ctx := p.c.base
	conn.SetReadLimit(64 << 10)
	conn.SetReadDeadline(time.Now().Add(deskReadTimeout))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(deskReadTimeout)) })
	d.attach(ctx, s)
	defer d.detach(s)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		t := time.NewTicker(deskPing)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if s.ping() != nil {
					return
				}
			}
		}
	}()
	for {
		_, b, err := conn.ReadMessage()
		if err != nil {
			return
		}
		conn.SetReadDeadline(time.Now().Add(deskReadTimeout))
		var in inbound
		if err := json.Unmarshal(b, &in); err != nil {
			d.send(msg{"type": "error", "message": "messages are JSON objects with a type"})
			continue
		}
		if err := d.handle(ctx, in); err != nil {
			d.send(msg{"type": "error", "for": in.Type, "message": err.Error()})
		}
	}
}

// handle runs one message from the page.
func (d *desk) handle(ctx context.Context, in inbound) error {
	switch in.Type {
	case "accept":
		return d.accept(in.CallID, in.SDP)
	case "decline":
		d.mu.Lock()
		pr := d.ring
		d.mu.Unlock()
		if pr == nil || pr.callID != in.CallID {
			return errNotRinging
		}
		pr.decline()
	case "offer":
		return d.reattach(in.SDP)
	case "ice":
		if in.Candidate != nil {
			return d.addICE(*in.Candidate)
		}
	case "hangup":
		d.hangup()
	case "hold":
		return d.hold(in.On, in.Music)
	case "state":
		s, err := ParseAgentState(in.State)
		if err != nil {
			return err
		}
		return d.setState(ctx, s, in.Reason)
	case "dial":
		return d.dial(ctx, in)
	case "wrap_up":
		return d.wrapUp(ctx, in)
	case "ping":
		d.send(msg{"type": "pong"})
	default:
		return errors.New("unknown message type " + in.Type)
	}
	return nil
}

// dial is a preview call the agent places from the page (dial box, click-to-call): the
// page rings first and answers by itself, then the customer is dialled.
func (d *desk) dial(ctx context.Context, in inbound) error {
	u := d.userCopy()
	if in.To == "" {
		return errors.New("enter a number to call")
	}
	brand, err := access.ScopeOf(&u).WriteBrand(in.BrandID)
	if err != nil {
		return errors.New("choose a brand you work for")
	}
	ag, err := d.p.c.Agents.Get(ctx, d.agentID)
	if err != nil {
		return err
	}
	if ag.State != Available {
		return errors.New("be available to place a call (now " + string(ag.State) + ")")
	}
	parcel, err := d.p.c.parcelOf(ctx, brand, in.ParcelID)
	if errors.Is(err, ErrUnknownParcel) {
		return errors.New("no parcel " + in.ParcelID + " for this brand")
	}
	if err != nil {
		return err
	}
	to, err := d.p.c.numberToDial(ctx, brand, parcel, in.To)
	if errors.Is(err, ErrBadNumber) {
		return errors.New(strings.TrimPrefix(err.Error(), "invalid: to: "))
	}
	if err != nil {
		return err
	}
	req := OutboundRequest{AgentID: d.agentID, BrandID: brand, ParcelID: parcel, To: to}
	c := d.p.c
	go func() {
		if _, err := c.Preview(c.base, req); err != nil {
			d.log.Warn("preview call not placed", "err", err)
			d.send(msg{"type": "error", "for": "dial", "message": "The call was not placed: " + err.Error()})
		}
	}()
	return nil
}

// wrapUp records the disposition (and note) of the agent's last call and ends wrap-up:
// available again, or paused when the page asks for it (then = "pause", with a reason).
func (d *desk) wrapUp(ctx context.Context, in inbound) error {
	u := d.userCopy()
	scope := access.ScopeOf(&u)
	call, err := d.p.c.Calls.Get(ctx, scope, in.CallID)
	if err != nil {
		return err
	}
	// A call that never connected (busy, no answer, failed) has nothing to dispose of: the
	// dialer's attempt algorithm already has its outcome. Its note is kept, and the agent
	// goes on; refusing here left the agent in wrap-up until the limit.
	if call.Outcome == Answered {
		if err := d.p.c.Calls.Dispose(ctx, scope, in.CallID, in.Disposition, in.CallbackAt); err != nil {
			return err
		}
	}
	if in.Note != "" {
		if err := d.p.c.Calls.SetNote(ctx, scope, in.CallID, in.Note); err != nil {
			return err
		}
	}
	next := Available
	if in.Then == "pause" {
		next = Paused
	}
	return d.setState(ctx, next, in.Reason)
}
