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

func (s *Service) ingestEvents(ctx context.Context, tx store.Tx, scope access.Scope, valid []*Event, results []Result, now time.Time, checkAll bool) error {
	var ids []string
	seenID := map[string]bool{}
	var candidates []*Event
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
	if len(candidates) == 0 {
		return nil
	}
	// The parcels are read and, on PostgreSQL, locked (FOR UPDATE, in id order, so concurrent
	// batches never deadlock on them) until the batch commits: two batches with events of one
	// parcel fold one after the other instead of the later commit overwriting the earlier
	// one's phase. SQLite's write transactions are serial and need no lock.
	//
	// (Tried and measured: reading without a lock and locking only to fold, to shorten the
	// locked part, cost a second read of every parcel; a compare-and-set UPDATE without any
	// locking read deadlocked when the conflicting rows were locked after the others.)
	parcels, err := loadParcelStates(ctx, s.db, tx, ids, true)
	if err != nil {
		return err
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
			return err
		}
		late, err := loadParcelStates(ctx, s.db, tx, unknown, true)
		if err != nil {
			return err
		}
		maps.Copy(parcels, late)
	}
	// Which stored events could the candidates repeat? Every attached event of a parcel is
	// folded into its state, so an event later than the parcel's latest (the usual case: a
	// feed moves forward in time) cannot be one; with the parcel's row locked, no other batch
	// adds one meanwhile. Only the other items' events are read, in the candidates' time
	// window. (An event stored unattached under another brand's claim is not in the state:
	// the insert then violates the identity's unique key, and the retry checks everything.)
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
		return err
	}
	existing := make(map[eventKey]*storedEvent, len(candidates))
	for _, evs := range itemEvents {
		for _, e := range evs {
			existing[e.key()] = e
		}
	}
	claim, postID := ownership(scope)
	var inserts []newEventRow
	pending := map[eventKey]int{} // identity -> index in inserts, for repeats inside the batch
	parcelsTouched := map[string]*touched{}
	var order []string
	provisional := int64(1) << 62 // orders new events after stored ones at the same instant

	for i, e := range valid {
		if e == nil {
			continue
		}
		p := parcels[e.ItemID]
		if p != nil && !scope.AllowsLane(p.BrandID, p.Origin, p.Dest) {
			results[i].Status, results[i].Error = StatusRejected, notYours(e.ItemID)
			continue
		}
		var t *touched
		if p != nil {
			if t = parcelsTouched[p.ID]; t == nil {
				t = &touched{state: p, before: p.Phase}
				parcelsTouched[p.ID] = t
				order = append(order, p.ID)
			}
		}
		k := e.key()
		if j, ok := pending[k]; ok {
			prev := inserts[j].e
			if prev.sameDetails(e) {
				results[i].Status = StatusDuplicate
				continue
			}
			prev.Location, prev.Country, prev.TimeZone = e.Location, e.Country, e.TimeZone
			prev.Reason, prev.Action, prev.Signature = e.Reason, e.Action, e.Signature
			results[i].Status = StatusUpdated
			if t != nil {
				t.refold = true
			}
			continue
		}
		if old := existing[k]; old != nil {
			if old.BrandID == nil && old.ClaimBrandID != nil && !scope.All() && !scope.AllowsBrand(*old.ClaimBrandID) {
				results[i].Status, results[i].Error = StatusRejected, notYours(e.ItemID)
				continue
			}
			if old.sameDetails(e) {
				results[i].Status = StatusDuplicate
				continue
			}
			if err := updateEvent(ctx, s.db, tx, old, e, now); err != nil {
				return err
			}
			old.Location, old.Country, old.TimeZone = e.Location, e.Country, e.TimeZone
			old.Reason, old.Action, old.Signature = e.Reason, e.Action, e.Signature
			results[i].Status = StatusUpdated
			if t != nil {
				e.ID = old.ID
				t.fresh, t.status, t.refold = append(t.fresh, e), append(t.status, StatusUpdated), true
			}
			continue
		}
		row := newEventRow{e: e, claim: claim, postID: postID}
		if p != nil {
			row.brandID = &p.BrandID
			row.claim = nil
			provisional++
			e.ID = provisional
			t.fresh, t.status = append(t.fresh, e), append(t.status, StatusAccepted)
		}
		pending[k] = len(inserts)
		inserts = append(inserts, row)
		results[i].Status = StatusAccepted
	}
	if err := insertEvents(ctx, s.db, tx, inserts); err != nil {
		return err
	}
	var folding []string // parcels with new or changed events, in id order (one lock order for every writer)
	for _, id := range order {
		t := parcelsTouched[id]
		if len(t.fresh) == 0 {
			continue
		}
		folding = append(folding, id)
		for _, e := range t.fresh {
			if !t.state.inOrder(e) {
				t.refold = true
			}
		}
	}
	slices.SortFunc(folding, compareStrings)
	if err := s.settle(ctx, tx, parcelsTouched, folding, now); err != nil {
		return err
	}
	// By brand, then in the batch's order: a brand's messages are one outbox row (a post's
	// feed mixes brands; each parcel's messages keep their order).
	slices.SortStableFunc(order, func(a, b string) int {
		return cmp.Compare(parcelsTouched[a].state.BrandID, parcelsTouched[b].state.BrandID)
	})
	var changes []outbox.Entry
	for _, id := range order {
		t := parcelsTouched[id]
		for i, e := range t.fresh {
			changes = append(changes, outbox.Entry{Topic: TopicTrackingEvent, BrandID: t.state.BrandID, ItemID: t.state.ID, Payload: EventChange{
				Event: eventJSONOf(e, nil), Status: t.status[i], PhaseBefore: t.before, PhaseAfter: t.state.Phase}})
		}
	}
	return outbox.Write(ctx, s.db, tx, changes, now)
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
