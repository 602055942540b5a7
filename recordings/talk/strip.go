package talk

import (
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/wismo/wismo/i18n"
)

// Strip geometry: a viewBox StripWidth wide, one lane per side.
const (
	StripWidth = 1000
	laneHeight = 16
	labelWidth = 90
)

// Strip renders the two-lane timeline of a call as SVG: customer's segments in the upper lane,
// agent's in the lower, over the call's duration. No inline styles (the pages' CSP): colours are
// presentation attributes and classes (talk-customer, talk-agent); each segment carries its
// start in data-start-ms for a player to seek to, and a title with its times.
func Strip(l i18n.Locale, m Metrics, s Segments) []byte {
	return strip(l, "talk.strip_title", m, s, DeadAirFlagMS)
}

// StripOver is Strip with the brand's dead-air threshold: stretches over deadAirMS are banded.
func StripOver(l i18n.Locale, m Metrics, s Segments, deadAirMS int64) []byte {
	return strip(l, "talk.strip_title", m, s, deadAirMS)
}

// PendingStrip is the strip of a recording not analysed yet: empty lanes, a title saying so.
func PendingStrip(l i18n.Locale) []byte {
	return strip(l, "talk.pending", Metrics{}, Segments{}, DeadAirFlagMS)
}

func strip(l i18n.Locale, titleKey string, m Metrics, s Segments, deadAirMS int64) []byte {
	var b strings.Builder
	h := 2*laneHeight + 6
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="talk-strip" viewBox="0 0 %d %d" role="img">`, StripWidth, h)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(l.T(titleKey)))
	span := float64(StripWidth - labelWidth)
	lane := func(y int, side, key, fill string, segs []Segment) {
		name := l.T(key)
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="12" class="talk-label">%s</text>`, y+12, html.EscapeString(name))
		for _, g := range segs {
			if m.DurationMS <= 0 {
				break
			}
			x := labelWidth + span*float64(g.StartMS)/float64(m.DurationMS)
			w := max(span*float64(g.Len())/float64(m.DurationMS), 1)
			title := l.T("talk.segment", "side", name, "from", clock(g.StartMS), "to", clock(g.EndMS))
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" class="talk-%s" data-start-ms="%d"><title>%s</title></rect>`,
				x, y, w, laneHeight, fill, side, g.StartMS, html.EscapeString(title))
		}
	}
	for _, y := range []int{0, laneHeight + 6} {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.0f" height="%d" fill="#f0f0f0" class="talk-lane"/>`, labelWidth, y, span, laneHeight)
	}
	// Dead air over the brand's threshold (the flag): a band across both lanes, drawn first.
	if m.DurationMS > 0 {
		for _, g := range DeadAir(m.DurationMS, s, deadAirMS) {
			x := labelWidth + span*float64(g.StartMS)/float64(m.DurationMS)
			w := span * float64(g.Len()) / float64(m.DurationMS)
			fmt.Fprintf(&b, `<rect x="%.1f" y="0" width="%.1f" height="%d" fill="#f2c4c4" class="talk-dead-air" data-start-ms="%d"><title>%s</title></rect>`,
				x, w, h, g.StartMS, html.EscapeString(l.T("talk.dead_air", "from", clock(g.StartMS), "to", clock(g.EndMS))))
		}
	}
	lane(0, Customer, "talk.customer", "#2b7bb9", s.Customer)
	lane(laneHeight+6, Agent, "talk.agent", "#d9822b", s.Agent)
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

// clock writes ms as m:ss.d.
func clock(ms int64) string {
	return fmt.Sprintf("%d:%02d.%d", ms/60000, ms/1000%60, ms%1000/100)
}

// DeadAir returns the stretches longer than over in which neither side talks.
func DeadAir(duration int64, s Segments, over int64) []Segment {
	all := append(slices.Clone(s.Customer), s.Agent...)
	slices.SortFunc(all, func(x, y Segment) int { return int(x.StartMS - y.StartMS) })
	var out []Segment
	at := int64(0)
	gap := func(to int64) {
		if to-at > over {
			out = append(out, Segment{at, to})
		}
	}
	for _, g := range all {
		gap(g.StartMS)
		at = max(at, g.EndMS)
	}
	gap(duration)
	return out
}
