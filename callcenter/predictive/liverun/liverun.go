// Package liverun runs a campaign through wismo end to end on loopback, for the heavy test and
// `make bench` (tools/benchpredictive): the dialer (dialer.Service, its claims every
// Interval) places the calls of a running campaign through call control (callcenter.Placer)
// and wismo's SIP engine; the customers are a SIPp UAS behind the trunk that rings for a
// while and answers with a given probability, then talks for a short time and hangs up; the
// agents are SIP phones, one SIPp UAS each, registered with wismo's registrar by digest, that
// answer at once and never hang up. A simulated desk ends each agent's wrap-up after Wrap.
// With mode predictive the live pacer (package predictive) paces the calls and keeps one media
// session per agent; with progressive the dialer places one call per free agent, ringing the
// agent's phone for each customer. The figures come from the call log.
package liverun

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/callcenter/predictive"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/reports"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/tracking"
)

//go:embed scenarios/*.xml
var scenarios embed.FS

// Options describe a run.
type Options struct {
	Mode       string        // predictive or progressive
	Agents     int           // SIP phones logged in
	Calls      int           // contacts planned (each called once unless retried later)
	AnswerRate float64       // probability a customer answers
	RingMin    time.Duration // a customer's phone rings this long (uniform) before answering or giving up
	RingMax    time.Duration
	Talk       [3]time.Duration // an answered customer talks one of these (equally likely), then hangs up
	Wrap       time.Duration    // each agent's wrap-up
	WarmUp     int              // finished calls the pacer measures before dialling ahead
	MaxRatio   float64          // the campaign's maximum dial ratio (0: the default 3)
	Limit      time.Duration    // the run's bound
	Dir        string           // a work dir for SIPp's files
	Log        *slog.Logger
}

// Result is what the call log says about the run.
type Result struct {
	Mode        string  `json:"mode"`
	Agents      int     `json:"agents"`
	Placed      int     `json:"placed"`    // calls logged
	Answered    int     `json:"answered"`  // answered by the far end (people: no AMD here)
	Connected   int     `json:"connected"` // answered and talked with an agent
	Abandoned   int     `json:"abandoned"` // answered, no agent in time
	NoAnswer    int     `json:"no_answer"` // not answered (480)
	Failed      int     `json:"failed"`    // any other outcome: failed, unreachable, cancelled, busy, rejected, unfinished
	AbandonRate float64 `json:"abandon_rate"`
	// AgentLegs is the distinct SIP calls to agents' phones the connected calls used: one per
	// agent with media sessions, one per connected call without.
	AgentLegs int     `json:"agent_legs"`
	TalkShare float64 `json:"talk_share"` // agents' talk time over agents x the run's wall time
	Wall      float64 `json:"wall_s"`
	// Dashboard is the campaign's 24-hour abandon figure as reports.Abandons reads it.
	Dashboard reports.AbandonWindow `json:"dashboard_24h"`
}

// Run runs opts on db (a new, migrated database) and returns the figures.
func Run(ctx context.Context, db *store.DB, opts Options) (Result, error) {
	res := Result{Mode: opts.Mode, Agents: opts.Agents}
	ctx, cancel := context.WithTimeout(ctx, opts.Limit)
	defer cancel()
	log := opts.Log
	sipp, err := exec.LookPath("sipp")
	if err != nil {
		return res, errors.New("sipp not found: install Debian's sip-tester")
	}
	if err := writeFiles(opts); err != nil {
		return res, err
	}
	acc := access.NewService(db)
	brand, _, err := acc.CreateBrand(ctx, "Live run")
	if err != nil {
		return res, err
	}
	// The customers: one SIPp UAS behind the trunk.
	custPort, err := freePort("udp")
	if err != nil {
		return res, err
	}
	if err := startSIPp(ctx, sipp, opts.Dir, "customer.xml", custPort); err != nil {
		return res, err
	}
	agents := callcenter.NewAgents(db, "wismo", acc)
	var pacer *predictive.Pacer
	if opts.Mode == "predictive" {
		pacer = predictive.New(db, log)
		pacer.WarmUp = opts.WarmUp
	}
	center := callcenter.NewCenter(callcenter.Config{AgentRing: 3 * time.Second, Pacer: pacer}, db, agents, nil, nil, log, nil)
	rtp, err := freePort("udp")
	if err != nil {
		return res, err
	}
	rtp &^= 1
	eng, err := telephony.New(ctx, telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: rtp, RTPPortMax: rtp + 400, Realm: "wismo",
		Trunk: telephony.Trunk{URI: "sip:127.0.0.1:" + strconv.Itoa(custPort)}, NoRTPTimeout: 5 * time.Second}, log, agents, center)
	if err != nil {
		return res, err
	}
	defer eng.Close()
	base := context.WithoutCancel(ctx)
	center.Attach(base, eng)
	go eng.Serve(ctx)
	if pacer != nil {
		pacer.Attach(base, eng)
	}
	link := &dialerLink{}
	d, err := dialer.New(db, log, dialer.Options{Interval: 200 * time.Millisecond, Calls: callcenter.NewPlacer(center, link)})
	if err != nil {
		return res, err
	}
	link.d = d
	campaign, err := startCampaign(ctx, d, brand.ID, opts)
	if err != nil {
		return res, err
	}
	if pacer != nil && opts.MaxRatio > 0 {
		if err := pacer.SetMaxDialRatio(ctx, brand.ID, campaign, opts.MaxRatio); err != nil {
			return res, err
		}
	}
	ids, err := loginAgents(ctx, sipp, opts, acc, agents, eng, brand.ID)
	if err != nil {
		return res, err
	}
	parcels, err := tracking.NewService(db, log, nil).UpsertParcels(ctx, access.Brands(brand.ID), []tracking.ParcelItem{{Input: tracking.ParcelInput{
		ID: "RB123456785GB", ServiceLevel: "standard", Kind: "packet", WeightKg: 0.4, OriginCountry: "GB", DestinationCountry: "RU",
		Recipient: tracking.RecipientInput{Name: "Ivan Petrov", Phone: "+79131000000", Region: "RU-NVS"}}}})
	if err != nil || parcels[0].Status != tracking.StatusAccepted {
		return res, fmt.Errorf("the run's parcel: %+v %w", parcels, err)
	}
	if err := plan(ctx, db, d, brand.ID, campaign, opts.Calls); err != nil {
		return res, err
	}
	start := time.Now()
	if pacer != nil { // the sessions open before the first customer answers
		if _, err := pacer.Allow(ctx, []int64{brand.ID}, map[int64]int{}); err != nil {
			return res, err
		}
		for deadline := time.Now().Add(10 * time.Second); pacer.Sessions() < opts.Agents && time.Now().Before(deadline); {
			time.Sleep(50 * time.Millisecond)
		}
	}
	for ctx.Err() == nil {
		if _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			return res, err
		}
		if err := wrapUps(ctx, db, agents, ids, opts.Wrap); err != nil {
			return res, err
		}
		if done, err := finished(ctx, db, brand.ID); err != nil || done {
			if err != nil {
				return res, err
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	res.Wall = time.Since(start).Seconds()
	if pacer != nil {
		pacer.Close(base)
	}
	if err := drain(base, eng); err != nil {
		return res, err
	}
	center.Wait()
	if err := count(base, db, brand.ID, &res); err != nil {
		return res, err
	}
	if list, err := reports.Abandons(base, db, access.Brands(brand.ID), campaign, time.Now().UTC()); err == nil && len(list) == 1 {
		res.Dashboard = list[0].Day
	}
	if ctx.Err() != nil {
		return res, fmt.Errorf("the run did not finish in %v: %w", opts.Limit, ctx.Err())
	}
	return res, nil
}

// dialerLink hands call outcomes to the dialer made after the placer.
type dialerLink struct{ d *dialer.Service }

func (l *dialerLink) RecordCallOutcome(ctx context.Context, id int64, outcome, disposition, actor string, at time.Time) error {
	return l.d.RecordCallOutcome(ctx, id, outcome, disposition, actor, at)
}

func (l *dialerLink) OptOut(ctx context.Context, brand int64, ch dialer.Channel, address, source string) error {
	return l.d.OptOut(ctx, brand, ch, address, source)
}

// writeFiles puts the scenarios (with opts filled in), the tone the SIPp ends stream and the
// agents' phones' scenario into opts.Dir.
func writeFiles(opts Options) error {
	for _, name := range []string{"customer.xml", "agent.xml"} {
		b, err := scenarios.ReadFile("scenarios/" + name)
		if err != nil {
			return err
		}
		r := strings.NewReplacer("RING_MIN", ms(opts.RingMin), "RING_MAX", ms(opts.RingMax), "ANSWER", strconv.FormatFloat(opts.AnswerRate, 'f', 3, 64),
			"TALK1", ms(opts.Talk[0]), "TALK2", ms(opts.Talk[1]), "TALK3", ms(opts.Talk[2]))
		if err := os.WriteFile(filepath.Join(opts.Dir, name), []byte(r.Replace(string(b))), 0o600); err != nil {
			return err
		}
	}
	pcm := make([]int16, 350*160) // 7 s of a 1 kHz tone, A-law, looped by rtp_stream
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	return os.WriteFile(filepath.Join(opts.Dir, "tone.alaw"), media.Encode(nil, media.PayloadPCMA, pcm), 0o600)
}

func ms(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// startSIPp starts a SIPp UAS with scenario on port (media on port+2), ended with ctx.
func startSIPp(ctx context.Context, bin, dir, scenario string, port int) error {
	mport, err := freePort("udp")
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, bin, "-sf", scenario, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-mi", "127.0.0.1",
		"-mp", strconv.Itoa(mport), "-nostdin", "-max_socket", "1024")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("sipp %s: %w", scenario, err)
	}
	go cmd.Wait()                      //nolint:errcheck // killed with ctx
	time.Sleep(200 * time.Millisecond) // let it bind
	return nil
}

// startCampaign creates a running campaign of opts.Mode, open around the clock.
func startCampaign(ctx context.Context, d *dialer.Service, brand int64, opts Options) (int64, error) {
	var w dialer.Week
	for day := range w {
		w[day] = []dialer.Interval{{Start: 0, End: 24 * 60}}
	}
	camp, err := d.SaveCampaign(ctx, brand, dialer.Campaign{Name: "Live run", Mode: opts.Mode, Windows: &w})
	if err != nil {
		return 0, err
	}
	_, err = d.SetCampaignStatus(ctx, brand, camp.ID, "running")
	return camp.ID, err
}

// loginAgents creates opts.Agents agents, each with a SIPp UAS for a phone registered with
// wismo, and makes them available.
func loginAgents(ctx context.Context, bin string, opts Options, acc *access.Service, agents *callcenter.Agents, eng *telephony.Endpoint, brand int64) ([]int64, error) {
	var ids []int64
	tmpl, err := scenarios.ReadFile("scenarios/register.xml")
	if err != nil {
		return nil, err
	}
	for i := range opts.Agents {
		user := fmt.Sprintf("agent%02d", i+1)
		u, err := acc.CreateUser(ctx, user+"@example.com", "a login password 1", access.RoleAgent, []int64{brand})
		if err != nil {
			return nil, err
		}
		if err := agents.SetSIPSecret(ctx, u.ID, user, "sip-secret-"+user); err != nil {
			return nil, err
		}
		port, err := freePort("udp")
		if err != nil {
			return nil, err
		}
		if err := startSIPp(ctx, bin, opts.Dir, "agent.xml", port); err != nil {
			return nil, err
		}
		name := "register-" + user + ".xml"
		scenario := strings.NewReplacer("AGENT_USER", user, "AGENT_PORT", strconv.Itoa(port)).Replace(string(tmpl))
		if err := os.WriteFile(filepath.Join(opts.Dir, name), []byte(scenario), 0o600); err != nil {
			return nil, err
		}
		reg := exec.CommandContext(ctx, bin, "-sf", name, "-au", user, "-ap", "sip-secret-"+user, "-m", "1", "-i", "127.0.0.1",
			"-p", "0", "-nostdin", "-timeout", "20s", eng.Addr())
		reg.Dir = opts.Dir
		if out, err := reg.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("registering %s's phone with SIPp: %w: %s", user, err, tail(string(out)))
		}
		ids = append(ids, u.ID)
	}
	for i, id := range ids {
		if _, ok := eng.Registrar().Locate(fmt.Sprintf("agent%02d", i+1)); !ok {
			return nil, fmt.Errorf("agent%02d's phone is not registered", i+1)
		}
		if err := agents.SetState(ctx, id, callcenter.Available); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

func tail(s string) string {
	if len(s) > 1500 {
		return s[len(s)-1500:]
	}
	return s
}

// plan plans n call contacts of campaign, each to a different customer number.
func plan(ctx context.Context, db *store.DB, d *dialer.Service, brand, campaign int64, n int) error {
	reqs := make([]dialer.Request, n)
	for i := range reqs {
		reqs[i] = dialer.Request{BrandID: brand, ParcelID: "RB123456785GB", Channel: dialer.Call, To: fmt.Sprintf("+7913100%04d", i),
			TimeZone: "UTC", Language: "en", CampaignID: campaign, RuleID: 1, TriggerRef: "live-" + strconv.Itoa(i)}
	}
	return db.WriteTx(ctx, func(tx store.Tx) error { return d.Plan(ctx, tx, reqs) })
}

// wrapUps is the agents' desk: an agent in wrap-up for wrap is made available again.
func wrapUps(ctx context.Context, db *store.DB, agents *callcenter.Agents, ids []int64, wrap time.Duration) error {
	for _, id := range ids {
		var state string
		var since store.NullTime
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT state, since FROM agent_states WHERE user_id = ?`), id).Scan(&state, &since); err != nil {
			return err
		}
		if state == string(callcenter.WrapUp) && time.Since(since.Time) >= wrap {
			if err := agents.SetState(ctx, id, callcenter.Available); err != nil {
				return err
			}
		}
	}
	return nil
}

// finished reports whether every contact has been called once and every call has ended.
func finished(ctx context.Context, db *store.DB, brand int64) (bool, error) {
	var planned, open, calls int
	err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT
		(SELECT COUNT(*) FROM contacts WHERE brand_id = ? AND status = 'planned' AND attempts = 0),
		(SELECT COUNT(*) FROM calls WHERE brand_id = ? AND ended_at IS NULL),
		(SELECT COUNT(*) FROM calls WHERE brand_id = ?)`), brand, brand, brand).Scan(&planned, &open, &calls)
	return planned == 0 && open == 0 && calls > 0, err
}

// drain waits for the last calls (the agents' sessions included) to end.
func drain(ctx context.Context, eng *telephony.Endpoint) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return eng.Drain(ctx)
}

// count reads the run's figures from the call log.
func count(ctx context.Context, db *store.DB, brand int64, res *Result) error {
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(`SELECT outcome, answered_at IS NOT NULL, COUNT(*) FROM calls WHERE brand_id = ? GROUP BY outcome, answered_at IS NOT NULL`), brand)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var outcome string
		var answered bool
		var n int
		if err := rows.Scan(&outcome, &answered, &n); err != nil {
			return err
		}
		res.Placed += n
		switch {
		case outcome == "answered" && answered:
			res.Answered += n
			res.Connected += n
		case outcome == "abandoned" && answered:
			res.Answered += n
			res.Abandoned += n
		case outcome == "no_answer" && !answered:
			res.NoAnswer += n
		default:
			res.Failed += n
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if res.Answered > 0 {
		res.AbandonRate = float64(res.Abandoned) / float64(res.Answered)
	}
	var talk float64
	var legs int
	err = db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(DISTINCT l.sip_call_id) FROM call_legs l JOIN calls c ON c.id = l.call_id
		WHERE c.brand_id = ? AND l.kind = 'agent' AND l.answered_at IS NOT NULL`), brand).Scan(&legs)
	if err != nil {
		return err
	}
	res.AgentLegs = legs
	rows2, err := db.SQL.QueryContext(ctx, db.Rebind(`SELECT l.answered_at, l.ended_at FROM call_legs l JOIN calls c ON c.id = l.call_id
		WHERE c.brand_id = ? AND l.kind = 'agent' AND l.answered_at IS NOT NULL AND l.ended_at IS NOT NULL`), brand)
	if err != nil {
		return err
	}
	defer rows2.Close()
	for rows2.Next() {
		var a, e store.NullTime
		if err := rows2.Scan(&a, &e); err != nil {
			return err
		}
		talk += e.Time.Sub(a.Time).Seconds()
	}
	if res.Wall > 0 && res.Agents > 0 {
		res.TalkShare = talk / (res.Wall * float64(res.Agents))
	}
	return rows2.Err()
}

// freePort is a free loopback port of network.
func freePort(network string) (int, error) {
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
