package scripts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// Consumer is the outbox consumer name of the rules.
const Consumer = "scripts.rules"

// news is one outbox message as the rules see it.
type news struct {
	msg      outbox.Message
	triggers map[string][]string // trigger kind -> the codes it fires with
	event    *tracking.EventView
	at       time.Time // when it happened, for the freshness limit
	env      Env
	ref      string // the trigger_ref of what it plans; "" is "outbox:" and the message's ref
}

// Handle is the rules' outbox handler: it runs inside the consumer's transaction, so the
// contacts it plans commit together with the cursor — each piece of news plans its
// contacts exactly once, whatever crashes.
func (s *Service) Handle(ctx context.Context, tx store.Tx, msgs []outbox.Message) error {
	var brands []int64
	for _, m := range msgs {
		if !slices.Contains(brands, m.BrandID) {
			brands = append(brands, m.BrandID)
		}
	}
	for _, b := range brands {
		if err := s.ensureFlow(ctx, tx, b); err != nil {
			return err
		}
	}
	rules, err := s.loadRules(ctx, tx, brands)
	if err != nil {
		return err
	}
	b := newBatch(tx)
	for _, m := range msgs {
		n, ok := decodeNews(m)
		if !ok {
			continue
		}
		var fire []*compiledRule
		for _, r := range rules[m.BrandID] {
			for kind, codes := range n.triggers {
				if r.fires(kind, codes...) {
					fire = append(fire, r)
					break
				}
			}
		}
		if len(fire) == 0 {
			continue
		}
		if err := s.handleNews(ctx, b, n, fire); err != nil {
			return fmt.Errorf("rules on outbox message %s: %w", m.Ref(), err)
		}
	}
	if len(b.reqs) == 0 {
		return nil
	}
	return s.opts.Planner.Plan(ctx, tx, b.reqs)
}

// decodeNews reads the triggers a message carries.
func decodeNews(m outbox.Message) (news, bool) {
	n := news{msg: m, triggers: map[string][]string{}, at: m.CreatedAt}
	switch m.Topic {
	case "tracking.event":
		ch, err := tracking.DecodeEventChange(m.Payload)
		if err != nil || ch.Status != tracking.StatusAccepted {
			return n, false // a corrected event is not news
		}
		ev := ch.Event
		n.event, n.at = &ev, ev.OccurredAt
		n.triggers["event"] = []string{ev.Code}
		if ch.PhaseBefore != ch.PhaseAfter {
			n.triggers["phase"] = []string{string(ch.PhaseAfter)}
		}
		n.env.Event = EventEnv{Code: ev.Code, Phase: string(ev.Phase), Reason: ev.Reason, Action: ev.Action, Location: ev.Location,
			Country: ev.Country, Late: ch.LateAttached}
		n.env.Trigger = TriggerEnv{Kind: "event", PhaseBefore: string(ch.PhaseBefore), PhaseAfter: string(ch.PhaseAfter)}
	case dialer.TopicCallOutcome:
		var o dialer.CallOutcome
		if json.Unmarshal(m.Payload, &o) != nil {
			return n, false
		}
		n.triggers["call_outcome"] = []string{o.Outcome, o.Disposition}
		n.env.Call = CallEnv{Outcome: o.Outcome, Disposition: o.Disposition, Attempt: o.Attempt, Final: o.Final, CampaignID: int(o.CampaignID)}
		n.env.Trigger.Kind = "call_outcome"
	case cases.TopicCaseOpened, cases.TopicCaseStatusChanged, cases.TopicCaseSLABreached:
		var c cases.CaseChange
		if json.Unmarshal(m.Payload, &c) != nil {
			return n, false
		}
		switch m.Topic {
		case cases.TopicCaseOpened:
			n.triggers["case_opened"] = []string{string(c.Type)}
		case cases.TopicCaseStatusChanged:
			n.triggers["case_status"] = []string{string(c.Status)}
		default:
			n.triggers["case_sla_breached"] = []string{c.Timer}
		}
		n.env.Case = CaseEnv{Number: c.Number, Type: string(c.Type), Status: string(c.Status), PreviousStatus: string(c.PreviousStatus),
			Priority: string(c.Priority), Timer: c.Timer}
		n.env.Trigger.Kind = strings.TrimPrefix(m.Topic, "case.")
	default:
		return n, false
	}
	return n, true
}

// handleNews checks freshness, builds the rules' data and runs the rules that fire.
func (s *Service) handleNews(ctx context.Context, b *batch, n news, fire []*compiledRule) error {
	now := s.now()
	set, err := b.setting(ctx, s, n.msg.BrandID)
	if err != nil {
		return err
	}
	if age := now.Sub(n.at); age > time.Duration(set.FreshLimit) {
		s.log.Debug("news too old to contact anyone", "item", n.msg.ItemID, "age", age.Round(time.Minute))
		return nil
	}
	p, err := s.opts.Parcels.Parcel(ctx, access.Brands(n.msg.BrandID), n.msg.ItemID)
	if tracking.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if n.event != nil {
		for _, e := range p.Events {
			if e.OccurredAt.After(n.event.OccurredAt) {
				s.log.Debug("event older than the parcel's latest: silent", "item", p.ID, "code", n.event.Code)
				return nil
			}
		}
	}
	env := envFor(p, now)
	env.Event, env.Trigger, env.Call, env.Case = n.env.Event, n.env.Trigger, n.env.Call, n.env.Case
	if n.event != nil {
		env.Event.AgeHours = now.Sub(n.event.OccurredAt).Hours()
	}
	if needsHistory(fire) {
		if env.Contacts, err = s.history(ctx, b, n.msg.BrandID, p.ID, now); err != nil {
			return err
		}
	}
	for _, r := range fire {
		ok, err := evaluate(ctx, r.prog, env)
		if err != nil && ctx.Err() != nil {
			return err // wismo is stopping: the news is handled again after the restart
		}
		if err != nil {
			// Over budget or failing on this parcel's data: this rule does not fire, the
			// others do. Failing the message would hold every rule of the news back.
			s.log.Warn("rule condition failed to run; skipped", "rule", r.ID, "brand", r.BrandID, "err", err)
			continue
		}
		if !ok {
			continue
		}
		c, err := s.act(ctx, b, r, n, p, set, now)
		if err != nil {
			return err
		}
		if c != nil {
			env.Contacts = append(env.Contacts, *c)
			b.planned[p.ID] = append(b.planned[p.ID], *c)
		}
	}
	return nil
}

func needsHistory(rules []*compiledRule) bool {
	for _, r := range rules {
		if strings.Contains(r.Condition, "contacts") {
			return true
		}
	}
	return false
}

// history is the parcel's contacts so far, with template and rule names: those stored, and
// those planned earlier in this batch.
func (s *Service) history(ctx context.Context, b *batch, brand int64, parcel string, now time.Time) ([]ContactEnv, error) {
	past, err := s.opts.Planner.History(ctx, b.tx, parcel)
	if err != nil {
		return nil, err
	}
	var out []ContactEnv
	if len(past) > 0 {
		names, err := b.nameMaps(ctx, s, brand)
		if err != nil {
			return nil, err
		}
		out = contactsEnv(past, names[0], names[1], now)
	}
	return append(out, b.planned[parcel]...), nil
}
