// Package wallboard is the contact center's pages and API (issue 19 item 5;
// docs/contact-center-metrics.md): the wallboard for a big screen on the floor (/wallboard:
// callers waiting, the longest wait, agents by state, and today's service level, abandon
// rate and speed of answer, pushed live over Server-Sent Events), the historical report
// over a period per agent, queue, brand or hour (/reports/contact-center, with its CSV),
// the drill-down from every figure to the calls behind it, and the same as JSON and CSV
// (GET /api/v1/reports/contact-center) with the service-level targets' API.
//
// The figures come from reports/ccmetrics, the live picture from reports.Dashboard.Live;
// the pages use the portal's frame (portal.RequirePage, portal.RenderPage) and its templates
// (portal/templates/wallboard.html, ccreport.html, cccalls.html). It is apart from portal
// because portal is at its size limit.
package wallboard

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/reports/ccmetrics"
)

// Options are the services the pages read.
type Options struct {
	Log     *slog.Logger
	Access  *access.Service
	Metrics *ccmetrics.Metrics
	Live    *reports.Dashboard
	// StreamFor is how long one wallboard stream runs before the browser reconnects (0:
	// streamFor; tests shorten it).
	StreamFor time.Duration
	// Computed, when set, is told each time the wallboard's figures are computed rather than
	// shared: what ("today" or "live") and the key (tests and measurements count them).
	Computed func(what, key string)
	// Share is how long today's figures are shared by the screens (0: shareToday; tests
	// lengthen it; negative: not shared, each screen computes its own as before, for
	// measurements). The live picture is shared for a fifth of it.
	Share time.Duration
}

type pages struct {
	o     Options
	page  portal.Deps
	today *shared[TodayFigures]         // per brands, zone and day (shareToday)
	live  *shared[reports.LiveSnapshot] // per brands (shareLive)
}

// Who sees what: the wallboard is for everyone on the floor; reports and targets are for
// supervisors and brand managers (admins always).
var (
	boardRoles  = []access.Role{access.RoleAgent, access.RoleSupervisor, access.RoleBrandManager}
	reportRoles = []access.Role{access.RoleSupervisor, access.RoleBrandManager}
)

// Routes mounts the pages and the API on r (serve passes them to portal.Deps.Routes).
func Routes(r fiber.Router, o Options) {
	p := &pages{o: o, page: portal.Deps{Access: o.Access}}
	told := func(what string) func(string) {
		if o.Computed == nil {
			return nil
		}
		return func(key string) { o.Computed(what, key) }
	}
	todayFor, liveFor := shareToday, shareLive
	if o.Share != 0 {
		todayFor, liveFor = o.Share, o.Share/5
	}
	p.today, p.live = newShared[TodayFigures](todayFor, told("today")), newShared[reports.LiveSnapshot](liveFor, told("live"))
	board, reporters := portal.RequirePage(p.page, boardRoles...), portal.RequirePage(p.page, reportRoles...)
	r.Get("/wallboard", board, p.wallboard)
	r.Get("/wallboard/live", board, p.liveStream)
	r.Get("/reports/contact-center", reporters, p.report)
	r.Get("/reports/contact-center.csv", reporters, p.reportCSV)
	r.Get("/reports/contact-center/calls", reporters, p.calls)
	r.Post("/reports/contact-center/targets", reporters, p.setTarget)
	r.Get("/api/v1/reports/contact-center", p.apiReport)
	r.Get("/api/v1/reports/contact-center.csv", p.apiReportCSV)
	r.Get("/api/v1/reports/contact-center/calls", p.apiCalls)
	r.Get("/api/v1/reports/contact-center/targets", p.apiTargets)
	r.Put("/api/v1/reports/contact-center/targets", p.apiSetTarget)
}

// The wallboard's stream: a "board" event at once and every boardEvery while the picture
// changes (a comment line otherwise, which also finds a browser that went away), with the
// figures every screen of the same brands shares (shared.go); the stream ends after
// streamFor (below the server's write timeout) and EventSource reconnects by itself.
const (
	boardEvery = 2 * time.Second
	streamFor  = 50 * time.Second
)

// Board is one picture of the floor, as the wallboard's script receives it.
type Board struct {
	At           string              `json:"at"`
	Waiting      int                 `json:"waiting"`
	LongestWaitS int64               `json:"longest_wait_s"`
	States       map[string]int      `json:"states"`
	Queues       []reports.LiveQueue `json:"queues"`
	Today        TodayFigures        `json:"today"`
}

// TodayFigures are today's figures (midnight in the viewer's zone until now).
type TodayFigures struct {
	Offered      int            `json:"offered"`
	Answered     int            `json:"answered"`
	Abandoned    int            `json:"abandoned"`
	ServiceLevel ccmetrics.Rate `json:"service_level"`
	SLSeconds    int            `json:"sl_seconds"` // 0: the day's calls have different targets
	SLTarget     float64        `json:"sl_target"`
	AbandonRate  ccmetrics.Rate `json:"abandon_rate"`
	ASA          ccmetrics.Rate `json:"asa_s"`
	Deflected    int            `json:"deflected"`
}

func today(f ccmetrics.Figures) TodayFigures {
	return TodayFigures{Offered: f.Offered, Answered: f.Answered, Abandoned: f.Abandoned, ServiceLevel: f.ServiceLevel,
		SLSeconds: f.SLSeconds, SLTarget: f.SLTarget, AbandonRate: f.AbandonRate, ASA: f.ASA, Deflected: f.Deflected}
}

// board is the live picture and today's figures in zone, each shared with the other screens
// of the same brands (and zone and day) for a moment. The snapshot's map and slices are
// shared too: they are only read.
func (p *pages) board(ctx context.Context, scope access.Scope, zone *time.Location) (Board, error) {
	key := scopeKey(scope)
	day := p.o.Metrics.Now().In(zone).Format(time.DateOnly)
	t, err := p.today.get(ctx, key+"|"+zone.String()+"|"+day, func(ctx context.Context) (TodayFigures, error) {
		f, err := p.o.Metrics.Today(ctx, scope, zone)
		return today(f), err
	})
	if err != nil {
		return Board{}, err
	}
	snap, err := p.live.get(ctx, key, func(ctx context.Context) (reports.LiveSnapshot, error) { return p.o.Live.Live(ctx, scope) })
	if err != nil {
		return Board{}, err
	}
	b := Board{At: snap.At, States: snap.States, Queues: snap.Queues, Today: t}
	for _, q := range snap.Queues {
		b.Waiting += q.Waiting
		b.LongestWaitS = max(b.LongestWaitS, q.LongestWaitS)
	}
	return b, nil
}

// boardScope is the viewer's scope, or one of their brands named by ?brand=.
func boardScope(c *fiber.Ctx) (access.Scope, int64, error) {
	scope := access.PrincipalOf(c).Scope
	id, err := access.BrandQuery(c, "brand")
	if err != nil || id == 0 {
		return scope, 0, err
	}
	if !scope.AllowsBrand(id) {
		return scope, 0, fiber.NewError(fiber.StatusNotFound, fmt.Sprintf("brand: no brand %d for this account", id))
	}
	return access.Brands(id), id, nil
}

// wallPage is the wallboard's data.
type wallPage struct {
	Brands []access.Brand
	Brand  int64
	Src    string
	Zone   string
	States []string
	Board  Board
}

// boardStates are the agent states the wallboard counts, in its order.
var boardStates = []string{"available", "ringing", "on_call", "wrap_up", "paused", "offline"}

func (p *pages) wallboard(c *fiber.Ctx) error {
	scope, brand, err := boardScope(c)
	if err != nil {
		return err
	}
	L := p.locale(c)
	b, err := p.board(c.UserContext(), scope, L.Zone)
	if err != nil {
		return err
	}
	brands, err := p.o.Access.Brands(c.UserContext(), access.PrincipalOf(c).Scope)
	if err != nil {
		return err
	}
	src := "/wallboard/live"
	if brand != 0 {
		src += fmt.Sprintf("?brand=%d", brand)
	}
	return portal.RenderPage(c, p.page, "wallboard.html", "wb.title", wallPage{Brands: brands, Brand: brand, Src: src,
		Zone: L.Zone.String(), States: boardStates, Board: b})
}

// liveStream answers GET /wallboard/live (see boardEvery).
func (p *pages) liveStream(c *fiber.Ctx) error {
	scope, _, err := boardScope(c)
	if err != nil {
		return err
	}
	zone := p.locale(c).Zone
	ctx := context.WithoutCancel(c.UserContext()) // the handler returns before the stream is written
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		fmt.Fprintf(w, "retry: %d\n\n", boardEvery.Milliseconds())
		ticker := time.NewTicker(boardEvery)
		defer ticker.Stop()
		var last []byte
		ticks := int(streamFor / boardEvery)
		if p.o.StreamFor > 0 {
			ticks = int(p.o.StreamFor / boardEvery)
		}
		for i := 0; i <= ticks; i++ {
			body, err := p.boardEvent(ctx, scope, zone)
			switch {
			case err != nil:
				p.o.Log.Warn("wallboard", "err", err)
				fmt.Fprintf(w, "event: trouble\ndata: {}\n\n")
			case string(body) != string(last):
				fmt.Fprintf(w, "event: board\ndata: %s\n\n", body)
				last = body
			default:
				fmt.Fprintf(w, ": %d\n\n", i)
			}
			if err := w.Flush(); err != nil || i == ticks {
				return // the browser went away, or the stream's time is up
			}
			<-ticker.C
		}
	})
	return nil
}

// boardEvent is the next board as JSON.
func (p *pages) boardEvent(ctx context.Context, scope access.Scope, zone *time.Location) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, boardEvery*2)
	defer cancel()
	b, err := p.board(ctx, scope, zone)
	if err != nil {
		return nil, err
	}
	b.At = "" // changes every time: the script shows its own clock
	return json.Marshal(b)
}

func (p *pages) locale(c *fiber.Ctx) i18n.Locale {
	L := portal.PageLocale(c, p.page)
	if L.Zone == nil {
		L.Zone = time.UTC
	}
	return L
}
