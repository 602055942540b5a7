package cases

import (
	"errors"
	"testing"
	"time"

	"github.com/wismo/wismo/input"
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
			err := c.changeStatus(tt.to, tt.code, ResolutionCodes, cal, t0.Add(3*time.Hour))
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

func ptr[T any](v T) *T { return &v }
