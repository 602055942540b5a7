package routing

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/tracking"
)

// Parcels reads the parcel a call is about (tracking.Service implements it).
type Parcels interface {
	Parcel(ctx context.Context, scope access.Scope, id string) (tracking.ParcelView, error)
}

// Router implements callcenter.Router with the brand's agents' languages and skills and the
// queue's settings; it also knows, per node, who waits in which queue (Position).
type Router struct {
	svc     *Service
	parcels Parcels
	log     *slog.Logger
	now     func() time.Time

	mu      sync.Mutex
	waiting map[int64]*waiter // by call id
}

type waiter struct {
	queue, brand int64
	since        time.Time
	lang         string
}

// NewRouter returns a router over svc's settings; parcels gives a call's recipient language.
func NewRouter(svc *Service, parcels Parcels, log *slog.Logger) *Router {
	return &Router{svc: svc, parcels: parcels, log: log.With("component", "routing"), now: time.Now, waiting: map[int64]*waiter{}}
}

// Route implements callcenter.Router: the agents who match o (tier 1) first, then, once the
// fallback applies (tier 2), the others; idle's order (longest idle first) within each.
func (r *Router) Route(ctx context.Context, o callcenter.Offer, idle []callcenter.Agent) []callcenter.Agent {
	if o.Call.BrandID == 0 || len(idle) == 0 {
		return idle // a caller matched to no brand: anyone may answer
	}
	want := Want{Language: r.language(ctx, o)}
	q := DefaultQueue(o.Call.QueueID, o.Call.BrandID)
	if o.Call.QueueID != 0 {
		if got, err := r.svc.Queue(ctx, o.Call.QueueID); err == nil {
			q = got
		}
	}
	want.Skill = q.Skill
	if want.Language == "" && want.Skill == "" {
		return idle
	}
	agents, err := r.svc.brandAgents(ctx, o.Call.BrandID)
	if err != nil {
		r.log.Warn("routing settings unreadable: offering the call to anyone of the brand", "call_id", o.Call.ID, "err", err)
		return idle
	}
	waited := time.Duration(-1) // outbound: the customer waits for no language
	if !o.Since.IsZero() {
		waited = r.now().Sub(o.Since)
	}
	return tiers(idle, agents, want, waited, q.Fallback)
}

// Want is what a call asks of an agent.
type Want struct {
	Language string // ISO 639-1; "": any
	Skill    string // "": none
}

func (w Want) matches(a agentRow) bool {
	return (w.Language == "" || slices.Contains(a.langs, w.Language)) && (w.Skill == "" || slices.Contains(a.skills, w.Skill))
}

// tiers orders idle (longest idle first) for a call wanting w that has waited so long
// (negative: it waits for nobody, as outbound calls): the agents who match first; the others
// too once the call waited fallback, or at once when no matching agent is serving (signed in
// and not paused), since waiting could not help.
func tiers(idle []callcenter.Agent, agents map[int64]agentRow, w Want, waited, fallback time.Duration) []callcenter.Agent {
	var first, rest []callcenter.Agent
	for _, ag := range idle {
		if a, ok := agents[ag.UserID]; ok && w.matches(a) {
			first = append(first, ag)
		} else {
			rest = append(rest, ag)
		}
	}
	open := waited < 0 || waited >= fallback
	if !open && len(first) == 0 {
		open = true
		for _, a := range agents {
			if a.serving && w.matches(a) {
				open = false // a matching agent is busy: worth waiting for
				break
			}
		}
	}
	if open {
		return append(first, rest...)
	}
	return first
}

// language is the customer's: the offer's, or the parcel's recipient's (the tracking page's).
func (r *Router) language(ctx context.Context, o callcenter.Offer) string {
	if o.Language != "" {
		return Lang(o.Language)
	}
	r.mu.Lock()
	w := r.waiting[o.Call.ID]
	r.mu.Unlock()
	if w != nil && w.lang != "" {
		return w.lang
	}
	if o.Call.ParcelID == "" || r.parcels == nil {
		return ""
	}
	p, err := r.parcels.Parcel(ctx, access.Brands(o.Call.BrandID), o.Call.ParcelID)
	if err != nil {
		return ""
	}
	lang := Lang(p.Recipient.Language)
	r.mu.Lock()
	if w := r.waiting[o.Call.ID]; w != nil {
		w.lang = lang
	}
	r.mu.Unlock()
	return lang
}

// Queued implements callcenter.Router: o's caller waits in its queue until leave.
func (r *Router) Queued(o callcenter.Offer) func() {
	id := o.Call.ID
	r.mu.Lock()
	r.waiting[id] = &waiter{queue: o.Call.QueueID, brand: o.Call.BrandID, since: o.Since, lang: Lang(o.Language)}
	r.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			delete(r.waiting, id)
			r.mu.Unlock()
		})
	}
}

// Position is call id's place in its queue on this node (1: next), 0 when it does not wait.
func (r *Router) Position(callID int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	me := r.waiting[callID]
	if me == nil {
		return 0
	}
	n := 1
	for id, w := range r.waiting {
		if id != callID && w.queue == me.queue && w.brand == me.brand && (w.since.Before(me.since) || (w.since.Equal(me.since) && id < callID)) {
			n++
		}
	}
	return n
}
