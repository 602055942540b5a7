package scripts

import (
	"context"
	"slices"
	"time"

	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

// ElapsedFiring is one due elapsed-time rule of one parcel (package elapsed): Ref names it for
// good (the trigger_ref of what it plans); the freshness limit counts from DueAt.
type ElapsedFiring struct {
	BrandID, RuleID int64
	ParcelID, Ref   string
	DueAt           time.Time
}

// FireElapsed runs due elapsed-time rules like news inside tx (the sweep's, which marks them
// fired): each still enabled runs its condition and action on its parcel.
func (s *Service) FireElapsed(ctx context.Context, tx store.Tx, due []ElapsedFiring) error {
	var brands []int64
	for _, f := range due {
		brands = append(brands, f.BrandID)
	}
	rules, err := s.loadRules(ctx, tx, slices.Compact(slices.Sorted(slices.Values(brands))))
	b := newBatch(tx)
	for _, f := range due {
		for _, r := range rules[f.BrandID] {
			if n := (news{msg: outbox.Message{BrandID: f.BrandID, ItemID: f.ParcelID}, at: f.DueAt, ref: f.Ref}); err == nil && r.ID == f.RuleID && r.Enabled {
				n.env.Trigger = TriggerEnv{Kind: r.Trigger, N: r.N}
				err = s.handleNews(ctx, b, n, []*compiledRule{r})
			}
		}
	}
	if err != nil || len(b.reqs) == 0 {
		return err
	}
	return s.opts.Planner.Plan(ctx, tx, b.reqs)
}
