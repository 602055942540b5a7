package callcenter

import (
	"context"

	"github.com/wismo/wismo/callcenter/trackcalls"
)

// MaxTrackCalls bounds the calls the public tracking page reads for one parcel.
const MaxTrackCalls = trackcalls.Max

// TrackCall is a call about a parcel as the public tracking page shows it (trackcalls.Call).
type TrackCall = trackcalls.Call

// TrackHistory returns the brand's calls about a parcel, oldest first (trackcalls.History).
func (l *CallLog) TrackHistory(ctx context.Context, brandID int64, parcelID string) ([]TrackCall, error) {
	return trackcalls.History(ctx, l.db, brandID, parcelID)
}

var uriUser = trackcalls.URIUser
