package callcenter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/callcenter/amdgate"
	"github.com/wismo/wismo/callcenter/callmetrics"
	"github.com/wismo/wismo/callcenter/holdclock"
	"github.com/wismo/wismo/callcenter/predictive"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/sipuser"
	"github.com/wismo/wismo/tracking"
)

// ParcelFinder matches a caller to parcels and reads the parcel a call is about, within a
// scope (tracking.Service implements it).
type ParcelFinder interface {
	ParcelsByPhone(ctx context.Context, scope access.Scope, e164 string) ([]tracking.ParcelView, error)
	Parcel(ctx context.Context, scope access.Scope, id string) (tracking.ParcelView, error)
}

// Config tunes call control.
type Config struct {
	CustomerRing     time.Duration     // how long a customer's phone rings; default 30 s
	AgentRing        time.Duration     // how long an agent's phone rings (outbound); default 15 s
	MaxCall          time.Duration     // hard limit of a call; default 2 h
	MaxAgentTries    int               // agents tried for one answered progressive call; default 3
	AnnouncementsDir string            // <data dir>/announcements
	AMD              amdgate.Screener  // screens answered campaign calls for machines; nil: none
	Pacer            *predictive.Pacer // paces predictive campaigns; nil: they are dialled as progressive
	// QueueWait plays the music to a queued hotline caller and may take keys (ivr.QueueOffer:
	// 1 = call me back, then callback()); stop ends it and waits. nil: the music alone.
	QueueWait func(ctx context.Context, leg *telephony.Leg, call Call, music []int16, callback func()) (stop func())
	// SelfService runs before the queue for a caller who dialled a brand's hotline
	// (ivr.SelfService); the func it returns is called when the call ends, with whether an
	// agent answered. A caller gone when it returns was served by it: the call is answered.
	// It may set call.ParcelID (the parcel a caller keyed in): the queue routes by it.
	SelfService func(ctx context.Context, leg *telephony.Leg, call *Call) (after func(agent bool))
}

// Center is call control: it places and takes calls through the telephony engine, bridges
// them to agents, records them and writes the call log.
type Center struct {
	cfg     Config
	log     *slog.Logger
	db      *store.DB
	eng     *telephony.Endpoint
	Calls   *CallLog
	Agents  *Agents
	recs    *recordings.Service
	parcels ParcelFinder
	m       *callmetrics.Metrics
	audio   announcements
	running sync.WaitGroup
	base    context.Context // calls started by API requests outlive them
	phones  *Softphone      // agents' browsers (EnableSoftphone); nil: SIP phones only
	// callbacks plans the calls promised to customers (UseCallbacks); nil: callback
	// requests are only stored.
	callbacks Callbacks
	router    Router // offers calls by language and skill (UseRouter); nil: longest idle of the brand
	liveMu    sync.Mutex
	live      map[int64]*Live // calls in talk, by call id (Live)
	holds     *holdclock.Clock
}

// NewCenter returns call control over db. Attach the telephony endpoint before use (the
// endpoint needs the center as its inbound handler and the agents as its credentials).
func NewCenter(cfg Config, db *store.DB, agents *Agents, recs *recordings.Service, parcels ParcelFinder, log *slog.Logger, reg *prometheus.Registry) *Center {
	if cfg.CustomerRing == 0 {
		cfg.CustomerRing = 30 * time.Second
	}
	if cfg.AgentRing == 0 {
		cfg.AgentRing = 15 * time.Second
	}
	if cfg.MaxCall == 0 {
		cfg.MaxCall = 2 * time.Hour
	}
	if cfg.MaxAgentTries == 0 {
		cfg.MaxAgentTries = 3
	}
	log = log.With("component", "callcenter")
	return &Center{cfg: cfg, log: log, db: db, Calls: NewCallLog(db), Agents: agents, holds: holdclock.New(db, log),
		recs: recs, parcels: parcels, m: callmetrics.New(reg), audio: announcements{Path: cfg.AnnouncementsDir}}
}

// Attach gives the center its telephony endpoint; calls started by API requests run under
// base (which shutdown does not cancel: calls drain instead).
func (c *Center) Attach(base context.Context, e *telephony.Endpoint) { c.base, c.eng = base, e }

// UseQueueWait sets Config.QueueWait (before calls come).
func (c *Center) UseQueueWait(w func(context.Context, *telephony.Leg, Call, []int16, func()) func()) {
	c.cfg.QueueWait = w
}

// UseSelfService sets Config.SelfService (before calls come).
func (c *Center) UseSelfService(s func(context.Context, *telephony.Leg, *Call) func(bool)) {
	c.cfg.SelfService = s
}

// Wait blocks until every call the center runs has been logged (used at shutdown, after
// the endpoint drained).
func (c *Center) Wait() { c.running.Wait() }

// BrandSettings are a brand's telephony settings (brand_telephony; defaults when absent).
type BrandSettings struct {
	CallerID        string
	RecordingNotice bool
	Open, Close     string // hotline hours, HH:MM in TimeZone
	TimeZone        string
}

// Brand returns brand's telephony settings.
func (c *Center) Brand(ctx context.Context, brand int64) (BrandSettings, error) {
	s := BrandSettings{RecordingNotice: true, Open: "00:00", Close: "24:00", TimeZone: "UTC"}
	if brand == 0 {
		return s, nil
	}
	err := c.db.SQL.QueryRowContext(ctx, c.db.Rebind(`SELECT caller_id, recording_notice, hotline_open, hotline_close, time_zone
		FROM brand_telephony WHERE brand_id = ?`), brand).Scan(&s.CallerID, &s.RecordingNotice, &s.Open, &s.Close, &s.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	return s, err
}

// SetBrand stores brand's telephony settings; invalid ones are a *FieldError naming the
// field. The caller id goes into the From of SIP requests, so it must be one
// (sipuser.CheckCallerID); empty means the trunk's.
func (c *Center) SetBrand(ctx context.Context, brand int64, s BrandSettings) error {
	if s.CallerID != "" {
		if err := sipuser.CheckCallerID(s.CallerID); err != nil {
			return &FieldError{Field: "caller_id", Message: err.Error()}
		}
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil {
		return &FieldError{Field: "time_zone", Message: fmt.Sprintf("%q is not an IANA time zone such as Europe/Moscow", s.TimeZone)}
	}
	if _, _, err := hhmm(s.Open); err != nil {
		return &FieldError{Field: "hotline_open", Message: fmt.Sprintf("%q must be HH:MM, such as 09:00", s.Open)}
	}
	if _, _, err := hhmm(s.Close); err != nil {
		return &FieldError{Field: "hotline_close", Message: fmt.Sprintf("%q must be HH:MM, such as 21:00 (24:00 for midnight)", s.Close)}
	}
	_, err := c.db.SQL.ExecContext(ctx, c.db.Rebind(`INSERT INTO brand_telephony (brand_id, caller_id, recording_notice, hotline_open, hotline_close, time_zone)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (brand_id) DO UPDATE SET caller_id = excluded.caller_id,
		recording_notice = excluded.recording_notice, hotline_open = excluded.hotline_open,
		hotline_close = excluded.hotline_close, time_zone = excluded.time_zone`),
		brand, s.CallerID, s.RecordingNotice, s.Open, s.Close, s.TimeZone)
	return err
}

// OpenAt reports whether the hotline of s is open at t.
func (s BrandSettings) OpenAt(t time.Time) bool {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	now := lt.Hour()*60 + lt.Minute()
	oh, om, _ := hhmm(s.Open)
	ch, cm, _ := hhmm(s.Close)
	return now >= oh*60+om && now < ch*60+cm
}

func hhmm(s string) (int, int, error) {
	var h, m int
	if _, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, 0, fmt.Errorf("%w: hours %q must be HH:MM", ErrInvalid, s)
	}
	return h, m, nil
}

// planCallback stores a hotline caller's callback request and, with callbacks in use, plans
// the call back: a contact of the dialer inside the caller's window, with the queue's brand
// and script. A caller matched to no brand's parcel is stored only (a contact is about a
// parcel).
func (c *Center) planCallback(ctx context.Context, call *Call, reason string) error {
	var id int64
	err := c.db.SQL.QueryRowContext(ctx, c.db.Rebind(`INSERT INTO callback_requests (call_id, brand_id, parcel_id, phone, reason, requested_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), call.ID, nz(call.BrandID), call.ParcelID, call.From, reason, time.Now().UTC()).Scan(&id)
	if err != nil {
		return fmt.Errorf("plan callback for call %d: %w", call.ID, err)
	}
	if c.callbacks == nil || call.BrandID == 0 || call.ParcelID == "" || e164(call.From) == "" {
		return nil
	}
	cb, err := c.callbacks.Promise(ctx, Promise{BrandID: call.BrandID, ParcelID: call.ParcelID, Phone: e164(call.From), Source: reason,
		CallID: call.ID, QueueID: call.QueueID, ScriptID: c.QueueScript(ctx, call.QueueID), At: time.Now(), Actor: "hotline"})
	if err != nil {
		return fmt.Errorf("plan the callback of call %d: %w", call.ID, err)
	}
	_, err = c.db.SQL.ExecContext(ctx, c.db.Rebind(`UPDATE callback_requests SET callback_id = ? WHERE id = ?`), cb, id)
	return err
}
