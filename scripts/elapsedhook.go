package scripts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// Elapsed-time triggers fire when nothing happened (docs/elapsed.md). Package elapsed arms
// them per parcel and sweeps what is due; here they are only validated and, once due, run
// like every other rule: condition, then the action (SMS, email, call or a case).

// elapsedN is each elapsed-time trigger's range of N (days, or failed attempts).
var elapsedN = map[string][2]int{"no_scan": {1, 90}, "past_promised": {0, 60}, "pickup_deadline": {0, 30},
	"failed_attempts": {1, 10}, "customs_held": {1, 60}}

// ElapsedTriggers are the elapsed-time trigger kinds.
func ElapsedTriggers() []string {
	return []string{"no_scan", "past_promised", "pickup_deadline", "failed_attempts", "customs_held"}
}

// IsElapsed reports whether trigger is an elapsed-time trigger.
func IsElapsed(trigger string) bool { _, ok := elapsedN[trigger]; return ok }

// validateElapsed checks what only elapsed-time triggers take: N, and phases for no_scan.
func (r *Rule) validateElapsed(add func(field, msg string)) {
	if !IsElapsed(r.Trigger) {
		if r.N != 0 {
			add("n", "only elapsed-time triggers ("+strings.Join(ElapsedTriggers(), ", ")+") take N")
		}
		return
	}
	if lim := elapsedN[r.Trigger]; r.N < lim[0] || r.N > lim[1] {
		unit := "days"
		if r.Trigger == "failed_attempts" {
			unit = "failed attempts"
		}
		add("n", fmt.Sprintf("%s needs N between %d and %d (%s), got %d", r.Trigger, lim[0], lim[1], unit, r.N))
	}
	for _, c := range r.Codes {
		switch {
		case r.Trigger != "no_scan":
			add("codes", r.Trigger+" takes no codes (only no_scan takes phases)")
			return
		case !slices.Contains(tracking.Phases(), tracking.Phase(c)):
			add("codes", fmt.Sprintf("%q is not a phase; no_scan takes phases such as customs or at_sorting_center", c))
		}
	}
	if r.Delay != 0 {
		add("delay", "an elapsed-time trigger waits by its N: leave the delay empty")
	}
}

// ElapsedFiring is one due elapsed-time trigger of one parcel.
type ElapsedFiring struct {
	BrandID, RuleID int64
	ParcelID        string
	Ref             string    // names the firing for good: the contact's or case request's trigger_ref
	DueAt           time.Time // the freshness limit counts from here, as from an event's time
}

// FireElapsed runs due elapsed-time rules inside tx (the sweep's transaction, which marks
// them fired): each rule that is still enabled evaluates its condition on its parcel and, if
// it holds and the news is fresh, plans its action. Contacts are unique by rule and Ref.
func (s *Service) FireElapsed(ctx context.Context, tx store.Tx, due []ElapsedFiring) error {
	var brands []int64
	for _, f := range due {
		if !slices.Contains(brands, f.BrandID) {
			brands = append(brands, f.BrandID)
		}
	}
	rules, err := s.loadRules(ctx, tx, brands)
	if err != nil {
		return err
	}
	b := newBatch(tx)
	for _, f := range due {
		i := slices.IndexFunc(rules[f.BrandID], func(r *compiledRule) bool { return r.ID == f.RuleID })
		if i < 0 || !rules[f.BrandID][i].Enabled || !IsElapsed(rules[f.BrandID][i].Trigger) {
			continue
		}
		r := rules[f.BrandID][i]
		n := news{msg: outbox.Message{BrandID: f.BrandID, ItemID: f.ParcelID}, at: f.DueAt, ref: f.Ref}
		n.env.Trigger = TriggerEnv{Kind: r.Trigger, N: r.N}
		if err := s.handleNews(ctx, b, n, []*compiledRule{r}); err != nil {
			return fmt.Errorf("elapsed rule %d on %s: %w", r.ID, f.ParcelID, err)
		}
	}
	if len(b.reqs) == 0 {
		return nil
	}
	return s.opts.Planner.Plan(ctx, tx, b.reqs)
}
