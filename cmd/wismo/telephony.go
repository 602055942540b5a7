package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/amdgate"
	"github.com/wismo/wismo/callcenter/calllogapi"
	"github.com/wismo/wismo/callcenter/predictive"
	"github.com/wismo/wismo/callcenter/telephonyadmin"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/talk"
	"github.com/wismo/wismo/telephony"
)

// drainTimeout bounds how long SIGTERM waits for live calls to end (a second signal forces
// the exit sooner).
const drainTimeout = 2 * time.Hour

// telephonyPart is the SIP endpoint with call control, recordings and their routes.
type telephonyPart struct {
	center *callcenter.Center
	eng    *telephony.Endpoint
	recs   *recordings.Service
	talk   *talk.Service // talk analytics of finished recordings (job talk-analytics)
	phones *callcenter.Softphone
	pacer  *predictive.Pacer
	log    *slog.Logger
}

// openTelephony wires the call center: recordings (repairing what a crash left unfinished),
// agents, call control and the SIP endpoint, bound but not yet serving.
func (a *app) openTelephony(ctx context.Context) (*telephonyPart, error) {
	cfg := a.cfg
	recs := recordings.NewService(a.db, filepath.Join(cfg.DataDir, "recordings"), a.log)
	if n, err := recs.RepairUnfinished(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		a.log.Warn("repaired recordings a crash left unfinished", "count", n)
	}
	agents := callcenter.NewAgents(a.db, cfg.SIPRealm, a.access)
	// Answered campaign calls are screened for answering machines by their campaign's setting.
	amdGate := amdgate.New(a.db, filepath.Join(cfg.DataDir, "announcements"), a.log)
	// Predictive campaigns are paced live (docs/pacing.md, "The live pacer").
	pacer := predictive.New(a.db, a.log)
	center := callcenter.NewCenter(callcenter.Config{AnnouncementsDir: filepath.Join(cfg.DataDir, "announcements"), AMD: amdGate, Pacer: pacer},
		a.db, agents, recs, a.cases, a.log, a.reg)
	// sipgo logs a few transport events through its package-level logger; main is the one
	// place allowed to set process-wide things.
	sip.SetDefaultLogger(a.log.With("component", "sip"))
	lo, hi, err := parsePortRange(cfg.RTPPorts)
	if err != nil {
		return nil, fmt.Errorf("WISMO_RTP_PORTS: %w", err)
	}
	noRTP, _ := time.ParseDuration(cfg.RTPTimeout) // validated at start
	eng, err := telephony.New(ctx, telephony.Config{ListenAddr: cfg.SIPAddr, PublicAddr: cfg.SIPPublicAddr, RTPPortMin: lo, RTPPortMax: hi, NoRTPTimeout: noRTP,
		Realm: cfg.SIPRealm, Trunk: telephony.Trunk{URI: cfg.TrunkURI, User: cfg.TrunkUser, Password: cfg.TrunkPassword, CallerID: cfg.TrunkCallerID},
		TCP: cfg.sipTCPLimits(), AuthMaxWait: cfg.sipAuthMaxWait()},
		a.log, agents, center)
	if err != nil {
		return nil, fmt.Errorf("WISMO_SIP_ADDR: %w", err)
	}
	registerSIPMetrics(a.reg, eng)
	amdGate.Player = eng // the voicemail prompt
	center.Attach(context.WithoutCancel(ctx), eng)
	pacer.Attach(context.WithoutCancel(ctx), eng) // agents of predictive campaigns keep one call to their phone
	go pacer.Run(ctx)                             // and it ends when they have no predictive work left
	// Agents' browsers (the desk page's softphone); STUN/TURN from WISMO_ICE_SERVERS.
	phones, err := center.EnableSoftphone(cfg.softphone())
	if err != nil {
		eng.Close()
		return nil, fmt.Errorf("WISMO_ICE_SERVERS: %w", err)
	}
	pacer.AttachBrowsers(phones) // and browser agents one WebRTC leg (the shift's line)
	return &telephonyPart{center: center, eng: eng, recs: recs, talk: talk.NewService(a.db, a.log), phones: phones, pacer: pacer, log: a.log}, nil
}

// callTimeline puts the call log's calls on case and parcel timelines (cases.TimelineSource):
// hotline calls and calls agents dialled, one "call" entry each, with the call as its data.
// The dialer's own source reports the attempts it placed, so each call shows once.
type callTimeline struct{ calls *callcenter.CallLog }

// TimelineFor implements cases.TimelineSource.
func (t callTimeline) TimelineFor(ctx context.Context, scope access.Scope, parcelIDs []string) ([]cases.TimelineEntry, error) {
	calls, err := t.calls.ParcelCalls(ctx, scope, parcelIDs)
	if err != nil {
		return nil, err
	}
	out := make([]cases.TimelineEntry, 0, len(calls))
	for _, c := range calls {
		out = append(out, cases.TimelineEntry{At: c.StartedAt, Kind: "call", Summary: c.Summary(), Actor: "callcenter",
			Ref: "call:" + strconv.FormatInt(c.ID, 10), Data: c})
	}
	return out, nil
}

// routes mounts the call log, agent and recording APIs.
func (t *telephonyPart) routes(r fiber.Router) {
	callcenter.Routes(r, t.center)
	calllogapi.Routes(r, t.center.Calls)
	telephonyadmin.Routes(r, t.center)
	recordings.Routes(r, t.recs)
	talk.Routes(r, t.talk)
	predictive.Routes(r, t.pacer)
}

// job serves SIP until the jobs stop (after the calls drained and HTTP stopped). When SIP
// stops serving by itself (a socket failed) the job returns early with the endpoint open:
// the job supervisor reports it on /readyz and runs it again, and Serve binds new sockets.
func (t *telephonyPart) job() job {
	return job{name: "sip", run: func(ctx context.Context) {
		err := t.eng.Serve(ctx)
		if ctx.Err() == nil {
			t.log.Error("SIP stopped serving", "err", err)
			return
		}
		t.phones.Close()
		t.eng.Close()
	}}
}

// drain stops taking calls and waits for the live ones to end (STYLE.md: drain, then stop).
func (t *telephonyPart) drain(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, drainTimeout)
	defer cancel()
	t.pacer.Close(ctx) // the agents' idle media sessions end; busy ones with their call
	if err := t.eng.Drain(ctx); err != nil {
		return err
	}
	t.center.Wait() // the last calls' log rows are written
	return nil
}
