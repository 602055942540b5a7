package ccmetrics

import (
	"context"
	"math"
	"sort"
	"strconv"
	"time"
)

// Figures are one group's figures (or the total's). Rates are NaN when their denominator is 0.
type Figures struct {
	Key   string `json:"key"`   // agent id, queue id, brand id, the hour's start (RFC 3339); "" for the total
	Label string `json:"label"` // the agent's e-mail, the queue's or brand's name, the hour

	// Hotline calls (inbound, mode hotline) and what became of them.
	Hotline   int `json:"hotline_calls"`
	Offered   int `json:"offered"`  // reached the queue: answered + abandoned + timed out
	Answered  int `json:"answered"` // by an agent
	InSL      int `json:"answered_in_sl"`
	Abandoned int `json:"abandoned"` // the caller hung up in the queue
	TimedOut  int `json:"timed_out"` // wismo ended it without an agent (maximum wait, a callback)
	Deflected int `json:"deflected"` // resolved by the self-service, no agent
	Closed    int `json:"closed"`    // after hours
	Waiting   int `json:"waiting"`   // in the queue now (not counted anywhere else)

	// SLSeconds and SLTarget are the group's target when all its calls share one (0: mixed).
	SLSeconds    int     `json:"sl_seconds"`
	SLTarget     float64 `json:"sl_target"`
	ServiceLevel Rate    `json:"service_level"` // InSL / Offered
	AbandonRate  Rate    `json:"abandon_rate"`  // Abandoned / Offered
	Deflection   Rate    `json:"deflection"`    // Deflected / (Deflected + Offered)
	ASA          Rate    `json:"asa_s"`         // mean wait of answered calls
	MaxWait      float64 `json:"max_wait_s"`    // longest wait of an answered call
	WaitDist     []int   `json:"wait_distribution"`
	waitSum      float64

	// Handled calls (an agent talked to the customer; both directions).
	Handled   int     `json:"handled"`
	TalkS     float64 `json:"talk_s"`
	HoldS     float64 `json:"hold_s"`
	WrapS     float64 `json:"wrap_s"`
	AHT       Rate    `json:"aht_s"` // (talk + hold + wrap-up) / handled
	Transfers int     `json:"transfers"`
	// TransferRate is Transfers / Handled.
	TransferRate Rate `json:"transfer_rate"`

	// First-contact resolution of handled calls about a parcel.
	FCRResolved int  `json:"fcr_resolved"`
	FCRRepeat   int  `json:"fcr_repeat"`
	FCRPending  int  `json:"fcr_pending"`
	FCR         Rate `json:"fcr"` // resolved / (resolved + repeat)

	// Agents' time (seconds) and occupancy = busy / staffed; NaN for queues (agents serve brands).
	StaffedS  float64 `json:"staffed_s"`
	BusyS     float64 `json:"busy_s"`
	Occupancy Rate    `json:"occupancy"`

	slMixed bool
}

// Report is a period's figures per group and in total.
type Report struct {
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`
	Group Group     `json:"group"`
	Total Figures   `json:"total"`
	Rows  []Figures `json:"rows"`
}

// Report computes q's figures.
func (m *Metrics) Report(ctx context.Context, q Query) (Report, error) {
	facts, tr, agents, err := m.classified(ctx, q)
	if err != nil {
		return Report{}, err
	}
	r := Report{From: q.From, To: q.To, Group: q.Group, Total: newFigures("", "")}
	groups := map[string]*Figures{}
	row := func(key, label string) *Figures {
		g := groups[key]
		if g == nil {
			f := newFigures(key, label)
			g = &f
			groups[key] = g
		}
		return g
	}
	for _, f := range facts {
		key, label := q.keyOf(f, f.Agent, f.AgentEmail)
		row(key, label).addCall(f)
		r.Total.addCall(f)
	}
	for _, t := range tr {
		key, label := q.keyOf(t.call, t.from, t.fromEmail)
		row(key, label).Transfers++
		r.Total.Transfers++
	}
	m.addAgentTime(q, agents, &r.Total, row)
	r.Total.finish()
	for _, g := range groups {
		g.finish()
		if q.Group == GroupQueue {
			g.StaffedS, g.BusyS, g.Occupancy = 0, 0, Rate(math.NaN())
		}
		r.Rows = append(r.Rows, *g)
	}
	sort.Slice(r.Rows, func(i, j int) bool { return r.Rows[i].less(r.Rows[j], q.Group) })
	return r, nil
}

func newFigures(key, label string) Figures {
	return Figures{Key: key, Label: label, WaitDist: make([]int, len(WaitBuckets)+1), SLSeconds: -1}
}

func (a Figures) less(b Figures, g Group) bool {
	if g == GroupHour {
		return a.Key < b.Key
	}
	if a.Label != b.Label {
		return a.Label < b.Label
	}
	return a.Key < b.Key
}

// keyOf is the group of a call (for transfers: the transferring agent's).
func (q Query) keyOf(f *fact, agent int64, email string) (string, string) {
	switch q.Group {
	case GroupAgent:
		return strconv.FormatInt(agent, 10), email
	case GroupQueue:
		return strconv.FormatInt(f.Queue, 10), f.QueueName
	case GroupHour:
		h := hourOf(f.Started, q.loc())
		return h.Format(time.RFC3339), h.Format("2006-01-02 15:00")
	}
	return strconv.FormatInt(f.Brand, 10), f.BrandName
}

func (q Query) loc() *time.Location {
	if q.Loc == nil {
		return time.UTC
	}
	return q.Loc
}

func (g *Figures) addCall(f *fact) {
	if f.Direction == "inbound" && f.Mode == "hotline" {
		g.Hotline++
	}
	switch f.fate {
	case fateWaiting:
		g.Waiting++
	case fateClosed:
		g.Closed++
	case fateDeflected:
		g.Deflected++
	case fateAbandoned:
		g.Abandoned++
	case fateTimedOut:
		g.TimedOut++
	case fateAnswered:
		g.Answered++
		g.waitSum += f.WaitS
		g.MaxWait = max(g.MaxWait, f.WaitS)
		g.WaitDist[waitBucket(f.WaitS)]++
		if f.inSL() {
			g.InSL++
		}
	}
	if f.offered() {
		g.Offered++
		switch {
		case g.SLSeconds == -1:
			g.SLSeconds, g.SLTarget = f.SLSeconds, f.SLTarget
		case g.SLSeconds != f.SLSeconds || g.SLTarget != f.SLTarget:
			g.slMixed = true
		}
	}
	if f.handled {
		g.Handled++
		g.TalkS += f.TalkS
		g.HoldS += f.HoldS
		g.WrapS += f.WrapS
	}
	switch f.fcr {
	case fcrResolved:
		g.FCRResolved++
	case fcrRepeat:
		g.FCRRepeat++
	case fcrPending:
		g.FCRPending++
	}
}

func waitBucket(s float64) int {
	for i, b := range WaitBuckets {
		if s <= float64(b) {
			return i
		}
	}
	return len(WaitBuckets)
}

func (g *Figures) finish() {
	if g.slMixed || g.SLSeconds == -1 {
		g.SLSeconds, g.SLTarget = 0, 0
	}
	g.ServiceLevel = ratio(float64(g.InSL), float64(g.Offered))
	g.AbandonRate = ratio(float64(g.Abandoned), float64(g.Offered))
	g.Deflection = ratio(float64(g.Deflected), float64(g.Deflected+g.Offered))
	g.ASA = ratio(g.waitSum, float64(g.Answered))
	g.AHT = ratio(g.TalkS+g.HoldS+g.WrapS, float64(g.Handled))
	g.TransferRate = ratio(float64(g.Transfers), float64(g.Handled))
	g.FCR = ratio(float64(g.FCRResolved), float64(g.FCRResolved+g.FCRRepeat))
	g.Occupancy = ratio(g.BusyS, g.StaffedS)
}

// addAgentTime adds the agents' staffed and busy time to the total and to the groups that
// have agents' time: the agent, each brand the agent serves (in scope), the hour.
func (m *Metrics) addAgentTime(q Query, agents map[int64]*agentTime, total *Figures, row func(key, label string) *Figures) {
	add := func(g *Figures, s stateSpan) {
		d := s.To.Sub(s.From).Seconds()
		if staffedStates[s.State] {
			g.StaffedS += d
		}
		if busyStates[s.State] {
			g.BusyS += d
		}
	}
	for _, a := range agents {
		a.clip(q.From, q.To, func(s stateSpan) {
			add(total, s)
			switch q.Group {
			case GroupAgent:
				add(row(strconv.FormatInt(a.ID, 10), a.Email), s)
			case GroupBrand:
				for i, b := range a.Brands {
					add(row(strconv.FormatInt(b, 10), a.Names[i]), s)
				}
			case GroupHour:
				hourPieces(s, q.loc(), func(h time.Time, p stateSpan) {
					add(row(h.Format(time.RFC3339), h.Format("2006-01-02 15:00")), p)
				})
			}
		})
	}
}
