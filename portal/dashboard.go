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
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/portal/svgchart"
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
func parseFilter(c *fiber.Ctx, today time.Time, loc i18n.Locale) dashboardFilter {
	f := dashboardFilter{To: today, From: today.AddDate(0, 0, -6), Errors: map[string]string{}}
	day := func(field string) (time.Time, bool) {
		v := strings.TrimSpace(c.Query(field))
		if v == "" {
			return time.Time{}, false
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			f.Errors[field] = loc.T("dash.err_date_"+field, "value", v)
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
		f.Errors["from"] = loc.T("dash.err_order")
		f.To, f.From = today, today.AddDate(0, 0, -6)
	case f.To.Sub(f.From) >= reports.MaxPeriodDays*24*time.Hour:
		f.Errors["to"] = loc.N("dash.err_span", reports.MaxPeriodDays)
		f.From = f.To.AddDate(0, 0, -(reports.MaxPeriodDays - 1))
	}
	if v := strings.ToUpper(strings.TrimSpace(c.Query("country"))); v != "" {
		if geo.ValidCountry(v) {
			f.Country = v
		} else {
			f.Errors["country"] = loc.T("dash.err_country", "value", c.Query("country"))
		}
	}
	if v := strings.TrimSpace(c.Query("brand")); v != "" {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			f.Brand = id
		} else {
			f.Errors["brand"] = loc.T("dash.err_brand", "value", v)
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
func dashboardScope(c *fiber.Ctx, loc i18n.Locale) (access.Scope, int64, error) {
	scope := access.PrincipalOf(c).Scope
	v := strings.TrimSpace(c.Query("brand"))
	if v == "" {
		return scope, 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return scope, 0, fiber.NewError(fiber.StatusBadRequest, loc.T("dash.err_brand", "value", v))
	}
	if !scope.AllowsBrand(id) {
		return scope, 0, fiber.NewError(fiber.StatusForbidden, loc.T("dash.err_not_yours"))
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

// forReader writes the shown rows' numbers for the reader (1 234,5 in Russian); the CSV
// keeps the rows as machines read them.
func (t table) forReader(loc i18n.Locale) table {
	rows := make([][]string, len(t.Show))
	for i, r := range t.Show {
		rows[i] = make([]string, len(r))
		for j, cell := range r {
			if j < len(t.Num) && t.Num[j] {
				cell = loc.NumberText(cell)
			}
			rows[i][j] = cell
		}
	}
	t.Show = rows
	return t
}

// dashboardPage is the page's data.
type dashboardPage struct {
	Filter         dashboardFilter
	From, To       string       // YYYY-MM-DD, for the date inputs
	Period         string       // the period written for the reader
	LiveAt         string       // when the live part was read, for the reader
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
			return fiber.NewError(fiber.StatusServiceUnavailable, viewerLocale(c, d, pageSession(c).User).T("dash.err_unavailable"))
		}
		return c.Next()
	}
	app.Get("/dashboard", guard, ready, func(c *fiber.Ctx) error {
		page, err := buildDashboard(c, d)
		if err != nil {
			return err
		}
		return render(c, d, "dashboard.html", "dash.title", page)
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
		return fiber.NewError(fiber.StatusNotFound, viewerLocale(c, d, pageSession(c).User).T("dash.err_no_table", "name", name))
	})
}

func (p *dashboardPage) allTables() []table {
	out := append([]table{}, p.LiveTables...)
	out = append(out, p.Tables...)
	return append(out, p.RecordingTable)
}

// buildDashboard reads everything the page shows for the request's filter.
func buildDashboard(c *fiber.Ctx, d Deps) (*dashboardPage, error) {
	loc := viewerLocale(c, d, pageSession(c).User)
	scope, _, err := dashboardScope(c, loc)
	if err != nil {
		return nil, err
	}
	today := d.Dashboard.Now().Truncate(24 * time.Hour)
	f := parseFilter(c, today, loc)
	ctx, cancel := context.WithTimeout(c.UserContext(), 30*time.Second)
	defer cancel()
	p := &dashboardPage{Filter: f, From: f.From.Format("2006-01-02"), To: f.To.Format("2006-01-02"), Query: template.URL(f.query())}
	days := i18n.New(loc.Lang, time.UTC) // the period is whole UTC days: no zone to move them
	p.Period = loc.T("dash.period", "from", days.Date(f.From), "to", days.Date(f.To))
	if d.Access != nil {
		if p.Brands, err = d.Access.Brands(ctx, access.PrincipalOf(c).Scope); err != nil {
			return nil, err
		}
	}
	if p.Live, err = d.Dashboard.Live(ctx, scope); err != nil {
		return nil, err
	}
	if at, err := time.Parse(time.RFC3339, p.Live.At); err == nil {
		p.LiveAt = loc.DateTime(at)
	}
	for _, t := range liveTables(p.Live, loc) {
		t.Show = t.Rows
		p.LiveTables = append(p.LiveTables, t.forReader(loc))
	}
	if p.KPI, err = d.Dashboard.KPIs(ctx, reports.KPIQuery{Scope: scope, From: f.From, To: f.To.AddDate(0, 0, 1), Country: f.Country}); err != nil {
		return nil, err
	}
	p.Totals = kpiTiles(p.KPI, loc)
	for i := range p.Totals {
		p.Totals[i].Value = loc.NumberText(p.Totals[i].Value)
	}
	for _, t := range kpiTables(p.KPI, loc) {
		p.Tables = append(p.Tables, t.limited().forReader(loc))
	}
	ab, err := d.Dashboard.Abandons(ctx, scope)
	if err != nil {
		return nil, err
	}
	p.Tables = append(p.Tables, abandonTable(ab, loc).limited().forReader(loc))
	p.Charts = kpiCharts(p.KPI, loc)
	if err := addCSAT(ctx, d, p, scope, f.From, f.To.AddDate(0, 0, 1), loc); err != nil {
		return nil, err
	}
	if s := p.KPI.SLA.Live; s != nil {
		p.SLALive = loc.T("dash.sla_live", "open", s.Open, "first", s.FirstResponseBreached, "resolution", s.ResolutionBreached,
			"near", s.NearBreach, "paused", s.Paused)
	}
	recs, err := d.Dashboard.Recordings(ctx, scope, f.From, f.To.AddDate(0, 0, 1))
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		p.Recordings = append(p.Recordings, recordingItemOf(r, loc))
	}
	p.RecordingTable = recordingTable(p.Recordings, loc)
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

func regionName(r string, loc i18n.Locale) string {
	if r == "" {
		return loc.T("dash.no_region")
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

func kpiTiles(k reports.KPIReport, loc i18n.Locale) []kpiTile {
	t := k.Total
	return []kpiTile{
		{loc.T("dash.contact_rate"), orDash(pct(t.ContactRate)), loc.N("dash.of_parcels", t.Parcels, "a", t.Contacted)},
		{loc.T("dash.answer_rate"), orDash(pct(t.AnswerRate)), loc.N("dash.of_calls_reached_the_recipient", t.CallAttempts, "a", t.CallsReached)},
		{loc.T("dash.attempts_to_reach"), orDash(dec(t.AvgAttempts)), loc.N("dash.average_over_parcels_reached", t.ReachedParcels)},
		{loc.T("dash.sms_delivered"), orDash(pct(t.SMSRate)), loc.N("dash.of_sent", t.SMSSent, "a", t.SMSDelivered)},
		{loc.T("dash.cod_returned"), orDash(pct(t.CODReturnRate)), loc.N("dash.of_cash_on_delivery_parcels", t.COD, "a", t.CODReturned)},
		{loc.T("dash.delivered_on_time"), orDash(pct(t.OnTimeP)), loc.N("dash.of_delivered", t.Delivered, "a", t.OnTime)},
		{loc.T("dash.case_sla_met"), orDash(pct(k.SLA.Compliance)), loc.N("dash.of_cases_opened", k.SLA.Cases, "a", k.SLA.Compliant)},
	}
}

func kpiTables(k reports.KPIReport, loc i18n.Locale) []table {
	regions := table{Name: "regions", Title: loc.T("dash.kpis_by_region"),
		Head: []string{loc.T("dash.region"), loc.T("dash.parcels"), loc.T("dash.contact_rate"), loc.T("dash.call_attempts"), loc.T("dash.answer_rate"), loc.T("dash.attempts_to_reach"), loc.T("dash.sms_sent"), loc.T("dash.sms_delivered"), loc.T("dash.cod_parcels"), loc.T("dash.cod_returned"), loc.T("dash.delivered"), loc.T("dash.on_time")},
		Num:  []bool{false, true, true, true, true, true, true, true, true, true, true, true}, Empty: loc.T("dash.no_parcels_in_this_period")}
	row := func(name string, r reports.RegionKPI) []string {
		return []string{name, itoa(r.Parcels), pct(r.ContactRate), itoa(r.CallAttempts), pct(r.AnswerRate), dec(r.AvgAttempts),
			itoa(r.SMSSent), pct(r.SMSRate), itoa(r.COD), pct(r.CODReturnRate), itoa(r.Delivered), pct(r.OnTimeP)}
	}
	if len(k.Regions) > 0 {
		regions.Rows = append(regions.Rows, row(loc.T("dash.all_regions"), k.Total))
	}
	for _, r := range k.Regions {
		regions.Rows = append(regions.Rows, row(regionName(r.Region, loc), r))
	}
	lanes := table{Name: "lanes", Title: loc.T("dash.transit_against_the_promised_date_by_lan"),
		Head: []string{loc.T("dash.lane"), loc.T("dash.service"), loc.T("dash.delivered"), loc.T("dash.on_time"), loc.T("dash.late"), loc.T("dash.on_time_share"), loc.T("dash.median_days_late"), loc.T("dash.median_transit_days")},
		Num:  []bool{false, false, true, true, true, true, true, true}, Empty: loc.T("dash.no_deliveries_with_a_promised_date_in_th")}
	for _, l := range k.Lanes {
		lanes.Rows = append(lanes.Rows, []string{l.Origin + "→" + l.Destination, l.Service, itoa(l.Delivered), itoa(l.OnTime), itoa(l.Late),
			pct(l.OnTimeShare), dec(l.MedianDaysLate), dec(l.MedianTransitDays)})
	}
	sla := table{Name: "sla", Title: loc.T("dash.case_sla_compliance_cases_opened_in_the"),
		Head: []string{loc.T("dash.cases"), loc.T("dash.no_clock_breached"), loc.T("dash.compliance"), loc.T("dash.first_response_breached"), loc.T("dash.resolution_breached"), loc.T("dash.resolved")},
		Num:  []bool{true, true, true, true, true, true},
		Rows: [][]string{{itoa(k.SLA.Cases), itoa(k.SLA.Compliant), pct(k.SLA.Compliance), itoa(k.SLA.FirstResponseBreached), itoa(k.SLA.ResolutionBreached), itoa(k.SLA.Resolved)}}}
	daily := table{Name: "daily", Title: loc.T("dash.by_day_utc"),
		Head: []string{loc.T("dash.day"), loc.T("dash.parcels"), loc.T("dash.contact_rate"), loc.T("dash.call_attempts"), loc.T("dash.answer_rate")},
		Num:  []bool{false, true, true, true, true}}
	for _, d := range k.Days {
		daily.Rows = append(daily.Rows, []string{d.Day, itoa(d.Parcels), pct(reports.Ratio(d.Contacted, d.Parcels)), itoa(d.CallAttempts), pct(reports.Ratio(d.CallsReached, d.CallAttempts))})
	}
	return []table{regions, lanes, sla, daily}
}

// chartBars is how many regions or lanes a bar chart shows (the tables show all).
const chartBars = 12

func kpiCharts(k reports.KPIReport, loc i18n.Locale) []template.HTML {
	line := svgchart.LineChart{Title: loc.T("dash.contact_and_answer_rate_by_day"), Series: []string{loc.T("dash.contact_rate"), loc.T("dash.answer_rate")}, Max: 100,
		Format: func(v float64) string { return loc.NumberText(strconv.FormatFloat(v, 'f', 0, 64)) + "%" }}
	for _, d := range k.Days {
		line.Points = append(line.Points, svgchart.Point{Label: d.Day[5:], Values: []float64{reports.Ratio(d.Contacted, d.Parcels) * 100, reports.Ratio(d.CallsReached, d.CallAttempts) * 100}})
	}
	format := func(v float64) string { return loc.NumberText(strconv.FormatFloat(v, 'f', 1, 64)) + "%" }
	contact := svgchart.BarChart{Title: loc.T("dash.contact_rate_by_region_busiest_regions"), Max: 100, Format: format}
	answer := svgchart.BarChart{Title: loc.T("dash.answer_rate_by_region_busiest_regions"), Max: 100, Format: format}
	for _, r := range k.Regions {
		if len(contact.Bars) < chartBars && r.Parcels > 0 {
			contact.Bars = append(contact.Bars, svgchart.Bar{Label: regionName(r.Region, loc), Value: r.ContactRate * 100, Note: fmt.Sprintf("%d/%d", r.Contacted, r.Parcels)})
		}
		if len(answer.Bars) < chartBars && r.CallAttempts > 0 {
			answer.Bars = append(answer.Bars, svgchart.Bar{Label: regionName(r.Region, loc), Value: r.AnswerRate * 100, Note: fmt.Sprintf("%d/%d", r.CallsReached, r.CallAttempts)})
		}
	}
	lanes := svgchart.BarChart{Title: loc.T("dash.delivered_on_time_by_lane_and_service"), Max: 100, Format: format}
	for _, l := range k.Lanes {
		if len(lanes.Bars) == chartBars {
			break
		}
		lanes.Bars = append(lanes.Bars, svgchart.Bar{Label: l.Origin + "→" + l.Destination + " " + l.Service, Value: l.OnTimeShare * 100, Note: fmt.Sprintf("%d/%d", l.OnTime, l.Delivered)})
	}
	return []template.HTML{line.SVG(), contact.SVG(), answer.SVG(), lanes.SVG()}
}

// dashWord is the catalog's word for a live value (js.dash.<kind>.<value>: the page's script
// words the same values), or the value as written for one the catalog lacks.
func dashWord(loc i18n.Locale, kind, value string) string {
	key := "js.dash." + kind + "." + value
	if !i18n.Default().Has(key) {
		return strings.ReplaceAll(value, "_", " ")
	}
	return loc.T(key)
}

func liveTables(s reports.LiveSnapshot, loc i18n.Locale) []table {
	agents := table{Name: "agents", Title: loc.T("dash.agents"), Head: []string{loc.T("dash.agent"), loc.T("dash.state"), loc.T("dash.for")}, Num: []bool{false, false, true}, Empty: loc.T("dash.no_agents")}
	for _, a := range s.Agents {
		agents.Rows = append(agents.Rows, []string{a.Email, dashWord(loc, "state", a.State), duration(a.ForSec)})
	}
	queues := table{Name: "queues", Title: loc.T("dash.hotline_queues"), Head: []string{loc.T("dash.queue"), loc.T("dash.waiting"), loc.T("dash.longest_wait")}, Num: []bool{false, true, true}, Empty: loc.T("dash.no_hotline_queues")}
	for _, q := range s.Queues {
		queues.Rows = append(queues.Rows, []string{q.Name, itoa(q.Waiting), duration(q.LongestWaitS)})
	}
	calls := table{Name: "calls", Title: loc.T("dash.active_calls"), Head: []string{loc.T("dash.call"), loc.T("dash.direction"), loc.T("dash.state"), loc.T("dash.parcel"), loc.T("dash.agent"), loc.T("dash.for")},
		Num: []bool{true, false, false, false, false, true}, Empty: loc.T("dash.no_calls_right_now")}
	for _, c := range s.Calls {
		calls.Rows = append(calls.Rows, []string{strconv.FormatInt(c.ID, 10), dashWord(loc, "direction", c.Direction), dashWord(loc, "call", c.State), c.Parcel, c.Agent, duration(c.ForSec)})
	}
	return []table{agents, queues, calls}
}

// recordingItemOf formats a recording for the list.
func recordingItemOf(r reports.Recording, loc i18n.Locale) recordingItem {
	it := recordingItem{ID: r.ID, When: loc.DateTime(r.StartedAt), Direction: dashWord(loc, "direction", r.Direction), Parcel: r.ParcelID,
		Agent: r.Agent, Outcome: r.Outcome, Duration: duration(r.DurationMS / 1000),
		AudioURL: fmt.Sprintf("/api/v1/recordings/%d/audio", r.ID), Cases: r.Cases}
	if r.Disposition != "" {
		it.Outcome += " · " + r.Disposition
	}
	return it
}

func recordingTable(items []recordingItem, loc i18n.Locale) table {
	t := table{Name: "recordings", Title: loc.T("dash.recordings"), Head: []string{loc.T("dash.recording"), loc.T("dash.when"), loc.T("dash.direction"), loc.T("dash.parcel"), loc.T("dash.agent"), loc.T("dash.outcome"), loc.T("dash.duration")},
		Num: []bool{true, false, false, false, false, false, true}, Empty: loc.T("dash.no_recordings_in_this_period")}
	for _, r := range items {
		t.Rows = append(t.Rows, []string{strconv.FormatInt(r.ID, 10), r.When, r.Direction, r.Parcel, r.Agent, r.Outcome, r.Duration})
	}
	return t
}
