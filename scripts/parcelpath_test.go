package scripts

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/tracking"
)

// The routes of the portal, cases and the dialer read a parcel id written with spaces and
// percent-encoded in the path, as the tracking form and bodies do (issue 13, defect 10).
func TestParcelIDWithSpacesInPaths(t *testing.T) {
	e := newEnv(t)
	a := newAPI(e)
	p := tracking.MakeS10("RB", 730002, "GB")
	e.parcel(p, "1200.00")
	spaced := strings.ToLower(p[:2] + "%20" + p[2:6] + "%20" + p[6:10] + "%20" + p[10:11] + "%20" + p[11:])
	var view struct{ ID string }
	if code := a.do("GET", "/api/v1/parcels/"+spaced, e.key, nil, &view); code != 200 || view.ID != p {
		t.Errorf("GET /api/v1/parcels/%s: %d %+v", spaced, code, view)
	}
	var out struct {
		ParcelID string `json:"parcel_id"`
	}
	if code := a.do("GET", "/api/v1/parcels/"+spaced+"/contacts", e.key, nil, &out); code != 200 || out.ParcelID != p {
		t.Errorf("GET /api/v1/parcels/%s/contacts: %d %+v", spaced, code, out)
	}
	if code := a.do("GET", "/track/"+spaced, "", nil, nil); code != 200 {
		t.Errorf("GET /track/%s: %d", spaced, code)
	}
}

// A template preview and a call script run for one brand take only that brand's parcels,
// even for an account that works for several brands (issue 13, defect 10): brand B's parcel
// is not rendered into brand A's template.
func TestPreviewTakesOnlyTheBrandsParcel(t *testing.T) {
	e := newEnv(t)
	a := newAPI(e)
	ctx := context.Background()
	other, _, err := e.acc.CreateBrand(ctx, "Other Shop")
	if err != nil {
		t.Fatal(err)
	}
	own, foreign := tracking.MakeS10("RB", 730003, "GB"), tracking.MakeS10("RB", 730004, "GB")
	e.parcel(own, "")
	if res, err := e.cs.UpsertParcels(ctx, access.Brands(other.ID), []tracking.ParcelItem{{Input: tracking.ParcelInput{ID: foreign,
		ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB", DestinationCountry: "RU",
		Recipient: tracking.RecipientInput{Name: "Secret Recipient"}}}}); err != nil || res[0].Status != tracking.StatusAccepted {
		t.Fatalf("other brand's parcel: %+v %v", res, err)
	}
	if _, err := e.acc.CreateUser(ctx, "manager@both.example", "a long password 1", access.RoleBrandManager, []int64{e.brand, other.ID}); err != nil {
		t.Fatal(err)
	}
	sess, err := e.acc.Login(ctx, "manager@both.example", "a long password 1")
	if err != nil {
		t.Fatal(err)
	}
	auth := sess.Token + "|" + sess.CSRF
	path := fmt.Sprintf("/api/v1/templates/preview?brand=%d", e.brand)
	body := func(parcel string) map[string]any {
		return map[string]any{"channel": "sms", "parcel_id": parcel, "content": Content{SMS: "{{.recipient.first_name}}"}}
	}
	var r Rendered
	if code := a.do("POST", path, auth, body(own), &r); code != 200 || r.Text != "Иван" {
		t.Fatalf("preview on the brand's parcel: %d %+v", code, r)
	}
	r = Rendered{}
	if code := a.do("POST", path, auth, body(foreign), &r); code != 404 || r.Text != "" {
		t.Errorf("preview of brand %d's template on brand %d's parcel: %d %+v, want 404", e.brand, other.ID, code, r)
	}
	var scripts struct{ Scripts []CallScript }
	if code := a.do("GET", fmt.Sprintf("/api/v1/scripts?brand=%d", e.brand), auth, nil, &scripts); code != 200 || len(scripts.Scripts) == 0 {
		t.Fatalf("scripts: %d %+v", code, scripts)
	}
	if code := a.do("GET", fmt.Sprintf("/api/v1/scripts/%d/run?brand=%d&parcel=%s", scripts.Scripts[0].ID, e.brand, foreign), auth, nil, nil); code != 404 {
		t.Errorf("running brand %d's script on brand %d's parcel: %d, want 404", e.brand, other.ID, code)
	}
}
