package main

import (
	"context"
	"slices"

	"github.com/wismo/wismo/callback"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/portal"
)

// trackComms is the public tracking page's communication history: the dialer's SMS, e-mails
// and call attempts, and the call center's other calls about the parcel (hotline calls, calls
// an agent dialled), one query each, merged in time order.
type trackComms struct {
	dialer    *dialer.Service
	calls     *callcenter.CallLog
	callbacks *callback.Service // a callback promised shows as "we will call you back"
}

// ParcelComms implements portal.CommsHistory.
func (t trackComms) ParcelComms(ctx context.Context, brandID int64, parcelID string) ([]portal.Comm, error) {
	var out []portal.Comm
	if t.dialer != nil {
		items, err := t.dialer.TrackHistory(ctx, brandID, parcelID)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			c := portal.Comm{At: it.At, Channel: string(it.Channel), Status: string(it.Status), To: it.Recipient}
			if it.Channel == dialer.Call {
				c.Direction, c.Outcome, c.Disposition = callcenter.Outbound, it.Outcome, it.Disposition
			}
			out = append(out, c)
		}
	}
	if t.calls != nil {
		calls, err := t.calls.TrackHistory(ctx, brandID, parcelID)
		if err != nil {
			return nil, err
		}
		for _, c := range calls {
			out = append(out, portal.Comm{At: c.At, Channel: "call", Direction: c.Direction, Outcome: string(c.Outcome),
				Disposition: c.Disposition, To: c.Customer})
		}
	}
	if t.callbacks != nil {
		due, phone, err := t.callbacks.Upcoming(ctx, brandID, parcelID)
		if err != nil {
			return nil, err
		}
		if !due.IsZero() {
			out = append(out, portal.Comm{At: due, Channel: "call", Direction: callcenter.Outbound, Status: "planned", To: phone})
		}
	}
	slices.SortStableFunc(out, func(a, b portal.Comm) int { return a.At.Compare(b.At) })
	return out, nil
}

var _ portal.CommsHistory = trackComms{}
