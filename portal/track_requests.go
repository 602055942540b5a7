package portal

import (
	"context"

	"github.com/wismo/wismo/cases"
)

// RequestHistory lists the requests (cases) customers opened about a parcel, for the public
// tracking page (cases.CaseService implements it).
type RequestHistory interface {
	ParcelRequests(ctx context.Context, brandID int64, parcelID string) ([]cases.CustomerRequest, error)
}
