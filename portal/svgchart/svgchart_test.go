package svgchart

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

// The charts are well-formed SVG with one bar per value, widths proportional to the values,
// points only where there is data, and every label escaped.
func TestSVGCharts(t *testing.T) {
	bars := BarChart{Title: "Rate <by> region", Max: 100, Bars: []Bar{
		{Label: "RU-MOW", Value: 50}, {Label: "<script>alert(1)</script>", Value: 100}, {Label: "RU-NVS", Value: 0},
	}}.SVG()
	line := LineChart{Title: "Daily", Series: []string{"Contact", "Answer"}, Max: 100, Points: []Point{
		{Label: "11-10", Values: []float64{10, math.NaN()}}, {Label: "11-11", Values: []float64{20, 30}}, {Label: "11-12", Values: []float64{40, 50}},
	}}.SVG()
	empty := BarChart{Title: "Nothing"}.SVG()
	for name, svg := range map[string]string{"bars": string(bars), "line": string(line), "empty": string(empty)} {
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("%s: not well-formed SVG: %v\n%s", name, err, svg)
		}
		if strings.Contains(svg, "<script>") {
			t.Errorf("%s: a label is not escaped", name)
		}
	}
	var doc struct {
		Rects []struct {
			Class string  `xml:"class,attr"`
			Width float64 `xml:"width,attr"`
		} `xml:"g>rect"`
	}
	if err := xml.Unmarshal([]byte(bars), &doc); err != nil {
		t.Fatal(err)
	}
	var widths []float64
	for _, r := range doc.Rects {
		if r.Class == "bar" {
			widths = append(widths, r.Width)
		}
	}
	if len(widths) != 3 || math.Abs(widths[1]-2*widths[0]) > 0.2 || widths[2] != 0 || widths[1] <= 0 {
		t.Errorf("bar widths should follow the values 50, 100, 0: %v", widths)
	}
	if n := strings.Count(string(line), `class="point"`); n != 5 {
		t.Errorf("line chart: want 5 points (one value missing), got %d", n)
	}
	if n := strings.Count(string(line), `class="line"`); n != 2 {
		t.Errorf("line chart: want one path per series, got %d", n)
	}
	if !strings.Contains(string(empty), "No data for this period") {
		t.Errorf("an empty chart should say so")
	}
}
