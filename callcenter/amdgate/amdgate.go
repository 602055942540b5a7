// Package amdgate screens answered outbound campaign calls for answering machines before an
// agent is rung (issue 16 section 4; docs/amd.md, "In live calls"). Call control
// (callcenter) hands it the customer's leg once the customer answers; the gate looks up the
// campaign's AMD setting, feeds the customer's inbound audio (decoded to 8 kHz PCM) to an
// amd.Detector until it decides, records the decision on the call row, and acts on it: on a
// machine it hangs up or leaves the brand's voicemail prompt after the beep, or lets the call
// through to an agent ("connect"); a person, or "unsure", always goes through.
package amdgate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/pion/rtp"

	"github.com/wismo/wismo/amd"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
)

// Campaign AMD settings (campaigns.amd, migration 00018; dialer.AMDSettings).
const (
	Off       = "off"
	HangupOn  = "hangup"
	Voicemail = "voicemail"
	Connect   = "connect"
)

// Action is what the call does after the screening.
type Action string

// The actions.
const (
	Bridge      Action = "bridge"       // ring an agent as without AMD
	Hangup      Action = "hangup"       // end the call: nobody to talk to
	LeavePrompt Action = "leave_prompt" // play the brand's voicemail prompt after the beep, then end
)

// Decide is what a call of a campaign with setting does after the detector's decision: only a
// machine is kept from the agents, and only when the campaign says so.
func Decide(setting string, d amd.Decision) Action {
	if d.Result != amd.Machine {
		return Bridge
	}
	switch setting {
	case HangupOn:
		return Hangup
	case Voicemail:
		return LeavePrompt
	}
	return Bridge
}

// Source is the far end's audio as it arrives: Next returns the next chunk of 8 kHz PCM
// (any length), or false once the audio ended (the leg hung up, ctx ended).
type Source interface {
	Next(ctx context.Context) ([]int16, bool)
}

// Detect feeds src to a detector with cfg's thresholds until it decides or the audio ends.
func Detect(ctx context.Context, cfg amd.Config, src Source) amd.Decision {
	d := amd.NewDetector(cfg)
	n := d.FrameSamples()
	var pending []int16
	for {
		chunk, ok := src.Next(ctx)
		if !ok {
			return d.End()
		}
		pending = append(pending, chunk...)
		for len(pending) >= n {
			if dec, ok := d.Feed(pending[:n]); ok {
				return dec
			}
			pending = pending[n:]
		}
		pending = append(pending[:0:0], pending...)
	}
}

// Player plays audio to a leg (telephony.Endpoint).
type Player interface {
	Play(ctx context.Context, leg *telephony.Leg, samples []int16, loop bool)
}

// Screener is what call control (callcenter.Config.AMD) calls once a campaign call's customer
// answers, before an agent is rung: true means a machine and the call is over (the caller
// hangs up and ends it as no_answer).
type Screener interface {
	Screen(ctx context.Context, callID, brand int64, campaignRef string, customer *telephony.Leg) bool
}

var _ Screener = (*Gate)(nil)

// Gate is the screening call control asks for.
type Gate struct {
	db  *store.DB
	log *slog.Logger
	dir string // announcements: <dir>/<brand id>/voicemail.wav is a brand's voicemail prompt
	// Player plays the voicemail prompt (the telephony endpoint, set once it exists); nil:
	// a voicemail setting hangs up.
	Player Player
	Config amd.Config
}

// New returns a gate over db; announcementsDir is <data dir>/announcements.
func New(db *store.DB, announcementsDir string, log *slog.Logger) *Gate {
	return &Gate{db: db, log: log.With("component", "amdgate"), dir: announcementsDir, Config: amd.Defaults}
}

// Screen implements Screener: it screens the answered call callID of brand's
// campaign campaignRef and reports whether the call is over (a machine the campaign does not
// want connected; the voicemail prompt, if any, has been played). The caller hangs up.
func (g *Gate) Screen(ctx context.Context, callID, brand int64, campaignRef string, customer *telephony.Leg) bool {
	act, dec, err := g.Check(ctx, callID, brand, campaignRef, newLegSource(customer))
	if err != nil {
		g.log.Error("amd decision not recorded", "call", callID, "err", err)
	}
	if act == LeavePrompt {
		g.leavePrompt(ctx, brand, customer, dec)
	}
	return act != Bridge
}

// Check is Screen without the leg: it reads the campaign's setting, runs the detector over src
// when AMD is on, records the decision on the call row and returns what to do.
func (g *Gate) Check(ctx context.Context, callID, brand int64, campaignRef string, src Source) (Action, amd.Decision, error) {
	setting, err := g.setting(ctx, brand, campaignRef)
	if err != nil || setting == Off {
		return Bridge, amd.Decision{}, err
	}
	dec := Detect(ctx, g.Config, src)
	act := Decide(setting, dec)
	g.log.Info("answering-machine detection", "call", callID, "result", dec.Result, "cause", dec.Cause,
		"decided_after_ms", dec.DecidedAfterMs, "action", act)
	_, err = g.db.SQL.ExecContext(context.WithoutCancel(ctx), g.db.Rebind(`UPDATE calls SET amd_result = ?, amd_cause = ?, amd_ms = ?
		WHERE id = ? AND brand_id = ?`), string(dec.Result), dec.Cause, dec.DecidedAfterMs, callID, brand)
	if err != nil {
		err = fmt.Errorf("call %d: %w", callID, err)
	}
	return act, dec, err
}

// setting is the AMD setting of brand's campaign ref ("off" for a call of no campaign).
func (g *Gate) setting(ctx context.Context, brand int64, ref string) (string, error) {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		return Off, nil
	}
	var s string
	err = g.db.SQL.QueryRowContext(ctx, g.db.Rebind(`SELECT amd FROM campaigns WHERE id = ? AND brand_id = ?`), id, brand).Scan(&s)
	if err != nil {
		return Off, fmt.Errorf("campaign %d amd setting: %w", id, err)
	}
	return s, nil
}

// leavePrompt plays the brand's voicemail prompt once the machine's greeting is over (its
// beep, or a second of quiet), if the brand has one.
func (g *Gate) leavePrompt(ctx context.Context, brand int64, customer *telephony.Leg, dec amd.Decision) {
	prompt, err := g.prompt(brand)
	if err != nil || g.Player == nil {
		if !errors.Is(err, os.ErrNotExist) && err != nil {
			g.log.Warn("voicemail prompt unreadable", "brand", brand, "err", err)
		}
		return
	}
	if dec.Cause != amd.CauseBeep {
		waitBeep(ctx, g.Config, newLegSource(customer))
	}
	g.Player.Play(ctx, customer, prompt, false)
}

// prompt is brand's own voicemail prompt (<dir>/<brand>/voicemail.wav).
func (g *Gate) prompt(brand int64) ([]int16, error) {
	f, err := os.Open(filepath.Join(g.dir, strconv.FormatInt(brand, 10), "voicemail.wav"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return amd.ReadWAV(f)
}

// maxGreeting bounds the wait for a machine's beep.
const maxGreeting = 30 * time.Second

// waitBeep listens until the greeting is over: a beep, a second without a loud frame, the
// audio's end or maxGreeting.
func waitBeep(ctx context.Context, cfg amd.Config, src Source) {
	ctx, cancel := context.WithTimeout(ctx, maxGreeting)
	defer cancel()
	quietFor := 0 // samples
	d := amd.NewDetector(cfg)
	n := d.FrameSamples()
	var pending []int16
	for {
		chunk, ok := src.Next(ctx)
		if !ok {
			return
		}
		pending = append(pending, chunk...)
		for ; len(pending) >= n; pending = pending[n:] {
			frame := pending[:n]
			if media.RMS(frame) < quietRMS {
				quietFor += n
			} else {
				quietFor = 0
			}
			if quietFor >= amd.SampleRate {
				return
			}
			if dec, ok := d.Feed(frame); ok {
				if dec.Cause == amd.CauseBeep {
					return
				}
				d = amd.NewDetector(cfg) // another decision: a fresh detector for what follows
			}
		}
		pending = append(pending[:0:0], pending...)
	}
}

// quietRMS is a frame's RMS below which it counts as quiet (about -48 dBFS, the detector's
// VoiceMinDBFS).
const quietRMS = 130

// legSource reads a leg's inbound RTP (before any bridge: the packets queue for Read) and
// decodes its audio codec to PCM; other packets (telephone-events, comfort noise) are skipped.
// A read that times out counts as that much silence, so a far end that sends nothing is
// decided on (no_speech: unsure) in the detector's time rather than waited for.
type legSource struct {
	leg *telephony.Leg
	buf []byte
	pcm []int16
}

func newLegSource(leg *telephony.Leg) *legSource {
	return &legSource{leg: leg, buf: make([]byte, 1500)}
}

var codecs = media.NewCodecs()

// readWait is how long one read waits for a packet; a timeout is readWait of silence.
const readWait = 100 * time.Millisecond

func (s *legSource) Next(ctx context.Context) ([]int16, bool) {
	var pkt rtp.Packet
	for {
		select {
		case <-ctx.Done():
			return nil, false
		case <-s.leg.Done():
			return nil, false
		default:
		}
		_, _, err := s.leg.Stream.Read(s.buf, &pkt, readWait)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return make([]int16, amd.SampleRate*int(readWait/time.Millisecond)/1000), true
		}
		if err != nil {
			return nil, false
		}
		if pkt.PayloadType == s.leg.Remote.Codec {
			s.pcm = codecs.Decode(s.pcm[:0], pkt.PayloadType, pkt.Payload)
			return s.pcm, true
		}
	}
}
