package quality

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/recordings/review"
	"github.com/wismo/wismo/recordings/talk"
)

// trendRow is a group's scores with its sparkline.
type trendRow struct {
	review.Trend
	Spark template.HTML
}

type trendsPage struct {
	Frame
	By, From, To string
	Rows         []trendRow
}

// trends is /quality/trends: scores per week per agent or per queue over a date range
// (default: the last 12 weeks).
func (p *pages) trends(c *fiber.Ctx) error {
	f, err := p.frameOf(c, "trends")
	if err != nil {
		return err
	}
	pr := access.PrincipalOf(c)
	d := trendsPage{Frame: f, By: c.Query("by", review.TrendByAgent)}
	if d.By != review.TrendByQueue {
		d.By = review.TrendByAgent
	}
	from, to := yearRange()
	if c.Query("from") != "" || c.Query("to") != "" {
		if from, to, err = talk.DateRange(c.Query("from"), c.Query("to"), time.Now()); err != nil {
			d.Error = problem(err)
			from, to = yearRange()
		}
	}
	d.From, d.To = from.Format(time.DateOnly), to.AddDate(0, 0, -1).Format(time.DateOnly)
	list, err := p.o.Reviews.Trends(c.UserContext(), pr.Scope, review.Viewer{}, f.Brand.ID, d.By, from, to)
	if err != nil {
		return err
	}
	l := p.loc(c)
	d.Rows = trendRows(l, list)
	for i := range d.Rows {
		if d.Rows[i].Label == "" {
			d.Rows[i].Label = l.T("q.none")
		}
	}
	return p.render(c, "quality_trends.html", "q.trends", d)
}

// yearRange is the default range of the trends: the 12 weeks up to today.
func yearRange() (time.Time, time.Time) {
	to := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	return to.AddDate(0, 0, -84), to
}

func trendRows(l i18n.Locale, list []review.Trend) []trendRow {
	out := make([]trendRow, len(list))
	for i, t := range list {
		out[i] = trendRow{Trend: t, Spark: sparkline(l, t.Weeks)}
	}
	return out
}

// sparkline draws the weekly averages (0-100) as a small line, server-side SVG with a title
// for screen readers (no inline styles: the pages' CSP).
func sparkline(l i18n.Locale, weeks []review.WeekScore) template.HTML {
	const w, h = 120.0, 28.0
	if len(weeks) == 0 {
		return ""
	}
	var pts, dots, words []string
	for i, wk := range weeks {
		x := w / 2
		if len(weeks) > 1 {
			x = 4 + (w-8)*float64(i)/float64(len(weeks)-1)
		}
		y := 2 + (h-4)*(1-wk.Average/100)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		dots = append(dots, fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="2" fill="#2563eb"/>`, x, y))
		words = append(words, fmt.Sprintf("%s %.1f%%", wk.Week, wk.Average))
	}
	title := template.HTMLEscapeString(l.T("q.spark_title") + ": " + strings.Join(words, ", "))
	return template.HTML(fmt.Sprintf(`<svg class="spark" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s"><title>%s</title>`+
		`<line x1="0" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#cbd5e1" stroke-dasharray="2 2"/>`+
		`<polyline points="%s" fill="none" stroke="#2563eb" stroke-width="1.5"/>%s</svg>`,
		w, h, w, h, title, title, 2+(h-4)*0.5, w, 2+(h-4)*0.5, strings.Join(pts, " "), strings.Join(dots, ""))) //nolint:gosec // numbers and escaped text only
}
