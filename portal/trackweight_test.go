package portal

import (
	"context"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// demoTrackWorld is the tracking page over demo data: the first brand in its look (as `make
// run` shows it), the forms on, one parcel of each brand per phase.
type demoTrackWorld struct {
	deps    Deps
	db      *store.DB
	branded int64             // the brand with a look
	byPhase map[string]string // "phase/brand" -> a parcel
}

func newDemoTrackWorld(t testing.TB, parcels int) *demoTrackWorld {
	t.Helper()
	db := storetest.Open(t)
	log := storetest.Logger(t)
	ctx := context.Background()
	acc := access.NewService(db)
	reg := prometheus.NewRegistry()
	cs := tracking.NewService(db, log, reg)
	sum, err := demo.Run(ctx, demo.Options{Parcels: parcels, Seed: 7, Now: time.Now().UTC()}, acc, cs, log)
	if err != nil {
		t.Fatal(err)
	}
	looks := branding.New(db)
	if err := demo.Looks(ctx, looks, sum); err != nil {
		t.Fatal(err)
	}
	desk := cases.NewCaseService(db, log, "http://127.0.0.1")
	w := &demoTrackWorld{db: db, branded: sum.Brands[0].ID, byPhase: map[string]string{},
		deps: Deps{Log: log, DB: db, Access: acc, Cases: cs, Registry: reg, CaseDesk: desk, Requests: desk, Looks: looks}}
	rows, err := db.SQL.QueryContext(ctx, `SELECT id, phase, brand_id FROM parcels ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, phase string
		var brand int64
		if err := rows.Scan(&id, &phase, &brand); err != nil {
			t.Fatal(err)
		}
		key := phase + "/neutral"
		if brand == w.branded {
			key = phase + "/branded"
		}
		if _, ok := w.byPhase[key]; !ok {
			w.byPhase[key] = id
		}
	}
	return w
}

func (w *demoTrackWorld) keys() []string {
	var out []string
	for k := range w.byPhase {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var stylesheetLink = regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`)

// The tracking page is light: its HTML and every stylesheet it links weigh under 50 KB before
// images, for a parcel in every phase of the demo, branded or neutral, in both languages; and
// it needs no JavaScript (it has no script at all) and no inline style.
func TestTrackingPageIsLight(t *testing.T) {
	w := newDemoTrackWorld(t, 300)
	app := New(w.deps)
	get := func(path string) (int, string) {
		resp, err := app.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, b.String()
	}
	const budget = 50 << 10
	phases := map[string]bool{}
	for _, key := range w.keys() {
		phases[strings.Split(key, "/")[0]] = true
		for _, lang := range []string{"en", "ru"} {
			status, page := get("/track/" + w.byPhase[key] + "?lang=" + lang)
			if status != 200 {
				t.Fatalf("%s %s: %d", key, lang, status)
			}
			total := len(page)
			for _, m := range stylesheetLink.FindAllStringSubmatch(page, -1) {
				status, css := get(strings.ReplaceAll(m[1], "&amp;", "&"))
				if status != 200 {
					t.Fatalf("%s: %s answered %d", key, m[1], status)
				}
				total += len(css)
			}
			t.Logf("%-28s %s: HTML %5d B, with CSS %5d B", key, lang, len(page), total)
			if total > budget {
				t.Errorf("%s (%s): HTML and CSS weigh %d bytes, over %d", key, lang, total, budget)
			}
			if strings.Contains(page, "<script") || strings.Contains(page, "style=") || strings.Contains(page, "<style") {
				t.Errorf("%s (%s): the page has a script or inline style", key, lang)
			}
			if strings.HasSuffix(key, "/branded") && !strings.Contains(page, "/track/brand/") {
				t.Errorf("%s: not in the brand's look", key)
			}
		}
	}
	for _, want := range []string{"posted", "in_transit", "customs", "delivery_attempted", "delivered", "returned"} {
		if !phases[want] {
			t.Errorf("the demo has no parcel in phase %s (phases: %v)", want, phases)
		}
	}
}

// BenchmarkTrackPageRender renders a parcel's page for every view (no page cache), in the
// brand's look and neutral, over the same demo parcel: what the look costs a rendered page
// (one more read by key, the header's and footer's actions). Run:
//
//	go test ./portal -run '^$' -bench TrackPageRender -benchtime 3s
func BenchmarkTrackPageRender(b *testing.B) {
	w := newDemoTrackWorld(b, 300)
	id := w.byPhase["delivery_attempted/branded"]
	for _, v := range []struct {
		name  string
		looks Looks
	}{{"branded", w.deps.Looks}, {"neutral", nil}} {
		d := w.deps
		d.Looks = v.looks
		d.Registry = prometheus.NewRegistry()
		app := New(d)
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := app.Test(httptest.NewRequest("GET", "/track/"+id, nil), -1)
				if err != nil || resp.StatusCode != 200 {
					b.Fatal(err, resp.StatusCode)
				}
				resp.Body.Close()
			}
		})
	}
}
