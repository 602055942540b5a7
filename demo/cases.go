package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// CaseOptions control the demo cases.
type CaseOptions struct {
	Cases     int                   // how many cases (200 for `make run`, 200_000 for benchmarks)
	Seed      int64                 // the same seed over the same parcels gives the same cases
	Now       time.Time             // cases open in the 30 days before Now, and nothing happens after it
	BatchSize int                   // cases per transaction; 0 means 500
	Progress  func(done, total int) // optional, called after each batch
}

// caseTypesByPhase are the queries customers raise at each phase of a parcel.
var caseTypesByPhase = map[tracking.Phase][]cases.CaseType{
	tracking.PhaseDelivered:  {cases.TypeDeliveredNotReceived, cases.TypeDamage, cases.TypeMissingContents, cases.TypeReturn, cases.TypeFeedback, cases.TypeComplaint},
	"customs":                {cases.TypeCustoms, cases.TypeCustoms, cases.TypeNonReceipt},
	"delivery_attempted":     {cases.TypeDeliveryChange, cases.TypeComplaint, cases.TypeNonReceipt},
	"out_for_delivery":       {cases.TypeDeliveryChange, cases.TypeDeliveryChange, cases.TypeNonReceipt},
	"ready_for_pickup":       {cases.TypeDeliveryChange, cases.TypeNonReceipt},
	tracking.PhaseReturning:  {cases.TypeReturn, cases.TypeComplaint},
	tracking.PhaseReturned:   {cases.TypeReturn, cases.TypeComplaint},
	tracking.PhaseRegistered: {cases.TypeNonReceipt, cases.TypeDeliveryChange},
}

// Cases opens demo cases about the parcels in db: types that fit each parcel's phase, every
// source and priority, and every status a case reaches (new, open, waiting for the customer,
// resolved, closed, reopened), with notes. Everything goes through the case tracker in
// batches, at past times, so numbers, SLA clocks, the log and the outbox are real. It
// returns how many cases it opened.
func Cases(ctx context.Context, opts CaseOptions, db *store.DB, cs *cases.CaseService, log *slog.Logger) (int, error) {
	if opts.Cases <= 0 {
		return 0, nil
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	batch := opts.BatchSize
	if batch <= 0 {
		batch = 500
	}
	parcels, err := loadParcels(ctx, db)
	if err != nil || len(parcels) == 0 {
		return 0, err
	}
	r := rand.New(rand.NewPCG(uint64(opts.Seed), 0xca5e5))
	r.Shuffle(len(parcels), func(i, j int) { parcels[i], parcels[j] = parcels[j], parcels[i] })
	start := time.Now()
	done := 0
	for done < opts.Cases {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		n := min(batch, opts.Cases-done)
		err := cs.Batch(ctx, func(b *cases.CaseBatch) error {
			for k := 0; k < n; k++ {
				if err := openDemoCase(b, r, parcels[(done+k)%len(parcels)], now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return done, fmt.Errorf("demo cases: %w", err)
		}
		done += n
		if opts.Progress != nil {
			opts.Progress(done, opts.Cases)
		}
	}
	log.Info("demo cases created", "cases", done, "took", time.Since(start).Round(time.Millisecond))
	return done, nil
}

func loadParcels(ctx context.Context, db *store.DB) ([]tracking.ParcelRef, error) {
	out, err := tracking.Refs(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("demo cases: %w", err)
	}
	return out, nil
}

var (
	demoSources    = []cases.Source{cases.SourceCall, cases.SourceCall, cases.SourceCall, cases.SourceEmail, cases.SourceFeedbackForm, cases.SourceAgent, cases.SourcePartnerPost}
	demoPriorities = []cases.Priority{cases.PriorityNormal, cases.PriorityNormal, cases.PriorityNormal, cases.PriorityHigh, cases.PriorityLow, cases.PriorityUrgent}
	demoQueues     = []string{"", "general", "customs", "claims", "delivery"}
	demoResolution = []string{"delivered", "redelivery_arranged", "information_given", "refund_issued", "duties_explained", "address_changed"}
	demoNotes      = []string{"Customer called, asked where the parcel is.", "Checked the tracking: the item is moving.",
		"Left a voicemail.", "Customer sent photos of the box.", "Explained the customs duty and how to pay it.",
		"Asked the delivery office to call the customer.", "Customer confirmed the new delivery date."}
	demoAgent = cases.Actor{Label: "user:agent@demo.wismo"}
)

// openDemoCase opens one case and walks it to a status drawn from a realistic mix.
func openDemoCase(b *cases.CaseBatch, r *rand.Rand, p tracking.ParcelRef, now time.Time) error {
	types := caseTypesByPhase[p.Phase]
	if types == nil {
		types = []cases.CaseType{cases.TypeNonReceipt, cases.TypeNonReceipt, cases.TypeCustoms, cases.TypeComplaint}
	}
	at := now.Add(-time.Duration(r.Int64N(int64(30 * 24 * time.Hour))))
	in := cases.CaseInput{Parcels: []string{p.ID}, Type: string(pick(r, types)), Source: string(pick(r, demoSources)),
		Priority: string(pick(r, demoPriorities)), Queue: pick(r, demoQueues), Note: pick(r, demoNotes)}
	if r.IntN(100) < 15 {
		first, last := pickS(r, enFirst), pickS(r, enLast)
		in.Contact = &cases.ContactInput{Name: first + " " + last, Email: emailLocal(first) + "." + emailLocal(last) + "@example.com"}
	}
	scope := access.Brands(p.BrandID)
	b.At(at)
	c, err := b.Open(scope, demoAgent, in)
	if err != nil {
		return fmt.Errorf("generator bug: case about %s: %w", p.ID, err)
	}
	// The statuses the case goes through, each a few hours after the previous one.
	var steps []cases.CasePatch
	status := func(s string) cases.CasePatch { return cases.CasePatch{Status: &s, Note: pick(r, demoNotes)} }
	resolve := func() cases.CasePatch {
		p := status("resolved")
		code := pick(r, demoResolution)
		p.ResolutionCode = &code
		return p
	}
	switch n := r.IntN(100); {
	case n < 15: // stays new
	case n < 40:
		steps = []cases.CasePatch{status("open")}
	case n < 50:
		steps = []cases.CasePatch{status("open"), status("waiting_customer")}
	case n < 75:
		steps = []cases.CasePatch{status("open"), resolve()}
	case n < 95:
		steps = []cases.CasePatch{status("open"), resolve(), status("closed")}
	default:
		steps = []cases.CasePatch{status("open"), resolve(), status("open")}
	}
	for _, st := range steps {
		at = at.Add(time.Duration(30+r.IntN(12*60)) * time.Minute)
		if at.After(now) {
			break
		}
		b.At(at)
		if _, err := b.Update(scope, demoAgent, c, st); err != nil {
			return fmt.Errorf("generator bug: case %s: %w", c.Number, err)
		}
	}
	return nil
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
