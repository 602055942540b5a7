package callcenter

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony"
)

// Queue is a hotline queue: the numbers that ring it, the brand it serves (0: every brand),
// how long each agent rings and how long a caller may wait.
type Queue struct {
	ID      int64
	Name    string
	BrandID int64
	Ring    time.Duration
	MaxWait time.Duration
}

// AddQueue creates a hotline queue served by the given numbers (E.164 or any dialled user).
func (c *Center) AddQueue(ctx context.Context, q Queue, numbers ...string) (Queue, error) {
	err := c.db.WriteTx(ctx, func(tx store.Tx) error {
		if err := tx.QueryRowContext(ctx, c.db.Rebind(`INSERT INTO hotline_queues (name, brand_id, ring_seconds, max_wait_seconds)
			VALUES (?, ?, ?, ?) RETURNING id`), q.Name, nz(q.BrandID), max(int(q.Ring/time.Second), 1), max(int(q.MaxWait/time.Second), 1)).Scan(&q.ID); err != nil {
			return err
		}
		for _, n := range numbers {
			if _, err := tx.ExecContext(ctx, c.db.Rebind(`INSERT INTO hotline_numbers (number, queue_id) VALUES (?, ?)`), n, q.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return q, fmt.Errorf("add queue %q: %w", q.Name, err)
	}
	return q, nil
}

// queueFor returns the queue a dialled number rings.
func (c *Center) queueFor(ctx context.Context, number string) (Queue, error) {
	return c.queueWhere(ctx, `id = (SELECT queue_id FROM hotline_numbers WHERE number = ?)`, number)
}

// queueWhere returns the hotline queue that matches where (with arg), else ErrNotFound.
func (c *Center) queueWhere(ctx context.Context, where string, arg any) (Queue, error) {
	var q Queue
	var brand sql.NullInt64
	var ring, wait int
	err := c.db.SQL.QueryRowContext(ctx, c.db.Rebind(`SELECT id, name, brand_id, ring_seconds, max_wait_seconds FROM hotline_queues
		WHERE `+where), arg).Scan(&q.ID, &q.Name, &brand, &ring, &wait)
	if errors.Is(err, sql.ErrNoRows) {
		return q, ErrNotFound
	}
	q.BrandID, q.Ring, q.MaxWait = brand.Int64, time.Duration(ring)*time.Second, time.Duration(wait)*time.Second
	return q, err
}

// HandleInbound decides what becomes of a call to a hotline number (telephony.InboundHandler):
// a number that rings no queue is refused; otherwise the caller is matched to parcels by
// phone, which decides the brand, the call is logged and taken (telephony.Accept), and
// answerQueue serves it.
func (c *Center) HandleInbound(ctx context.Context, in *telephony.InboundCall) telephony.Decision {
	log := c.log.With("call_id", in.CallID, "from", in.From, "to", in.To)
	q, err := c.queueFor(ctx, in.To)
	if err != nil {
		log.Info("INVITE to a number that is no hotline", "err", err)
		return telephony.Reject(telephony.NoSuchNumber)
	}
	caller := e164(in.From)
	from := caller
	if from == "" {
		from = in.From // not a phone number (a SIP user): logged as it came
	}
	call := Call{Direction: Inbound, Mode: ModeHotline, BrandID: q.BrandID, QueueID: q.ID, From: from, To: in.To, SIPCallID: in.CallID}
	if c.parcels != nil && caller != "" {
		if ps, err := c.parcels.ParcelsByPhone(ctx, access.Operator(), caller); err == nil {
			for _, p := range ps {
				if q.BrandID == 0 || p.BrandID == q.BrandID {
					call.BrandID, call.ParcelID = p.BrandID, p.ID
					break
				}
			}
		}
	}
	r, err := c.begin(ctx, call)
	if err != nil {
		log.Error("call not logged", "err", err)
		return telephony.Reject(telephony.ServerFailure)
	}
	cuLog := r.addLeg(LegCustomer, 0, from, in.To)
	cuLog.SIPCallID = in.CallID
	return telephony.Accept(func(ctx context.Context, customer *telephony.Leg, err error) {
		c.answerQueue(r, q, in, customer, cuLog, err)
	})
}

// answerQueue logs the answer of a hotline call (or its failure) and serves the call.
func (c *Center) answerQueue(r *run, q Queue, in *telephony.InboundCall, customer *telephony.Leg, cuLog *Leg, err error) {
	if at := in.RingingAt(); !at.IsZero() {
		cuLog.RingingAt = ptrTime(at.UTC())
		r.call.RingingAt = cuLog.RingingAt
	}
	if err != nil {
		r.log.Warn("hotline call not answered", "err", err)
		cuLog.Outcome, cuLog.EndedAt = Failed, ptrTime(time.Now().UTC())
		r.saveLeg(cuLog)
		r.end(Failed, SideSystem)
		return
	}
	cuLog.AnsweredAt, cuLog.SIPStatus, cuLog.Codec = ptrTime(customer.AnsweredAt.UTC()), customer.Status, telephony.CodecName(customer.Codec())
	r.call.AnsweredAt, r.call.SIPStatus = cuLog.AnsweredAt, cuLog.SIPStatus
	r.saveLeg(cuLog)
	c.serveQueue(r, q, customer, cuLog, true)
}

// serveQueue runs an answered hotline call to its end; self: a caller who dialled the
// hotline (not one put through by Transfer, who asked for an agent) gets Config.SelfService.
func (c *Center) serveQueue(r *run, q Queue, customer *telephony.Leg, cuLog *Leg, self bool) {
	ctx, cancel := context.WithTimeout(r.down, c.cfg.MaxCall)
	defer cancel()
	settings, _ := c.Brand(ctx, r.call.BrandID)
	if !settings.OpenAt(time.Now()) {
		c.closed(ctx, r, customer, cuLog, "after_hours")
		return
	}
	r.notice(ctx, customer, settings.RecordingNotice)
	if c.cfg.SelfService != nil && self {
		if after := c.cfg.SelfService(ctx, customer, &r.call); after != nil {
			defer func() { after(r.call.AgentID != 0) }()
			if customer.EndedBy() != "" { // resolved by self-service, no queue: answered (docs/ivr.md)
				cuLog.EndedAt, cuLog.Outcome, cuLog.HangupSide = ptrTime(time.Now().UTC()), Answered, sideOf(customer, LegCustomer)
				r.saveLeg(cuLog)
				r.end(Answered, cuLog.HangupSide)
				return
			}
		}
	}
	r.call.QueuedAt = ptrTime(time.Now().UTC()) // the wait starts here, after the self-service (00042)
	r.saveCall()
	s, reason := c.waitAgent(ctx, r, q, customer, r.call)
	if s.Leg != nil {
		c.setState(r.down, s.Log.AgentID, OnCall)
		r.call.AgentID = s.Log.AgentID
		side := r.talk(ctx, customer, s.Leg, cuLog, s.Log)
		r.end(Answered, side) // logged before wrap-up: the disposition is for a finished call
		r.wrapUp(s.Log.AgentID)
		return
	}
	if reason == "" {
		// The caller hung up while queued, or vanished (no RTP for the timeout: we ended it).
		side := sideOf(customer, LegCustomer)
		cuLog.EndedAt, cuLog.Outcome, cuLog.HangupSide = ptrTime(time.Now().UTC()), Abandoned, side
		r.saveLeg(cuLog)
		r.end(Abandoned, side)
		return
	}
	c.closed(ctx, r, customer, cuLog, reason)
}

// waitAgent queues customer, of call (its QueueID: q), as a hotline caller waits: the music
// (QueueWait: the place and expected wait, press 1), agents in the router's order, each rung
// for q's ring, until q's max wait. It returns the answered agent's leg and row, or no leg
// and why: "" the customer left, "max_wait", or "queue" (pressed 1 to be called back).
func (c *Center) waitAgent(ctx context.Context, r *run, q Queue, customer *telephony.Leg, call Call) (Staff, string) {
	waitCtx, stopWait := context.WithTimeout(ctx, q.MaxWait)
	defer stopWait()
	musicCtx, stopMusic := context.WithCancel(waitCtx)
	defer func() { stopMusic() }()
	offer := Offer{Call: call, Since: time.Now()}
	leave := c.queued(offer) // before the music: its announcements say the caller's place (Router)
	defer leave()
	reason := "max_wait" // or "queue": the caller pressed 1 to be called back (QueueWait)
	if s, err := c.audio.Load(call.BrandID, AnnQueue); err == nil && c.cfg.QueueWait != nil {
		stopMusic = c.cfg.QueueWait(musicCtx, customer, call, s, func() { reason = "queue"; stopWait() })
	} else if err == nil {
		go c.eng.Play(musicCtx, customer, s, true)
	}
	defer c.phones.enqueue(call.BrandID)() // desks show how many callers wait
	tried := map[int64]bool{}
	for waitCtx.Err() == nil && customer.EndedBy() == "" {
		ag, contact, err := c.reserveNext(waitCtx, offer, tried)
		if errors.Is(err, ErrNoAgent) && len(tried) > 0 {
			clear(tried) // everyone was tried once: go round again
			continue
		}
		if err != nil {
			select { // nobody free: look again shortly
			case <-waitCtx.Done():
			case <-customer.Done():
			case <-time.After(500 * time.Millisecond):
			}
			continue
		}
		tried[ag.UserID] = true
		agLog := r.addLeg(LegAgent, ag.UserID, call.From, contact)
		agent, err := r.dialWhile(waitCtx, customer, agLog, telephony.DialRequest{To: contact, RingTimeout: q.Ring})
		if err != nil {
			c.release(r.down, ag.UserID)
			continue
		}
		return Staff{Leg: agent, Log: agLog}, ""
	}
	if customer.EndedBy() != "" {
		return Staff{}, ""
	}
	return Staff{}, reason
}

// Transfer serves an answered customer leg of another call (key 0 of an automated call,
// package ivr) in the brand's first hotline queue as a hotline caller would be, logged as a
// hotline call of its own. It returns when that call ends; ErrNotFound: the brand has no queue.
func (c *Center) Transfer(ctx context.Context, customer *telephony.Leg, brand int64, parcel, phone string) error {
	var number string
	if err := c.db.SQL.QueryRowContext(ctx, c.db.Rebind(`SELECT n.number FROM hotline_numbers n JOIN hotline_queues q ON q.id = n.queue_id
		WHERE q.brand_id = ? ORDER BY q.id, n.number LIMIT 1`), brand).Scan(&number); err != nil {
		return fmt.Errorf("brand %d: no hotline queue: %w", brand, ErrNotFound)
	}
	q, err := c.queueFor(ctx, number)
	if err != nil {
		return err
	}
	r, err := c.begin(ctx, Call{Direction: Inbound, Mode: ModeHotline, BrandID: brand, QueueID: q.ID, ParcelID: parcel, From: phone,
		To: number, SIPCallID: customer.CallID, AnsweredAt: ptrTime(time.Now().UTC()), SIPStatus: customer.Status})
	if err != nil {
		return err
	}
	cuLog := r.addLeg(LegCustomer, 0, phone, number)
	cuLog.SIPCallID, cuLog.AnsweredAt, cuLog.SIPStatus = customer.CallID, r.call.AnsweredAt, customer.Status
	r.saveLeg(cuLog)
	c.serveQueue(r, q, customer, cuLog, false)
	return nil
}

// closed plays the closed message, plans a callback and hangs up.
func (c *Center) closed(ctx context.Context, r *run, customer *telephony.Leg, cuLog *Leg, reason string) {
	side := c.sayClosed(ctx, r, customer, &r.call, reason)
	cuLog.EndedAt, cuLog.Outcome, cuLog.HangupSide = ptrTime(time.Now().UTC()), Abandoned, side
	r.saveLeg(cuLog)
	r.end(Abandoned, side)
}

// e164 normalises a caller's user part to E.164 when it is a phone number, else "".
func e164(user string) string {
	num, err := phonenumbers.Parse(user, "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return ""
	}
	return phonenumbers.Format(num, phonenumbers.E164)
}

// sayClosed plays the closed message to customer of call, plans a callback for reason and
// hangs up; it returns who hung up.
func (c *Center) sayClosed(ctx context.Context, r *run, customer *telephony.Leg, call *Call, reason string) string {
	if s, err := c.audio.Load(call.BrandID, AnnClosed); err == nil {
		c.eng.Play(ctx, customer, s, false)
	}
	if err := c.planCallback(r.down, call, reason); err != nil {
		r.log.Error("callback not planned", "err", err)
	}
	side := sideOf(customer, LegCustomer)
	customer.Hangup(r.down, "")
	return side
}
