package callcenter

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
)

// A parcel's timeline gets its hotline calls and the calls agents dialled, oldest first, for
// the brands the reader may see; the dialer's attempts come from the dialer.
func TestParcelCalls(t *testing.T) {
	ctx := context.Background()
	log, a, b := twoBrandLog(t)
	at := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	const parcel, other, third = "RB123456785GB", "RB000000005GB", "RB000000019GB"
	for _, c := range []Call{
		{Direction: Inbound, Mode: ModeHotline, BrandID: a, ParcelID: parcel, From: "+79131234567", To: "+74951112233",
			StartedAt: at.Add(2 * time.Hour), Outcome: Answered, Disposition: "reached"},
		{Direction: Outbound, Mode: ModePreview, BrandID: a, ParcelID: parcel, From: "+74950000000", To: "+79131234567",
			StartedAt: at, Outcome: Busy, SIPStatus: 486},
		{Direction: Outbound, Mode: ModeProgressive, BrandID: a, ParcelID: parcel, CampaignRef: "3", ContactRef: "7", To: "+79131234567",
			StartedAt: at.Add(time.Hour), Outcome: Answered}, // the dialer's: on its own timeline
		{Direction: Outbound, Mode: ModePreview, BrandID: a, ParcelID: other, To: "+79990000001", StartedAt: at.Add(3 * time.Hour)},
		{Direction: Inbound, Mode: ModeHotline, BrandID: b, ParcelID: third, From: "+79990000002", StartedAt: at, Outcome: Abandoned},
		{Direction: Inbound, Mode: ModeHotline, To: "+74951112233", From: "+79990000003", StartedAt: at, Outcome: Abandoned}, // about no parcel
	} {
		if err := log.Create(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	summaries := func(scope access.Scope, ids ...string) []string {
		t.Helper()
		calls, err := log.ParcelCalls(ctx, scope, ids)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range calls {
			if c.ParcelID == "" || c.ContactRef != "" || c.ID == 0 {
				t.Errorf("call %+v", c)
			}
			out = append(out, c.Summary())
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		scope access.Scope
		ids   []string
		want  []string
	}{
		{"the brand's parcel", access.Brands(a), []string{parcel}, []string{
			"preview call to +79131234567: busy",
			"hotline call from +79131234567: answered (reached)",
		}},
		{"two parcels of a case", access.Brands(a), []string{parcel, other}, []string{
			"preview call to +79131234567: busy",
			"hotline call from +79131234567: answered (reached)",
			"preview call to +79990000001: in progress",
		}},
		{"operators see every brand", access.Operator(), []string{parcel, third}, []string{
			"preview call to +79131234567: busy",
			"hotline call from +79990000002: abandoned",
			"hotline call from +79131234567: answered (reached)",
		}},
		{"another brand sees none", access.Brands(b), []string{parcel}, nil},
		{"partner posts see no calls", access.PostScope(1, "RU"), []string{parcel}, nil},
		{"no parcels", access.Operator(), nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := summaries(tc.scope, tc.ids...)
			if len(got) != len(tc.want) {
				t.Fatalf("calls %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("call %d: %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestCallSummary(t *testing.T) {
	for _, tc := range []struct {
		call Call
		want string
	}{
		{Call{Direction: Inbound, Mode: ModeHotline, From: "+79131234567", Outcome: Abandoned}, "hotline call from +79131234567: abandoned"},
		{Call{Direction: Inbound, Mode: ModeHotline, From: "alice", Outcome: Answered, Disposition: "wrong_number"}, "hotline call from alice: answered (wrong_number)"},
		{Call{Direction: Outbound, Mode: ModePreview, To: "<sip:+79131234567@trunk;user=phone>", Outcome: NoAnswer}, "preview call to +79131234567: no_answer"},
		{Call{Direction: Outbound, Mode: ModeProgressive, To: "+79131234567"}, "progressive call to +79131234567: in progress"},
	} {
		if got := tc.call.Summary(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.call, got, tc.want)
		}
	}
}

// onTimeline asserts that call c, ended, is among its parcel's calls on the timeline, as its
// brand reads them.
func (w *world) onTimeline(c Call) {
	w.t.Helper()
	calls, err := w.center.Calls.ParcelCalls(context.Background(), access.Brands(w.brand), []string{c.ParcelID})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, got := range calls {
		if got.ID == c.ID {
			if got.Outcome != c.Outcome || got.Summary() != c.Summary() {
				w.t.Fatalf("call %d on the timeline: %q, want %q", c.ID, got.Summary(), c.Summary())
			}
			return
		}
	}
	w.t.Fatalf("call %d (%s) is not on the timeline of parcel %s: %+v", c.ID, c.Summary(), c.ParcelID, calls)
}
