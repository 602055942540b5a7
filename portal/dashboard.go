package portal

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/reports"
)

// The supervisor dashboard (/dashboard): the live call center, KPIs over a period with charts,
// recordings to listen to, and every table as CSV. Supervisors and admins only; everything is
// limited to the viewer's brands, or to one of them with ?brand=.

// dashboardFilter is the page's query string, validated.
type dashboardFilter struct {
	From, To time.Time // days, UTC; To is inclusive
	Country  string
	Brand    int64
	Errors   map[string]string // field -> message
}

// parseFilter reads from, to (YYYY-MM-DD), country and brand. Invalid fields are reported by
// name and replaced by their defaults (the last 7 days, every country, every brand).
func parseFilter(c *fiber.Ctx, today time.Time) dashboardFilter {
	f := dashboardFilter{To: today, From: today.AddDate(0, 0, -6), Errors: map[string]string{}}
	day := func(field string) (time.Time, bool) {
		v := strings.TrimSpace(c.Query(field))
		if v == "" {
			return time.Time{}, false
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			f.Errors[field] = fmt.Sprintf("%s: enter a date as YYYY-MM-DD, got %q", field, v)
			return time.Time{}, false
		}
		return t, true
	}
	from, okFrom := day("from")
	to, okTo := day("to")
	if okTo {
		f.To = to
		if !okFrom && f.Errors["from"] == "" {
			f.From = to.AddDate(0, 0, -6)
		}
	}
	if okFrom {
		f.From = from
	}
	switch {
	case f.From.After(f.To):
		f.Errors["from"] = "from: the period must start on or before its end (to)"
		f.To, f.From = today, today.AddDate(0, 0, -6)
	case f.To.Sub(f.From) >= reports.MaxPeriodDays*24*time.Hour:
		f.Errors["to"] = fmt.Sprintf("to: a period spans at most %d days", reports.MaxPeriodDays)
		f.From = f.To.AddDate(0, 0, -(reports.MaxPeriodDays - 1))
	}
	if v := strings.ToUpper(strings.TrimSpace(c.Query("country"))); v != "" {
		if geo.ValidCountry(v) {
			f.Country = v
		} else {
			f.Errors["country"] = fmt.Sprintf("country: enter a two-letter country code such as RU, got %q", c.Query("country"))
		}
	}
	if v := strings.TrimSpace(c.Query("brand")); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			f.Brand = id
		} else {
			f.Errors["brand"] = fmt.Sprintf("brand: choose one of your brands, got %q", v)
		}
	}
	return f
}

// query is the filter as a query string, for links (export, live stream).
func (f dashboardFilter) query() string {
	v := url.Values{}
	v.Set("from", f.From.Format("2006-01-02"))
	v.Set("to", f.To.Format("2006-01-02"))
	if f.Country != "" {
		v.Set("country", f.Country)
	}
	if f.Brand != 0 {
		v.Set("brand", strconv.FormatInt(f.Brand, 10))
	}
	return v.Encode()
}

// dashboardScope is the viewer's scope, narrowed to ?brand= when given. A brand the viewer
// may not see is refused (403), never silently widened or emptied.
func dashboardScope(c *fiber.Ctx) (access.Scope, int64, error) {
	scope := access.PrincipalOf(c).Scope
	v := strings.TrimSpace(c.Query("brand"))
	if v == "" {
		return scope, 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return scope, 0, fiber.NewError(fiber.StatusBadRequest, fmt.Sprintf("brand: choose one of your brands, got %q", v))
	}
	if !scope.AllowsBrand(id) {
		return scope, 0, fiber.NewError(fiber.StatusForbidden, "brand: this brand is not one of yours")
	}
	return access.Brands(id), id, nil
}

// table is one table of the dashboard: shown as HTML and exported as CSV from the same rows.
type table struct {
	Name, Title string
	Head        []string
	Num         []bool // right-aligned (numeric) columns
	Rows        [][]string
	Empty       string
	// Show is what the page shows (the first htmlRows); More counts the rest, in the CSV.
	Show [][]string
	More int
}

// htmlRows bounds a KPI table on the page; the CSV export has every row.
const htmlRows = 25

func (t table) limited() table {
	t.Show = t.Rows[:min(len(t.Rows), htmlRows)]
	t.More = len(t.Rows) - len(t.Show)
	return t
}

// dashboardPage is the page's data.
type dashboardPage struct {
	Filter         dashboardFilter
	From, To       string
	Query          template.URL // the filter as a query string (url.Values.Encode: safe in a URL)
	Brands         []access.Brand
	Live           reports.LiveSnapshot
	LiveTables     []table
	KPI            reports.KPIReport
	Totals         []kpiTile
	Tables         []table
	Charts         []template.HTML
	Recordings     []recordingItem
	RecordingTable table
	SLALive        string
}

// kpiTile is one headline number.
type kpiTile struct{ Label, Value, Note string }

// recordingItem is one recording in the list, with its playback URL.
type recordingItem struct {
	ID                                                int64
	When, Direction, Parcel, Agent, Outcome, Duration string
	AudioURL                                          string
	Cases                                             []string // linked on the page to /cases/{number}
}

func dashboardRoutes(app *fiber.App, d Deps) {
	guard := requirePage(d, access.RoleSupervisor)
	ready := func(c *fiber.Ctx) error {
		if d.Dashboard == nil {
			return fiber.NewError(fiber.StatusServiceUnavailable, "the dashboard is not available on this server")
		}
		return c.Next()
	}
	app.Get("/dashboard", guard, ready, func(c *fiber.Ctx) error {
		page, err := buildDashboard(c, d)
		if err != nil {
			return err
		}
		return render(c, d, "dashboard.html", "Dashboard", page)
	})
	app.Get("/dashboard/live", guard, ready, liveStream(d))
	app.Get("/dashboard/export/:table.csv", guard, ready, func(c *fiber.Ctx) error {
		page, err := buildDashboard(c, d)
		if err != nil {
			return err
		}
		if len(page.Filter.Errors) > 0 {
			var msgs []string
			for _, m := range page.Filter.Errors {
				msgs = append(msgs, m)
			}
			return fiber.NewError(fiber.StatusBadRequest, strings.Join(msgs, "; "))
		}
		name := c.Params("table")
		for _, t := range page.allTables() {
			if t.Name == name {
				return sendCSV(c, t, fmt.Sprintf("wismo-%s-%s_%s.csv", t.Name, page.From, page.To))
			}
		}
		return fiber.NewError(fiber.StatusNotFound, fmt.Sprintf("table: no table named %q to export", name))
	})
}

func (p *dashboardPage) allTables() []table {
	out := append([]table{}, p.LiveTables...)
	out = append(out, p.Tables...)
	return append(out, p.RecordingTable)
}

// buildDashboard reads everything the page shows for the request's filter.
func buildDashboard(c *fiber.Ctx, d Deps) (*dashboardPage, error) {
	scope, _, err := dashboardScope(c)
	if err != nil {
		return nil, err
	}
	today := d.Dashboard.Now().Truncate(24 * time.Hour)
	f := parseFilter(c, today)
	ctx, cancel := context.WithTimeout(c.UserContext(), 30*time.Second)
	defer cancel()
	p := &dashboardPage{Filter: f, From: f.From.Format("2006-01-02"), To: f.To.Format("2006-01-02"), Query: template.URL(f.query())}
	if d.Access != nil {
		if p.Brands, err = d.Access.Brands(ctx, access.PrincipalOf(c).Scope); err != nil {
			return nil, err
		}
	}
	if p.Live, err = d.Dashboard.Live(ctx, scope); err != nil {
		return nil, err
	}
	p.LiveTables = liveTables(p.Live)
	if p.KPI, err = d.Dashboard.KPIs(ctx, reports.KPIQuery{Scope: scope, From: f.From, To: f.To.AddDate(0, 0, 1), Country: f.Country}); err != nil {
		return nil, err
	}
	p.Totals = kpiTiles(p.KPI)
	for _, t := range kpiTables(p.KPI) {
		p.Tables = append(p.Tables, t.limited())
	}
	p.Charts = kpiCharts(p.KPI)
	if s := p.KPI.SLA.Live; s != nil {
		p.SLALive = fmt.Sprintf("Open cases now: %d · first response breached %d · resolution breached %d · near breach %d · paused %d",
			s.Open, s.FirstResponseBreached, s.ResolutionBreached, s.NearBreach, s.Paused)
	}
	recs, err := d.Dashboard.Recordings(ctx, scope, f.From, f.To.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		p.Recordings = append(p.Recordings, recordingItemOf(r))
	}
	p.RecordingTable = recordingTable(p.Recordings)
	return p, nil
}

// Formatting shared by the tables, tiles and CSV: an empty cell means "no data".

func pct(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
}

func dec(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func itoa(n int) string { return strconv.Itoa(n) }

func regionName(r string) string {
	if r == "" {
		return "(no region)"
	}
	return r
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func duration(sec int64) string {
	if sec < 0 {
		sec = 0
	}
	if sec >= 3600 {
		return fmt.Sprintf("%dh %02dm", sec/3600, sec%3600/60)
	}
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}

func kpiTiles(k reports.KPIReport) []kpiTile {
	t := k.Total
	return []kpiTile{
		{"Contact rate", orDash(pct(t.ContactRate)), fmt.Sprintf("%d of %d parcels", t.Contacted, t.Parcels)},
		{"Answer rate", orDash(pct(t.AnswerRate)), fmt.Sprintf("%d of %d calls reached the recipient", t.CallsReached, t.CallAttempts)},
		{"Attempts to reach", orDash(dec(t.AvgAttempts)), fmt.Sprintf("average over %d parcels reached", t.ReachedParcels)},
		{"SMS delivered", orDash(pct(t.SMSRate)), fmt.Sprintf("%d of %d sent", t.SMSDelivered, t.SMSSent)},
		{"COD returned", orDash(pct(t.CODReturnRate)), fmt.Sprintf("%d of %d cash-on-delivery parcels", t.CODReturned, t.COD)},
		{"Delivered on time", orDash(pct(t.OnTimeP)), fmt.Sprintf("%d of %d delivered", t.OnTime, t.Delivered)},
		{"Case SLA met", orDash(pct(k.SLA.Compliance)), fmt.Sprintf("%d of %d cases opened", k.SLA.Compliant, k.SLA.Cases)},
	}
}

func kpiTables(k reports.KPIReport) []table {
	regions := table{Name: "regions", Title: "KPIs by region",
		Head: []string{"Region", "Parcels", "Contact rate", "Call attempts", "Answer rate", "Attempts to reach", "SMS sent", "SMS delivered", "COD parcels", "COD returned", "Delivered", "On time"},
		Num:  []bool{false, true, true, true, true, true, true, true, true, true, true, true}, Empty: "No parcels in this period."}
	row := func(name string, r reports.RegionKPI) []string {
		return []string{name, itoa(r.Parcels), pct(r.ContactRate), itoa(r.CallAttempts), pct(r.AnswerRate), dec(r.AvgAttempts),
			itoa(r.SMSSent), pct(r.SMSRate), itoa(r.COD), pct(r.CODReturnRate), itoa(r.Delivered), pct(r.OnTimeP)}
	}
	if len(k.Regions) > 0 {
		regions.Rows = append(regions.Rows, row("All regions", k.Total))
	}
	for _, r := range k.Regions {
		regions.Rows = append(regions.Rows, row(regionName(r.Region), r))
	}
	lanes := table{Name: "lanes", Title: "Transit against the promised date, by lane and service",
		Head: []string{"Lane", "Service", "Delivered", "On time", "Late", "On-time share", "Median days late", "Median transit days"},
		Num:  []bool{false, false, true, true, true, true, true, true}, Empty: "No deliveries with a promised date in this period."}
	for _, l := range k.Lanes {
		lanes.Rows = append(lanes.Rows, []string{l.Origin + "→" + l.Destination, l.Service, itoa(l.Delivered), itoa(l.OnTime), itoa(l.Late),
			pct(l.OnTimeShare), dec(l.MedianDaysLate), dec(l.MedianTransitDays)})
	}
	sla := table{Name: "sla", Title: "Case SLA compliance (cases opened in the period)",
		Head: []string{"Cases", "No clock breached", "Compliance", "First response breached", "Resolution breached", "Resolved"},
		Num:  []bool{true, true, true, true, true, true},
		Rows: [][]string{{itoa(k.SLA.Cases), itoa(k.SLA.Compliant), pct(k.SLA.Compliance), itoa(k.SLA.FirstResponseBreached), itoa(k.SLA.ResolutionBreached), itoa(k.SLA.Resolved)}}}
	daily := table{Name: "daily", Title: "By day (UTC)",
		Head: []string{"Day", "Parcels", "Contact rate", "Call attempts", "Answer rate"},
		Num:  []bool{false, true, true, true, true}}
	for _, d := range k.Days {
		daily.Rows = append(daily.Rows, []string{d.Day, itoa(d.Parcels), pct(reports.Ratio(d.Contacted, d.Parcels)), itoa(d.CallAttempts), pct(reports.Ratio(d.CallsReached, d.CallAttempts))})
	}
	return []table{regions, lanes, sla, daily}
}

// chartBars is how many regions or lanes a bar chart shows (the tables show all).
const chartBars = 12

func kpiCharts(k reports.KPIReport) []template.HTML {
	line := LineChart{Title: "Contact and answer rate by day", Series: []string{"Contact rate", "Answer rate"}, Max: 100,
		Format: func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + "%" }}
	for _, d := range k.Days {
		line.Points = append(line.Points, Point{Label: d.Day[5:], Values: []float64{reports.Ratio(d.Contacted, d.Parcels) * 100, reports.Ratio(d.CallsReached, d.CallAttempts) * 100}})
	}
	format := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "%" }
	contact := BarChart{Title: "Contact rate by region (busiest regions)", Max: 100, Format: format}
	answer := BarChart{Title: "Answer rate by region (busiest regions)", Max: 100, Format: format}
	for _, r := range k.Regions {
		if len(contact.Bars) < chartBars && r.Parcels > 0 {
			contact.Bars = append(contact.Bars, Bar{Label: regionName(r.Region), Value: r.ContactRate * 100, Note: fmt.Sprintf("%d/%d", r.Contacted, r.Parcels)})
		}
		if len(answer.Bars) < chartBars && r.CallAttempts > 0 {
			answer.Bars = append(answer.Bars, Bar{Label: regionName(r.Region), Value: r.AnswerRate * 100, Note: fmt.Sprintf("%d/%d", r.CallsReached, r.CallAttempts)})
		}
	}
	lanes := BarChart{Title: "Delivered on time by lane and service", Max: 100, Format: format}
	for _, l := range k.Lanes {
		if len(lanes.Bars) == chartBars {
			break
		}
		lanes.Bars = append(lanes.Bars, Bar{Label: l.Origin + "→" + l.Destination + " " + l.Service, Value: l.OnTimeShare * 100, Note: fmt.Sprintf("%d/%d", l.OnTime, l.Delivered)})
	}
	return []template.HTML{line.SVG(), contact.SVG(), answer.SVG(), lanes.SVG()}
}

func liveTables(s reports.LiveSnapshot) []table {
	agents := table{Name: "agents", Title: "Agents", Head: []string{"Agent", "State", "For"}, Num: []bool{false, false, true}, Empty: "No agents."}
	for _, a := range s.Agents {
		agents.Rows = append(agents.Rows, []string{a.Email, strings.ReplaceAll(a.State, "_", " "), duration(a.ForSec)})
	}
	queues := table{Name: "queues", Title: "Hotline queues", Head: []string{"Queue", "Waiting", "Longest wait"}, Num: []bool{false, true, true}, Empty: "No hotline queues."}
	for _, q := range s.Queues {
		queues.Rows = append(queues.Rows, []string{q.Name, itoa(q.Waiting), duration(q.LongestWaitS)})
	}
	calls := table{Name: "calls", Title: "Active calls", Head: []string{"Call", "Direction", "State", "Parcel", "Agent", "For"},
		Num: []bool{true, false, false, false, false, true}, Empty: "No calls right now."}
	for _, c := range s.Calls {
		calls.Rows = append(calls.Rows, []string{strconv.FormatInt(c.ID, 10), c.Direction, c.State, c.Parcel, c.Agent, duration(c.ForSec)})
	}
	return []table{agents, queues, calls}
}

// recordingItemOf formats a recording for the list.
func recordingItemOf(r reports.Recording) recordingItem {
	it := recordingItem{ID: r.ID, When: r.StartedAt.Format("2006-01-02 15:04"), Direction: r.Direction, Parcel: r.ParcelID,
		Agent: r.Agent, Outcome: r.Outcome, Duration: duration(r.DurationMS / 1000),
		AudioURL: fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID), Cases: r.Cases}
	if r.Disposition != "" {
		it.Outcome += " · " + r.Disposition
	}
	return it
}

func recordingTable(items []recordingItem) table {
	t := table{Name: "recordings", Title: "Recordings", Head: []string{"Recording", "When (UTC)", "Direction", "Parcel", "Agent", "Outcome", "Duration"},
		Num: []bool{true, false, false, false, false, false, true}, Empty: "No recordings in this period."}
	for _, r := range items {
		t.Rows = append(t.Rows, []string{strconv.FormatInt(r.ID, 10), r.When, r.Direction, r.Parcel, r.Agent, r.Outcome, r.Duration})
	}
	return t
}
