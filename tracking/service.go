package tracking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/jsonw"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

// MaxBatch is the most items one API call may carry.
const MaxBatch = 10000

// Service is the parcel and tracking-event service.
type Service struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time

	items *prometheus.CounterVec

	transitMu    sync.Mutex
	transitCache map[transitKey]transitEntry

	// expect sets a view's expected date (SetExpecter; nil: none).
	expect func(*ParcelView)
}

// SetExpecter makes Parcel fill in every view's expected date with fn (package eta).
func (s *Service) SetExpecter(fn func(*ParcelView)) { s.expect = fn }

type transitKey struct {
	brand        int64
	origin, dest string
	lvl          ServiceLevel
}

type transitEntry struct {
	days    int
	expires time.Time
}

// NewService returns the cases service. reg may be nil.
func NewService(db *store.DB, log *slog.Logger, reg prometheus.Registerer) *Service {
	s := &Service{db: db, log: log.With("domain", "cases"), now: func() time.Time { return time.Now().UTC() },
		transitCache: map[transitKey]transitEntry{},
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wismo_ingest_items_total", Help: "Ingested parcels and events by result.",
		}, []string{"kind", "status"}),
	}
	if reg != nil {
		reg.MustRegister(s.items)
	}
	return s
}

// SetClock replaces the service's clock (tests and the demo generator).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// ParcelItem is one item of a parcel batch: a decoded input, or the error that stopped its
// decoding.
type ParcelItem struct {
	Input ParcelInput
	Err   *input.FieldError
}

// EventItem is one item of an event batch.
type EventItem struct {
	Input EventInput
	Err   *input.FieldError
}

// inTx runs fn in a write transaction, retrying when a concurrent writer won a race (a
// unique violation, a serialization failure or a deadlock): the retry sees that writer's rows.
func (s *Service) inTx(ctx context.Context, fn func(tx store.Tx) error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		if err = s.db.WriteTx(ctx, fn); err == nil {
			return nil
		}
		if !store.Retryable(err) || ctx.Err() != nil {
			return err
		}
		retries.Add(1)
		s.log.Debug("retrying batch after a concurrent write", "attempt", attempt+1, "err", err)
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	return err
}

// retries counts batches retried after a concurrent write (benchmarks report it).
var retries atomic.Int64

func (s *Service) count(kind string, results []Result) {
	for _, r := range results {
		s.items.WithLabelValues(kind, string(r.Status)).Inc()
	}
}

// UpsertParcels creates or updates parcels for the scope's brand (operators name the brand
// in each item). Each item gets a result; rejected items do not stop the others.
func (s *Service) UpsertParcels(ctx context.Context, scope access.Scope, items []ParcelItem) ([]Result, error) {
	if _, _, isPost := scope.Post(); isPost {
		return nil, fmt.Errorf("partner posts push events, not parcels: %w", ErrForbidden)
	}
	brand, err := scope.WriteBrand(0) // operators name the brand in each item instead
	if err != nil && !scope.All() {
		return nil, fmt.Errorf("parcels need one brand: %w", ErrForbidden)
	}
	now := s.now()
	results := make([]Result, len(items))
	valid := make([]*Parcel, len(items))
	var ids []string
	for i := range items {
		results[i] = Result{Index: i, ID: strings.ToUpper(strings.TrimSpace(items[i].Input.ID))}
		if items[i].Err != nil {
			results[i].Status, results[i].Error = StatusRejected, items[i].Err
			continue
		}
		p, fe := items[i].Input.toParcel()
		if fe == nil {
			p.BrandID = brand
			if scope.All() {
				p.BrandID = items[i].Input.BrandID
				if p.BrandID <= 0 {
					fe = input.Errorf("brand_id", "is required when importing as an operator")
				}
			}
		}
		if fe != nil {
			results[i].Status, results[i].Error = StatusRejected, fe
			continue
		}
		results[i].ID = p.ID
		p.CreatedAt, p.UpdatedAt, p.Phase = now, now, PhaseRegistered
		valid[i] = p
		ids = append(ids, p.ID)
	}
	base := append([]Result(nil), results...)
	err = s.inTx(ctx, func(tx store.Tx) error {
		copy(results, base)
		return s.upsertParcels(ctx, tx, scope, valid, results, ids, now)
	})
	if err != nil {
		return nil, fmt.Errorf("upsert parcels: %w", err)
	}
	s.count("parcel", results)
	return results, nil
}

// parcelBatch is one batch of parcels inside its transaction: what the steps of
// upsertParcels share.
type parcelBatch struct {
	s        *Service
	tx       store.Tx
	now      time.Time
	valid    []*Parcel
	existing map[string]*parcelState // the stored parcels of the batch's ids
	seen     map[string]int          // id -> index of the batch item that created it
	inserts  []*Parcel
	changes  []outbox.Entry
}

// upsertParcels stores the valid parcels of a batch inside tx: read the stored ones and lock
// the new ids, decide for each parcel (refused, new, unchanged or updated), insert the new
// ones, attach the events that arrived before them, and announce it all in the outbox.
func (s *Service) upsertParcels(ctx context.Context, tx store.Tx, scope access.Scope, valid []*Parcel, results []Result, ids []string, now time.Time) error {
	existing, err := s.lockNewIDs(ctx, tx, ids)
	if err != nil {
		return err
	}
	if scope.All() {
		if err := s.checkBrandsExist(ctx, tx, valid, results); err != nil {
			return err
		}
	}
	b := &parcelBatch{s: s, tx: tx, now: now, valid: valid, existing: existing, seen: map[string]int{}}
	for i, p := range valid {
		if p == nil || results[i].Status == StatusRejected {
			continue
		}
		if err := b.classify(ctx, i, p, &results[i]); err != nil {
			return err
		}
	}
	if err := insertParcels(ctx, s.db, tx, b.inserts); err != nil {
		return err
	}
	for _, p := range b.inserts {
		b.changes = append(b.changes, outbox.Entry{Topic: TopicParcelCreated, BrandID: p.BrandID, ItemID: p.ID, Payload: ParcelChange{Phase: PhaseRegistered}})
	}
	if err := b.attachEarlyEvents(ctx); err != nil {
		return err
	}
	return outbox.Write(ctx, s.db, tx, b.changes, now)
}

// lockNewIDs reads the stored parcels of ids and takes the advisory lock of the ids not
// stored yet, so that an early event committed at the same moment sees the new parcel.
func (s *Service) lockNewIDs(ctx context.Context, tx store.Tx, ids []string) (map[string]*parcelState, error) {
	existing, err := loadParcelStates(ctx, s.db, tx, ids, false)
	if err != nil {
		return nil, err
	}
	var fresh []string
	for _, id := range ids {
		if existing[id] == nil {
			fresh = append(fresh, id)
		}
	}
	if err := lockItemIDs(ctx, s.db, tx, fresh); err != nil {
		return nil, err
	}
	return existing, nil
}

// classify decides what becomes of valid parcel i and records it in res: refused (another
// brand holds the id), new (inserted with the batch), a duplicate (nothing changed) or an
// update (stored at once and announced).
func (b *parcelBatch) classify(ctx context.Context, i int, p *Parcel, res *Result) error {
	old := b.existing[p.ID]
	if j, dup := b.seen[p.ID]; dup && old == nil {
		// The same new parcel twice in one batch: the first creates it, later ones update it.
		old = &parcelState{ID: p.ID, BrandID: b.valid[j].BrandID, Fingerprint: b.valid[j].fingerprint(), CreatedAt: b.now,
			phaseState: phaseState{Phase: PhaseRegistered}}
		*b.valid[j] = *p
		b.valid[j].CreatedAt = b.now
	}
	if old != nil && old.BrandID != p.BrandID {
		// Who holds the id is the operator's to know, not the sender's: the log says it.
		b.s.log.Info("parcel id refused: another brand registered it", "id", p.ID, "brand", p.BrandID, "holder", old.BrandID)
		res.Status, res.Error = StatusRejected, refusedID("id", p.ID, "cannot be registered by this account")
		return nil
	}
	base := b.now
	if old != nil {
		base = old.CreatedAt
		if old.PostedAt != nil {
			base = *old.PostedAt
		}
	}
	days, err := b.s.transitDays(ctx, b.tx, p.BrandID, p.OriginCountry, p.DestinationCountry, p.ServiceLevel)
	if err != nil {
		return err
	}
	p.PromisedDate = promisedDate(base, days, p.Recipient.TimeZone)
	switch {
	case old == nil:
		res.Status = StatusAccepted
		b.seen[p.ID] = i
		b.inserts = append(b.inserts, p)
	case old.Fingerprint == p.fingerprint():
		res.Status = StatusDuplicate
	default:
		res.Status = StatusUpdated
		if _, dup := b.seen[p.ID]; dup {
			return nil // folded into the pending insert above
		}
		if err := updateParcelData(ctx, b.s.db, b.tx, p); err != nil {
			return err
		}
		b.changes = append(b.changes, outbox.Entry{Topic: TopicParcelUpdated, BrandID: p.BrandID, ItemID: p.ID, Payload: ParcelChange{Phase: old.Phase}})
	}
	return nil
}

// attachEarlyEvents gives the batch's new parcels the events that arrived before them, folds
// those into their phases (and promised dates, once posted) and announces the events.
func (b *parcelBatch) attachEarlyEvents(ctx context.Context) error {
	insertedIDs := make([]string, len(b.inserts))
	for i, p := range b.inserts {
		insertedIDs[i] = p.ID
	}
	orphans, err := orphanItems(ctx, b.s.db, b.tx, insertedIDs)
	if err != nil {
		return err
	}
	var states []*parcelState
	promised := map[string]string{}
	for _, p := range b.inserts {
		if !orphans[p.ID] {
			continue
		}
		st, rows, err := b.s.attach(ctx, b.tx, p)
		if err != nil {
			return err
		}
		if st != nil {
			states = append(states, st)
			promised[p.ID] = p.PromisedDate
			if st.PostedAt != nil {
				days, err := b.s.transitDays(ctx, b.tx, p.BrandID, p.OriginCountry, p.DestinationCountry, p.ServiceLevel)
				if err != nil {
					return err
				}
				promised[p.ID] = promisedDate(*st.PostedAt, days, p.Recipient.TimeZone)
			}
		}
		b.changes = append(b.changes, rows...)
	}
	return updatePhases(ctx, b.s.db, b.tx, states, promised, b.now)
}

// attach gives a new parcel its early events and returns its folded state and the outbox rows
// announcing those events (they trigger communication only now that the parcel is known).
func (s *Service) attach(ctx context.Context, tx store.Tx, p *Parcel) (*parcelState, []outbox.Entry, error) {
	n, err := attachOrphans(ctx, s.db, tx, p)
	if err != nil || n == 0 {
		return nil, nil, err
	}
	evs, err := AttachedEvents(ctx, s.db, tx, p.BrandID, p.ID)
	if err != nil {
		return nil, nil, err
	}
	st := fold(evs, p.OriginCountry)
	var rows []outbox.Entry
	for _, e := range evs {
		rows = append(rows, outbox.Entry{Topic: TopicTrackingEvent, BrandID: p.BrandID, ItemID: p.ID, Payload: EventChange{
			Event: eventJSONOf(e, nil), Status: StatusAccepted, PhaseBefore: PhaseRegistered, PhaseAfter: st.Phase, LateAttached: true}})
	}
	return &parcelState{ID: p.ID, BrandID: p.BrandID, phaseState: st}, rows, nil
}

func (s *Service) checkBrandsExist(ctx context.Context, tx store.Tx, valid []*Parcel, results []Result) error {
	known := map[int64]bool{}
	for i, p := range valid {
		if p == nil {
			continue
		}
		ok, seen := known[p.BrandID]
		if !seen {
			var n int
			if err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM brands WHERE id = ?`), p.BrandID).Scan(&n); err != nil {
				return fmt.Errorf("check brand: %w", err)
			}
			ok = n > 0
			known[p.BrandID] = ok
		}
		if !ok {
			results[i].Status, results[i].Error = StatusRejected, input.Errorf("brand_id", "brand %d does not exist", p.BrandID)
		}
	}
	return nil
}

func (s *Service) transitDays(ctx context.Context, q store.Tx, brand int64, origin, dest string, lvl ServiceLevel) (int, error) {
	k := transitKey{brand, origin, dest, lvl}
	now := time.Now()
	s.transitMu.Lock()
	e, ok := s.transitCache[k]
	s.transitMu.Unlock()
	if ok && now.Before(e.expires) {
		return e.days, nil
	}
	days, err := transitDays(ctx, s.db, q, brand, origin, dest, lvl)
	if err != nil {
		return 0, err
	}
	s.transitMu.Lock()
	if len(s.transitCache) > 50000 {
		clear(s.transitCache)
	}
	s.transitCache[k] = transitEntry{days: days, expires: now.Add(time.Minute)}
	s.transitMu.Unlock()
	return days, nil
}

// ParcelChange is the outbox payload of parcel.created and parcel.updated.
type ParcelChange struct {
	Phase Phase `json:"phase"`
}

// EventChange is the outbox payload of tracking.event.
type EventChange struct {
	Event        EventView `json:"event"`
	Status       Status    `json:"status"`
	PhaseBefore  Phase     `json:"phase_before"`
	PhaseAfter   Phase     `json:"phase_after"`
	LateAttached bool      `json:"late_attached,omitempty"`
}

// AppendJSON appends c as json.Marshal would write it (see outbox.JSONAppender).
func (c EventChange) AppendJSON(b []byte) []byte {
	b = append(b, `{"event":`...)
	b = c.Event.AppendJSON(b)
	b = jsonw.AppendField(b, "status", string(c.Status), false)
	b = jsonw.AppendField(b, "phase_before", string(c.PhaseBefore), false)
	b = jsonw.AppendField(b, "phase_after", string(c.PhaseAfter), false)
	if c.LateAttached {
		b = append(b, `,"late_attached":true`...)
	}
	return append(b, '}')
}

// Parcel returns a parcel visible to scope, with its events in time order.
func (s *Service) Parcel(ctx context.Context, scope access.Scope, rawID string) (ParcelView, error) {
	id, err := ParseS10(rawID)
	if err != nil {
		return ParcelView{}, fmt.Errorf("parcel %q: %w", rawID, ErrNotFound)
	}
	p, err := ReadParcel(ctx, s.db, s.db.SQL, scope, id)
	if err != nil {
		return ParcelView{}, err
	}
	stored, err := loadAttachedEvents(ctx, s.db, s.db.SQL, p.BrandID, p.ID)
	if err != nil {
		return ParcelView{}, err
	}
	evs := make([]*Event, len(stored))
	for i, e := range stored {
		evs[i] = &e.Event
	}
	if err := attachDuties(ctx, s.db, s.db.SQL, p.BrandID, p.ID, evs); err != nil {
		return ParcelView{}, err
	}
	v := p.View(evs, s.now())
	if v.Pickup, err = ReadPickup(ctx, s.db, s.db.SQL, p.ID); err != nil {
		return ParcelView{}, err
	}
	if s.expect != nil {
		s.expect(&v)
	}
	return v, nil
}

// IsNotFound reports whether err means the thing asked for is absent or not the caller's.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
