// Package elapsed runs the rules on elapsed time (docs/elapsed.md): triggers that fire when
// nothing happened to a parcel — no scan for N days, past the promised date, N days before the
// pick-up deadline, N failed delivery attempts, held at customs for N days.
//
// It owns elapsed_due and elapsed_rule_arming (migration 00024). Every parcel carries one
// elapsed_due row per enabled elapsed rule of its brand that applies to it, with the time the
// rule becomes due; the row is re-armed by the outbox consumer elapsed.arm on every event of
// the parcel, and the sweep reads only rows that are due through a partial index. A row fires
// once: the sweep marks it fired in the transaction that plans the rule's action (through
// scripts.Service.FireElapsed, so SMS, email, calls and cases are those of every rule), and
// only a new event of the parcel (a new anchor) arms it again.
package elapsed

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/scripts/elapsedrules"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// Consumer is the outbox consumer that re-arms a parcel's elapsed rules on its news.
const Consumer = "elapsed.arm"

// Rules is what the sweep needs of the rules (scripts.Service).
type Rules interface {
	Rules(ctx context.Context, brand int64) ([]scripts.Rule, error)
	Settings(ctx context.Context, brand int64) (scripts.Settings, error)
	FireElapsed(ctx context.Context, tx store.Tx, due []scripts.ElapsedFiring) error
}

// Options tune the service; zero values take the defaults.
type Options struct {
	Now    func() time.Time
	Every  time.Duration // the sweep's tick (30 s)
	Batch  int           // due rows per sweep transaction (500)
	Outbox outbox.Policy
}

// Service arms and sweeps the elapsed-time rules.
type Service struct {
	db    *store.DB
	log   *slog.Logger
	rules Rules
	opts  Options
}

// New returns the service.
func New(db *store.DB, log *slog.Logger, rules Rules, opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Every <= 0 {
		opts.Every = 30 * time.Second
	}
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	return &Service{db: db, log: log, rules: rules, opts: opts}
}

func (s *Service) now() time.Time { return s.opts.Now().UTC() }

// finalPhases arm nothing: the parcel's journey is over.
var finalPhases = []tracking.Phase{tracking.PhaseDelivered, tracking.PhaseReturned, "cancelled"}

// state is what the triggers read of a parcel: its row, its pick-up deadline and its failed
// attempts, read in one statement for a page of parcels.
type state struct {
	id, phase, promised, zone, deadline string
	phaseAt, lastEvent                  *time.Time
	created                             time.Time
	attempts                            int
}

// anchor names the parcel's latest move: a row armed at another anchor is armed anew.
func (st state) anchor() string {
	if st.lastEvent == nil {
		return "created:" + st.created.UTC().Format(time.RFC3339Nano)
	}
	return st.lastEvent.UTC().Format(time.RFC3339Nano)
}

// localAt is 10:00 on day ymd plus days in zone: date-based triggers fire in the morning of
// the recipient.
func localAt(ymd string, days int, zone string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, ymd)
	if err != nil {
		return time.Time{}, false
	}
	loc, err := geo.LoadZone(zone)
	if err != nil {
		loc = time.UTC
	}
	d = d.AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, loc).UTC(), true
}

const day = 24 * time.Hour

// dueOf is when rule r becomes due for the parcel in st, and the anchor it is armed at; false
// when it does not apply (docs/elapsed.md defines each trigger).
func dueOf(r scripts.Rule, st state) (time.Time, string, bool) {
	if !r.Enabled || slices.Contains(finalPhases, tracking.Phase(st.phase)) {
		return time.Time{}, "", false
	}
	anchor := st.anchor()
	n := time.Duration(r.N) * day
	switch r.Trigger {
	case "no_scan":
		if len(r.Codes) > 0 && !slices.Contains(r.Codes, st.phase) {
			break
		}
		base := st.created
		if st.lastEvent != nil {
			base = *st.lastEvent
		}
		return base.Add(n).UTC(), anchor, true
	case "customs_held":
		if st.phase == "customs" && st.phaseAt != nil {
			return st.phaseAt.Add(n).UTC(), anchor, true
		}
	case "past_promised":
		if st.phase == string(tracking.PhaseReturning) {
			break
		}
		if at, ok := localAt(st.promised, 1+r.N, st.zone); ok {
			return at, anchor, true
		}
	case "pickup_deadline":
		if st.phase != "ready_for_pickup" {
			break
		}
		if at, ok := localAt(st.deadline, -r.N, st.zone); ok {
			return at, anchor + "|" + st.deadline, true
		}
	case "failed_attempts":
		if st.attempts >= r.N && st.lastEvent != nil {
			return st.lastEvent.UTC(), anchor, true
		}
	}
	return time.Time{}, "", false
}

// readStates reads the states of brand's parcels ids. (+brand_id: with hundreds of ids SQLite
// otherwise walks parcels_brand, every parcel of the brand, for each page.)
func (s *Service) readStates(ctx context.Context, q store.Tx, brand int64, ids []string) (map[string]state, error) {
	out := make(map[string]state, len(ids))
	for start := 0; start < len(ids); start += 500 {
		page := ids[start:min(start+500, len(ids))]
		args := []any{brand}
		for _, id := range page {
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, s.db.Rebind(`SELECT p.id, p.phase, p.phase_at, p.last_event_at, p.created_at, p.promised_date,
			p.time_zone, COALESCE(pp.deadline, ''),
			(SELECT COUNT(*) FROM events e WHERE e.item_id = p.id AND e.code = 'EMH' AND e.brand_id = p.brand_id)
			FROM parcels p LEFT JOIN pickup_points pp ON pp.item_id = p.id
			WHERE +p.brand_id = ? AND p.id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(page)), ",")+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("parcel states: %w", err)
		}
		for rows.Next() {
			var st state
			if err := rows.Scan(&st.id, &st.phase, &st.phaseAt, &st.lastEvent, &st.created, &st.promised, &st.zone, &st.deadline, &st.attempts); err != nil {
				rows.Close()
				return nil, fmt.Errorf("parcel states: %w", err)
			}
			out[st.id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// elapsedRules are brand's enabled elapsed-time rules.
func (s *Service) elapsedRules(ctx context.Context, brand int64) ([]scripts.Rule, error) {
	all, err := s.rules.Rules(ctx, brand)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(r scripts.Rule) bool { return !r.Enabled || !elapsedrules.Is(r.Trigger) }), nil
}

// Arm (re-)arms brand's elapsed rules for parcels ids inside tx: each applicable rule's row
// gets its due time; a row armed at the same anchor keeps whether it fired (a late scan that
// does not move the parcel does not fire it twice) unless the sweep set it aside as moved (its
// rule was off then: turned on again, it is due again); rows of rules that no longer apply go.
func (s *Service) Arm(ctx context.Context, tx store.Tx, brand int64, ids []string) error {
	rules, err := s.elapsedRules(ctx, brand)
	if err != nil {
		return err
	}
	return s.arm(ctx, tx, brand, ids, rules)
}

func (s *Service) arm(ctx context.Context, tx store.Tx, brand int64, ids []string, rules []scripts.Rule) error {
	if len(rules) == 0 { // most brands: nothing to arm, only rows of rules since turned off to drop
		return s.deleteRows(ctx, tx, `DELETE FROM elapsed_due WHERE brand_id = ? AND parcel_id IN `, brand, ids)
	}
	states, err := s.readStates(ctx, tx, brand, ids)
	if err != nil {
		return err
	}
	type armed struct {
		parcel, anchor string
		rule           int64
		due            time.Time
	}
	var rows []armed
	off := map[int64][]string{} // rule -> parcels it does not apply to
	for _, id := range ids {
		st, ok := states[id]
		for _, r := range rules {
			if !ok { // not this brand's parcel (or gone): leave its rows alone
				break
			}
			if due, anchor, ok := dueOf(r, st); ok {
				rows = append(rows, armed{id, anchor, r.ID, due})
			} else {
				off[r.ID] = append(off[r.ID], id)
			}
		}
	}
	err = s.db.BulkExec(ctx, tx, `INSERT INTO elapsed_due (parcel_id, rule_id, brand_id, due_at, anchor)`,
		`ON CONFLICT (parcel_id, rule_id) DO UPDATE SET due_at = excluded.due_at, anchor = excluded.anchor,
			fired_at = CASE WHEN elapsed_due.anchor = excluded.anchor AND elapsed_due.outcome <> 'moved' THEN elapsed_due.fired_at END,
			outcome = CASE WHEN elapsed_due.anchor = excluded.anchor AND elapsed_due.outcome <> 'moved' THEN elapsed_due.outcome ELSE '' END`,
		5, len(rows), nil, func(i int, dst []any) []any {
			r := rows[i]
			return append(dst, r.parcel, r.rule, brand, r.due, r.anchor)
		})
	if err != nil {
		return fmt.Errorf("arm: %w", err)
	}
	// Rows of rules that no longer apply, and of rules since turned off or deleted.
	for rule, list := range off {
		if err := s.deleteRows(ctx, tx, `DELETE FROM elapsed_due WHERE rule_id = ? AND parcel_id IN `, rule, list); err != nil {
			return err
		}
	}
	keep := make([]any, 0, len(rules)+1)
	keep = append(keep, brand)
	for _, r := range rules {
		keep = append(keep, r.ID)
	}
	return store.InChunks(s.db, ids, func(list string, args []any) error {
		_, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM elapsed_due WHERE brand_id = ? AND rule_id NOT IN (`+
			strings.TrimSuffix(strings.Repeat("?,", len(rules)), ",")+`) AND parcel_id IN (`+list+`)`), append(append([]any{}, keep...), args...)...)
		return err
	})
}

// deleteRows runs q (ending in "parcel_id IN ") with arg and ids, in chunks.
func (s *Service) deleteRows(ctx context.Context, tx store.Tx, q string, arg any, ids []string) error {
	return store.InChunks(s.db, ids, func(list string, args []any) error {
		_, err := tx.ExecContext(ctx, s.db.Rebind(q+"("+list+")"), append([]any{arg}, args...)...)
		return err
	})
}

// Handle is the elapsed.arm outbox handler: news of a parcel (an event, its registration or
// an update that may move its promised date) re-arms the parcel's rules.
func (s *Service) Handle(ctx context.Context, tx store.Tx, msgs []outbox.Message) error {
	byBrand := map[int64][]string{}
	var brands []int64
	for _, m := range msgs {
		switch m.Topic {
		case tracking.TopicTrackingEvent, tracking.TopicParcelCreated, tracking.TopicParcelUpdated:
		default:
			continue
		}
		if m.BrandID == 0 || m.ItemID == "" {
			continue
		}
		if _, ok := byBrand[m.BrandID]; !ok {
			brands = append(brands, m.BrandID)
		}
		if !slices.Contains(byBrand[m.BrandID], m.ItemID) {
			byBrand[m.BrandID] = append(byBrand[m.BrandID], m.ItemID)
		}
	}
	for _, b := range brands {
		if err := s.Arm(ctx, tx, b, byBrand[b]); err != nil {
			return err
		}
	}
	return nil
}
