package callcenter

import (
	"context"
	"fmt"

	"github.com/wismo/wismo/access"
)

// ParcelCalls returns the calls about parcels that scope may see, oldest first, without their
// legs, for case and parcel timelines: at most MaxTrackCalls per parcel asked. As on the
// tracking page (TrackHistory), calls the dialer placed for a contact (contact_ref set) are
// left out: the dialer's own timeline reports those attempts, so each call shows once. What
// remains are hotline calls and calls an agent dialled. Partner posts see no calls, as in
// the call log's API.
func (l *CallLog) ParcelCalls(ctx context.Context, scope access.Scope, parcelIDs []string) ([]Call, error) {
	if len(parcelIDs) == 0 {
		return nil, nil
	}
	where, args := scope.SQL("brand_id", "", "")
	var rows []callRow
	err := l.db.Gorm.WithContext(ctx).Where(where, args...).Where("parcel_id IN ? AND contact_ref = ''", parcelIDs).
		Order("started_at, id").Limit(MaxTrackCalls * len(parcelIDs)).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("calls about parcels %v: %w", parcelIDs, err)
	}
	out := make([]Call, len(rows))
	for i, r := range rows {
		out[i] = r.toCall()
	}
	return out, nil
}

// Summary is the call in one line for a timeline, in the call log's words: its mode, the
// customer's number, its outcome and the agent's disposition, e.g. "hotline call from
// +79131234567: answered (reached)" or "preview call to +79131234567: busy".
func (c Call) Summary() string {
	s := fmt.Sprintf("%s call to %s", c.Mode, uriUser(c.To))
	if c.Direction == Inbound {
		s = fmt.Sprintf("%s call from %s", c.Mode, uriUser(c.From))
	}
	switch {
	case c.Outcome == "":
		return s + ": in progress"
	case c.Disposition != "":
		return fmt.Sprintf("%s: %s (%s)", s, c.Outcome, c.Disposition)
	}
	return fmt.Sprintf("%s: %s", s, c.Outcome)
}
