package tracking_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const (
	idA = "RB123456785GB"
	idB = "EE471108151FR"
	idC = "RR287043775IN"
)

func TestParcelUpsertStatuses(t *testing.T) {
	e := trackingtest.New(t)
	p := trackingtest.Parcel(idA)
	if got := trackingtest.Statuses(e.Upsert(e.ScopeA(), p)); !slices.Equal(got, []tracking.Status{tracking.StatusAccepted}) {
		t.Fatalf("first upsert: %v", got)
	}
	if got := trackingtest.Statuses(e.Upsert(e.ScopeA(), p)); !slices.Equal(got, []tracking.Status{tracking.StatusDuplicate}) {
		t.Fatalf("same data again: %v, want duplicate", got)
	}
	p.Recipient.Phone = "+7 913 765-43-21"
	if got := trackingtest.Statuses(e.Upsert(e.ScopeA(), p)); !slices.Equal(got, []tracking.Status{tracking.StatusUpdated}) {
		t.Fatalf("changed phone: %v, want updated", got)
	}
	v, err := e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
	if err != nil {
		t.Fatal(err)
	}
	if v.Recipient.Phone != "+79137654321" || v.Recipient.TimeZone != "Asia/Novosibirsk" || v.Recipient.TimeZoneRule != "region" {
		t.Errorf("recipient = %+v", v.Recipient)
	}
	if v.COD == nil || v.COD.Amount != "1200.00" || v.COD.Currency != "RUB" || v.Phase != tracking.PhaseRegistered {
		t.Errorf("cod/phase = %+v %s", v.COD, v.Phase)
	}
	if n := e.Messages("", idA); n != 2 {
		t.Errorf("outbox messages = %d, want 2 (created, updated; none for the duplicate)", n)
	}
	// Another brand may not take over the S10 id.
	res := e.Upsert(e.ScopeB(), trackingtest.Parcel(idA))
	if res[0].Status != tracking.StatusRejected || res[0].Error.Field != "id" {
		t.Fatalf("brand B registering A's parcel: %+v", res[0])
	}
}

func TestParcelBatchWithBadItems(t *testing.T) {
	e := trackingtest.New(t)
	heavy := trackingtest.Parcel(idB)
	heavy.WeightKg = 2.5
	badPhone := trackingtest.Parcel(idC)
	badPhone.Recipient.Phone = "12"
	badID := trackingtest.Parcel("RB123456786GB")
	badZone := trackingtest.Parcel(tracking.MakeS10("RR", 1, "DE"))
	badZone.Recipient.TimeZone = "Mars/Olympus"
	noName := trackingtest.Parcel(tracking.MakeS10("RR", 2, "DE"))
	noName.Recipient.Name = " "
	badCOD := trackingtest.Parcel(tracking.MakeS10("RR", 3, "DE"))
	badCOD.COD.Amount = "12,00"
	tooHeavyParcel := trackingtest.Parcel(tracking.MakeS10("CP", 4, "DE"))
	tooHeavyParcel.Kind, tooHeavyParcel.WeightKg = "parcel", 31
	okParcel := trackingtest.Parcel(tracking.MakeS10("CP", 5, "DE"))
	okParcel.Kind, okParcel.WeightKg = "parcel", 30

	res := e.Upsert(e.ScopeA(), trackingtest.Parcel(idA), heavy, badPhone, badID, badZone, noName, badCOD, tooHeavyParcel, okParcel)
	want := []struct {
		status tracking.Status
		field  string
	}{
		{tracking.StatusAccepted, ""}, {tracking.StatusRejected, "weight_kg"}, {tracking.StatusRejected, "recipient.phone"}, {tracking.StatusRejected, "id"},
		{tracking.StatusRejected, "recipient.time_zone"}, {tracking.StatusRejected, "recipient.name"}, {tracking.StatusRejected, "cod.amount"},
		{tracking.StatusRejected, "weight_kg"}, {tracking.StatusAccepted, ""},
	}
	for i, w := range want {
		r := res[i]
		if r.Index != i || r.Status != w.status {
			t.Errorf("item %d: %+v, want %s", i, r, w.status)
			continue
		}
		if w.field != "" && (r.Error == nil || r.Error.Field != w.field || r.Error.Message == "") {
			t.Errorf("item %d: error %+v, want field %s", i, r.Error, w.field)
		}
	}
	if n := e.Count(`SELECT COUNT(*) FROM parcels`); n != 2 {
		t.Errorf("parcels stored = %d, want the 2 good ones", n)
	}
}

func TestEventsDuplicateUpdatedAndHistory(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	ev := trackingtest.Event(idA, "EMA", "2026-11-10T09:00:00Z")
	if got := trackingtest.Statuses(e.Events(e.ScopeA(), ev, ev)); !slices.Equal(got, []tracking.Status{tracking.StatusAccepted, tracking.StatusDuplicate}) {
		t.Fatalf("event twice in a batch: %v", got)
	}
	if got := trackingtest.Statuses(e.Events(e.ScopeA(), ev)); !slices.Equal(got, []tracking.Status{tracking.StatusDuplicate}) {
		t.Fatalf("replayed event: %v", got)
	}
	// The same instant written with another offset is the same identity.
	same := ev
	same.OccurredAt = "2026-11-10T12:00:00+03:00"
	if got := trackingtest.Statuses(e.Events(e.ScopeA(), same)); !slices.Equal(got, []tracking.Status{tracking.StatusDuplicate}) {
		t.Fatalf("same instant, other offset: %v", got)
	}
	changed := ev
	changed.Location = "London Heathrow"
	if got := trackingtest.Statuses(e.Events(e.ScopeA(), changed)); !slices.Equal(got, []tracking.Status{tracking.StatusUpdated}) {
		t.Fatalf("changed location: %v", got)
	}
	if n := e.Count(`SELECT COUNT(*) FROM events WHERE item_id = ?`, idA); n != 1 {
		t.Errorf("events stored = %d, want 1", n)
	}
	if n := e.Count(`SELECT COUNT(*) FROM event_history`); n != 1 {
		t.Errorf("history rows = %d, want 1", n)
	}
	if n := e.Messages(tracking.TopicTrackingEvent, ""); n != 2 {
		t.Errorf("tracking outbox messages = %d, want 2 (accepted, updated)", n)
	}
	v, _ := e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
	if len(v.Events) != 1 || v.Events[0].Location != "London Heathrow" || v.Phase != "posted" {
		t.Errorf("parcel view: phase %s events %+v", v.Phase, v.Events)
	}
}

func TestPhaseFollowsEventTimeNotArrival(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	e.Events(e.ScopeA(), trackingtest.Event(idA, "EMA", "2026-11-10T09:00:00Z"), trackingtest.Event(idA, "EDD", "2026-11-15T09:00:00Z"))
	// A late scan of an earlier step must not move the phase back.
	e.Events(e.ScopeA(), trackingtest.Event(idA, "EMD", "2026-11-14T09:00:00Z"))
	v, _ := e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
	if v.Phase != "at_sorting_center" {
		t.Fatalf("phase after a late earlier scan = %s, want at_sorting_center", v.Phase)
	}
	var codes []string
	for _, ev := range v.Events {
		codes = append(codes, ev.Code)
	}
	if !slices.Equal(codes, []string{"EMA", "EMD", "EDD"}) {
		t.Errorf("events not in time order: %v", codes)
	}
	// A later event moves it on.
	e.Events(e.ScopeA(), trackingtest.Event(idA, "EMI", "2026-11-16T09:00:00Z"))
	v, _ = e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
	if v.Phase != tracking.PhaseDelivered || v.DeliveredAt == nil {
		t.Fatalf("phase = %s delivered_at = %v", v.Phase, v.DeliveredAt)
	}
	if v.PostedAt == nil || v.PromisedDate != "2026-11-19" {
		t.Errorf("posted %v promised %s, want 7 working days after 2026-11-10 = 2026-11-19", v.PostedAt, v.PromisedDate)
	}
}

func TestReturnToSender(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	ret := trackingtest.Event(idA, "EMH", "2026-11-12T09:00:00Z")
	ret.Country, ret.Reason, ret.Action = "RU", "REFUSED", tracking.ActionReturnToSender
	transit := trackingtest.Event(idA, "EMC", "2026-11-13T09:00:00Z")
	transit.Country = "RU"
	home := trackingtest.Event(idA, "EMI", "2026-11-18T09:00:00Z")
	e.Events(e.ScopeA(), trackingtest.Event(idA, "EMA", "2026-11-01T09:00:00Z"), ret, transit)
	v, _ := e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
	if v.Phase != tracking.PhaseReturning || !v.Returning {
		t.Fatalf("after RETURN_TO_SENDER: phase %s", v.Phase)
	}
	e.Events(e.ScopeA(), home)
	v, _ = e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
	if v.Phase != tracking.PhaseReturned || v.DeliveredAt != nil {
		t.Fatalf("final delivery back in GB: phase %s delivered_at %v", v.Phase, v.DeliveredAt)
	}
}

func TestEventBeforeParcel(t *testing.T) {
	e := trackingtest.New(t)
	// The post scans before the shop's data lands.
	res := e.Events(e.PostGB, trackingtest.Event(idA, "EMA", "2026-11-10T09:00:00Z"), trackingtest.Event(idA, "EMB", "2026-11-10T15:00:00Z"))
	if got := trackingtest.Statuses(res); !slices.Equal(got, []tracking.Status{tracking.StatusAccepted, tracking.StatusAccepted}) {
		t.Fatalf("early events: %v", got)
	}
	if n := e.Messages("", ""); n != 0 {
		t.Fatalf("early events wrote %d outbox messages: they must trigger nothing until the parcel is known", n)
	}
	// Brand B's early event for the same id stays B's: it must not attach to A's parcel.
	e.Events(e.ScopeB(), trackingtest.Event(idA, "EMC", "2026-11-11T09:00:00Z"))
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	v, err := e.Tracking.Parcel(context.Background(), e.ScopeA(), idA)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Events) != 2 || v.Phase != "export" {
		t.Fatalf("after the parcel arrived: phase %s, %d events, want export and 2", v.Phase, len(v.Events))
	}
	if n := e.Messages(tracking.TopicTrackingEvent, ""); n != 2 {
		t.Errorf("tracking outbox messages after attach = %d, want 2", n)
	}
	if v.PostedAt == nil || v.PromisedDate != "2026-11-19" {
		t.Errorf("promised date after attach = %s", v.PromisedDate)
	}
	// A's own EMC with the identity of B's unattached one is later than A's parcel's latest
	// event, so the identity check skips it at first; the unique key catches it and the
	// retry names it as B's, beside an event of A's that still goes in.
	res = e.Events(e.ScopeA(), trackingtest.Event(idA, "EMC", "2026-11-11T09:00:00Z"), trackingtest.Event(idA, "EMD", "2026-11-12T09:00:00Z"))
	if res[0].Status != tracking.StatusRejected || res[0].Error.Field != "item_id" || res[1].Status != tracking.StatusAccepted {
		t.Errorf("A sending the identity of B's early event: %+v", res)
	}
	if v, _ := e.Tracking.Parcel(context.Background(), e.ScopeA(), idA); len(v.Events) != 3 {
		t.Errorf("A's parcel has %d events, want 3 (EMA, EMB, EMD)", len(v.Events))
	}
}

func TestEventValidation(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	bad := func(mut func(*tracking.EventInput)) tracking.EventInput {
		ev := trackingtest.Event(idA, "EMH", "2026-11-10T09:00:00Z")
		mut(&ev)
		return ev
	}
	res := e.Events(e.ScopeA(),
		bad(func(ev *tracking.EventInput) { ev.Code = "XXX" }),
		bad(func(ev *tracking.EventInput) { ev.OccurredAt = "10.11.2026 09:00" }),
		bad(func(ev *tracking.EventInput) { ev.OccurredAt = "2027-11-10T09:00:00Z" }),
		bad(func(ev *tracking.EventInput) { ev.Reason = "NOPE" }),
		bad(func(ev *tracking.EventInput) { ev.Reason = "CUSTOMS_DOCS" }),
		bad(func(ev *tracking.EventInput) { ev.Code, ev.Action = "EMA", "REDELIVERY" }),
		bad(func(ev *tracking.EventInput) { ev.TimeZone = "Europe/Londn" }),
		bad(func(ev *tracking.EventInput) { ev.ItemID = "RB123456786GB" }),
		bad(func(ev *tracking.EventInput) { ev.Code, ev.Signature = "EMA", "I. Petrov" }),
		bad(func(ev *tracking.EventInput) { ev.Reason, ev.Action = "ABSENT", "NOTICE_LEFT" }),
	)
	fields := []string{"code", "occurred_at", "occurred_at", "reason", "reason", "action", "time_zone", "item_id", "signature", ""}
	for i, f := range fields {
		if f == "" {
			if res[i].Status != tracking.StatusAccepted {
				t.Errorf("item %d: %+v, want accepted", i, res[i])
			}
			continue
		}
		if res[i].Status != tracking.StatusRejected || res[i].Error.Field != f {
			t.Errorf("item %d: %+v, want rejected on %s", i, res[i], f)
		}
	}
}

func TestBrandIsolation(t *testing.T) {
	e := trackingtest.New(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	if _, err := e.Tracking.Parcel(ctx, e.ScopeB(), idA); !errors.Is(err, tracking.ErrNotFound) {
		t.Errorf("brand B reading A's parcel: %v, want not found", err)
	}
	res := e.Events(e.ScopeB(), trackingtest.Event(idA, "EMA", "2026-11-10T09:00:00Z"))
	if res[0].Status != tracking.StatusRejected || res[0].Error.Field != "item_id" {
		t.Errorf("brand B pushing events for A's parcel: %+v", res[0])
	}
	// The GB post may push and read: the parcel leaves GB.
	if got := trackingtest.Statuses(e.Events(e.PostGB, trackingtest.Event(idA, "EMA", "2026-11-10T09:00:00Z"))); got[0] != tracking.StatusAccepted {
		t.Errorf("GB post event: %v", got)
	}
	if _, err := e.Tracking.Parcel(ctx, e.PostGB, idA); err != nil {
		t.Errorf("GB post reading a parcel from GB: %v", err)
	}
	// A parcel from DE to FR is none of the GB post's business.
	other := trackingtest.Parcel(tracking.MakeS10("RR", 7, "DE"))
	other.OriginCountry, other.DestinationCountry = "DE", "FR"
	other.Recipient.Phone, other.Recipient.Region = "+33 1 23 45 67 89", ""
	e.Upsert(e.ScopeA(), other)
	res = e.Events(e.PostGB, trackingtest.Event(other.ID, "EMA", "2026-11-10T09:00:00Z"))
	if res[0].Status != tracking.StatusRejected {
		t.Errorf("GB post pushing for a DE->FR parcel: %+v", res[0])
	}
	if _, err := e.Tracking.Parcel(ctx, e.PostGB, other.ID); !errors.Is(err, tracking.ErrNotFound) {
		t.Errorf("GB post reading a DE->FR parcel: %v", err)
	}
	if _, err := e.Tracking.UpsertParcels(ctx, e.PostGB, []tracking.ParcelItem{{Input: trackingtest.Parcel(idB)}}); !errors.Is(err, tracking.ErrForbidden) {
		t.Errorf("post creating parcels: %v, want forbidden", err)
	}
	if v, err := e.Tracking.Parcel(ctx, e.ScopeA(), idA); err != nil || len(v.Events) != 1 {
		t.Errorf("brand A sees its parcel with the post's event: %v %d", err, len(v.Events))
	}
}

func TestTransitStandardOverride(t *testing.T) {
	e := trackingtest.New(t)
	ctx := context.Background()
	bad := []tracking.TransitStandard{{OriginCountry: "XX", ServiceLevel: "standard", Days: 3}, {ServiceLevel: "fast", Days: 3}, {ServiceLevel: "premium", Days: 0}}
	var te tracking.TransitErrors
	if err := e.Tracking.SetTransitStandards(ctx, e.ScopeA(), bad); !errors.As(err, &te) || len(te) != 3 ||
		te[0].Error.Field != "origin_country" || te[1].Error.Field != "service_level" || te[2].Error.Field != "days" {
		t.Fatalf("invalid standards: %v %+v", err, te)
	}
	err := e.Tracking.SetTransitStandards(ctx, e.ScopeA(), []tracking.TransitStandard{
		{OriginCountry: "GB", DestinationCountry: "RU", ServiceLevel: "standard", Days: 3},
		{DestinationCountry: "RU", ServiceLevel: "standard", Days: 10},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	e.Events(e.ScopeA(), trackingtest.Event(idA, "EMA", "2026-11-10T09:00:00Z"))
	v, _ := e.Tracking.Parcel(ctx, e.ScopeA(), idA)
	if v.PromisedDate != "2026-11-13" {
		t.Errorf("GB->RU standard with a 3-day override: promised %s, want 2026-11-13", v.PromisedDate)
	}
	// Brand B keeps wismo's default (7 working days).
	other := trackingtest.Parcel(idB)
	other.OriginCountry = "GB"
	e.Upsert(e.ScopeB(), other)
	e.Events(e.ScopeB(), trackingtest.Event(idB, "EMA", "2026-11-10T09:00:00Z"))
	if v, _ := e.Tracking.Parcel(ctx, e.ScopeB(), idB); v.PromisedDate != "2026-11-19" {
		t.Errorf("brand B promised %s, want the default 2026-11-19", v.PromisedDate)
	}
	if _, own, _ := e.Tracking.TransitStandards(ctx, e.ScopeB()); len(own) != 0 {
		t.Errorf("brand B sees %d overrides of brand A", len(own))
	}
}
