package main

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/portal/browsertest"
	"github.com/wismo/wismo/portal/wallboard"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/reports/ccmetrics"
	"github.com/wismo/wismo/store/storetest"
)

// BenchmarkWallboardScreens is a floor of 30 wallboards, each refreshing the page 10 times
// (one after another, the 30 at once), on serve's demo data (2,000 parcels and the floor's
// day): "unshared" computes the figures per screen and refresh as the wallboard did before
// they were shared, "shared" as it does now (docs/contact-center-metrics.md has the numbers).
// Per run it reports the computations of today's figures and of the live picture, and the
// mean and slowest refresh. Run:
//
//	WISMO_TEST_DIALECT=sqlite WISMO_TEST_DATABASE_URL= go test -run '^$' -bench WallboardScreens -benchtime 1x ./cmd/wismo
func BenchmarkWallboardScreens(b *testing.B) {
	const screens, refreshes = 30, 10
	ctx := context.Background()
	b.Setenv("WISMO_DATABASE_URL", storetest.URL(b))
	b.Setenv("WISMO_DATA_DIR", b.TempDir())
	b.Setenv("WISMO_LOG_LEVEL", "error")
	cfg, _, err := parseFlags("serve", nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer a.db.Close()
	if _, _, err := a.loadDemoData(ctx, demoLoad{Parcels: 2000, Cases: -1, Seed: 1, Now: time.Now().UTC()}); err != nil {
		b.Fatal(err)
	}
	for _, run := range []struct {
		name  string
		share time.Duration
	}{{"unshared", -1}, {"shared", 0}} {
		b.Run(run.name, func(b *testing.B) {
			for range b.N {
				var today, live atomic.Int64
				o := wallboard.Options{Log: a.log, Access: a.access, Metrics: ccmetrics.New(a.db), Live: reports.NewDashboard(a.db, nil),
					Share: run.share, Computed: func(what, _ string) {
						if what == "today" {
							today.Add(1)
						} else {
							live.Add(1)
						}
					}}
				app := portal.New(portal.Deps{Log: a.log, DB: a.db, Access: a.access, PublicURL: "http://127.0.0.1:8080",
					Routes: []func(fiber.Router){func(r fiber.Router) { wallboard.Routes(r, o) }}})
				cookies := map[string]string{"lang": "en"}
				if st, body, _ := browsertest.Login(b, app, cookies, "supervisor@demo.wismo", demo.Password, ""); st != http.StatusSeeOther {
					b.Fatalf("login: %d %s", st, body)
				}
				took := make([]time.Duration, 0, screens*refreshes)
				var mu sync.Mutex
				var wg sync.WaitGroup
				start := time.Now()
				for range screens {
					wg.Add(1)
					go func() {
						defer wg.Done()
						mine := maps.Clone(cookies)
						for range refreshes {
							t0 := time.Now()
							if st, body, _ := browsertest.Request(b, app, mine, "GET", "/wallboard", nil); st != 200 {
								b.Errorf("wallboard: %d %.200s", st, body)
								return
							}
							mu.Lock()
							took = append(took, time.Since(t0))
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				all := time.Since(start)
				slices.Sort(took)
				var sum time.Duration
				for _, d := range took {
					sum += d
				}
				b.ReportMetric(float64(today.Load()), "today-computations")
				b.ReportMetric(float64(live.Load()), "live-computations")
				b.ReportMetric(all.Seconds(), "s-all-refreshes")
				b.ReportMetric(float64(sum.Milliseconds())/float64(len(took)), "ms-mean-refresh")
				b.ReportMetric(float64(took[len(took)*95/100].Milliseconds()), "ms-p95-refresh")
			}
		})
	}
}
