package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/csat"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/reports/reportstest"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

const deliveredEvent = `{"events":[{"item_id":"RB123456785GB","code":"EMI","occurred_at":"2026-11-09T06:00:00Z","office":"RUNVSA","location":"Novosibirsk","country":"RU","signature":"Ivan Petrov"}]}`

func rateForm(token, caseNumber, score, comment string) url.Values {
	return url.Values{"_csrf": {token}, "case": {caseNumber}, "score": {score}, "comment": {comment}}
}

// A delivered parcel's page offers a rating; the rating shows at once (the page cache drops
// the parcel's page), can be changed, is refused without the page's token or with a bad
// score, and is closed after the change window.
func TestRatingAfterDelivery(t *testing.T) {
	var ratings *csat.Service
	f := newTrackFixture(t, FeedbackLimits{}, withPageCache, func(d *Deps) {
		ratings = csat.New(d.DB.(*store.DB))
		d.Ratings = ratings
	})
	b := f.browser(t)
	f.do(t, "POST", "/api/v1/events", f.keyA, deliveredEvent)
	token := formToken(t, b, "/track/RB123456785GB")
	page := b.do("GET", "/track/RB123456785GB", nil) // cached now
	if !strings.Contains(page.body, "How was the delivery?") || !strings.Contains(page.body, `name="score" value="5"`) {
		t.Fatalf("delivered page offers no rating: %.3000s", page.body)
	}
	if r := b.do("POST", "/track/RB123456785GB/rating", rateForm("", "", "4", "")); r.status != http.StatusForbidden {
		t.Errorf("rating without the page's token: %d", r.status)
	}
	if r := b.do("POST", "/track/RB123456785GB/rating", rateForm(token, "", "9", "Lovely courier")); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "Choose a rating from 1 to 5") || !strings.Contains(r.body, "Lovely courier") {
		t.Errorf("a score of 9: %d %.300s", r.status, r.body)
	}
	r := b.do("POST", "/track/RB123456785GB/rating", rateForm(token, "", "4", "Lovely courier"))
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/track/RB123456785GB#rating" {
		t.Fatalf("rating: %d %s %.300s", r.status, r.header.Get("Location"), r.body)
	}
	if p := b.do("GET", "/track/RB123456785GB", nil); !strings.Contains(p.body, "You rated 4 of 5") || strings.Contains(p.body, "Lovely courier") {
		t.Errorf("the page (cached before the rating) does not show it, or shows the comment: %.3000s", p.body)
	}
	b.do("POST", "/track/RB123456785GB/rating", rateForm(token, "", "2", ""))
	if p := b.do("GET", "/track/RB123456785GB?lang=ru", nil); !strings.Contains(p.body, "Ваша оценка: 2 из 5") || !strings.Contains(p.body, "Изменить оценку") {
		t.Errorf("Russian page after a change: %.3000s", p.body)
	}
	got, err := ratings.ParcelRatings(context.Background(), f.brandA, "RB123456785GB")
	if err != nil || len(got) != 1 || got[""].Score != 2 {
		t.Errorf("stored: %+v %v", got, err)
	}
	// After the window the rating stands.
	ratings.SetClock(func() time.Time { return time.Now().Add(csat.ChangeWindow + time.Hour) })
	if r := b.do("POST", "/track/RB123456785GB/rating", rateForm(token, "", "5", "")); r.status != http.StatusConflict {
		t.Errorf("a change after the window: %d", r.status)
	}
	// Credited to the brand, the partner post and the region, and to brand A alone.
	sum, err := ratings.Summary(context.Background(), access.Brands(f.brandA), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || sum.Delivery.Ratings != 1 || len(sum.Posts) != 1 || sum.Posts[0].Key != "RU" || sum.Regions[0].Key != "RU-NVS" || sum.Brands[0].Name != "Brand A" {
		t.Errorf("A's CSAT: %+v %v", sum, err)
	}
	if sum, _ := ratings.Summary(context.Background(), access.Brands(f.brandB), time.Now().Add(-time.Hour), time.Now().Add(time.Hour)); sum.Delivery.Ratings != 0 {
		t.Errorf("B sees A's rating: %+v", sum)
	}
}

// After a request is resolved, the page offers a rating of the service, credited to the
// agent who resolved it; an open request offers none.
func TestRatingOfResolvedRequest(t *testing.T) {
	var ratings *csat.Service
	f := newTrackFixture(t, FeedbackLimits{}, func(d *Deps) {
		ratings = csat.New(d.DB.(*store.DB))
		d.Ratings = ratings
	})
	ctx := context.Background()
	agent, err := f.acc.CreateUser(ctx, "olga@a.example", "correct horse battery", access.RoleAgent, []int64{f.brandA})
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	b.do("POST", "/track/RB123456785GB/feedback", feedbackForm(token))
	cs := f.brandCases(t, f.brandA)[0]
	if p := b.do("GET", "/track/RB123456785GB", nil); strings.Contains(p.body, "How did we handle") || strings.Contains(p.body, `id="rating"`) {
		t.Error("an open request, or a parcel on its way, offers a rating")
	}
	if r := b.do("POST", "/track/RB123456785GB/rating", rateForm(token, cs.Number, "5", "")); r.status != http.StatusConflict {
		t.Errorf("rating an open request: %d", r.status)
	}
	resolved, code := "resolved", "information_given"
	if _, err := f.desk.Update(ctx, access.Brands(f.brandA), cases.Actor{Label: "user:olga"}, cs.Number, f.brandA,
		cases.CasePatch{AssigneeID: &agent.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.desk.Update(ctx, access.Brands(f.brandA), cases.Actor{Label: "user:olga"}, cs.Number, f.brandA,
		cases.CasePatch{Status: &resolved, ResolutionCode: &code}); err != nil {
		t.Fatal(err)
	}
	p := b.do("GET", "/track/RB123456785GB?lang=ru", nil)
	if !strings.Contains(p.body, "Как мы решили ваше обращение "+cs.Number) {
		t.Fatalf("resolved request offers no rating: %.3000s", p.body)
	}
	if r := b.do("POST", "/track/RB123456785GB/rating", rateForm(token, cs.Number, "5", "Quick and kind")); r.status != http.StatusSeeOther {
		t.Fatalf("rating the request: %d %.300s", r.status, r.body)
	}
	sum, err := ratings.Summary(ctx, access.Brands(f.brandA), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || sum.Service.Ratings != 1 || len(sum.Agents) != 1 || sum.Agents[0].Name != "olga@a.example" || sum.Delivery.Ratings != 0 {
		t.Errorf("service CSAT: %+v %v", sum, err)
	}
}

// Supervisors read CSAT per brand, post, region and agent on the dashboard, in both
// languages, and only of their brands.
func TestDashboardShowsCSAT(t *testing.T) {
	w, acc := reportstest.Open(t)
	db, a, bb := w.DB, w.BrandA, w.BrandB
	log := storetest.Logger(t)
	reg := prometheus.NewRegistry()
	ctx := context.Background()
	dash := reports.NewDashboard(db, cases.NewCaseService(db, log, "http://127.0.0.1:8080"))
	dash.SetClock(func() time.Time { return reportstest.Now })
	ratings := csat.New(db)
	ratings.SetClock(func() time.Time { return reportstest.Now.Add(-24 * time.Hour) })
	app := New(Deps{Log: log, DB: db, Access: acc, Cases: tracking.NewService(db, log, reg), Registry: reg, Dashboard: dash, Ratings: ratings})
	if _, err := acc.CreateUser(ctx, "sup@a.example", "correct horse battery", access.RoleSupervisor, []int64{a}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		brand        int64
		parcel, dest string
		region       string
		score        int
	}{{a, "RA000000001RU", "KZ", "KZ-ALA", 5}, {a, "RA000000002RU", "KZ", "KZ-ALA", 2}, {bb, "RB000000003RU", "BY", "BY-HM", 1}} {
		if _, err := ratings.Rate(ctx, csat.Subject{BrandID: r.brand, ParcelID: r.parcel, OriginCountry: "RU", DestinationCountry: r.dest, Region: r.region}, r.score, ""); err != nil {
			t.Fatal(err)
		}
	}
	sup := &browser{t: t, app: app, cookies: map[string]string{}}
	if r := sup.login("sup@a.example", "correct horse battery", "/dashboard"); r.status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.status)
	}
	page := sup.do("GET", "/dashboard?from=2026-11-10&to=2026-11-16&lang=en", nil)
	for _, want := range []string{"Delivery CSAT by partner post", "Kazakhstan · Kazpost", "KZ-ALA", "50.0%", "Delivery CSAT by brand"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	if strings.Contains(page.body, "BY-HM") || strings.Contains(page.body, "Belpost") {
		t.Error("A's supervisor sees brand B's ratings")
	}
	ru := sup.do("GET", "/dashboard?from=2026-11-10&to=2026-11-16&lang=ru", nil)
	for _, want := range []string{"CSAT доставки по почтам-партнёрам", "Казахстан · Казпочта", "50,0"} {
		if !strings.Contains(ru.body, want) {
			t.Errorf("Russian dashboard lacks %q", want)
		}
	}
	if csv := sup.do("GET", "/dashboard/export/csat-posts.csv?from=2026-11-10&to=2026-11-16", nil); csv.status != 200 || !strings.Contains(csv.body, "2,50.0%") {
		t.Errorf("CSAT export: %d %s", csv.status, csv.body)
	}
}

// Ratings count against the page's form limits: past them the page answers 429 with the
// rating form as it was typed.
func TestRatingIsRateLimited(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{PerIP: Limit{Requests: 1, Window: time.Hour}, PerParcel: Limit{Requests: 10, Window: time.Hour}}, func(d *Deps) {
		d.Ratings = csat.New(d.DB.(*store.DB))
	})
	f.do(t, "POST", "/api/v1/events", f.keyA, deliveredEvent)
	b := f.browser(t)
	token := formToken(t, b, "/track/RB123456785GB")
	if r := b.do("POST", "/track/RB123456785GB/rating", rateForm(token, "", "5", "")); r.status != http.StatusSeeOther {
		t.Fatalf("first rating: %d", r.status)
	}
	r := b.do("POST", "/track/RB123456785GB/rating", rateForm(token, "", "3", "Second thoughts"))
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "Second thoughts") {
		t.Errorf("second rating from the same address: %d %q", r.status, r.header.Get("Retry-After"))
	}
}
