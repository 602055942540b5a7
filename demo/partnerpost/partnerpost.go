// Package partnerpost is the demo's partner posts (`make run`): a small HTTP receiver on
// loopback that every demo post's escalation webhook points at. It checks each delivery's
// signature with the post's secret, as a real partner does (cases.VerifyWebhook), and accepts
// it, so a case sent to a partner post shows "delivered" on its timeline. An escalation an
// agent makes while the node runs gets the post's answer after a short delay, through the same
// service call as the partner API's answer (cases.CaseService.AnswerEscalation): the case
// opens again with the answer on its timeline. Escalations the demo loader made keep waiting,
// so the "waiting for a partner post" view has cases in it.
//
// It owns no table; it sets post_webhooks through cases.SetPostWebhook on each start (the
// port is new each time).
package partnerpost

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/store"
)

// maxBody is the largest escalation the receiver reads (wismo's are a few hundred bytes).
const maxBody = 64 << 10

// Posts is the running receiver.
type Posts struct {
	cases   *cases.CaseService
	log     *slog.Logger
	delay   time.Duration
	after   int64          // escalations up to this id were made before the start: they wait
	posts   map[int64]post // by id
	srv     *http.Server
	ln      net.Listener
	ctx     context.Context // ends at Close: pending answers are dropped
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	pending map[int64]bool // escalations with an answer scheduled (a retried delivery schedules none)
}

type post struct {
	country, secret string
}

// Start listens on 127.0.0.1 (a free port), points every post's webhook at itself and serves
// until Close. Answers to escalations made from now on come after delay.
func Start(ctx context.Context, db *store.DB, cs *cases.CaseService, delay time.Duration, log *slog.Logger) (*Posts, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo partner posts: %w", err)
	}
	p := &Posts{cases: cs, log: log, delay: delay, ln: ln, posts: map[int64]post{}, pending: map[int64]bool{}}
	if err := p.point(ctx, db); err != nil {
		ln.Close()
		return nil, err
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	mux := http.NewServeMux()
	mux.HandleFunc("POST /posts/{id}/escalations", p.receive)
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("demo partner posts stopped", "err", err)
		}
	}()
	return p, nil
}

// URL is where the receiver listens.
func (p *Posts) URL() string { return "http://" + p.ln.Addr().String() }

// point sets every post's webhook to this receiver with a new secret, and notes the last
// escalation made before the start.
func (p *Posts) point(ctx context.Context, db *store.DB) error {
	if err := db.SQL.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM escalations`).Scan(&p.after); err != nil {
		return fmt.Errorf("demo partner posts: %w", err)
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT id, country FROM posts ORDER BY id`)
	if err != nil {
		return fmt.Errorf("demo partner posts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var pp post
		if err := rows.Scan(&id, &pp.country); err != nil {
			return err
		}
		p.posts[id] = pp
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, pp := range p.posts {
		secret, err := p.cases.SetPostWebhook(ctx, access.Operator(), id, fmt.Sprintf("%s/posts/%d/escalations", p.URL(), id), "")
		if err != nil {
			return fmt.Errorf("demo partner post %d: %w", id, err)
		}
		pp.secret = secret
		p.posts[id] = pp
	}
	return nil
}

// payload is what the receiver reads of an escalation (cases' webhook body).
type payload struct {
	EscalationID int64 `json:"escalation_id"`
	Case         struct {
		Number string `json:"number"`
	} `json:"case"`
	Parcels []struct {
		ID          string     `json:"id"`
		LastEventAt *time.Time `json:"last_event_at"`
	} `json:"parcels"`
}

func (p *Posts) receive(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	pp, ok := p.posts[id]
	if !ok {
		http.Error(w, "no such post", http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "body: "+err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	if err := cases.VerifyWebhook(pp.secret, r.Header.Get(cases.SignatureHeader), body, time.Now(), 5*time.Minute); err != nil {
		http.Error(w, "signature: "+err.Error(), http.StatusUnauthorized)
		return
	}
	var in payload
	if err := json.Unmarshal(body, &in); err != nil || in.EscalationID == 0 {
		http.Error(w, "body: not an escalation", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"received": true}`)) //nolint:errcheck // the sender retries what it does not get
	if in.EscalationID <= p.after || !p.schedule(in.EscalationID) {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case <-p.ctx.Done():
			return
		case <-time.After(p.delay):
		}
		actor := cases.Actor{Label: fmt.Sprintf("post:%d:%s", id, pp.country), System: true}
		if _, err := p.cases.AnswerEscalation(p.ctx, access.Operator(), actor, in.EscalationID, answer(in)); err != nil && p.ctx.Err() == nil {
			p.log.Warn("demo partner post: answer", "escalation", in.EscalationID, "case", in.Case.Number, "err", err)
		}
	}()
}

// schedule reports whether escalation id has no answer scheduled yet, and schedules it.
func (p *Posts) schedule(id int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending[id] {
		return false
	}
	p.pending[id] = true
	return true
}

// answer is what the demo post writes back: a trace of the first parcel.
func answer(in payload) string {
	if len(in.Parcels) == 0 {
		return "We have checked our records and found no item for this case. Please send the item's number."
	}
	last := "no scan yet"
	if at := in.Parcels[0].LastEventAt; at != nil {
		last = "last scan " + at.UTC().Format("2 Jan 2006 15:04") + " UTC"
	}
	return fmt.Sprintf("Trace of %s (%s): the item was handed over to the destination post; we have asked them to check the delivery and will write again if they find anything.",
		in.Parcels[0].ID, last)
}

// Close stops the receiver and drops the answers not yet written. Nil-safe.
func (p *Posts) Close() {
	if p == nil {
		return
	}
	p.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p.srv.Shutdown(ctx) //nolint:errcheck // closing; what is in flight is retried by the sender
	p.wg.Wait()
}
