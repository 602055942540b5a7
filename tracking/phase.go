package tracking

import (
	"slices"
	"time"
)

// Phase is where a parcel is in its journey, as customers see it.
type Phase string

// Phases not tied to a single event code; the rest come from postal/upu-events.csv.
const (
	PhaseRegistered Phase = "registered" // the shop's data arrived; no scan yet
	PhaseDelivered  Phase = "delivered"
	PhaseReturning  Phase = "returning"
	PhaseReturned   Phase = "returned"
)

// ActionReturnToSender is the EMH action that turns an item around.
const ActionReturnToSender = "RETURN_TO_SENDER"

// phaseState is what a parcel's events add up to. It is folded over events in time order, so
// a late scan that arrives out of order refolds the whole history, and the phase is always
// that of the latest event by time, never by arrival.
type phaseState struct {
	Phase       Phase
	PhaseAt     *time.Time
	Returning   bool
	LastEventAt *time.Time
	PostedAt    *time.Time
	DeliveredAt *time.Time
}

// apply folds one event, later than or equal in time to every event folded before, into st.
// origin is the parcel's origin country, where a returning item's final delivery makes it
// returned (postal/README.md).
func (st phaseState) apply(e *Event, origin string) phaseState {
	at := e.OccurredAt
	code, ok := LookupEventCode(e.Code)
	if !ok {
		return st
	}
	next := code.Phase
	switch {
	case e.Code == "EMH" && e.Action == ActionReturnToSender:
		st.Returning = true
		next = PhaseReturning
	case st.Returning && e.Code == "EMI" && (e.Country == "" || e.Country == origin):
		next = PhaseReturned
	case st.Returning:
		next = PhaseReturning
	case e.Code == "EMI":
		st.DeliveredAt = &at
	}
	if e.Code == "EMA" && st.PostedAt == nil {
		st.PostedAt = &at
	}
	if st.Phase != next {
		st.Phase = next
		st.PhaseAt = &at
	}
	st.LastEventAt = &at
	return st
}

// fold computes the state of a parcel from all its events, in any order.
func fold(events []*Event, origin string) phaseState {
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, compareEvents)
	st := phaseState{Phase: PhaseRegistered}
	for _, e := range sorted {
		st = st.apply(e, origin)
	}
	return st
}

// compareEvents orders events by time, then by arrival (id), so that events at the same
// instant fold in the order they were accepted.
func compareEvents(a, b *Event) int {
	if c := a.OccurredAt.Compare(b.OccurredAt); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

// inOrder reports whether e can be folded onto st without a refold: it is not earlier than
// the latest event already folded.
func (st phaseState) inOrder(e *Event) bool {
	return st.LastEventAt == nil || !e.OccurredAt.Before(*st.LastEventAt)
}
