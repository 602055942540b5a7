package cases

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking/trackingtest"
)

func TestCaseStateMachine(t *testing.T) {
	allowed := map[[2]CaseStatus]bool{
		{StatusNew, StatusOpen}: true, {StatusNew, StatusWaitingCustomer}: true, {StatusNew, StatusResolved}: true,
		{StatusOpen, StatusWaitingCustomer}: true, {StatusOpen, StatusResolved}: true,
		{StatusWaitingCustomer, StatusOpen}: true, {StatusWaitingCustomer, StatusResolved}: true,
		{StatusWaitingPartnerPost, StatusOpen}: true, {StatusWaitingPartnerPost, StatusResolved}: true,
		{StatusResolved, StatusClosed}: true, {StatusResolved, StatusOpen}: true,
	}
	for _, from := range CaseStatuses {
		for _, to := range CaseStatuses {
			t.Run(string(from)+"→"+string(to), func(t *testing.T) {
				if got := CanTransition(from, to); got != allowed[[2]CaseStatus{from, to}] {
					t.Fatalf("CanTransition = %v", got)
				}
			})
		}
	}
	for _, st := range CaseStatuses {
		want := st == StatusNew || st == StatusOpen || st == StatusWaitingCustomer
		if CanEscalate(st) != want {
			t.Errorf("CanEscalate(%s) = %v", st, !want)
		}
	}
}

func TestChangeStatus(t *testing.T) {
	cal := mustCalendar(t, "UTC", everyDay("00:00", "24:00"))
	t0 := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	due := t0.Add(48 * time.Hour)
	tests := []struct {
		name       string
		from       CaseStatus
		to         CaseStatus
		code       string
		wantErr    error
		wantStatus CaseStatus
		check      func(t *testing.T, c *Case)
	}{
		{"open a new case", StatusNew, StatusOpen, "", nil, StatusOpen, nil},
		{"resolve needs a code", StatusOpen, StatusResolved, "", input.ErrInvalid, StatusOpen, nil},
		{"resolve with an unknown code", StatusOpen, StatusResolved, "shrug", input.ErrInvalid, StatusOpen, nil},
		{"resolve", StatusOpen, StatusResolved, "delivered", nil, StatusResolved, func(t *testing.T, c *Case) {
			if c.ResolvedAt == nil || c.ResolutionCode != "delivered" {
				t.Fatalf("resolved_at %v code %q", c.ResolvedAt, c.ResolutionCode)
			}
		}},
		{"a code without resolving", StatusNew, StatusOpen, "delivered", input.ErrInvalid, StatusNew, nil},
		{"closed is left only by reopen", StatusClosed, StatusOpen, "", ErrBadTransition, StatusClosed, nil},
		{"waiting for the partner only by escalating", StatusOpen, StatusWaitingPartnerPost, "", ErrBadTransition, StatusOpen, nil},
		{"waiting for the customer pauses the resolution clock", StatusOpen, StatusWaitingCustomer, "", nil, StatusWaitingCustomer, func(t *testing.T, c *Case) {
			if c.SLA.PausedAt == nil {
				t.Fatal("not paused")
			}
		}},
		{"the wait moves the resolution due time", StatusWaitingCustomer, StatusOpen, "", nil, StatusOpen, func(t *testing.T, c *Case) {
			if c.SLA.PausedAt != nil || !c.SLA.ResolutionDue.Equal(due.Add(3*time.Hour)) {
				t.Fatalf("paused %v, due %v, want %v", c.SLA.PausedAt, c.SLA.ResolutionDue, due.Add(3*time.Hour))
			}
		}},
		{"reopening a resolved case clears the resolution", StatusResolved, StatusOpen, "", nil, StatusOpen, func(t *testing.T, c *Case) {
			if c.ResolvedAt != nil || c.ResolutionCode != "" {
				t.Fatalf("resolution kept: %v %q", c.ResolvedAt, c.ResolutionCode)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := due
			c := &Case{Status: tt.from, SLA: slaState{ResolutionDue: &d}}
			if tt.from == StatusWaitingCustomer {
				c.SLA.PausedAt = ptr(t0)
			}
			if tt.from == StatusResolved {
				c.ResolvedAt, c.ResolutionCode = ptr(t0), "delivered"
			}
			err := c.changeStatus(tt.to, tt.code, cal, t0.Add(3*time.Hour))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if c.Status != tt.wantStatus {
				t.Fatalf("status %s, want %s", c.Status, tt.wantStatus)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestCasePrefix(t *testing.T) {
	for name, want := range map[string]string{"Matryoshka Market": "MM", "Nordic Knit Co": "NKC", "Gadgetry": "GA",
		"Матрёшка Маркет": "MM", "42": "CS", "a": "CS", "Brand A": "BA"} {
		if got := casePrefix(name); got != want {
			t.Errorf("casePrefix(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestOpenCase(t *testing.T) {
	e := newCaseEnv(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"), trackingtest.Parcel("RB123456799GB"))
	e.Upsert(e.ScopeB(), trackingtest.Parcel("EA001234568GB"))
	c := e.open(e.ScopeA(), CaseInput{Parcels: []string{"rb 1234 5678 5 gb", "RB123456799GB"}, Type: "non_receipt_or_delay"})
	if c.Number != "BA-000001" || c.Status != StatusNew || c.Priority != PriorityNormal || c.Source != SourceAgent {
		t.Fatalf("case %+v", c)
	}
	if c.Contact.Name != "Петров Иван" || c.Contact.Phone != "+79131234567" || c.OriginCountry != "GB" || c.DestinationCountry != "RU" {
		t.Fatalf("contact and lane from the main parcel: %+v %s %s", c.Contact, c.OriginCountry, c.DestinationCountry)
	}
	// Friday 20 Nov 2026 12:00 UTC is 15:00 in Moscow: 4 business hours end on Monday at 10:00.
	if want := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC); c.SLA.FirstResponseDue == nil || !c.SLA.FirstResponseDue.Equal(want) {
		t.Fatalf("first response due %v, want %v", c.SLA.FirstResponseDue, want)
	}
	if c2 := e.open(e.ScopeA(), CaseInput{Parcels: []string{"RB123456785GB"}, Type: "damage"}); c2.Number != "BA-000002" {
		t.Fatalf("second number %s", c2.Number)
	}
	if cb := e.open(e.ScopeB(), CaseInput{Parcels: []string{"EA001234568GB"}, Type: "complaint"}); cb.Number != "BB-000001" {
		t.Fatalf("brand B's first number %s", cb.Number)
	}
	msgs := e.outbox("case.")
	if len(msgs) != 3 || msgs[0].Topic != TopicCaseOpened || msgs[0].ItemID != "RB123456785GB" || msgs[0].Payload.Number != "BA-000001" ||
		!slices.Equal(msgs[0].Payload.Parcels, []string{"RB123456785GB", "RB123456799GB"}) {
		t.Fatalf("outbox %+v", msgs)
	}
	ctx := context.Background()
	if _, _, err := e.cs.Case(ctx, e.ScopeB(), "BA-000001", 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("brand B reads brand A's case: %v", err)
	}
	if _, _, err := e.cs.Case(ctx, e.PostGB, "ba-000001", 0); err != nil {
		t.Fatalf("the GB post reads a case on a GB lane: %v", err)
	}
	_, err := e.cs.Open(ctx, e.ScopeA(), agentA, CaseInput{Parcels: []string{"EA001234568GB", "RB12345678"}, Type: "lost", Priority: "meh",
		Contact: &ContactInput{Phone: "123", Email: "nope"}})
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
	e := newCaseEnv(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	c := e.open(e.ScopeA(), CaseInput{Parcels: []string{"RB123456785GB"}, Type: "damage", Note: "box crushed"})
	step := func(p CasePatch) (*Case, error) {
		e.Now = e.Now.Add(time.Hour)
		return e.cs.Update(ctx, e.ScopeA(), agentA, c.Number, 0, p)
	}
	got, err := step(CasePatch{Status: ptr("open"), Priority: ptr("high"), Queue: ptr("damage")})
	if err != nil || got.Status != StatusOpen || got.FirstResponseAt == nil || got.Priority != PriorityHigh || got.Queue != "damage" {
		t.Fatalf("open: %+v %v", got, err)
	}
	if _, err := step(CasePatch{Status: ptr("resolved")}); !errors.Is(err, input.ErrInvalid) {
		t.Fatalf("resolve without a code: %v", err)
	}
	if got, err = step(CasePatch{Status: ptr("resolved"), ResolutionCode: ptr("compensation_paid")}); err != nil || got.ResolvedAt == nil {
		t.Fatalf("resolve: %+v %v", got, err)
	}
	if got, err = step(CasePatch{Status: ptr("closed")}); err != nil || got.ClosedAt == nil {
		t.Fatalf("close: %+v %v", got, err)
	}
	if _, err := step(CasePatch{Status: ptr("open")}); !errors.Is(err, ErrBadTransition) {
		t.Fatalf("PATCH out of closed: %v", err)
	}
	if _, err := e.cs.Reopen(ctx, e.ScopeA(), agentA, c.Number, 0, ""); !errors.Is(err, input.ErrInvalid) {
		t.Fatalf("reopen without a reason: %v", err)
	}
	got, err = e.cs.Reopen(ctx, e.ScopeA(), agentA, c.Number, 0, "customer found a second damaged item")
	if err != nil || got.Status != StatusOpen || got.ClosedAt != nil || got.ResolutionCode != "" {
		t.Fatalf("reopen: %+v %v", got, err)
	}
	if _, err := e.cs.Update(ctx, e.ScopeB(), agentA, c.Number, 0, CasePatch{Status: ptr("resolved")}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("brand B changes brand A's case: %v", err)
	}
	var statuses []string
	for _, m := range e.outbox("case.status_changed") {
		statuses = append(statuses, string(m.Payload.PreviousStatus)+"→"+string(m.Payload.Status))
	}
	if want := []string{"new→open", "open→resolved", "resolved→closed", "closed→open"}; !slices.Equal(statuses, want) {
		t.Fatalf("status messages %v, want %v", statuses, want)
	}
}

func TestOpenFromRule(t *testing.T) {
	e := newCaseEnv(t)
	ctx := context.Background()
	e.Upsert(e.ScopeA(), trackingtest.Parcel("RB123456785GB"))
	n1, err := e.cs.OpenFromRule(ctx, e.BrandA, "RB123456785GB", "customs_and_duties", "held by customs")
	if err != nil {
		t.Fatal(err)
	}
	n2, err := e.cs.OpenFromRule(ctx, e.BrandA, "RB123456785GB", "customs_and_duties", "held by customs again")
	if err != nil || n2 != n1 {
		t.Fatalf("the rule fired twice: %s then %s (%v)", n1, n2, err)
	}
	c, _, err := e.cs.Case(ctx, access.Operator(), n1, 0)
	if err != nil || c.Source != SourceRule || c.CreatedBy != "rule" || c.FirstResponseAt != nil {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := e.cs.OpenFromRule(ctx, e.BrandB, "RB123456785GB", "damage", ""); !errors.Is(err, input.ErrInvalid) {
		t.Fatalf("a rule of brand B opens a case on brand A's parcel: %v", err)
	}
}
