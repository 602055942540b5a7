package wallboard_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/portal/wallboard"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/reports/ccmetrics"
	"github.com/wismo/wismo/reports/ccmetrics/ccday"
	"github.com/wismo/wismo/reports/reportstest"
	"github.com/wismo/wismo/store/storetest"
)

const password = "correct horse battery"

type env struct {
	t          *testing.T
	day        *ccday.Day
	app        *fiber.App
	keyA, keyB string
}

// newEnv is the scripted day (reports/ccmetrics/ccday) behind the pages at ccday.Now, with a
// supervisor and an agent of brand A, a supervisor of brand B, and both brands' API keys.
func newEnv(t *testing.T) *env { return newEnvAt(t, ccday.Now, time.Millisecond) }

// newEnvAt is newEnv with the clock at now and the wallboard's streams lasting streamFor;
// tune, if given, changes the wallboard's options.
func newEnvAt(t *testing.T, now time.Time, streamFor time.Duration, tune ...func(*wallboard.Options)) *env {
	t.Helper()
	db := storetest.Open(t)
	day, acc, brands := ccday.Open(t, db)
	e := &env{t: t, day: day, keyA: brands.KeyA, keyB: brands.KeyB}
	for _, u := range []struct {
		email string
		role  access.Role
		brand int64
	}{{"sup@a.example", access.RoleSupervisor, day.BrandA}, {"agent@a.example", access.RoleAgent, day.BrandA}, {"sup@b.example", access.RoleSupervisor, day.BrandB}} {
		if _, err := acc.CreateUser(context.Background(), u.email, password, u.role, []int64{u.brand}); err != nil {
			t.Fatal(err)
		}
	}
	m := ccmetrics.New(db)
	m.SetClock(func() time.Time { return now })
	live := reports.NewDashboard(db, nil)
	live.SetClock(func() time.Time { return now })
	o := wallboard.Options{Log: storetest.Logger(t), Access: acc, Metrics: m, Live: live, StreamFor: streamFor}
	for _, f := range tune {
		f(&o)
	}
	e.app = portal.New(portal.Deps{Log: storetest.Logger(t), DB: db, Access: acc, PublicURL: "http://127.0.0.1:8080",
		Routes: []func(fiber.Router){func(r fiber.Router) { wallboard.Routes(r, o) }}})
	return e
}

func (e *env) login(email, lang string) map[string]string {
	e.t.Helper()
	cookies := map[string]string{"lang": lang}
	if st, body, _ := browsertest.Login(e.t, e.app, cookies, email, password, ""); st != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d %s", email, st, body)
	}
	return cookies
}

// api calls the API with a brand's key.
func (e *env) api(key, method, path, body string) (int, []byte, http.Header) {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.app.Test(req, -1)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes(), resp.Header
}

const day = "from=2026-12-01&to=2026-12-01"

// TestReportAPI: the JSON report of the scripted day per agent, and a 422 naming each bad field.
func TestReportAPI(t *testing.T) {
	e := newEnv(t)
	st, body, _ := e.api(e.keyA, "GET", "/api/v1/reports/contact-center?"+day+"&group=agent", "")
	if st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	var r struct {
		Total struct {
			Offered      int      `json:"offered"`
			InSL         int      `json:"answered_in_sl"`
			ServiceLevel *float64 `json:"service_level"`
			AbandonRate  *float64 `json:"abandon_rate"`
			Transfers    int      `json:"transfers"`
		} `json:"total"`
		Rows []struct {
			Label     string   `json:"label"`
			Answered  int      `json:"answered"`
			Occupancy *float64 `json:"occupancy"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatal(err)
	}
	if r.Total.Offered != 10 || r.Total.InSL != 8 || r.Total.ServiceLevel == nil || *r.Total.ServiceLevel != 0.8 || *r.Total.AbandonRate != 0.1 || r.Total.Transfers != 1 {
		t.Errorf("total %+v, want 10 offered, SL 0.8, abandon 0.1, 1 transfer", r.Total)
	}
	var labels []string
	for _, row := range r.Rows {
		labels = append(labels, row.Label)
	}
	if !slices.Equal(labels, []string{"", "anna@a.example", "boris@a.example"}) {
		t.Errorf("rows %v, want the calls without an agent, Anna, Boris", labels)
	}
	for _, c := range []struct{ query, field string }{
		{"from=2026-12-01&to=2026-12-01&group=team", "group"},
		{"from=1.12.2026&to=2026-12-01", "from"},
		{"from=2026-12-02&to=2026-12-01", "to"},
		{"from=2026-01-01&to=2026-12-01", "to"},
		{day + "&tz=Mars/Olympus", "tz"},
		{day + "&brand=" + strconv.FormatInt(e.day.BrandB, 10), "brand"},
	} {
		st, body, _ := e.api(e.keyA, "GET", "/api/v1/reports/contact-center?"+c.query, "")
		var out struct {
			Error struct {
				Fields []struct{ Field string } `json:"fields"`
			} `json:"error"`
		}
		_ = json.Unmarshal(body, &out)
		if st != 422 || len(out.Error.Fields) == 0 || out.Error.Fields[0].Field != c.field {
			t.Errorf("?%s: %d %s, want 422 naming %s", c.query, st, body, c.field)
		}
	}
}

// TestReportCSV: the CSV has the stable columns, a row per group and the total, with numbers
// as numbers.
func TestReportCSV(t *testing.T) {
	e := newEnv(t)
	st, body, h := e.api(e.keyA, "GET", "/api/v1/reports/contact-center.csv?"+day+"&group=queue", "")
	if st != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || !strings.Contains(h.Get("Content-Disposition"), "contact-center-2026-12-01-2026-12-01-queue.csv") {
		t.Fatalf("%d %s %v", st, body, h)
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "queue" || recs[1][0] != "A support" || recs[2][0] != "total" {
		t.Fatalf("CSV %q, want the header, A support and the total", recs)
	}
	col := func(name string) int { return slices.Index(recs[0], name) }
	for name, want := range map[string]string{"offered": "10", "answered_in_sl": "8", "service_level": "0.8000", "abandon_rate": "0.1000",
		"asa_s": "16.1", "hold_avg_s": "5.0", "fcr": "0.5000", "occupancy": ""} {
		if i := col(name); i < 0 || recs[1][i] != want {
			t.Errorf("column %s: %q, want %q (header %v)", name, recs[1][max(i, 0)], want, recs[0])
		}
	}
	if i := col("occupancy"); recs[2][i] == "" {
		t.Errorf("the total has no occupancy: %v", recs[2])
	}
}

// TestDrillDown: the report page links every count to the list of exactly the calls behind
// it, each linking to its call page.
func TestDrillDown(t *testing.T) {
	e := newEnv(t)
	sup := e.login("sup@a.example", "en")
	st, page, _ := browsertest.Request(t, e.app, sup, "GET", "/reports/contact-center?"+day+"&group=brand", nil)
	if st != 200 {
		t.Fatalf("%d %s", st, page)
	}
	page = html.UnescapeString(page)
	_, foot, _ := strings.Cut(page, "<tfoot>")
	link := regexp.MustCompile(`href="(/reports/contact-center/calls\?[^"]*figure=answered_in_sl[^"]*)"`).FindStringSubmatch(foot)
	if link == nil {
		t.Fatalf("the total's 'answered in target' links nowhere:\n%s", foot)
	}
	st, list, _ := browsertest.Request(t, e.app, sup, "GET", link[1], nil)
	if st != 200 {
		t.Fatalf("%s: %d %s", link[1], st, list)
	}
	var got []int64
	for _, m := range regexp.MustCompile(`<tr data-call="(\d+)"><td><a href="/calls/(\d+)">`).FindAllStringSubmatch(list, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		if m[1] != m[2] {
			t.Errorf("row of call %s links to /calls/%s", m[1], m[2])
		}
		got = append(got, id)
	}
	c := e.day.Calls
	if want := []int64{c[0], c[1], c[2], c[3], c[5], c[6], c[7], c[8]}; !slices.Equal(got, want) {
		t.Errorf("calls answered within 20 s: %v, want %v", got, want)
	}
	// The same list in Russian: the figure, the direction and the outcome in the reader's words.
	ru := e.login("sup@a.example", "ru")
	if _, list, _ := browsertest.Request(t, e.app, ru, "GET", link[1], nil); !strings.Contains(list, "Отвечено в пределах цели") ||
		!strings.Contains(list, "<td>входящий</td>") || !strings.Contains(list, "<td>отвечен</td>") || !strings.Contains(list, "8 звонков") {
		t.Errorf("the drill-down in Russian lacks its words:\n%s", list)
	}
	st, body, _ := e.api(e.keyA, "GET", "/api/v1/reports/contact-center/calls?"+day+"&figure=abandoned", "")
	var out struct {
		Total int `json:"total"`
		Calls []struct {
			ID int64 `json:"id"`
		} `json:"calls"`
	}
	if err := json.Unmarshal(body, &out); err != nil || st != 200 || out.Total != 1 || len(out.Calls) != 1 || out.Calls[0].ID != c[9] {
		t.Errorf("abandoned calls: %d %s, want call %d", st, body, c[9])
	}
	if st, body, _ := e.api(e.keyA, "GET", "/api/v1/reports/contact-center/calls?"+day, ""); st != 422 || !strings.Contains(string(body), `"field":"figure"`) {
		t.Errorf("no figure: %d %s, want 422 naming figure", st, body)
	}
}

// TestBrandIsolation: brand B sees its own 2 calls only, and nothing of brand A by id; an
// agent may see the wallboard but not the reports.
func TestBrandIsolation(t *testing.T) {
	e := newEnv(t)
	st, body, _ := e.api(e.keyB, "GET", "/api/v1/reports/contact-center?"+day+"&group=agent", "")
	if st != 200 || !strings.Contains(string(body), `"offered":2,`) || strings.Contains(string(body), "anna@") || strings.Contains(string(body), "A support") {
		t.Errorf("brand B's report: %d %s", st, body)
	}
	key := "&key=" + strconv.FormatInt(e.day.Anna, 10)
	if st, body, _ := e.api(e.keyB, "GET", "/api/v1/reports/contact-center/calls?"+day+"&group=agent&figure=handled"+key, ""); st != 200 || !strings.Contains(string(body), `"total":0`) {
		t.Errorf("brand B drilling into Anna: %d %s, want no calls", st, body)
	}
	supB := e.login("sup@b.example", "en")
	if st, page, _ := browsertest.Request(t, e.app, supB, "GET", "/wallboard", nil); st != 200 || strings.Contains(page, "A support") {
		t.Errorf("brand B's wallboard: %d, shows brand A's queue: %v", st, strings.Contains(page, "A support"))
	}
	agent := e.login("agent@a.example", "en")
	if st, _, _ := browsertest.Request(t, e.app, agent, "GET", "/wallboard", nil); st != 200 {
		t.Errorf("the agent's wallboard: %d", st)
	}
	if st, _, _ := browsertest.Request(t, e.app, agent, "GET", "/reports/contact-center", nil); st == 200 {
		t.Errorf("an agent reads the report")
	}
}

// TestTargetsAPI: a brand's queue target changes the service level; wrong values are 422s
// naming the field; another brand's target is not found.
func TestTargetsAPI(t *testing.T) {
	e := newEnv(t)
	q := strconv.FormatInt(e.day.QueueA, 10)
	if st, body, _ := e.api(e.keyA, "PUT", "/api/v1/reports/contact-center/targets", `{"queue_id": `+q+`, "seconds": 0, "target": 0.8}`); st != 422 || !strings.Contains(string(body), `"field":"seconds"`) {
		t.Errorf("seconds 0: %d %s", st, body)
	}
	if st, body, _ := e.api(e.keyA, "PUT", "/api/v1/reports/contact-center/targets", `{"queue_id": `+q+`, "seconds": 10, "target": 0.7}`); st != 200 {
		t.Fatalf("%d %s", st, body)
	}
	if st, body, _ := e.api(e.keyB, "PUT", "/api/v1/reports/contact-center/targets", `{"brand_id": `+strconv.FormatInt(e.day.BrandA, 10)+`, "seconds": 10, "target": 0.7}`); st != 404 {
		t.Errorf("brand B setting A's target: %d %s", st, body)
	}
	_, body, _ := e.api(e.keyA, "GET", "/api/v1/reports/contact-center?"+day, "")
	if !strings.Contains(string(body), `"answered_in_sl":4,`) || !strings.Contains(string(body), `"service_level":0.4,`) {
		t.Errorf("with a 10 s target: %s", body)
	}
	_, body, _ = e.api(e.keyB, "GET", "/api/v1/reports/contact-center/targets", "")
	if strings.Contains(string(body), `"seconds":10`) {
		t.Errorf("brand B sees A's target: %s", body)
	}
}

// TestWallboardInBothLanguages: the wallboard in English and Russian, with no inline script
// or style (the CSP allows none), and its stream's first board.
func TestWallboardInBothLanguages(t *testing.T) {
	// The evening of the scripted day: its figures are today's; one caller waits a minute.
	now := ccday.From.Add(20 * time.Hour) // 23:00 in Moscow, the viewer's zone
	e := newEnvAt(t, now, time.Millisecond)
	// The caller spent 30 s of their minute in the self-service menu; another is in the menu now
	// (not queued: not waiting).
	seed := &reportstest.Seed{T: t, DB: e.day.DB}
	seed.Exec(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at, queued_at)
		VALUES ('inbound', 'hotline', ?, ?, ?, ?, ?)`, e.day.BrandA, e.day.QueueA, now.Add(-90*time.Second), now.Add(-90*time.Second), now.Add(-time.Minute))
	seed.Exec(`INSERT INTO calls (direction, mode, brand_id, queue_id, started_at, answered_at)
		VALUES ('inbound', 'hotline', ?, ?, ?, ?)`, e.day.BrandA, e.day.QueueA, now.Add(-5*time.Minute), now.Add(-5*time.Minute))
	for lang, words := range map[string][]string{"en": {"Callers waiting", "Service level today", "Average speed of answer", "on call"},
		"ru": {"Ждут ответа", "Уровень сервиса сегодня", "Среднее время ответа", "Операторы"}} {
		sup := e.login("sup@a.example", lang)
		st, page, h := browsertest.Request(t, e.app, sup, "GET", "/wallboard", nil)
		if st != 200 {
			t.Fatalf("%s: %d %s", lang, st, page)
		}
		page = html.UnescapeString(page)
		for _, w := range words {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the wallboard lacks %q", lang, w)
			}
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: CSP %q", lang, h.Get("Content-Security-Policy"))
		}
		for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
			if !strings.Contains(m, "src=") && !strings.Contains(m, `type="application/json"`) {
				t.Errorf("%s: inline script %s", lang, m)
			}
		}
		if strings.Contains(page, "style=") || strings.Contains(page, "<style") {
			t.Errorf("%s: inline style on the wallboard", lang)
		}
	}
	sup := e.login("sup@a.example", "en")
	st, stream, h := browsertest.Request(t, e.app, sup, "GET", "/wallboard/live", nil)
	if st != 200 || h.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %v", st, h)
	}
	_, data, ok := strings.Cut(stream, "event: board\ndata: ")
	if !ok {
		t.Fatalf("no board in the stream:\n%s", stream)
	}
	data, _, _ = strings.Cut(data, "\n")
	var b wallboard.Board
	if err := json.Unmarshal([]byte(data), &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Queues) != 1 || b.Queues[0].Name != "A support" || b.States["offline"] != 3 || b.Waiting != 1 || b.LongestWaitS != 60 {
		t.Errorf("board %+v, want brand A's queue with one caller waiting 60 s, and its 3 agents offline", b)
	}
	if d := b.Today; d.Offered != 10 || d.ServiceLevel != 0.8 || d.AbandonRate != 0.1 || d.SLSeconds != 20 || math.Abs(float64(d.ASA)-145.0/9) > 1e-9 {
		t.Errorf("today %+v, want the scripted day's figures", d)
	}
}

// TestTargetForm: a supervisor sets the queue's target on the report page (CSRF-checked
// form); the day's service level follows; a wrong value is refused naming the field.
func TestTargetForm(t *testing.T) {
	e := newEnv(t)
	sup := e.login("sup@a.example", "en")
	_, page, _ := browsertest.Request(t, e.app, sup, "GET", "/reports/contact-center?"+day, nil)
	token := browsertest.FormToken(page)
	if token == "" || !strings.Contains(page, `<option value="`+strconv.FormatInt(e.day.QueueA, 10)+`">A support</option>`) {
		t.Fatalf("no target form with brand A's queue:\n%s", page)
	}
	form := url.Values{"_csrf": {token}, "brand": {strconv.FormatInt(e.day.BrandA, 10)}, "queue": {strconv.FormatInt(e.day.QueueA, 10)}, "target": {"70"}, "seconds": {"0"}}
	if st, body, _ := browsertest.Request(t, e.app, sup, "POST", "/reports/contact-center/targets", form); st != 422 || !strings.Contains(body, "seconds") {
		t.Errorf("seconds 0: %d %.300s", st, body)
	}
	form.Set("seconds", "10")
	if st, body, _ := browsertest.Request(t, e.app, sup, "POST", "/reports/contact-center/targets", form); st != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", st, body)
	}
	_, page, _ = browsertest.Request(t, e.app, sup, "GET", "/reports/contact-center?"+day+"&done=target", nil)
	_, foot, _ := strings.Cut(page, "<tfoot>")
	if !strings.Contains(page, "The target is saved.") || !strings.Contains(foot, ">40.0%<") {
		t.Errorf("after the 10 s target the day's SL should be 40%%:\n%s", foot)
	}
	form.Set("_csrf", "")
	if st, _, _ := browsertest.Request(t, e.app, sup, "POST", "/reports/contact-center/targets", form); st == http.StatusSeeOther {
		t.Errorf("a form without the CSRF token was taken")
	}
}

// TestWallboardScreensShareFigures: 20 screens of brand A (a supervisor's and an agent's) and
// 20 of brand B refresh at once; each brand's figures are computed once and shared by its own
// screens only: every A screen shows A's day and queue, every B screen B's.
func TestWallboardScreensShareFigures(t *testing.T) {
	var mu sync.Mutex
	computed := map[string]int{}
	e := newEnvAt(t, ccday.From.Add(20*time.Hour), time.Millisecond, func(o *wallboard.Options) {
		o.Share = time.Hour // every refresh of this test falls within one sharing
		o.Computed = func(what, key string) {
			mu.Lock()
			computed[what+" "+key]++
			mu.Unlock()
		}
	})
	viewers := []struct {
		cookies map[string]string
		offered int
		queue   string
	}{
		{e.login("sup@a.example", "en"), ccday.Offered, "A support"},
		{e.login("agent@a.example", "ru"), ccday.Offered, "A support"},
		{e.login("sup@b.example", "en"), 2, ""},
	}
	const screens = 20
	var wg sync.WaitGroup
	boards := make([]wallboard.Board, 2*screens)
	fails := make([]string, 2*screens)
	for i := range 2 * screens {
		v := viewers[min(i/(screens/2), 2)] // 10 of the supervisor's, 10 of the agent's, 20 of B's
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, stream, _ := browsertest.Request(t, e.app, v.cookies, "GET", "/wallboard/live", nil)
			_, data, ok := strings.Cut(stream, "event: board\ndata: ")
			if data, _, _ = strings.Cut(data, "\n"); st != 200 || !ok || json.Unmarshal([]byte(data), &boards[i]) != nil {
				fails[i] = fmt.Sprintf("%d %s", st, stream)
			}
		}()
	}
	wg.Wait()
	for i, b := range boards {
		v := viewers[min(i/(screens/2), 2)]
		if fails[i] != "" {
			t.Fatalf("screen %d: %s", i, fails[i])
		}
		hasA := slices.ContainsFunc(b.Queues, func(q reports.LiveQueue) bool { return q.Name == "A support" })
		if b.Today.Offered != v.offered || hasA != (v.queue != "") {
			t.Errorf("screen %d shows %d offered, A's queue %v; want %d offered, A's queue %v", i, b.Today.Offered, hasA, v.offered, v.queue != "")
		}
	}
	a, b := strconv.FormatInt(e.day.BrandA, 10), strconv.FormatInt(e.day.BrandB, 10)
	want := map[string]int{"today brands:" + a + "|Europe/Moscow|2026-12-01": 1, "live brands:" + a: 1,
		"today brands:" + b + "|Europe/Moscow|2026-12-01": 1, "live brands:" + b: 1}
	if !maps.Equal(computed, want) {
		t.Errorf("computations %v, want one per brand: %v", computed, want)
	}
}
