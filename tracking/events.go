package tracking

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

// IngestEvents stores a batch of tracking events. An event's identity is (item id, code,
// occurred_at, office): the same identity with the same details is a duplicate, with other
// details an update whose previous version goes to the event's history. Events for parcels
// not yet registered are accepted and attached when the parcel arrives. Each item gets a
// result; rejected items do not stop the others.
func (s *Service) IngestEvents(ctx context.Context, scope access.Scope, items []EventItem) ([]Result, error) {
	now := s.now()
	results := make([]Result, len(items))
	valid := make([]*Event, len(items))
	for i := range items {
		results[i] = Result{Index: i, ID: items[i].Input.ItemID}
		if items[i].Err != nil {
			results[i].Status, results[i].Error = StatusRejected, items[i].Err
			continue
		}
		e, fe := items[i].Input.toEvent(now)
		if fe != nil {
			results[i].Status, results[i].Error = StatusRejected, fe
			continue
		}
		results[i].ID = e.ItemID
		valid[i] = e
	}
	base := append([]Result(nil), results...)
	attempts := 0
	err := s.inTx(ctx, func(tx store.Tx) error {
		copy(results, base)
		attempts++
		// A retry (after a conflict, such as a unique violation the fast identity check let
		// through) checks every event's identity against the stored events.
		return s.ingestEvents(ctx, tx, scope, valid, results, now, attempts > 1)
	})
	if err != nil {
		return nil, fmt.Errorf("ingest events: %w", err)
	}
	s.count("event", results)
	return results, nil
}

// touched is what one batch did to one existing parcel.
type touched struct {
	state  *parcelState
	before Phase
	fresh  []*Event // new or updated events, to fold
	status []Status // their result
	refold bool     // an event arrived out of order or changed: fold the whole history
}

// eventBatch is one batch of events inside its transaction: what the steps of ingestEvents
// share.
type eventBatch struct {
	s        *Service
	tx       store.Tx
	scope    access.Scope
	now      time.Time
	parcels  map[string]*parcelState   // the batch's known parcels by id, locked until commit
	existing map[eventKey]*storedEvent // stored events the batch's events may repeat
	inserts  []newEventRow             // new events, to insert in one statement
	pending  map[eventKey]int          // identity -> index in inserts, for repeats inside the batch
	touched  map[string]*touched       // what the batch did to each known parcel
	order    []string                  // the touched parcels in the batch's order
	// provisional orders new events after stored ones at the same instant, until inserted.
	provisional int64
	claim, post *int64 // who claims an event that arrives before its parcel
}

// ingestEvents stores the valid events of a batch inside tx, in five steps: lock the
// batch's parcels, find the stored events the new ones may repeat, sort each event into
// rejected, duplicate, updated or new, insert the new ones, and fold them into their
// parcels' phases with one outbox message each.
func (s *Service) ingestEvents(ctx context.Context, tx store.Tx, scope access.Scope, valid []*Event, results []Result, now time.Time, checkAll bool) error {
	candidates, ids := candidatesOf(valid)
	if len(candidates) == 0 {
		return nil
	}
	parcels, err := s.lockParcels(ctx, tx, ids)
	if err != nil {
		return err
	}
	existing, err := s.storedRepeats(ctx, tx, candidates, parcels, checkAll)
	if err != nil {
		return err
	}
	b := &eventBatch{s: s, tx: tx, scope: scope, now: now, parcels: parcels, existing: existing,
		pending: map[eventKey]int{}, touched: map[string]*touched{}, provisional: int64(1) << 62}
	b.claim, b.post = ownership(scope)
	for i, e := range valid {
		if e == nil {
			continue
		}
		if err := b.classify(ctx, e, &results[i]); err != nil {
			return err
		}
	}
	if err := insertEvents(ctx, s.db, tx, b.inserts); err != nil {
		return err
	}
	if err := writePickups(ctx, s.db, tx, valid, results, now); err != nil {
		return err
	}
	if err := storeDuties(ctx, s.db, tx, valid, results, now); err != nil {
		return err
	}
	if err := s.settle(ctx, tx, b.touched, b.folding(), now); err != nil {
		return err
	}
	return outbox.Write(ctx, s.db, tx, b.changes(), now)
}

// candidatesOf returns the valid events of a batch and their distinct item ids, in order.
func candidatesOf(valid []*Event) (candidates []*Event, ids []string) {
	seenID := map[string]bool{}
	for _, e := range valid {
		if e == nil {
			continue
		}
		candidates = append(candidates, e)
		if !seenID[e.ItemID] {
			seenID[e.ItemID] = true
			ids = append(ids, e.ItemID)
		}
	}
	return candidates, ids
}

// lockParcels reads the parcels of ids that exist and, on PostgreSQL, locks them (FOR
// UPDATE, in id order, so concurrent batches never deadlock on them) until the batch
// commits: two batches with events of one parcel fold one after the other instead of the
// later commit overwriting the earlier one's phase. SQLite's write transactions are serial
// and need no lock.
//
// (Tried and measured: reading without a lock and locking only to fold, to shorten the
// locked part, cost a second read of every parcel; a compare-and-set UPDATE without any
// locking read deadlocked when the conflicting rows were locked after the others.)
func (s *Service) lockParcels(ctx context.Context, tx store.Tx, ids []string) (map[string]*parcelState, error) {
	parcels, err := loadParcelStates(ctx, s.db, tx, ids, true)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, id := range ids {
		if parcels[id] == nil {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		// A parcel committed since the read above must be seen, or its events would stay
		// unattached forever: lock the ids, then look again. (This takes advisory locks
		// after row locks, where a parcel batch takes them before the rows it updates: the
		// two can deadlock, rarely; PostgreSQL aborts one and inTx runs it again.)
		if err := lockItemIDs(ctx, s.db, tx, unknown); err != nil {
			return nil, err
		}
		late, err := loadParcelStates(ctx, s.db, tx, unknown, true)
		if err != nil {
			return nil, err
		}
		maps.Copy(parcels, late)
	}
	return parcels, nil
}

// storedRepeats reads the stored events the candidates could repeat, by identity. Every
// attached event of a parcel is folded into its state, so an event later than the parcel's
// latest (the usual case: a feed moves forward in time) cannot be one; with the parcel's row
// locked, no other batch adds one meanwhile. Only the other items' events are read, in the
// candidates' time window; checkAll reads them for every candidate. (An event stored
// unattached under another brand's claim is not in the state: the insert then violates the
// identity's unique key, and the retry checks everything.)
func (s *Service) storedRepeats(ctx context.Context, tx store.Tx, candidates []*Event, parcels map[string]*parcelState, checkAll bool) (map[eventKey]*storedEvent, error) {
	var check []string
	var from, to time.Time
	checked := map[string]bool{}
	for _, e := range candidates {
		if p := parcels[e.ItemID]; !checkAll && p != nil && (p.LastEventAt == nil || e.OccurredAt.After(*p.LastEventAt)) {
			continue
		}
		if !checked[e.ItemID] {
			checked[e.ItemID] = true
			check = append(check, e.ItemID)
		}
		if from.IsZero() {
			from, to = e.OccurredAt, e.OccurredAt
		}
		from, to = minTime(from, e.OccurredAt), maxTime(to, e.OccurredAt)
	}
	itemEvents, err := loadItemEvents(ctx, s.db, tx, check, from, to)
	if err != nil {
		return nil, err
	}
	existing := make(map[eventKey]*storedEvent, len(candidates))
	for _, evs := range itemEvents {
		for _, e := range evs {
			existing[e.key()] = e
		}
	}
	return existing, nil
}

// classify decides what becomes of one valid event and records it in res: rejected (a parcel
// the scope may not see, or an early event another brand claimed), a duplicate of a stored
// or earlier event, an update of one (stored at once, its history kept), or new (inserted
// with the batch).
func (b *eventBatch) classify(ctx context.Context, e *Event, res *Result) error {
	p := b.parcels[e.ItemID]
	if p != nil && !b.scope.AllowsLane(p.BrandID, p.Origin, p.Dest) {
		res.Status, res.Error = StatusRejected, notYours(e.ItemID)
		return nil
	}
	var t *touched
	if p != nil {
		if t = b.touched[p.ID]; t == nil {
			t = &touched{state: p, before: p.Phase}
			b.touched[p.ID] = t
			b.order = append(b.order, p.ID)
		}
	}
	k := e.key()
	if j, ok := b.pending[k]; ok {
		prev := b.inserts[j].e
		if prev.sameDetails(e) {
			res.Status = StatusDuplicate
			return nil
		}
		prev.Location, prev.Country, prev.TimeZone = e.Location, e.Country, e.TimeZone
		prev.Reason, prev.Action, prev.Signature = e.Reason, e.Action, e.Signature
		res.Status = StatusUpdated
		if t != nil {
			t.refold = true
		}
		return nil
	}
	if old := b.existing[k]; old != nil {
		if old.BrandID == nil && old.ClaimBrandID != nil && !b.scope.All() && !b.scope.AllowsBrand(*old.ClaimBrandID) {
			res.Status, res.Error = StatusRejected, notYours(e.ItemID)
			return nil
		}
		if old.sameDetails(e) {
			res.Status = StatusDuplicate
			return nil
		}
		if err := updateEvent(ctx, b.s.db, b.tx, old, e, b.now); err != nil {
			return err
		}
		old.Location, old.Country, old.TimeZone = e.Location, e.Country, e.TimeZone
		old.Reason, old.Action, old.Signature = e.Reason, e.Action, e.Signature
		res.Status = StatusUpdated
		if t != nil {
			e.ID = old.ID
			t.fresh, t.status, t.refold = append(t.fresh, e), append(t.status, StatusUpdated), true
		}
		return nil
	}
	row := newEventRow{e: e, claim: b.claim, postID: b.post}
	if p != nil {
		row.brandID = &p.BrandID
		row.claim = nil
		b.provisional++
		e.ID = b.provisional
		t.fresh, t.status = append(t.fresh, e), append(t.status, StatusAccepted)
	}
	b.pending[k] = len(b.inserts)
	b.inserts = append(b.inserts, row)
	res.Status = StatusAccepted
	return nil
}

// folding lists the parcels with new or changed events, in id order (one lock order for
// every writer), and marks those whose events arrived out of order for a whole refold.
func (b *eventBatch) folding() []string {
	var out []string
	for _, id := range b.order {
		t := b.touched[id]
		if len(t.fresh) == 0 {
			continue
		}
		out = append(out, id)
		for _, e := range t.fresh {
			if !t.state.inOrder(e) {
				t.refold = true
			}
		}
	}
	slices.SortFunc(out, compareStrings)
	return out
}

// changes are the batch's outbox messages: one per new or updated event of a known parcel,
// by brand, then in the batch's order (a brand's messages are one outbox row; a post's feed
// mixes brands; each parcel's messages keep their order).
func (b *eventBatch) changes() []outbox.Entry {
	slices.SortStableFunc(b.order, func(x, y string) int {
		return cmp.Compare(b.touched[x].state.BrandID, b.touched[y].state.BrandID)
	})
	var out []outbox.Entry
	for _, id := range b.order {
		t := b.touched[id]
		for i, e := range t.fresh {
			out = append(out, outbox.Entry{Topic: TopicTrackingEvent, BrandID: t.state.BrandID, ItemID: t.state.ID, Payload: EventChange{
				Event: eventJSONOf(e, nil), Status: t.status[i], PhaseBefore: t.before, PhaseAfter: t.state.Phase}})
		}
	}
	return out
}

// settle folds the batch's events into the phase of the parcels named by ids (in id order)
// and stores it.
func (s *Service) settle(ctx context.Context, tx store.Tx, touchedBy map[string]*touched, ids []string, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	states, promised, err := s.fold(ctx, tx, touchedBy, ids)
	if err != nil {
		return err
	}
	return updatePhases(ctx, s.db, tx, states, promised, now)
}

// fold works out the new phase state of the parcels named by ids (in place) and their
// promised dates: onto the stored state when their new events are in order, from their whole
// history otherwise.
func (s *Service) fold(ctx context.Context, tx store.Tx, touchedBy map[string]*touched, ids []string) ([]*parcelState, map[string]string, error) {
	var refold []string
	for _, id := range ids {
		if touchedBy[id].refold {
			refold = append(refold, id)
		}
	}
	history, err := loadItemEvents(ctx, s.db, tx, refold, time.Time{}, time.Time{})
	if err != nil {
		return nil, nil, err
	}
	states := make([]*parcelState, 0, len(ids))
	promised := make(map[string]string, len(ids))
	for _, id := range ids {
		t := touchedBy[id]
		st := t.state
		postedBefore := st.PostedAt
		if t.refold {
			var all []*Event
			for _, e := range history[st.ID] {
				if e.BrandID != nil && *e.BrandID == st.BrandID {
					all = append(all, &e.Event)
				}
			}
			st.phaseState = fold(all, st.Origin)
		} else {
			fresh := slices.Clone(t.fresh)
			slices.SortStableFunc(fresh, compareEvents)
			for _, e := range fresh {
				st.phaseState = st.apply(e, st.Origin)
			}
		}
		promised[st.ID] = st.PromisedDate
		if st.PostedAt != nil && (postedBefore == nil || !postedBefore.Equal(*st.PostedAt)) {
			days, err := s.transitDays(ctx, tx, st.BrandID, st.Origin, st.Dest, st.ServiceLevel)
			if err != nil {
				return nil, nil, err
			}
			promised[st.ID] = promisedDate(*st.PostedAt, days, st.TimeZone)
		}
		states = append(states, st)
	}
	return states, promised, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ownership returns who claims an event that arrives before its parcel.
func ownership(scope access.Scope) (claim, post *int64) {
	if id, _, ok := scope.Post(); ok {
		return nil, &id
	}
	if b, ok := scope.SingleBrand(); ok {
		return &b, nil
	}
	return nil, nil
}

// notYours refuses an event for a parcel scope cannot see, in the words used for a parcel
// id the sender cannot register: neither says whose parcel it is or where it goes.
func notYours(id string) *input.FieldError {
	return refusedID("item_id", id, "cannot take events from this account")
}

// refusedID is the answer to an id that this account cannot use because another brand
// holds it (or, for a post, the parcel is not on its country's lanes). It says neither: that
// would tell a brand about another brand's parcels. The honest sender's likely mistake is a
// mistyped id, and the operator, whose log names the holder, settles a real conflict.
func refusedID(field, id, what string) *input.FieldError {
	return input.Errorf(field, "%s %s: check the id, and if it is right, ask the operator of this wismo", id, what)
}
