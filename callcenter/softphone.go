package callcenter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter/rtcapi"
	"github.com/wismo/wismo/telephony"
)

// SoftphoneConfig tunes the browser softphone.
type SoftphoneConfig struct {
	// ICEServers are STUN/TURN URLs handed to browsers (WISMO_ICE_SERVERS); pion gathers
	// with them too, so a TURN relay is used from both ends when direct paths fail.
	ICEServers []string
	// ReconnectGrace is how long a call waits for an agent's page to come back (a reload,
	// a lost socket) before the agent's leg is ended; default 20 s.
	ReconnectGrace time.Duration
	// ConnectTimeout bounds ICE and DTLS after the agent answers; default 10 s.
	ConnectTimeout time.Duration
	// WrapUpLimit is how long an agent may stay in wrap-up before becoming available
	// again without a disposition; default 2 min.
	WrapUpLimit time.Duration
	// IPFilter keeps only the local addresses pion may gather candidates on (nil: all).
	IPFilter func(net.IP) bool
	// PortMin and PortMax bound pion's UDP ports (0: any).
	PortMin, PortMax uint16
}

// Softphone is the browser endpoint of agents: each agent's desk page keeps a WebSocket
// (signalling, pushed state) and, during a call, a WebRTC peer connection whose audio is a
// telephony.MediaStream. To call control it is one more kind of agent phone: an agent
// whose page is connected is located as "webrtc:<user id>", and dialling that contact
// rings the page instead of sending an INVITE.
type Softphone struct {
	c       *Center
	cfg     SoftphoneConfig
	dispSrc atomic.Pointer[DispositionSource]
	api     *webrtc.API
	log     *slog.Logger

	mu       sync.Mutex
	desks    map[int64]*desk // by agent user id
	waiting  map[int64]int   // hotline callers waiting, by brand (0: no brand)
	seq      int64           // numbers WebRTC legs
	stopping bool
}

// webrtcScheme prefixes the contact of an agent whose desk page is connected.
const webrtcScheme = "webrtc:"

// Errors of the softphone.
var (
	errNoDesk     = errors.New("the agent's desk page is not connected")
	errDeskGone   = errors.New("the agent's desk page went away while ringing")
	errNoMedia    = errors.New("the browser's media did not connect")
	errNotRinging = errors.New("no call is ringing")
)

// EnableSoftphone gives the center its browser endpoint (before serving).
func (c *Center) EnableSoftphone(cfg SoftphoneConfig) (*Softphone, error) {
	if cfg.ReconnectGrace == 0 {
		cfg.ReconnectGrace = 20 * time.Second
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.WrapUpLimit == 0 {
		cfg.WrapUpLimit = 2 * time.Minute
	}
	api, err := rtcapi.New(cfg.IPFilter, cfg.PortMin, cfg.PortMax)
	if err != nil {
		return nil, fmt.Errorf("softphone: %w", err)
	}
	p := &Softphone{c: c, cfg: cfg, api: api, log: c.log.With("component", "softphone"),
		desks: map[int64]*desk{}, waiting: map[int64]int{}}
	c.phones = p
	c.Agents.OnChange(p.stateChanged)
	return p, nil
}

// iceServers is the pion form of the configured STUN/TURN URLs. TURN credentials ride in
// the URL's user info (turn:user:pass@host), as browsers' RTCIceServer takes them apart.
func (p *Softphone) iceServers() []webrtc.ICEServer {
	var out []webrtc.ICEServer
	for _, u := range p.cfg.ICEServers {
		out = append(out, rtcapi.ICEServer(u))
	}
	return out
}

// locate is where agent ag takes calls: the desk page when it is connected, else the SIP
// phone registered for the agent's account.
func (c *Center) locate(ag Agent) (string, bool) {
	if c.phones != nil && c.phones.Online(ag.UserID) {
		return webrtcScheme + strconv.FormatInt(ag.UserID, 10), true
	}
	if ag.SIPUser == "" {
		return "", false
	}
	return c.eng.Registrar().Locate(ag.SIPUser)
}

// dialLeg places leg r.dial asked for: the agent's desk page for a webrtc: contact, else a
// SIP call.
func (c *Center) dialLeg(ctx context.Context, r *run, req telephony.DialRequest, callID func(string)) (*telephony.Leg, error) {
	id, ok := strings.CutPrefix(req.To, webrtcScheme)
	if !ok || c.phones == nil {
		return c.eng.Dial(ctx, req, callID)
	}
	agentID, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, &telephony.DialError{Err: fmt.Errorf("contact %q: %w", req.To, ErrInvalid)}
	}
	return c.phones.ring(ctx, r, agentID, req, callID)
}

// Online reports whether agentID's desk page is connected.
func (p *Softphone) Online(agentID int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.desks[agentID]
	return d != nil && d.connected()
}

// OpenSession rings agentID's desk page for the agent's media session of a predictive shift
// (docs/softphone.md, "The shift's line"): the page answers on its own with one offer, and the
// leg stays up while customers are bridged into it one after another (predictive.Browsers).
func (p *Softphone) OpenSession(ctx context.Context, agentID int64) (*telephony.Leg, error) {
	return p.ring(ctx, &run{c: p.c, down: p.c.base}, agentID, telephony.DialRequest{}, nil)
}

// deskOf returns agentID's desk, made on first use.
func (p *Softphone) deskOf(agentID int64, u access.User) *desk {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.desks[agentID]
	if d == nil {
		d = &desk{p: p, agentID: agentID, user: u, log: p.log.With("agent", agentID)}
		p.desks[agentID] = d
	}
	d.user = u
	return d
}

// existing returns agentID's desk if there is one.
func (p *Softphone) existing(agentID int64) *desk {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.desks[agentID]
}

// nextLegID names a new WebRTC leg (it stands where a SIP Call-ID would in the call log).
func (p *Softphone) nextLegID(agentID int64) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seq++
	return fmt.Sprintf("webrtc-%d-%d-%d", agentID, time.Now().Unix(), p.seq)
}

// stateChanged pushes an agent's new state to the agent's page and starts the wrap-up
// limit.
func (p *Softphone) stateChanged(agentID int64, s AgentState) {
	d := p.existing(agentID)
	if d == nil {
		return
	}
	d.stateChanged(s)
}

// enqueue counts a hotline caller waiting for brand's agents until the returned func is
// called (once is enough; more calls do nothing); desks are told the new count.
func (p *Softphone) enqueue(brand int64) func() {
	if p == nil {
		return func() {}
	}
	p.mu.Lock()
	p.waiting[brand]++
	p.mu.Unlock()
	p.pushQueue()
	var once sync.Once
	return func() {
		once.Do(func() {
			p.mu.Lock()
			p.waiting[brand]--
			p.mu.Unlock()
			p.pushQueue()
		})
	}
}

// queueFor is how many hotline callers wait for brands the user serves.
func (p *Softphone) queueFor(u access.User) int {
	scope := access.ScopeOf(&u)
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for brand, w := range p.waiting {
		if brand == 0 || scope.AllowsBrand(brand) {
			n += w
		}
	}
	return n
}

// pushQueue sends every connected desk its queue size.
func (p *Softphone) pushQueue() {
	p.mu.Lock()
	desks := make([]*desk, 0, len(p.desks))
	for _, d := range p.desks {
		desks = append(desks, d)
	}
	p.mu.Unlock()
	for _, d := range desks {
		d.send(msg{"type": "queue", "waiting": p.queueFor(d.userCopy())})
	}
}

// onTalk tells the agent's desk that its leg is bridged to customer in call r.
func (p *Softphone) onTalk(r *run, customer, agent *telephony.Leg) {
	if d := p.deskOfLeg(agent); d != nil {
		d.talking(r, customer, agent)
	}
}

// deskOfLeg is the desk whose page leg is (nil: a SIP phone's leg, or no softphone).
func (p *Softphone) deskOfLeg(leg *telephony.Leg) *desk {
	id, ok := strings.CutPrefix(leg.CallID, "webrtc-")
	if p == nil || !ok {
		return nil
	}
	agentID, _ := strconv.ParseInt(strings.Split(id, "-")[0], 10, 64)
	return p.existing(agentID)
}

func (p *Softphone) closing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopping
}

// Close ends every desk's peer connections (at shutdown, after the calls drained).
func (p *Softphone) Close() {
	p.mu.Lock()
	p.stopping = true
	desks := make([]*desk, 0, len(p.desks))
	for _, d := range p.desks {
		desks = append(desks, d)
	}
	p.mu.Unlock()
	for _, d := range desks {
		d.shutdown()
	}
}
