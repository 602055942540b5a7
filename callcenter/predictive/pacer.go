// Package predictive is the live predictive pacer of campaign calls (issue 16 section 3;
// docs/pacing.md, "The live pacer"). Package pacing decides; this package feeds it with what
// happens in production and answers the dialer's question "how many calls of this brand may
// go out now":
//
//   - call control (callcenter) reports each predictive call's life: placed, answered by a
//     person or a machine or not at all, connected to an agent or abandoned, and its talk time;
//   - the agents' states and how long they have been in them are read from agent_states, so
//     the agents about to free are counted on every node; a wrap-up's length is measured from
//     the states seen;
//   - the dialer's claim (every second, and again at once after each batch) asks Allow, which
//     runs pacing.Launch over that snapshot, the meter's rates and the campaign's maximum dial
//     ratio (campaign_pacing, migration 00022). The abandon feedback reads the worse of the
//     meter's hour, the pacer's run and the campaign's own 24-hour window from the call log,
//     so a restart does not forget the day's abandons.
//
// Calls granted by Allow and not placed yet count as ringing, so a claim that runs again
// before the last batch was placed does not dial past the decision.
package predictive

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/amd"
	"github.com/wismo/wismo/pacing"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/store"
)

// grantTTL is how long an allowance not placed yet counts as a ringing call.
const grantTTL = 5 * time.Second

// dayRefresh is how often a brand's 24-hour abandon rate is read from the call log.
const dayRefresh = 30 * time.Second

// Pacer paces the predictive campaigns of every brand on this node.
type Pacer struct {
	db  *store.DB
	log *slog.Logger
	// Grace is how long a person who answered may wait for an agent (2 s: FTC and Ofcom).
	Grace time.Duration
	// WarmUp is how many finished calls a brand's meter measures before dialling ahead
	// (pacing.MinDials when 0).
	WarmUp int
	now    func() time.Time

	mu     sync.Mutex
	brands map[int64]*brand
	s      sessions // the agents' media sessions (sessions.go)
}

// brand is one brand's pacing state: its predictive campaigns share its agents.
type brand struct {
	meter   *pacing.Meter
	ringing map[int64]time.Time // predictive call id -> placed at
	granted []time.Time         // allowances not placed yet
	waiting int                 // people answered, waiting for an agent (within the grace)
	agents  map[int64]seen      // last state seen per agent, to measure wrap-ups
	dayRate float64             // the brand's predictive campaigns' 24-hour abandon rate
	dayAt   time.Time
	last    Decision
}

type seen struct {
	state string
	since time.Time
}

// Decision is the last pacing decision of a brand, for the API and the logs.
type Decision struct {
	At           time.Time `json:"at"`
	Launch       int       `json:"launch"`
	Agents       int       `json:"agents"`
	Ready        int       `json:"ready"`
	Ringing      int       `json:"ringing"`
	Waiting      int       `json:"waiting"`
	Dials        int       `json:"measured_dials"`
	PersonRate   float64   `json:"person_rate"`
	AbandonRate  float64   `json:"abandon_rate_hour"`
	DayRate      float64   `json:"abandon_rate_24h"`
	MaxDialRatio float64   `json:"max_dial_ratio"`
}

// New returns a pacer over db.
func New(db *store.DB, log *slog.Logger) *Pacer {
	return &Pacer{db: db, log: log.With("component", "predictive"), Grace: pacing.DefaultGrace,
		now: func() time.Time { return time.Now().UTC() }, brands: map[int64]*brand{},
		s: sessions{base: context.Background(), legs: map[int64]*session{}, dialing: map[int64]bool{}, left: map[int64]time.Time{}}}
}

func (p *Pacer) brand(id int64) *brand {
	b := p.brands[id]
	if b == nil {
		b = &brand{meter: pacing.NewMeter(time.Hour), ringing: map[int64]time.Time{}, agents: map[int64]seen{}}
		p.brands[id] = b
	}
	return b
}

// Predictive reports whether campaign of brand is a predictive one (its calls go through
// the predictive call flow: no agent reserved before the dial).
func (p *Pacer) Predictive(ctx context.Context, brandID, campaign int64) bool {
	var mode string
	err := p.db.SQL.QueryRowContext(ctx, p.db.Rebind(`SELECT mode FROM campaigns WHERE id = ? AND brand_id = ?`), campaign, brandID).Scan(&mode)
	return err == nil && mode == string(pacing.Predictive)
}

// Allow replaces free[b], the calls the dialer may claim for brand b (its free agents), with
// the predictive pacer's decision for each of brands that has a running predictive campaign.
// Brands without one keep their count.
func (p *Pacer) Allow(ctx context.Context, brands []int64, free map[int64]int) (map[int64]int, error) {
	for _, b := range brands {
		ratio, ok, err := p.maxDialRatio(ctx, b)
		if err != nil {
			return free, err
		}
		if !ok {
			continue
		}
		agents, err := p.agents(ctx, b)
		if err != nil {
			return free, err
		}
		day, err := p.dayRate(ctx, b)
		if err != nil {
			return free, err
		}
		n, gone := p.decide(b, agents, ratio, day)
		p.keepSessions(agents, gone)
		if n > 0 {
			free[b] = n
		} else {
			delete(free, b)
		}
	}
	return free, nil
}

// agentRow is one agent's state as read.
type agentRow struct {
	id      int64
	state   string
	since   time.Time
	sipUser string
}

// decide runs pacing.Launch for brand b and books the calls it grants; gone are the agents
// seen before who are no longer logged in.
func (p *Pacer) decide(id int64, rows []agentRow, ratio, day float64) (n int, gone []int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	b := p.brand(id)
	b.dayRate = day
	snap := pacing.Snapshot{Waiting: b.waiting}
	ready := 0
	present := map[int64]bool{}
	for _, r := range rows {
		present[r.id] = true
		if was, ok := b.agents[r.id]; ok && was.state == "wrap_up" && r.state != "wrap_up" {
			b.meter.Wrapped(max(0, r.since.Sub(was.since)))
		}
		b.agents[r.id] = seen{r.state, r.since}
		in := max(0, now.Sub(r.since))
		switch r.state {
		case "available":
			snap.Agents = append(snap.Agents, pacing.Agent{State: pacing.Ready, InState: in})
			ready++
		case "ringing": // reserved for a call: talking from now on
			snap.Agents = append(snap.Agents, pacing.Agent{State: pacing.Talking})
		case "on_call":
			snap.Agents = append(snap.Agents, pacing.Agent{State: pacing.Talking, InState: in})
		case "wrap_up":
			snap.Agents = append(snap.Agents, pacing.Agent{State: pacing.WrapUp, InState: in})
		}
	}
	for a := range b.agents {
		if !present[a] {
			delete(b.agents, a)
			gone = append(gone, a)
		}
	}
	for _, at := range b.ringing {
		snap.Ringing = append(snap.Ringing, now.Sub(at))
	}
	keep := b.granted[:0]
	for _, at := range b.granted {
		if now.Sub(at) < grantTTL {
			keep = append(keep, at)
			snap.Ringing = append(snap.Ringing, 0)
		}
	}
	b.granted = keep
	snap.Stats = b.meter.Stats(now)
	snap.Stats.RunRate = max(snap.Stats.RunRate, day)
	n = pacing.Launch(pacing.Config{Mode: pacing.Predictive, MaxDialRatio: ratio, Grace: p.Grace, WarmUp: p.WarmUp}, snap)
	for range n {
		b.granted = append(b.granted, now)
	}
	b.last = Decision{At: now, Launch: n, Agents: len(snap.Agents), Ready: ready, Ringing: len(snap.Ringing), Waiting: b.waiting,
		Dials: snap.Stats.Dials, PersonRate: snap.Stats.PersonRate, AbandonRate: snap.Stats.AbandonRate, DayRate: day, MaxDialRatio: ratio}
	return n, gone
}

// maxDialRatio is the lowest maximum dial ratio of brand's running predictive campaigns;
// false when it has none.
func (p *Pacer) maxDialRatio(ctx context.Context, b int64) (float64, bool, error) {
	var n int
	var ratio *float64
	err := p.db.SQL.QueryRowContext(ctx, p.db.Rebind(`SELECT COUNT(*), MIN(COALESCE(cp.max_dial_ratio, ?)) FROM campaigns k
		LEFT JOIN campaign_pacing cp ON cp.campaign_id = k.id
		WHERE k.brand_id = ? AND k.mode = 'predictive' AND k.status = 'running'`), pacing.DefaultMaxDialRatio, b).Scan(&n, &ratio)
	if err != nil {
		return 0, false, fmt.Errorf("brand %d predictive campaigns: %w", b, err)
	}
	if n == 0 || ratio == nil {
		return 0, false, nil
	}
	return *ratio, true, nil
}

// agents reads the states of brand's agents who are logged in (available, reserved, on a
// call or in wrap-up), with the same brand rule as callcenter.Agents.Idle.
func (p *Pacer) agents(ctx context.Context, b int64) ([]agentRow, error) {
	rows, err := p.db.SQL.QueryContext(ctx, p.db.Rebind(`SELECT u.id, s.state, s.since, COALESCE(u.sip_username, '') FROM agent_states s JOIN users u ON u.id = s.user_id
		WHERE s.state IN ('available','ringing','on_call','wrap_up') AND u.disabled_at IS NULL
		AND (u.role IN ('admin','supervisor') OR EXISTS (SELECT 1 FROM user_brands ub WHERE ub.user_id = u.id AND ub.brand_id = ?))
		ORDER BY u.id LIMIT 2000`), b)
	if err != nil {
		return nil, fmt.Errorf("brand %d agents: %w", b, err)
	}
	defer rows.Close()
	var out []agentRow
	for rows.Next() {
		var r agentRow
		var since store.NullTime
		if err := rows.Scan(&r.id, &r.state, &since, &r.sipUser); err != nil {
			return nil, err
		}
		r.since = since.Time
		out = append(out, r)
	}
	return out, rows.Err()
}

// dayRate is the worst 24-hour abandon rate of brand's predictive campaigns (read from the
// call log at most every dayRefresh).
func (p *Pacer) dayRate(ctx context.Context, b int64) (float64, error) {
	p.mu.Lock()
	st := p.brand(b)
	rate, at := st.dayRate, st.dayAt
	p.mu.Unlock()
	now := p.now()
	if !at.IsZero() && now.Sub(at) < dayRefresh {
		return rate, nil
	}
	list, err := reports.Abandons(ctx, p.db, access.Brands(b), 0, now)
	if err != nil {
		return 0, err
	}
	rate = 0
	for _, a := range list {
		if a.Mode == string(pacing.Predictive) && a.Day.Answered >= 30 {
			rate = max(rate, a.Day.Rate)
		}
	}
	p.mu.Lock()
	st.dayRate, st.dayAt = rate, now
	p.mu.Unlock()
	return rate, nil
}

// Last is brand's last decision (zero before any).
func (p *Pacer) Last(b int64) Decision {
	p.mu.Lock()
	defer p.mu.Unlock()
	if st := p.brands[b]; st != nil {
		return st.last
	}
	return Decision{}
}

// Answer is who answered a predictive call.
type Answer int

// The answers.
const (
	Nobody  Answer = iota // not answered: no answer, busy, failed
	Person                // a person (or AMD unsure, or AMD off): waits for an agent
	Machine               // an answering machine per AMD
)

// Placed books predictive call id of brand b as ringing (one of the calls Allow granted).
func (p *Pacer) Placed(b, id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.brand(b)
	if len(st.granted) > 0 {
		st.granted = st.granted[1:]
	}
	st.ringing[id] = p.now()
}

// Answered records how call id of brand b was answered; a person now waits for an agent.
func (p *Pacer) Answered(b, id int64, who Answer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.brand(b)
	now := p.now()
	at, ok := st.ringing[id]
	delete(st.ringing, id)
	if !ok {
		return
	}
	ring := now.Sub(at)
	switch who {
	case Nobody:
		st.meter.NoAnswer(ring)
	case Machine:
		st.meter.Machine(ring)
	case Person:
		st.meter.Person(now, ring)
		st.waiting++
	}
}

// Connected records that a waiting person of brand b got an agent.
func (p *Pacer) Connected(b int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.brand(b)
	st.waiting = max(0, st.waiting-1)
}

// Abandoned records that a waiting person of brand b got no agent within the grace.
func (p *Pacer) Abandoned(b int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.brand(b)
	st.waiting = max(0, st.waiting-1)
	st.meter.Abandoned(p.now())
}

// Talked records a finished conversation's talk time for brand b.
func (p *Pacer) Talked(b int64, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.brand(b).meter.Talked(d)
}

// ConnectBy is when an agent must be connected to the answered predictive call id: the grace
// after the end of the customer's greeting. An AMD decision of a person (silence after the
// greeting) comes after the detector heard that silence, so it is taken off (the longer of its
// two waits, to be safe); without that decision the grace runs from now (the answer, or a
// decision on a silent line), which is stricter.
func (p *Pacer) ConnectBy(ctx context.Context, callID int64) time.Time {
	now := p.now()
	var cause sql.NullString
	err := p.db.SQL.QueryRowContext(ctx, p.db.Rebind(`SELECT amd_cause FROM calls WHERE id = ?`), callID).Scan(&cause)
	if err == nil && cause.String == amd.CauseSilenceAfter {
		now = now.Add(-time.Duration(amd.Defaults.SilenceMediumMs) * time.Millisecond)
	}
	return now.Add(p.Grace)
}
