package portal

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/reports/reportstest"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// dashEnv is a portal with the dashboard over the fixed dataset.
type dashEnv struct {
	app            *fiber.App
	acc            *access.Service
	dash           *reports.Dashboard
	w              *reportstest.World
	db             *store.DB
	brandA, brandB int64
}

func newDashEnv(t testing.TB) *dashEnv {
	t.Helper()
	w, acc := reportstest.Open(t)
	db, a, b := w.DB, w.BrandA, w.BrandB
	log := storetest.Logger(t)
	reg := prometheus.NewRegistry()
	ctx := context.Background()
	dash := reports.NewDashboard(db, cases.NewCaseService(db, log, "http://127.0.0.1:8080"))
	dash.SetClock(func() time.Time { return reportstest.Now })
	app := New(Deps{Log: log, DB: db, Access: acc, Cases: tracking.NewService(db, log, reg), Registry: reg, Dashboard: dash})
	e := &dashEnv{app: app, acc: acc, dash: dash, db: db, brandA: a, brandB: b, w: w}
	for _, u := range []struct {
		email  string
		role   access.Role
		brands []int64
	}{
		{"sup@a.example", access.RoleSupervisor, []int64{a}},
		{"sup@ab.example", access.RoleSupervisor, []int64{a, b}},
		{"mgr@a.example", access.RoleBrandManager, []int64{a}},
		{"agent@a.example", access.RoleAgent, []int64{a}},
	} {
		if _, err := acc.CreateUser(ctx, u.email, "correct horse battery", u.role, u.brands); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *dashEnv) browser(t *testing.T, email string) *browser {
	t.Helper()
	b := &browser{t: t, app: e.app, cookies: map[string]string{}}
	if r := b.login(email, "correct horse battery", "/dashboard"); r.status != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}
	return b
}

func TestDashboardLiveAndBrandIsolation(t *testing.T) {
	e := newDashEnv(t)
	ctx := context.Background()
	snap, err := e.dash.Live(ctx, access.Brands(e.brandA))
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, a := range snap.Agents {
		emails = append(emails, a.Email+":"+a.State)
	}
	// agent@a.example (created with the env) has no state row: offline.
	if strings.Join(emails, ",") != "agent@a.example:offline,anna@a.example:on_call,boris@a.example:available" {
		t.Errorf("A's agents: %v", emails)
	}
	if len(snap.Queues) != 1 || snap.Queues[0].Name != "A support" || snap.Queues[0].Waiting != 1 || snap.Queues[0].LongestWaitS != 60 {
		t.Errorf("A's queues: %+v", snap.Queues)
	}
	if len(snap.Calls) != 2 || snap.Calls[0].State != "talking" || snap.Calls[1].State != "waiting" {
		t.Errorf("A's active calls: %+v", snap.Calls)
	}
	for _, c := range snap.Calls {
		if c.ID == e.w.LiveCallB {
			t.Errorf("B's call shows on A's board")
		}
	}
	both, err := e.dash.Live(ctx, access.Brands(e.brandA, e.brandB))
	if err != nil || len(both.Agents) != 4 || len(both.Calls) != 3 || len(both.Queues) != 2 {
		t.Errorf("a supervisor of A and B sees both: %+v %v", both, err)
	}

	// Through the page: A's supervisor never sees B's agents, calls, recordings or numbers.
	sup := e.browser(t, "sup@a.example")
	page := sup.do("GET", "/dashboard?from=2026-11-10&to=2026-11-16", nil)
	if page.status != 200 {
		t.Fatalf("dashboard: %d %s", page.status, page.body)
	}
	for _, want := range []string{"anna@a.example", "A support", "RU-NVS", "GB→RU", `/api/v1/recordings/` + itoa(int(e.w.RecA)) + `/audio`, "75.0%", "42.9%", "<svg", `class="bar"`, `class="point"`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("A's dashboard lacks %q", want)
		}
	}
	for _, leak := range []string{"zed@b.example", "B support", "RU-SPE", "DE→RU", `/api/v1/recordings/` + itoa(int(e.w.RecB)) + `/audio`} {
		if strings.Contains(page.body, leak) {
			t.Errorf("A's dashboard shows brand B's %q", leak)
		}
	}
	if r := sup.do("GET", "/dashboard?brand="+itoa(int(e.brandB)), nil); r.status != http.StatusForbidden || strings.Contains(r.body, "zed@b.example") {
		t.Errorf("A's supervisor asking for brand B: want 403, got %d", r.status)
	}
	if r := sup.do("GET", "/dashboard/export/agents.csv?brand="+itoa(int(e.brandB)), nil); r.status != http.StatusForbidden {
		t.Errorf("export of brand B by A's supervisor: want 403, got %d", r.status)
	}
	if r := sup.do("GET", "/dashboard/export/recordings.csv?from=2026-11-10&to=2026-11-16", nil); r.status != 200 ||
		!strings.Contains(r.body, itoa(int(e.w.RecA))) || strings.Contains(r.body, "zed@b.example") {
		t.Errorf("A's recordings export: %d %s", r.status, r.body)
	}

	// The supervisor of A and B can narrow to B, and gets a brand filter.
	ab := e.browser(t, "sup@ab.example")
	r := ab.do("GET", "/dashboard?from=2026-11-10&to=2026-11-16&brand="+itoa(int(e.brandB)), nil)
	if r.status != 200 || !strings.Contains(r.body, `name="brand"`) || !strings.Contains(r.body, "zed@b.example") || strings.Contains(r.body, "anna@a.example") {
		t.Errorf("brand filter B for a supervisor of A and B: %d", r.status)
	}
	// The page's links keep the filter: the live stream and the exports are B's too.
	link := regexp.MustCompile(`href="(/dashboard/export/agents\.csv\?[^"]+)"`).FindStringSubmatch(r.body)
	if link == nil || !strings.Contains(r.body, `data-src="/dashboard/live?brand=`+itoa(int(e.brandB))+`&amp;`) {
		t.Fatalf("the page's links lose the brand filter")
	}
	if csvB := ab.do("GET", html.UnescapeString(link[1]), nil); csvB.status != 200 || !strings.Contains(csvB.body, "zed@b.example") || strings.Contains(csvB.body, "anna@a.example") {
		t.Errorf("the agents export linked from B's page: %d %s", csvB.status, csvB.body)
	}

	// Other roles and anonymous visitors.
	if r := e.browser(t, "mgr@a.example").do("GET", "/dashboard", nil); r.status != http.StatusForbidden {
		t.Errorf("a brand manager on the dashboard: want 403, got %d", r.status)
	}
	if r := e.browser(t, "agent@a.example").do("GET", "/dashboard/live", nil); r.status != http.StatusForbidden {
		t.Errorf("an agent on the live stream: want 403, got %d", r.status)
	}
	anon := &browser{t: t, app: e.app, cookies: map[string]string{}}
	if r := anon.do("GET", "/dashboard/export/regions.csv", nil); r.status != http.StatusSeeOther {
		t.Errorf("anonymous export: want a redirect to login, got %d", r.status)
	}
}

func TestDashboardFilterValidation(t *testing.T) {
	e := newDashEnv(t)
	sup := e.browser(t, "sup@a.example")
	r := sup.do("GET", "/dashboard?from=2026-13-01&to=2026-11-16&country=Russia", nil)
	if r.status != 200 || !strings.Contains(r.body, "from: enter a date as YYYY-MM-DD") || !strings.Contains(r.body, "country: enter a two-letter country code") {
		t.Errorf("bad filter: want the page with messages naming the fields, got %d", r.status)
	}
	if r := sup.do("GET", "/dashboard?from=2026-11-16&to=2026-11-10", nil); !strings.Contains(r.body, "from: the period must start on or before its end") {
		t.Errorf("reversed period not reported")
	}
	if r := sup.do("GET", "/dashboard/export/regions.csv?from=yesterday", nil); r.status != http.StatusBadRequest || !strings.Contains(r.body, "from:") {
		t.Errorf("export with a bad date: want 400 naming the field, got %d %s", r.status, r.body)
	}
	if r := sup.do("GET", "/dashboard/export/secrets.csv", nil); r.status != http.StatusNotFound || !strings.Contains(r.body, "secrets") {
		t.Errorf("unknown table: want 404, got %d", r.status)
	}
}

func TestCSVEscaping(t *testing.T) {
	tb := table{Name: "x", Head: []string{"Name", "Note"}, Rows: [][]string{
		{"=HYPERLINK(\"http://evil.example\",\"click\")", "+1 555"},
		{"-2+3", "@SUM(A1:A2)"},
		{"comma, \"quoted\"", "line\nbreak"},
		{"\tTAB", "plain"},
		{"-", ""},
	}}
	body, err := writeCSV(tb)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatalf("the export is not valid CSV: %v\n%s", err, body)
	}
	want := [][]string{
		{"Name", "Note"},
		{"'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1 555"},
		{"'-2+3", "'@SUM(A1:A2)"},
		{"comma, \"quoted\"", "line\nbreak"},
		{"'\tTAB", "plain"},
		{"'-", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("records: %q", recs)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: got %q, want %q", i, recs[i], want[i])
		}
	}
	if !strings.Contains(string(body), "\r\n") {
		t.Errorf("CSV lines should end with CRLF (RFC 4180)")
	}

	// Through the export: a region name that looks like a formula is neutralised.
	e := newDashEnv(t)
	s := &reportstest.Seed{T: t, DB: e.db, Seq: 500}
	s.Parcel(reportstest.Parcel{Brand: e.brandA, Origin: "GB", Service: "standard", Region: "=cmd|' /C calc'!A0", Zone: "Europe/Moscow", Posted: "2026-11-12T10:00:00Z"})
	sup := e.browser(t, "sup@a.example")
	r := sup.do("GET", "/dashboard/export/regions.csv?from=2026-11-10&to=2026-11-16", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || !strings.Contains(r.header.Get("Content-Disposition"), "wismo-regions-2026-11-10_2026-11-16.csv") {
		t.Fatalf("export: %d %v", r.status, r.header)
	}
	recs, err = csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range recs {
		if rec[0] == "'=cmd|' /C calc'!A0" {
			found = true
		}
		if strings.HasPrefix(rec[0], "=") {
			t.Errorf("a formula cell left as is: %q", rec)
		}
	}
	if !found || recs[1][0] != "All regions" || recs[1][1] != "5" {
		t.Errorf("regions export: %q", recs)
	}
}

// TestLiveStream reads the event stream over a real connection: the first event is a
// snapshot with A's agents, and the server stops writing when the client goes.
func TestLiveStream(t *testing.T) {
	e := newDashEnv(t)
	sup := e.browser(t, "sup@a.example")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln) //nolint:errcheck
	t.Cleanup(func() { e.app.Shutdown() })
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/dashboard/live", nil)
	req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: sup.cookies[access.SessionCookie]})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("live: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	event := ""
	for i := 0; i < 20 && sc.Scan(); i++ {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "event: "); ok {
			event = v
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok && event == "snapshot" {
			var snap reports.LiveSnapshot
			if err := json.Unmarshal([]byte(v), &snap); err != nil {
				t.Fatal(err)
			}
			if len(snap.Agents) != 3 || snap.Agents[1].Email != "anna@a.example" || snap.Agents[1].State != "on_call" || snap.States["available"] != 1 || len(snap.Calls) != 2 {
				t.Errorf("snapshot: %+v", snap)
			}
			for _, a := range snap.Agents {
				if a.Email == "zed@b.example" {
					t.Errorf("B's agent in A's stream")
				}
			}
			return
		}
	}
	t.Fatalf("no snapshot event in the stream (%v)", sc.Err())
}

func TestFriendlyErrorPages(t *testing.T) {
	e := newDashEnv(t)
	e.app.Get("/t/boom", func(c *fiber.Ctx) error { return errDashBoom })
	e.app.Get("/t/panic", func(c *fiber.Ctx) error { panic("secret detail in panic") })
	e.app.Get("/t/field", func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "email: <script>alert(1)</script> is not an address")
	})
	anon := &browser{t: t, app: e.app, cookies: map[string]string{}}
	for _, tc := range []struct {
		path   string
		status int
		want   []string
		never  []string
	}{
		{"/no/such/page", 404, []string{"We could not find this page", `href="/"`, `<link rel="stylesheet" href="/static/wismo.css">`}, []string{"Cannot GET"}},
		{"/t/boom", 500, []string{"Something went wrong on our side", `id="error-ref"`, `href="/"`}, []string{"database password", "goroutine"}},
		{"/t/panic", 500, []string{"Something went wrong on our side"}, []string{"secret detail", "goroutine", ".go:"}},
		{"/t/field", 422, []string{"email: &lt;script&gt;alert(1)&lt;/script&gt; is not an address"}, []string{"<script>alert(1)"}},
	} {
		r := anon.do("GET", tc.path, nil)
		if r.status != tc.status || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: got %d %s", tc.path, r.status, r.header.Get("Content-Type"))
		}
		for _, w := range tc.want {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s: page lacks %q:\n%s", tc.path, w, r.body)
			}
		}
		for _, n := range tc.never {
			if strings.Contains(r.body, n) {
				t.Errorf("%s: page shows %q", tc.path, n)
			}
		}
	}
	ru := anon.do("GET", "/no/such/page?lang=ru", nil)
	if !strings.Contains(ru.body, "Такой страницы нет") {
		t.Errorf("Russian error page: %s", ru.body)
	}
	// A page that needs a role offers to log in; the API keeps JSON.
	mgr := e.browser(t, "mgr@a.example")
	if r := mgr.do("GET", "/dashboard", nil); r.status != 403 || !strings.Contains(r.body, "This is not open to you") || !strings.Contains(r.body, "/login?next=") {
		t.Errorf("403 page: %d %s", r.status, r.body)
	}
	r := anon.do("GET", "/api/v1/parcels/RB123456785GB", nil)
	var body struct {
		Error struct {
			Status  int    `json:"status"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if r.status != 401 || json.Unmarshal([]byte(r.body), &body) != nil || body.Error.Status != 401 {
		t.Errorf("API errors stay JSON: %d %s", r.status, r.body)
	}
}

type dashBoomError struct{}

func (dashBoomError) Error() string { return "database password is hunter2" }

var errDashBoom = dashBoomError{}
