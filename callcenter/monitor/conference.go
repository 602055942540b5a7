package monitor

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/telephony"
)

// ErrConferenceFailed is a number or agent that did not answer, refused or could not be
// reached.
var ErrConferenceFailed = errors.New("the participant did not join the call")

// conferenceRing bounds how long the added number or agent rings.
const conferenceRing = 30 * time.Second

// e164 is a phone number as the trunk takes it (ITU-T E.164: at most 15 digits).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Conference is a number or an agent added to a call (a row of call_transfers, kind
// conference).
type Conference struct {
	ID        int64      `json:"id"`
	CallID    int64      `json:"call_id"`
	To        string     `json:"to,omitempty"`
	AgentID   int64      `json:"agent_id,omitempty"`
	Outcome   string     `json:"outcome"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
}

// UseTransfers lets conferences add agents: t checks, reserves and rings them as it does
// transfer targets (without it AddAgent answers ErrConferenceFailed).
func (s *Service) UseTransfers(t *transfer.Service) { s.transfers = t }

// party is who a conference adds: dial places their leg (answered, or an error); leave
// hangs up the answered leg once it left or the call ended; cancel releases them when they
// were never dialled.
type party struct {
	dial   func(ctx context.Context) (*telephony.Leg, error)
	leave  func(leg *telephony.Leg)
	cancel func()
}

// conferenceCall is the live call callID that u may add a participant to: the call's agent,
// or a supervisor or admin of its brand.
func (s *Service) conferenceCall(u *access.User, scope access.Scope, callID int64) (callcenter.LiveCall, error) {
	if u == nil {
		return callcenter.LiveCall{}, ErrForbidden
	}
	lc, ok := s.calls.LiveCall(callID)
	if !ok || !scope.AllowsBrand(lc.BrandID) {
		return callcenter.LiveCall{}, ErrNoCall
	}
	if u.ID != lc.AgentID && !mayMonitor(u) {
		return callcenter.LiveCall{}, ErrForbidden
	}
	return lc, nil
}

// AddNumber is the call's agent (or a supervisor or admin of its brand) adding an external
// number to call callID: it is dialled through the trunk with the brand's caller id and,
// once it answers, joins as a barge leg (all three talk). The attempt is logged in
// call_transfers with kind conference, completed or failed; the participant leaves when
// they hang up or the call ends.
func (s *Service) AddNumber(ctx context.Context, u *access.User, scope access.Scope, callID int64, to string) (Conference, error) {
	lc, err := s.conferenceCall(u, scope, callID)
	if err != nil {
		return Conference{}, err
	}
	if !e164.MatchString(to) {
		return Conference{}, input.Invalid(input.Errorf("to", "must be a phone number in E.164 form, like +79131234567"))
	}
	settings, _ := s.calls.Brand(ctx, lc.BrandID)
	return s.add(lc, u, Conference{To: to}, party{
		dial: func(ctx context.Context) (*telephony.Leg, error) {
			return s.eng.Dial(ctx, telephony.DialRequest{To: to, CallerID: settings.CallerID, RingTimeout: conferenceRing}, nil)
		},
		leave:  func(leg *telephony.Leg) { leg.Hangup(context.WithoutCancel(s.base), "") },
		cancel: func() {},
	})
}

// AddAgent is AddNumber for another agent of the call's brand: checked, reserved and rung on
// their desk page or SIP phone as a transfer's target agent is (callcenter/transfer); once
// they answer they join as a barge leg, on_call until they leave or the call ends, then
// available. Refusals name agent_id (422); an agent who is not available is ErrBusy (409).
func (s *Service) AddAgent(ctx context.Context, u *access.User, scope access.Scope, callID, agentID int64) (Conference, error) {
	lc, err := s.conferenceCall(u, scope, callID)
	if err != nil {
		return Conference{}, err
	}
	if s.transfers == nil || lc.Live == nil {
		return Conference{}, fmt.Errorf("%w: agents cannot be added here", ErrConferenceFailed)
	}
	p, err := s.transfers.ReserveParticipant(ctx, lc.Live, u.ID, agentID)
	var fe *transfer.FieldError
	switch {
	case errors.As(err, &fe):
		return Conference{}, input.Invalid(input.Errorf(fe.Field, "%s", fe.Message))
	case err != nil:
		return Conference{}, err
	}
	down := context.WithoutCancel(s.base)
	return s.add(lc, u, Conference{AgentID: agentID}, party{
		dial:   func(ctx context.Context) (*telephony.Leg, error) { return p.Ring(ctx, conferenceRing) },
		leave:  func(*telephony.Leg) { p.Leave(down) },
		cancel: func() { p.Release(down) },
	})
}

// add logs conf's attempt on lc, dials the party (the call ending stops the ringing) and
// attaches the answered leg to the call's taps as a barge leg until either ends.
func (s *Service) add(lc callcenter.LiveCall, u *access.User, conf Conference, p party) (Conference, error) {
	conf.CallID, conf.StartedAt = lc.ID, time.Now().UTC()
	row := transfer.Transfer{BrandID: lc.BrandID, CallID: lc.ID, Kind: "conference", FromAgentID: u.ID, ToAgentID: conf.AgentID,
		ToNumber: conf.To, StartedAt: conf.StartedAt}
	if err := transfer.Log(s.base, s.db, &row); err != nil {
		p.cancel()
		return Conference{}, fmt.Errorf("log conference on call %d: %w", lc.ID, err)
	}
	conf.ID = row.ID
	dctx, cancel := context.WithCancel(s.base)
	defer cancel()
	go func() { // the call ending stops the ringing
		select {
		case <-lc.Taps.Done():
			cancel()
		case <-dctx.Done():
		}
	}()
	leg, err := p.dial(dctx)
	if err == nil {
		if err = lc.Taps.Attach(leg, telephony.Barge); err != nil {
			p.leave(leg)
		}
	}
	if err != nil {
		now := time.Now().UTC()
		conf.Outcome, conf.EndedAt = "failed", &now
		s.endTransfer(row, "failed", &now)
		s.log.Info("conference participant did not join", "call", lc.ID, "to", conf.To, "agent", conf.AgentID, "err", err)
		return conf, fmt.Errorf("%w: %v", ErrConferenceFailed, err)
	}
	conf.Outcome = "completed"
	s.endTransfer(row, "completed", nil)
	s.log.Info("conference participant joined", "call", lc.ID, "by", u.ID, "agent", conf.AgentID)
	go func() {
		select {
		case <-leg.Done():
		case <-lc.Taps.Done():
		}
		lc.Taps.Detach(leg)
		p.leave(leg)
		now := time.Now().UTC()
		s.endTransfer(row, "", &now)
	}()
	return conf, nil
}

// endTransfer sets a conference row's outcome (when given) and end (when given).
func (s *Service) endTransfer(row transfer.Transfer, outcome string, at *time.Time) {
	if err := transfer.Finish(s.base, s.db, row.ID, row.BrandID, outcome, at); err != nil {
		s.log.Error("conference not logged", "row", row.ID, "err", err)
	}
}

var _ LiveCalls = (*callcenter.Center)(nil)
