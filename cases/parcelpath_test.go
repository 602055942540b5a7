package cases

import (
	"testing"
)

// A parcel id written with spaces, percent-encoded in the path, finds the parcel as the same
// id does in a body or the tracking form (issue 13, defect 10): every route taking a parcel
// id in its path.
func TestParcelIDWithSpacesInPath(t *testing.T) {
	e := newCaseEnv(t)
	app := caseAPI(e)
	const id, spaced = "EM159700076IT", "EM%201597%200007%206%20IT"
	p := parcel(id)
	p.OriginCountry = "IT"
	if r := e.upsert(e.scopeA(), p); r[0].Status != StatusAccepted {
		t.Fatalf("upsert: %+v", r[0])
	}
	var v ParcelView
	if st := call(t, app, "GET", "/api/v1/parcels/"+spaced, e.keyA, "", nil, &v); st != 200 || v.ID != id {
		t.Errorf("GET /api/v1/parcels/%s: %d %+v", spaced, st, v.ID)
	}
	var tl struct{ Parcel string }
	if st := call(t, app, "GET", "/api/v1/parcels/"+spaced+"/timeline", e.keyA, "", nil, &tl); st != 200 || tl.Parcel != id {
		t.Errorf("GET /api/v1/parcels/%s/timeline: %d %+v", spaced, st, tl)
	}
	// Another brand still gets the 404 of an unknown parcel.
	if st := call(t, app, "GET", "/api/v1/parcels/"+spaced, e.keyB, "", nil, nil); st != 404 {
		t.Errorf("brand B: GET /api/v1/parcels/%s: %d, want 404", spaced, st)
	}
}
