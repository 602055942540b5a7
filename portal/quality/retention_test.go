package quality_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/portal/quality"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/retention"
	"github.com/wismo/wismo/recordings/review"
	"github.com/wismo/wismo/recordings/talk"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

const password = "correct horse battery"

// A brand manager sets the recordings' retention on /quality: a value that is not 0-MaxDays
// is refused with 422 and the error beside the field, a good one is saved and shown, in
// English and Russian. Supervisors see no form and may not post it; another brand's manager
// cannot set this brand's (404).
func TestRetentionFormOnTheQualityPage(t *testing.T) {
	e := trackingtest.New(t)
	ctx := context.Background()
	for _, u := range []struct {
		email string
		role  access.Role
		brand int64
	}{{"mgr@a.example", access.RoleBrandManager, e.BrandA}, {"sup@a.example", access.RoleSupervisor, e.BrandA},
		{"mgr@b.example", access.RoleBrandManager, e.BrandB}} {
		if _, err := e.Access.CreateUser(ctx, u.email, password, u.role, []int64{u.brand}); err != nil {
			t.Fatal(err)
		}
	}
	log := storetest.Logger(t)
	recs := recordings.NewService(e.DB, t.TempDir(), log)
	tk := talk.NewService(e.DB, log)
	keep := retention.New(e.DB, recs, log)
	app := portal.New(portal.Deps{Log: log, DB: e.DB, Access: e.Access, Cases: e.Tracking, PublicURL: "http://127.0.0.1:8080",
		Routes: []func(fiber.Router){func(r fiber.Router) {
			quality.Routes(r, quality.Options{Access: e.Access, Talk: tk, Reviews: review.NewService(e.DB, recs, tk, log), Retention: keep})
		}}})
	brandA := strconv.FormatInt(e.BrandA, 10)
	login := func(email, lang string) map[string]string {
		cookies := map[string]string{"lang": lang}
		if st, body, _ := browsertest.Login(t, app, cookies, email, password, ""); st != http.StatusSeeOther {
			t.Fatalf("login %s: %d %s", email, st, body)
		}
		return cookies
	}
	get := func(cookies map[string]string, path string) string {
		st, page, _ := browsertest.Request(t, app, cookies, "GET", path, nil)
		if st != 200 {
			t.Fatalf("GET %s: %d", path, st)
		}
		return html.UnescapeString(page)
	}
	csrf := func(page string) string {
		return regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	}
	mgr := login("mgr@a.example", "en")
	page := get(mgr, "/quality?brand="+brandA)
	if !strings.Contains(page, `id="retention"`) || !strings.Contains(page, "Recordings are kept forever.") {
		t.Fatalf("the manager's /quality has no retention form")
	}
	post := func(cookies map[string]string, csrf, brand, days string) (int, string) {
		st, body, _ := browsertest.Request(t, app, cookies, "POST", "/quality/retention", url.Values{"_csrf": {csrf}, "brand": {brand}, "days": {days}})
		return st, html.UnescapeString(body)
	}
	for _, bad := range []string{"abc", "-1", strconv.Itoa(retention.MaxDays + 1), ""} {
		st, body := post(mgr, csrf(page), brandA, bad)
		if st != http.StatusUnprocessableEntity || !regexp.MustCompile(`id="retention-days" [^>]*aria-invalid="true"`).MatchString(body) ||
			!strings.Contains(body, `<p class="field-error" id="retention-days-error" role="alert">Enter a whole number of days from 0 (forever) to `) {
			t.Errorf("days %q: %d, want 422 with the error beside the field", bad, st)
		}
	}
	if st, _ := post(mgr, csrf(page), brandA, "90"); st != http.StatusSeeOther {
		t.Fatalf("days 90: %d", st)
	}
	if s, err := keep.Days(ctx, e.BrandA); err != nil || s.Days != 90 || s.UpdatedBy != "user:mgr@a.example" {
		t.Fatalf("stored retention: %+v %v", s, err)
	}
	page = get(mgr, "/quality?brand="+brandA+"&done=retention")
	for _, want := range []string{"Retention saved.", "Recordings are kept for 90 days.", `value="90"`} {
		if !strings.Contains(page, want) {
			t.Errorf("after saving, /quality lacks %q", want)
		}
	}
	if page := get(login("mgr@a.example", "ru"), "/quality?brand="+brandA); !strings.Contains(page, "Хранение записей") || !strings.Contains(page, "Хранить записи (дней)") {
		t.Errorf("ru: no retention form in Russian")
	}
	sup := login("sup@a.example", "en")
	page = get(sup, "/quality?brand="+brandA)
	if strings.Contains(page, `id="retention"`) {
		t.Errorf("a supervisor sees the retention form")
	}
	if st, _ := post(sup, csrf(page), brandA, "1"); st != http.StatusForbidden {
		t.Errorf("a supervisor setting retention: %d, want 403", st)
	}
	other := login("mgr@b.example", "en")
	page = get(other, "/quality")
	if st, _ := post(other, csrf(page), brandA, "1"); st != http.StatusNotFound {
		t.Errorf("another brand's manager: %d, want 404", st)
	}
	if s, _ := keep.Days(ctx, e.BrandA); s.Days != 90 {
		t.Errorf("brand A's retention changed to %d", s.Days)
	}
}
