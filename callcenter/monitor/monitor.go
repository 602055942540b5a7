// Package monitor is supervisors on live calls (issue 19 item 4; docs/monitoring.md): a
// supervisor or admin of a call's brand joins the bridged call from the browser as a third
// leg of its taps (telephony.Taps) and listens (nobody hears them), whispers (the agent
// hears them) or barges in (both do), switching without a break, and leaves. Every session
// is a row of monitor_sessions with who, when and each mode in order. The same taps carry
// three-way conferences (conference.go): a number or another agent of the brand that the
// agent adds joins as a barge leg.
//
// It guarantees: agents, brand managers, API keys and other brands' staff never get a
// supervisor's leg (403, or 404 for a call they may not see); one session per supervisor
// and call; a session's row is ended when the supervisor leaves, their page vanishes, or
// the call ends.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/rtcapi"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
)

// Errors of monitoring.
var (
	ErrForbidden = errors.New("only supervisors and admins of the call's brand may monitor calls")
	ErrNoCall    = errors.New("no such call in progress")
	ErrNoSession = errors.New("you are not on this call")
	ErrBusy      = errors.New("you are on this call already: switch the mode or leave")
	errBadOffer  = errors.New("sdp: not a WebRTC audio offer wismo can answer")
)

// LiveCalls finds a bridged call and its brand's telephony settings (callcenter.Center
// implements it).
type LiveCalls interface {
	LiveCall(id int64) (callcenter.LiveCall, bool)
	Brand(ctx context.Context, brand int64) (callcenter.BrandSettings, error)
}

// Session is one supervisor on one call, as the API shows it.
type Session struct {
	ID        int64        `json:"id"`
	BrandID   int64        `json:"brand_id"`
	CallID    int64        `json:"call_id"`
	UserID    int64        `json:"user_id"`
	Mode      string       `json:"mode"`
	Modes     []ModeChange `json:"modes"`
	StartedAt time.Time    `json:"started_at"`
	EndedAt   *time.Time   `json:"ended_at,omitempty"`
}

// ModeChange is a mode a session entered, and when.
type ModeChange struct {
	Mode string    `json:"mode"`
	At   time.Time `json:"at"`
}

// Service runs the monitoring sessions of this process.
type Service struct {
	db    *store.DB
	calls LiveCalls
	eng   *telephony.Endpoint
	api   *webrtc.API
	ice   []webrtc.ICEServer
	log   *slog.Logger
	base  context.Context // sessions outlive the request that started them

	transfers *transfer.Service // rings agents added to conferences (UseTransfers)

	mu       sync.Mutex
	sessions map[key]*live
	seq      int64
}

type key struct{ call, user int64 }

// live is a session in progress.
type live struct {
	s    Session
	leg  *telephony.Leg
	taps *telephony.Taps
	once sync.Once
}

// New returns the monitoring service: calls are found in calls; supervisors' WebRTC legs
// are made as the desk's are (rtcapi, the softphone's STUN/TURN, ports and addresses) and
// attached to eng. Sessions run under base, which outlives requests.
func New(base context.Context, db *store.DB, calls LiveCalls, eng *telephony.Endpoint, sc callcenter.SoftphoneConfig, log *slog.Logger) (*Service, error) {
	api, err := rtcapi.New(sc.IPFilter, sc.PortMin, sc.PortMax)
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	var ice []webrtc.ICEServer
	for _, u := range sc.ICEServers {
		ice = append(ice, rtcapi.ICEServer(u))
	}
	return &Service{db: db, calls: calls, eng: eng, api: api, ice: ice, log: log.With("component", "monitor"), base: base,
		sessions: map[key]*live{}}, nil
}

// mayMonitor is the role rule: supervisors and admins, never agents, brand managers or keys.
func mayMonitor(u *access.User) bool {
	return u != nil && (u.Role == access.RoleSupervisor || u.Role == access.RoleAdmin)
}

// find returns the live call id that u may monitor.
func (s *Service) find(u *access.User, scope access.Scope, callID int64) (callcenter.LiveCall, error) {
	if !mayMonitor(u) {
		return callcenter.LiveCall{}, ErrForbidden
	}
	lc, ok := s.calls.LiveCall(callID)
	if !ok || !scope.AllowsBrand(lc.BrandID) {
		return callcenter.LiveCall{}, ErrNoCall
	}
	return lc, nil
}

// Start joins u to call callID in mode with the page's WebRTC offer and returns the
// session and the SDP answer.
func (s *Service) Start(ctx context.Context, u *access.User, scope access.Scope, callID int64, mode telephony.TapMode, offer string) (Session, string, error) {
	lc, err := s.find(u, scope, callID)
	if err != nil {
		return Session{}, "", err
	}
	k := key{callID, u.ID}
	s.mu.Lock()
	_, busy := s.sessions[k]
	if !busy {
		s.sessions[k] = nil // reserved while the media is made
	}
	s.seq++
	n := s.seq
	s.mu.Unlock()
	if busy {
		return Session{}, "", ErrBusy
	}
	l, answerSDP, err := s.join(ctx, lc, u, mode, offer, n)
	s.mu.Lock()
	var out Session
	if err != nil {
		delete(s.sessions, k)
	} else {
		s.sessions[k] = l
		out = l.s // a copy before a PUT can change it
	}
	s.mu.Unlock()
	if err != nil {
		return Session{}, "", err
	}
	go s.watch(k, l)
	s.log.Info("supervisor joined a call", "call", callID, "user", u.ID, "mode", mode)
	return out, answerSDP, nil
}

// join makes the supervisor's leg, attaches it to the call's taps and logs the session.
func (s *Service) join(ctx context.Context, lc callcenter.LiveCall, u *access.User, mode telephony.TapMode, offer string, n int64) (*live, string, error) {
	stream, answerSDP, err := answer(ctx, s.api, s.ice, offer)
	if err != nil {
		return nil, "", err
	}
	leg := s.eng.AttachLeg(telephony.ExternalLeg{ID: fmt.Sprintf("monitor-%d-%d-%d", u.ID, lc.ID, n), From: u.Email,
		To: fmt.Sprintf("call:%d", lc.ID), Stream: stream, Remote: telephony.Media{Codec: media.PayloadPCMU}})
	stream.onGone(func() { leg.End(telephony.EndedMedia) }) // the page closed or vanished
	now := time.Now().UTC()
	l := &live{leg: leg, taps: lc.Taps, s: Session{BrandID: lc.BrandID, CallID: lc.ID, UserID: u.ID, Mode: mode.String(),
		Modes: []ModeChange{{Mode: mode.String(), At: now}}, StartedAt: now}}
	if err := s.insert(ctx, &l.s); err != nil {
		leg.End(telephony.EndedLocal)
		return nil, "", err
	}
	if err := lc.Taps.Attach(leg, mode); err != nil {
		s.finish(l)
		return nil, "", ErrNoCall // the call ended meanwhile
	}
	return l, answerSDP, nil
}

// watch ends the session when the supervisor's leg ends (left, page gone) or the call does.
func (s *Service) watch(k key, l *live) {
	select {
	case <-l.leg.Done():
	case <-l.taps.Done():
	}
	s.mu.Lock()
	if s.sessions[k] == l {
		delete(s.sessions, k)
	}
	s.mu.Unlock()
	s.finish(l)
}

// finish detaches and hangs up the supervisor's leg and ends the session's row, once.
func (s *Service) finish(l *live) {
	l.once.Do(func() {
		l.taps.Detach(l.leg)
		l.leg.Hangup(context.WithoutCancel(s.base), "")
		now := time.Now().UTC()
		if err := s.end(context.WithoutCancel(s.base), l.s.ID, now); err != nil {
			s.log.Error("monitoring session not ended in the log", "session", l.s.ID, "err", err)
		}
		s.log.Info("supervisor left a call", "call", l.s.CallID, "user", l.s.UserID)
	})
}

// session returns u's session on callID.
func (s *Service) session(u *access.User, scope access.Scope, callID int64) (*live, error) {
	if _, err := s.find(u, scope, callID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.sessions[key{callID, u.ID}]
	if l == nil {
		return nil, ErrNoSession
	}
	return l, nil
}

// SetMode switches u's session on callID to mode without a break.
func (s *Service) SetMode(ctx context.Context, u *access.User, scope access.Scope, callID int64, mode telephony.TapMode) (Session, error) {
	l, err := s.session(u, scope, callID)
	if err != nil {
		return Session{}, err
	}
	if err := l.taps.SetMode(l.leg, mode); err != nil {
		return Session{}, ErrNoSession
	}
	s.mu.Lock()
	l.s.Mode = mode.String()
	l.s.Modes = append(l.s.Modes, ModeChange{Mode: mode.String(), At: time.Now().UTC()})
	out := l.s
	out.Modes = append([]ModeChange(nil), l.s.Modes...)
	s.mu.Unlock()
	if err := s.update(ctx, out); err != nil {
		return Session{}, err
	}
	s.log.Info("supervisor switched mode", "call", callID, "user", u.ID, "mode", mode)
	return out, nil
}

// Stop ends u's session on callID.
func (s *Service) Stop(u *access.User, scope access.Scope, callID int64) error {
	l, err := s.session(u, scope, callID)
	if err != nil {
		return err
	}
	l.leg.Hangup(context.WithoutCancel(s.base), "") // watch finishes the session
	<-l.leg.Done()
	s.mu.Lock()
	delete(s.sessions, key{callID, u.ID})
	s.mu.Unlock()
	s.finish(l)
	return nil
}
