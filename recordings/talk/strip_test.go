package talk

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/i18n"
)

// TestStripDrawsEachSegment: the strip is well-formed SVG with one rect per segment in its
// side's lane, placed by time, seekable by data-start-ms, labelled in the reader's language,
// and without inline styles (the pages' CSP refuses them).
func TestStripDrawsEachSegment(t *testing.T) {
	m := Metrics{DurationMS: 10000}
	s := Segments{Customer: []Segment{{0, 5000}}, Agent: []Segment{{5000, 7500}, {9000, 10000}}}
	svg := Strip(i18n.New(i18n.RU, time.UTC), m, s)
	if bytes.Contains(svg, []byte("style")) {
		t.Errorf("inline style in %s", svg)
	}
	if !bytes.Contains(svg, []byte("Клиент")) || !bytes.Contains(svg, []byte("Оператор")) {
		t.Errorf("lanes not labelled in Russian: %s", svg)
	}
	type rect struct {
		Class string `xml:"class,attr"`
		X     string `xml:"x,attr"`
		Width string `xml:"width,attr"`
		Start string `xml:"data-start-ms,attr"`
	}
	var segs []rect
	d := xml.NewDecoder(bytes.NewReader(svg))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "rect" {
			var r rect
			if err := d.DecodeElement(&r, &se); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(r.Class, "talk-customer") || strings.HasPrefix(r.Class, "talk-agent") {
				segs = append(segs, r)
			}
		}
	}
	// 910 px of lane for 10 s: 91 px a second, after the 90 px label.
	want := []rect{{"talk-customer", "90.0", "455.0", "0"}, {"talk-agent", "545.0", "227.5", "5000"}, {"talk-agent", "909.0", "91.0", "9000"}}
	if len(segs) != len(want) {
		t.Fatalf("segment rects %+v, want %+v", segs, want)
	}
	for i := range want {
		if segs[i] != want[i] {
			t.Errorf("rect %d = %+v, want %+v", i, segs[i], want[i])
		}
	}
}

// TestStripMarksDeadAir: a stretch of dead air over 20 s (the flag) is a band across both
// lanes titled with its times; a shorter one is not.
func TestStripMarksDeadAir(t *testing.T) {
	m := Metrics{DurationMS: 40000}
	s := Segments{Customer: []Segment{{27000, 30000}}, Agent: []Segment{{0, 2000}, {30000, 31000}, {38000, 40000}}}
	svg := string(Strip(i18n.New(i18n.RU, time.UTC), m, s))
	if n := strings.Count(svg, `class="talk-dead-air"`); n != 1 {
		t.Fatalf("%d dead-air bands, want 1 (25 s from 2 s; the 7 s one is not flagged): %s", n, svg)
	}
	if !strings.Contains(svg, `data-start-ms="2000"><title>Тишина 0:02.0–0:27.0</title>`) {
		t.Errorf("dead-air band not at 2 s with its times: %s", svg)
	}
}
