package tracking_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// A post sends the pick-up point with the EDH event: the parcel's view carries its address,
// hours, last day and a map link; a later EDH replaces it, an older one does not; a bad
// point is refused naming its field, and the other events of the batch still land.
func TestPickupPointOnTheArrivalEvent(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	edh := trackingtest.Event(idA, "EDH", "2026-11-20T09:00:00Z")
	edh.Pickup = &tracking.PickupInput{Deadline: "2026-11-27", Name: "Пункт выдачи №5", Address: "ул. Ленина 10, Новосибирск", Hours: "Пн-Пт 9-20"}
	bad := []struct {
		field string
		in    tracking.PickupInput
		code  string
	}{
		{"pickup.address", tracking.PickupInput{Deadline: "2026-11-27"}, "EDH"},
		{"pickup.deadline", tracking.PickupInput{Address: "x", Deadline: "27.11.2026"}, "EDH"},
		{"pickup.deadline", tracking.PickupInput{Address: "x", Deadline: "2027-06-01"}, "EDH"},
		{"pickup.deadline", tracking.PickupInput{Address: "x", Deadline: "2026-11-01"}, "EDH"},
		{"pickup.hours", tracking.PickupInput{Address: "x", Hours: strings.Repeat("9", 300)}, "EDH"},
		{"pickup", tracking.PickupInput{Address: "x"}, "EMG"},
	}
	evs := []tracking.EventInput{edh}
	for _, b := range bad {
		ev := trackingtest.Event(idA, b.code, "2026-11-20T08:00:00Z")
		in := b.in
		ev.Pickup = &in
		evs = append(evs, ev)
	}
	res := e.Events(e.ScopeA(), evs...)
	if res[0].Status != tracking.StatusAccepted {
		t.Fatalf("EDH with its point: %+v", res[0])
	}
	for i, b := range bad {
		r := res[i+1]
		if r.Status != tracking.StatusRejected || r.Error == nil || r.Error.Field != b.field {
			t.Errorf("%+v: got %+v %+v, want rejected on %s", b.in, r.Status, r.Error, b.field)
		}
	}
	v, err := e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
	if err != nil {
		t.Fatal(err)
	}
	if v.Pickup == nil || v.Pickup.Deadline != "2026-11-27" || v.Pickup.Hours != "Пн-Пт 9-20" || v.Pickup.Address != "ул. Ленина 10, Новосибирск" ||
		!strings.HasPrefix(v.Pickup.MapLink, "https://www.openstreetmap.org/search?query=") {
		t.Fatalf("pickup = %+v", v.Pickup)
	}
	// An older EDH (another point, scanned before) does not replace the latest.
	old := trackingtest.Event(idA, "EDH", "2026-11-19T09:00:00Z")
	old.Pickup = &tracking.PickupInput{Address: "old point"}
	// A replay of the latest with an extended deadline does.
	again := edh
	again.Pickup = &tracking.PickupInput{Deadline: "2026-12-04", Address: edh.Pickup.Address, Hours: edh.Pickup.Hours}
	e.Events(e.ScopeA(), old, again)
	v, _ = e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
	if v.Pickup == nil || v.Pickup.Address != "ул. Ленина 10, Новосибирск" || v.Pickup.Deadline != "2026-12-04" {
		t.Fatalf("after an older EDH and a corrected replay: %+v", v.Pickup)
	}
	// Brand B does not see A's parcel, point included.
	if _, err := e.Tracking.Parcel(context.Background(), e.ScopeB(), idA); !tracking.IsNotFound(err) {
		t.Fatalf("brand B reading A's parcel: %v", err)
	}
}
