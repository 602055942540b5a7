package wallboard

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/reports/ccmetrics"
)

// reportPage is the historical report's data.
type reportPage struct {
	Brands   []access.Brand
	Q        reportQuery
	Groups   []ccmetrics.Group
	Errors   []string
	Head     []string
	Total    reportRow
	Rows     []reportRow
	CSV      string
	Targets  []string // the targets set, in words
	Defaults string
	Queues   []ccmetrics.Queue
	CSRF     string
	Done     bool
}

type reportRow struct {
	Label string
	Cells []cell
}

// cell is a figure on the page: its text and, for counts of calls, the drill-down's link.
type cell struct {
	Text, Href string
}

func (p *pages) row(L i18n.Locale, q reportQuery, g ccmetrics.Figures, label string) reportRow {
	r := reportRow{Label: label}
	for _, c := range columns {
		x := cell{Text: c.show(L, g)}
		if c.figure != "" && c.get(g) > 0 {
			x.Href = q.drillURL(g.Key, c.figure)
		}
		r.Cells = append(r.Cells, x)
	}
	return r
}

// label is a group's name as the page shows it.
func label(L i18n.Locale, group ccmetrics.Group, g ccmetrics.Figures) string {
	if g.Key == "0" || (g.Label == "" && group != ccmetrics.GroupHour) {
		return L.T("ccm.none." + string(group))
	}
	return g.Label
}

func (p *pages) report(c *fiber.Ctx) error {
	L := p.locale(c)
	q, err := parseReport(c, L.Zone, p.o.Metrics.Now())
	data := reportPage{Q: q, Groups: ccmetrics.Groups, CSV: "/reports/contact-center.csv?" + q.values().Encode()}
	for _, col := range columns {
		data.Head = append(data.Head, L.T("ccm.col."+col.name))
	}
	brands, berr := p.o.Access.Brands(c.UserContext(), access.PrincipalOf(c).Scope)
	if berr != nil {
		return berr
	}
	data.Brands = brands
	if err := pageErrors(c, err, &data.Errors); err != nil {
		return err
	}
	if len(data.Errors) == 0 {
		r, err := p.o.Metrics.Report(c.UserContext(), q.Q)
		if err := pageErrors(c, err, &data.Errors); err != nil {
			return err
		}
		data.Total = p.row(L, q, r.Total, L.T("ccm.total"))
		for _, g := range r.Rows {
			data.Rows = append(data.Rows, p.row(L, q, g, label(L, q.Q.Group, g)))
		}
		targets, err := p.o.Metrics.Targets(c.UserContext(), q.Q.Scope)
		if err != nil {
			return err
		}
		for _, t := range targets {
			share, secs := showValue(L, kShare, t.Target), strconv.Itoa(t.Seconds)
			if t.QueueID == 0 {
				data.Targets = append(data.Targets, L.T("ccm.target_brand", "brand", strconv.FormatInt(t.BrandID, 10), "target", share, "seconds", secs))
			} else {
				data.Targets = append(data.Targets, L.T("ccm.target_queue", "queue", strconv.FormatInt(t.QueueID, 10), "target", share, "seconds", secs))
			}
		}
	}
	if data.Queues, err = p.o.Metrics.Queues(c.UserContext(), access.PrincipalOf(c).Scope); err != nil {
		return err
	}
	data.CSRF, data.Done = portal.PageCSRF(c), c.Query("done") == "target"
	data.Defaults = L.T("ccm.default_target", "target", "80%", "seconds", strconv.Itoa(ccmetrics.DefaultSLSeconds))
	return portal.RenderPage(c, p.page, "ccreport.html", "ccm.title", data)
}

// pageErrors turns a validation error (or too many calls) into the page's messages with a
// 422; any other error is returned.
func pageErrors(c *fiber.Ctx, err error, msgs *[]string) error {
	var ve *input.ValidationError
	if !errors.As(fieldsOf(err), &ve) {
		return err
	}
	for _, f := range ve.Fields {
		*msgs = append(*msgs, f.Error())
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return nil
}

// reportCSV answers the report as CSV (the page's link).
func (p *pages) reportCSV(c *fiber.Ctx) error {
	return p.sendCSV(c, p.locale(c).Zone)
}

// sendCSV writes the report of c's query as RFC 4180 CSV: one row per group and a total,
// stable column names, numbers as numbers (shares 0..1, seconds).
func (p *pages) sendCSV(c *fiber.Ctx, zone *time.Location) error {
	q, err := parseReport(c, zone, p.o.Metrics.Now())
	if err != nil {
		return answer(c, err)
	}
	r, err := p.o.Metrics.Report(c.UserContext(), q.Q)
	if err != nil {
		return answer(c, err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	head := []string{string(q.Q.Group), "key"}
	for _, col := range columns {
		head = append(head, col.name)
	}
	_ = w.Write(head)
	for _, g := range append(r.Rows, r.Total) {
		name, key := g.Label, g.Key
		if g.Key == "" && g.Label == "" {
			name = "total"
		}
		rec := []string{portal.CSVCell(name), portal.CSVCell(key)}
		for _, col := range columns {
			rec = append(rec, col.raw(g))
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("contact-center CSV: %w", err)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", "contact-center-"+q.From+"-"+q.To+"-"+string(q.Q.Group)+".csv"))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}

// callsPage is the drill-down's data.
type callsPage struct {
	Q      reportQuery
	Figure string
	Group  string
	Errors []string
	Calls  []callRow
	Total  int
	More   int
	Back   string
}

type callRow struct {
	ccmetrics.Call
	When, Wait, Talk, Wrap string
	DirectionText, Outcome string // in the reader's words
	Href, Audio            string
}

func (p *pages) calls(c *fiber.Ctx) error {
	L := p.locale(c)
	q, err := parseReport(c, L.Zone, p.o.Metrics.Now())
	data := callsPage{Q: q, Back: "/reports/contact-center?" + q.values().Encode()}
	if err == nil && q.Figure == "" {
		err = input.Invalid(input.Errorf("figure", "name the figure whose calls to list"))
	}
	if err := pageErrors(c, err, &data.Errors); err != nil {
		return err
	}
	if len(data.Errors) == 0 {
		data.Figure = L.T("ccm.fig." + string(q.Figure))
		list, total, err := p.o.Metrics.Calls(c.UserContext(), q.Q, q.Key, q.Figure)
		if err := pageErrors(c, err, &data.Errors); err != nil {
			return err
		}
		data.Total, data.More = total, total-len(list)
		for _, x := range list {
			row := callRow{Call: x, When: L.DateTime(x.StartedAt), Wait: showValue(L, kSecs, x.WaitS), Talk: showValue(L, kSecs, x.TalkS),
				Wrap: showValue(L, kSecs, x.WrapS), Href: "/calls/" + strconv.FormatInt(x.ID, 10),
				DirectionText: L.T("js.dash.direction." + x.Direction), Outcome: outcomeWords(L, x.Outcome)}
			if x.RecordingID != 0 {
				row.Audio = "/api/v1/recordings/" + strconv.FormatInt(x.RecordingID, 10) + "/audio"
			}
			data.Calls = append(data.Calls, row)
		}
	}
	return portal.RenderPage(c, p.page, "cccalls.html", "ccm.calls_title", data)
}

// outcomeWords is a call's outcome in the reader's words (ccm.outcome.*; "" is a call in
// progress).
func outcomeWords(L i18n.Locale, outcome string) string {
	if outcome == "" {
		outcome = "in_progress"
	}
	if key := "ccm.outcome." + outcome; i18n.Default().Has(key) {
		return L.T(key)
	}
	return outcome
}

// setTarget answers the report page's target form (POST /reports/contact-center/targets:
// brand, queue, seconds, target in percent): back to the report, or the report with the
// refusal and a 422.
func (p *pages) setTarget(c *fiber.Ctx) error {
	pr := access.PrincipalOf(c)
	num := func(name string) int64 { n, _ := strconv.ParseInt(c.FormValue(name), 10, 64); return n }
	pct, perr := strconv.ParseFloat(strings.TrimSpace(c.FormValue("target")), 64)
	t := ccmetrics.Target{BrandID: num("brand"), QueueID: num("queue"), Seconds: int(num("seconds")), Target: pct / 100}
	if perr != nil {
		t.Target = -1 // refused by SetTarget, naming the field
	}
	if t.BrandID == 0 && t.QueueID != 0 { // a queue of one brand names its brand
		queues, err := p.o.Metrics.Queues(c.UserContext(), pr.Scope)
		if err != nil {
			return err
		}
		for _, q := range queues {
			if q.ID == t.QueueID {
				t.BrandID = q.BrandID
			}
		}
	}
	by := ""
	if pr.User != nil {
		by = pr.User.Email
	}
	err := p.o.Metrics.SetTarget(c.UserContext(), pr.Scope, t, by)
	var ve *input.ValidationError
	switch {
	case err == nil:
		return c.Redirect("/reports/contact-center?done=target", fiber.StatusSeeOther)
	case errors.Is(err, access.ErrNotFound):
		return fiber.NewError(fiber.StatusNotFound, "brand: no brand "+strconv.FormatInt(t.BrandID, 10)+" for this account")
	case errors.Is(err, access.ErrBrandRequired):
		err = input.Invalid(input.Errorf("brand", "choose the brand"))
	}
	if !errors.As(err, &ve) {
		return err
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return fiber.NewError(fiber.StatusUnprocessableEntity, ve.Error())
}
