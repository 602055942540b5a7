package cases_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking/trackingtest"
)

func TestOpenCase(t *testing.T) {
	e := casestest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel("RB123456799GB"))
	e.Upsert(e.ScopeB(), trackingtest.Parcel("EA001234568GB"))
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"rb 1234 5678 5 gb", "RB123456799GB"}, Type: "non_receipt_or_delay"})
	if c.Number != "BA-000001" || c.Status != cases.StatusNew || c.Priority != cases.PriorityNormal || c.Source != cases.SourceAgent {
		t.Fatalf("case %+v", c)
	}
	if c.Contact.Name != "Петров Иван" || c.Contact.Phone != "+79131234567" || c.OriginCountry != "GB" || c.DestinationCountry != "RU" {
		t.Fatalf("contact and lane from the main parcel: %+v %s %s", c.Contact, c.OriginCountry, c.DestinationCountry)
	}
	// Friday 20 Nov 2026 12:00 UTC is 15:00 in Moscow: 4 business hours end on Monday at 10:00.
	if want := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC); c.SLA.FirstResponseDue == nil || !c.SLA.FirstResponseDue.Equal(want) {
		t.Fatalf("first response due %v, want %v", c.SLA.FirstResponseDue, want)
	}
	if c2 := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "damage"}); c2.Number != "BA-000002" {
		t.Fatalf("second number %s", c2.Number)
	}
	if cb := e.Open(e.ScopeB(), cases.CaseInput{Parcels: []string{"EA001234568GB"}, Type: "complaint"}); cb.Number != "BB-000001" {
		t.Fatalf("brand B's first number %s", cb.Number)
	}
	msgs := e.Outbox("case.")
	if len(msgs) != 3 || msgs[0].Topic != cases.TopicCaseOpened || msgs[0].ItemID != "RB123456785GB" || msgs[0].Payload.Number != "BA-000001" ||
		!slices.Equal(msgs[0].Payload.Parcels, []string{"RB123456785GB", "RB123456799GB"}) {
		t.Fatalf("outbox %+v", msgs)
	}
	ctx := context.Background()
	if _, _, err := e.Cases.Case(ctx, e.ScopeB(), "BA-000001", 0); !errors.Is(err, cases.ErrNotFound) {
		t.Fatalf("brand B reads brand A's case: %v", err)
	}
	if _, _, err := e.Cases.Case(ctx, e.PostGB, "ba-000001", 0); err != nil {
		t.Fatalf("the GB post reads a case on a GB lane: %v", err)
	}
	_, err := e.Cases.Open(ctx, e.ScopeA(), casestest.AgentA, cases.CaseInput{Parcels: []string{"EA001234568GB", "RB12345678"}, Type: "lost", Priority: "meh",
		Contact: &cases.ContactInput{Phone: "123", Email: "nope"}})
	var ve *input.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a validation error, got %v", err)
	}
	var fields []string
	for _, f := range ve.Fields {
		fields = append(fields, f.Field)
	}
	if want := []string{"type", "priority", "parcels[0]", "parcels[1]"}; !slices.Equal(fields, want) {
		t.Fatalf("fields %v, want %v (%+v)", fields, want, ve.Fields)
	}
}

func TestCaseLifecycle(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{"RB123456785GB"}, Type: "damage", Note: "box crushed"})
	step := func(p cases.CasePatch) (*cases.Case, error) {
		e.Now = e.Now.Add(time.Hour)
		return e.Cases.Update(ctx, e.ScopeA(), casestest.AgentA, c.Number, 0, p)
	}
	got, err := step(cases.CasePatch{Status: casestest.Ptr("open"), Priority: casestest.Ptr("high"), Queue: casestest.Ptr("damage")})
	if err != nil || got.Status != cases.StatusOpen || got.FirstResponseAt == nil || got.Priority != cases.PriorityHigh || got.Queue != "damage" {
		t.Fatalf("open: %+v %v", got, err)
	}
	if _, err := step(cases.CasePatch{Status: casestest.Ptr("resolved")}); !errors.Is(err, input.ErrInvalid) {
		t.Fatalf("resolve without a code: %v", err)
	}
	if got, err = step(cases.CasePatch{Status: casestest.Ptr("resolved"), ResolutionCode: casestest.Ptr("compensation_paid")}); err != nil || got.ResolvedAt == nil {
		t.Fatalf("resolve: %+v %v", got, err)
	}
	if got, err = step(cases.CasePatch{Status: casestest.Ptr("closed")}); err != nil || got.ClosedAt == nil {
		t.Fatalf("close: %+v %v", got, err)
	}
	if _, err := step(cases.CasePatch{Status: casestest.Ptr("open")}); !errors.Is(err, cases.ErrBadTransition) {
		t.Fatalf("PATCH out of closed: %v", err)
	}
	if _, err := e.Cases.Reopen(ctx, e.ScopeA(), casestest.AgentA, c.Number, 0, ""); !errors.Is(err, input.ErrInvalid) {
		t.Fatalf("reopen without a reason: %v", err)
	}
	got, err = e.Cases.Reopen(ctx, e.ScopeA(), casestest.AgentA, c.Number, 0, "customer found a second damaged item")
	if err != nil || got.Status != cases.StatusOpen || got.ClosedAt != nil || got.ResolutionCode != "" {
		t.Fatalf("reopen: %+v %v", got, err)
	}
	if _, err := e.Cases.Update(ctx, e.ScopeB(), casestest.AgentA, c.Number, 0, cases.CasePatch{Status: casestest.Ptr("resolved")}); !errors.Is(err, cases.ErrNotFound) {
		t.Fatalf("brand B changes brand A's case: %v", err)
	}
	var statuses []string
	for _, m := range e.Outbox("case.status_changed") {
		statuses = append(statuses, string(m.Payload.PreviousStatus)+"→"+string(m.Payload.Status))
	}
	if want := []string{"new→open", "open→resolved", "resolved→closed", "closed→open"}; !slices.Equal(statuses, want) {
		t.Fatalf("status messages %v, want %v", statuses, want)
	}
}

func TestOpenFromRule(t *testing.T) {
	e := casestest.New(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	n1, err := e.Cases.OpenFromRule(ctx, e.BrandA, "RB123456785GB", "customs_and_duties", "held by customs")
	if err != nil {
		t.Fatal(err)
	}
	n2, err := e.Cases.OpenFromRule(ctx, e.BrandA, "RB123456785GB", "customs_and_duties", "held by customs again")
	if err != nil || n2 != n1 {
		t.Fatalf("the rule fired twice: %s then %s (%v)", n1, n2, err)
	}
	c, _, err := e.Cases.Case(ctx, access.Operator(), n1, 0)
	if err != nil || c.Source != cases.SourceRule || c.CreatedBy != "rule" || c.FirstResponseAt != nil {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := e.Cases.OpenFromRule(ctx, e.BrandB, "RB123456785GB", "damage", ""); !errors.Is(err, input.ErrInvalid) {
		t.Fatalf("a rule of brand B opens a case on brand A's parcel: %v", err)
	}
}
