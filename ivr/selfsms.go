package ivr

import (
	"context"
	"fmt"
	"strings"

	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// MaxLinkSMS is how many tracking-link messages one number may ask for by phone a day.
const MaxLinkSMS = 3

// Planner plans a message through the dialer (*dialer.Service).
type Planner interface {
	PlanOne(ctx context.Context, tx store.Tx, r dialer.Request) (int64, error)
}

// sendLink plans an SMS with the parcel's tracking link to the calling number, which the menu
// offers only when it is (in E.164) the recipient's: p.Recipient.Phone is that number. It is planned through the dialer like every message
// (opt-outs, the brand's SMS window: asked for at night, it is sent when the window opens),
// once per call (trigger hotline-sms:<call id>). It returns what the caller hears.
func (s *SelfService) sendLink(ctx context.Context, call callcenter.Call, p tracking.ParcelView, lg string, loc i18n.Locale) []int16 {
	s.init()
	key := "ivr.self.sms_sent"
	if ok, _ := s.smsPer.Allow(p.Recipient.Phone); !ok {
		key = "ivr.self.sms_limit"
	} else {
		name, _ := s.Settings.BrandName(ctx, call.BrandID)
		link := strings.TrimRight(s.PublicURL, "/") + "/track/" + p.ID
		req := dialer.Request{BrandID: call.BrandID, ParcelID: p.ID, Channel: dialer.SMS, To: p.Recipient.Phone,
			TimeZone: p.Recipient.TimeZone, Language: lg, TriggerRef: fmt.Sprintf("hotline-sms:%d", call.ID),
			Body: loc.T("ivr.self.sms_body", "brand", name, "link", link), NotBefore: s.now()}
		err := s.DB.WriteTx(ctx, func(tx store.Tx) error {
			_, err := s.SMS.PlanOne(ctx, tx, req)
			return err
		})
		if err != nil {
			s.Log.Error("self-service: tracking link not planned", "call", call.ID, "parcel", p.ID, "err", err)
			key = "ivr.self.sms_failed"
		}
	}
	a, _ := s.Prompts.Audio(ctx, call.BrandID, "selfservice.sms", lg, loc.T(key))
	return a
}

// resolve counts how the self-service ended (wismo_hotline_selfservice_total) and writes it on
// the call row (calls.self_service); a deflected call gets the disposition self_service.
func (s *SelfService) resolve(call callcenter.Call, outcome string) {
	if s.Count != nil {
		s.Count.WithLabelValues(outcome).Inc()
	}
	if s.DB == nil || call.ID == 0 {
		return
	}
	disposition := ""
	if outcome == OutcomeDeflected {
		disposition = DispositionSelfService
	}
	if _, err := s.DB.SQL.ExecContext(context.Background(), s.DB.Rebind(`UPDATE calls SET self_service = ?,
		disposition = CASE WHEN ? <> '' THEN ? ELSE disposition END WHERE id = ? AND brand_id = ?`),
		outcome, disposition, disposition, call.ID, call.BrandID); err != nil {
		s.Log.Error("self-service outcome not logged", "call", call.ID, "err", err)
	}
}
