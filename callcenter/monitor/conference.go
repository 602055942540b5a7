package monitor

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/transfer"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/telephony"
)

// ErrConferenceFailed is a number that did not answer, refused or could not be reached.
var ErrConferenceFailed = errors.New("the number did not join the call")

// conferenceRing bounds how long the added number rings.
const conferenceRing = 30 * time.Second

// e164 is a phone number as the trunk takes it (ITU-T E.164: at most 15 digits).
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Conference is a number added to a call (a row of call_transfers, kind conference).
type Conference struct {
	ID        int64      `json:"id"`
	CallID    int64      `json:"call_id"`
	To        string     `json:"to"`
	Outcome   string     `json:"outcome"`
	StartedAt time.Time  `json:"started_at"`
	EndedAt   *time.Time `json:"ended_at,omitempty"`
}

// AddNumber is the call's agent (or a supervisor or admin of its brand) adding an external
// number to call callID: it is dialled through the trunk with the brand's caller id and,
// once it answers, joins as a barge leg (all three talk). The attempt is logged in
// call_transfers with kind conference, completed or failed; the participant leaves when
// they hang up or the call ends.
func (s *Service) AddNumber(ctx context.Context, u *access.User, scope access.Scope, callID int64, to string) (Conference, error) {
	if u == nil {
		return Conference{}, ErrForbidden
	}
	lc, ok := s.calls.LiveCall(callID)
	if !ok || !scope.AllowsBrand(lc.BrandID) {
		return Conference{}, ErrNoCall
	}
	if u.ID != lc.AgentID && !mayMonitor(u) {
		return Conference{}, ErrForbidden
	}
	if !e164.MatchString(to) {
		return Conference{}, input.Invalid(input.Errorf("to", "must be a phone number in E.164 form, like +79131234567"))
	}
	settings, _ := s.calls.Brand(ctx, lc.BrandID)
	conf := Conference{CallID: callID, To: to, StartedAt: time.Now().UTC()}
	row := transfer.Transfer{BrandID: lc.BrandID, CallID: callID, Kind: "conference", FromAgentID: u.ID, ToNumber: to, StartedAt: conf.StartedAt}
	if err := transfer.Log(ctx, s.db, &row); err != nil {
		return Conference{}, fmt.Errorf("log conference on call %d: %w", callID, err)
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
	leg, err := s.eng.Dial(dctx, telephony.DialRequest{To: to, CallerID: settings.CallerID, RingTimeout: conferenceRing}, nil)
	if err == nil {
		if err = lc.Taps.Attach(leg, telephony.Barge); err != nil {
			leg.Hangup(context.WithoutCancel(s.base), "")
		}
	}
	if err != nil {
		now := time.Now().UTC()
		conf.Outcome, conf.EndedAt = "failed", &now
		s.endTransfer(row, "failed", &now)
		s.log.Info("conference number did not join", "call", callID, "err", err)
		return conf, fmt.Errorf("%w: %v", ErrConferenceFailed, err)
	}
	conf.Outcome = "completed"
	s.endTransfer(row, "completed", nil)
	s.log.Info("conference number joined", "call", callID, "by", u.ID)
	go func() {
		select {
		case <-leg.Done():
		case <-lc.Taps.Done():
		}
		lc.Taps.Detach(leg)
		leg.Hangup(context.WithoutCancel(s.base), "")
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

// conferenceRoutes mounts POST /api/v1/calls/:id/conference {"to": "+E.164"}.
func conferenceRoutes(r fiber.Router, s *Service) {
	r.Post("/api/v1/calls/:id/conference", func(c *fiber.Ctx) error {
		p, id, err := principal(c)
		if err != nil {
			return err
		}
		var in struct {
			To string `json:"to"`
		}
		if fe := input.Decode(c.Body(), &in); fe != nil {
			return errorsMap.Answer(c, input.Invalid(fe))
		}
		conf, err := s.AddNumber(c.UserContext(), p.User, p.Scope, id, in.To)
		if err != nil {
			return errorsMap.Answer(c, err)
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"conference": conf})
	})
}

var _ LiveCalls = (*callcenter.Center)(nil)
