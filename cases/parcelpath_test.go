package cases_test

import (
	"testing"

	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// A parcel id written with spaces, percent-encoded in the path, finds the parcel as the same
// id does in a body or the tracking form (issue 13, defect 10): every route taking a parcel
// id in its path.
func TestParcelIDWithSpacesInPath(t *testing.T) {
	e := casestest.New(t)
	app := caseAPI(e)
	const id, spaced = "EM159700076IT", "EM%201597%200007%206%20IT"
	p := trackingtest.Parcel(id)
	p.OriginCountry = "IT"
	if r := e.Upsert(e.ScopeA(), p); r[0].Status != tracking.StatusAccepted {
		t.Fatalf("upsert: %+v", r[0])
	}
	var v tracking.ParcelView
	if st := trackingtest.Call(t, app, "GET", "/api/v1/parcels/"+spaced, e.KeyA, "", nil, &v); st != 200 || v.ID != id {
		t.Errorf("GET /api/v1/parcels/%s: %d %+v", spaced, st, v.ID)
	}
	var tl struct{ Parcel string }
	if st := trackingtest.Call(t, app, "GET", "/api/v1/parcels/"+spaced+"/timeline", e.KeyA, "", nil, &tl); st != 200 || tl.Parcel != id {
		t.Errorf("GET /api/v1/parcels/%s/timeline: %d %+v", spaced, st, tl)
	}
	// Another brand still gets the 404 of an unknown parcel.
	if st := trackingtest.Call(t, app, "GET", "/api/v1/parcels/"+spaced, e.KeyB, "", nil, nil); st != 404 {
		t.Errorf("brand B: GET /api/v1/parcels/%s: %d, want 404", spaced, st)
	}
}
