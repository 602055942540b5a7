// Package svgchart renders the dashboards' charts as server-side SVG (no JavaScript).
package svgchart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// A tiny server-rendered SVG chart renderer for the dashboards: horizontal bar charts and line
// charts, with no JavaScript and no vendored library. Charts scale to their container (viewBox
// with width 100%), carry a <title> and an aria-label for screen readers, and every label is
// escaped. Values are plain numbers; Format turns them into the labels shown.

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Value float64
	// Note is shown after the value (for example "12 of 40"); optional.
	Note string
}

// BarChart is a horizontal bar chart: one row per bar, the label on the left.
type BarChart struct {
	Title string
	Bars  []Bar
	// Max is the value of a full-width bar; 0 means the largest value.
	Max float64
	// Format renders a value; nil prints it with up to one decimal.
	Format func(float64) string
}

// Point is one x position of a line chart: its label (a day) and the value of each series
// there; NaN means no value (a gap in the line).
type Point struct {
	Label  string
	Values []float64
}

// LineChart draws one line per series over shared x labels.
type LineChart struct {
	Title  string
	Series []string // names, in the order of Point.Values
	Points []Point
	// Max is the top of the y axis; 0 means the largest value.
	Max    float64
	Format func(float64) string
}

// chart colours, one per series (colour-blind safe, from the Okabe-Ito palette).
var chartColours = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"}

const (
	barRow      = 26.0  // height of a bar row
	barLabelW   = 150.0 // room for labels on the left
	barValueW   = 120.0 // room for the value on the right
	chartWidth  = 640.0
	lineHeight  = 220.0
	linePadL    = 44.0
	linePadB    = 34.0
	linePadT    = 28.0
	maxBarLabel = 22 // characters
)

func defaultFormat(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// esc escapes text for SVG embedded in HTML (element content and attribute values).
func esc(s string) string { return html.EscapeString(s) }

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// SVG renders the bar chart.
func (c BarChart) SVG() template.HTML {
	format := c.Format
	if format == nil {
		format = defaultFormat
	}
	top := c.Max
	for _, b := range c.Bars {
		if c.Max == 0 && b.Value > top {
			top = b.Value
		}
	}
	if top <= 0 {
		top = 1
	}
	h := linePadT + float64(max(len(c.Bars), 1))*barRow + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart bars" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, chartWidth, h, esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title><text class="chart-title" x="0" y="16">%s</text>`, esc(c.Title), esc(c.Title))
	if len(c.Bars) == 0 {
		fmt.Fprintf(&b, `<text class="chart-empty" x="0" y="%.0f">No data for this period</text>`, linePadT+16)
	}
	span := chartWidth - barLabelW - barValueW
	for i, bar := range c.Bars {
		y := linePadT + float64(i)*barRow
		w := math.Max(0, math.Min(bar.Value, top)) / top * span
		if bar.Value > 0 && w < 1 {
			w = 1
		}
		label := format(bar.Value)
		if bar.Note != "" {
			label += " · " + bar.Note
		}
		fmt.Fprintf(&b, `<g class="bar-row"><text class="chart-label" x="%.0f" y="%.1f" text-anchor="end">%s</text>`, barLabelW-8, y+15, esc(shorten(bar.Label, maxBarLabel)))
		fmt.Fprintf(&b, `<rect class="chart-track" x="%.0f" y="%.1f" width="%.1f" height="18" rx="3"/>`, barLabelW, y+2, span)
		fmt.Fprintf(&b, `<rect class="bar" x="%.0f" y="%.1f" width="%.1f" height="18" rx="3" fill="%s" data-value="%g"><title>%s: %s</title></rect>`,
			barLabelW, y+2, w, chartColours[0], bar.Value, esc(bar.Label), esc(label))
		fmt.Fprintf(&b, `<text class="chart-value" x="%.1f" y="%.1f">%s</text></g>`, barLabelW+w+6, y+15, esc(label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// SVG renders the line chart with a legend, a y axis of five ticks and x labels thinned to fit.
func (c LineChart) SVG() template.HTML {
	format := c.Format
	if format == nil {
		format = defaultFormat
	}
	top := c.Max
	if top == 0 {
		for _, p := range c.Points {
			for _, v := range p.Values {
				if !math.IsNaN(v) && v > top {
					top = v
				}
			}
		}
	}
	if top <= 0 {
		top = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart lines" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, chartWidth, lineHeight, esc(c.Title))
	fmt.Fprintf(&b, `<title>%s</title><text class="chart-title" x="0" y="16">%s</text>`, esc(c.Title), esc(c.Title))
	lx := chartWidth
	for i := len(c.Series) - 1; i >= 0; i-- { // legend, right-aligned
		name := c.Series[i]
		lx -= float64(len([]rune(name)))*7 + 26
		fmt.Fprintf(&b, `<g class="legend"><rect x="%.0f" y="7" width="12" height="12" rx="2" fill="%s"/><text class="chart-label" x="%.0f" y="17">%s</text></g>`,
			lx, chartColours[i%len(chartColours)], lx+16, esc(name))
	}
	plotW, plotH := chartWidth-linePadL-26, lineHeight-linePadT-linePadB
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := linePadT + plotH - plotH*float64(i)/4
		fmt.Fprintf(&b, `<line class="chart-grid" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f"/><text class="chart-label" x="%.0f" y="%.1f" text-anchor="end">%s</text>`,
			linePadL, linePadL+plotW, y, y, linePadL-6, y+4, esc(format(v)))
	}
	if len(c.Points) == 0 {
		fmt.Fprintf(&b, `<text class="chart-empty" x="%.0f" y="%.0f">No data for this period</text>`, linePadL+10, linePadT+plotH/2)
	}
	x := func(i int) float64 {
		if len(c.Points) == 1 {
			return linePadL + plotW/2
		}
		return linePadL + plotW*float64(i)/float64(len(c.Points)-1)
	}
	every := max(1, (len(c.Points)+7)/8) // at most ~8 x labels
	for i, p := range c.Points {
		if i%every == 0 || i == len(c.Points)-1 {
			fmt.Fprintf(&b, `<text class="chart-label" x="%.1f" y="%.0f" text-anchor="middle">%s</text>`, x(i), lineHeight-12, esc(p.Label))
		}
	}
	for s, name := range c.Series {
		colour := chartColours[s%len(chartColours)]
		var path strings.Builder
		pen := false
		for i, p := range c.Points {
			if s >= len(p.Values) || math.IsNaN(p.Values[s]) {
				pen = false
				continue
			}
			y := linePadT + plotH - plotH*math.Max(0, math.Min(p.Values[s], top))/top
			if pen {
				fmt.Fprintf(&path, " L%.1f %.1f", x(i), y)
			} else {
				fmt.Fprintf(&path, " M%.1f %.1f", x(i), y)
			}
			pen = true
		}
		if path.Len() > 0 {
			fmt.Fprintf(&b, `<path class="line" d="%s" fill="none" stroke="%s" stroke-width="2.5"/>`, strings.TrimSpace(path.String()), colour)
		}
		for i, p := range c.Points {
			if s >= len(p.Values) || math.IsNaN(p.Values[s]) {
				continue
			}
			y := linePadT + plotH - plotH*math.Max(0, math.Min(p.Values[s], top))/top
			fmt.Fprintf(&b, `<circle class="point" cx="%.1f" cy="%.1f" r="3.5" fill="%s" data-value="%g"><title>%s %s: %s</title></circle>`,
				x(i), y, colour, p.Values[s], esc(name), esc(p.Label), esc(format(p.Values[s])))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
