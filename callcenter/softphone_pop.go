package callcenter

import (
	"context"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter/trackcalls"
	"github.com/wismo/wismo/tracking"
)

// maxPastCalls bounds the past calls of a screen pop.
const maxPastCalls = 10

// callInfo is what a desk page shows of a ringing call: who, about which parcel, and the
// screen pop (the caller's parcels with phase and events, past calls with them), limited
// to what the agent may see. Open cases and the parcel's timeline (past contacts) the page
// asks the cases API for.
func (p *Softphone) callInfo(ctx context.Context, r *run, d *desk) msg {
	phone := r.call.To
	if r.call.Direction == Inbound {
		phone = r.call.From
	}
	u := d.userCopy()
	scope := access.ScopeOf(&u)
	info := msg{"id": r.call.ID, "direction": r.call.Direction, "mode": r.call.Mode, "phone": phone,
		"parcel_id": r.call.ParcelID, "brand_id": r.call.BrandID, "queue_id": r.call.QueueID,
		"script_id": r.call.ScriptID, "script_version": r.call.ScriptVersion,
		// A preview call is one the agent asked for: the page answers it at once.
		"auto_answer": r.call.Mode == ModePreview && r.call.AgentID == d.agentID}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second) // a slow lookup must not delay the ring
	defer cancel()
	parcels := []tracking.ParcelView{}
	if n := e164(phone); n != "" && p.c.parcels != nil {
		if ps, err := p.c.parcels.ParcelsByPhone(ctx, scope, n); err == nil {
			parcels = ps
		} else {
			d.log.Warn("screen pop: parcels by phone", "err", err)
		}
	}
	info["parcels"] = parcels
	past, err := trackcalls.Past(ctx, p.c.db, scope, phone, r.call.ParcelID, r.call.ID, maxPastCalls)
	if err != nil {
		d.log.Warn("screen pop: past calls", "err", err)
	}
	info["past_calls"] = past
	info["dispositions"] = p.brandDispositions(ctx, r.call.BrandID, d)
	return info
}

// dispositions are the choices of the wrap-up form when no call says otherwise: the
// standard ones (docs/architecture.md).
func (p *Softphone) dispositions() []string {
	return []string{DispReached, DispCallbackRequested, DispWrongNumber, DispRefused, DispVoicemail}
}

// DispositionSource gives a brand's list of dispositions (scripts.Service: the standard ones
// and the words the brand's call scripts end with).
type DispositionSource interface {
	Dispositions(ctx context.Context, brand int64) ([]string, error)
}

// UseDispositions makes each call's wrap-up offer its brand's list.
func (p *Softphone) UseDispositions(src DispositionSource) { p.dispSrc.Store(&src) }

// brandDispositions is the list a call of brand offers (the standard one when the brand's is
// unknown or cannot be read).
func (p *Softphone) brandDispositions(ctx context.Context, brand int64, d *desk) []string {
	src := p.dispSrc.Load()
	if src == nil || brand == 0 {
		return p.dispositions()
	}
	list, err := (*src).Dispositions(ctx, brand)
	if err != nil || len(list) == 0 {
		if err != nil {
			d.log.Warn("screen pop: dispositions", "brand", brand, "err", err)
		}
		return p.dispositions()
	}
	return list
}

// iceServersJSON is the RTCIceServer list for the page's RTCPeerConnection.
func (p *Softphone) iceServersJSON() []msg {
	out := []msg{}
	for _, s := range p.iceServers() {
		m := msg{"urls": s.URLs}
		if s.Username != "" {
			m["username"], m["credential"] = s.Username, s.Credential
		}
		out = append(out, m)
	}
	return out
}
