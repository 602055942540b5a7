package transfer

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/telephony"
)

// Refer is a blind transfer an agent's SIP phone asks for with REFER (RFC 3515; baresip's
// "transfer <uri>") in the dialog of leg, its staff leg of a live call: referTo's user part
// is an agent's SIP username (that agent), else a number (an external transfer, if the brand
// allows it). The same rules and refusals as the desk's apply; done gets the final status
// for the phone's NOTIFY. telephony.Endpoint.OnRefer calls it.
func (s *Service) Refer(ctx context.Context, leg *telephony.Leg, referTo string, done func(status int)) error {
	lv := s.c.LiveOn(leg)
	if lv == nil || lv.Staff().Log.AgentID == 0 {
		return ErrNoCall
	}
	u := &access.User{ID: lv.Staff().Log.AgentID}
	user := referTo
	if _, rest, ok := strings.Cut(user, ":"); ok {
		user = rest
	}
	user, _, _ = strings.Cut(user, "@")
	user, _, _ = strings.Cut(user, ";")
	var t Target
	var id int64
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT id FROM users WHERE sip_username = ? AND disabled_at IS NULL`), user).Scan(&id)
	switch {
	case err == nil:
		t.AgentID = id
	case errors.Is(err, sql.ErrNoRows):
		t.Number = user
	default:
		return err
	}
	_, err = s.start(ctx, u, Request{Kind: Blind, Target: t}, done)
	return err
}
