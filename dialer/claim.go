package dialer

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
)

// claimed is a due contact this instance took, ready to go out.
type claimed struct {
	id, brand, campaign int64
	parcel              string
	channel             Channel
	to, zone, lang      string
	subject, body, html string
	token               string
	attempt             int // this attempt's number, 1-based
	scriptID, scriptVer int64
	callerID            string
}

// logRow is one contact_log row to write.
type logRow struct {
	contact int64
	at      time.Time
	try     int
	kind    string
	detail  string
	pid     string
	actor   string // who: an agent, or this instance when empty
}

// claim takes up to limit due contacts of a channel and marks them sending (calling for
// calls) in one transaction, before anything goes out. On PostgreSQL the rows are locked
// with FOR UPDATE SKIP LOCKED, so instances claiming at the same moment take disjoint rows;
// SQLite has a single writer (BEGIN IMMEDIATE) and a single claimer. A due contact whose
// recipient is outside the window right now (the scheduler was down, or the brand changed
// its windows) is moved to its next window instead; one to an opted-out address, or a call
// over the recipient's daily cap, is suppressed or moved to the next day.
func (s *Service) claim(ctx context.Context, ch Channel, limit int) ([]claimed, error) {
	var out []claimed
	free, err := s.freeAgents(ctx, ch)
	if err != nil || (free != nil && len(free) == 0) {
		return nil, err
	}
	err = s.writeTx(ctx, func(tx store.Tx) error {
		out = out[:0]
		now := s.now()
		rows, err := s.selectDue(ctx, tx, ch, now, limit, free)
		if err != nil || len(rows) == 0 {
			return err
		}
		left := maps.Clone(free)
		var brands []int64
		reqs := make([]Request, len(rows))
		for i, c := range rows {
			if !slices.Contains(brands, c.brand) {
				brands = append(brands, c.brand)
			}
			reqs[i] = Request{BrandID: c.brand, Channel: ch, To: c.to}
		}
		set, err := s.loadSettings(ctx, tx, brands)
		if err != nil {
			return err
		}
		opted, err := s.optedOut(ctx, tx, reqs)
		if err != nil {
			return err
		}
		status := StatusSending
		if ch == Call {
			status = StatusCalling
		}
		var take []any
		var logs []logRow
		for _, c := range rows {
			loc, err := geo.LoadZone(c.zone)
			if err != nil {
				loc = time.UTC
			}
			week := set[c.brand].windows.For(ch)
			if ch == Call {
				if w, ok := s.callWindow(ctx, tx, c.campaign); ok {
					week = w
				}
			}
			if opted[optKey{c.brand, ch, c.to}] {
				if err := s.finish(ctx, tx, c.id, StatusSuppressed, "opted out of "+string(ch), now); err != nil {
					return err
				}
				logs = append(logs, logRow{contact: c.id, at: now, kind: "suppressed", detail: "opted out"})
				continue
			}
			next, err := week.Next(now, loc)
			if err == nil && ch == Call {
				next, err = s.underDailyCap(ctx, tx, c, next, set[c.brand].algorithm.DailyCap, week, loc)
			}
			if err != nil {
				if err := s.finish(ctx, tx, c.id, StatusSuppressed, err.Error(), now); err != nil {
					return err
				}
				continue
			}
			if next.After(now) {
				if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET due_at = ?, updated_at = ? WHERE id = ?`), utc(next), now, c.id); err != nil {
					return fmt.Errorf("replan contact %d: %w", c.id, err)
				}
				logs = append(logs, logRow{contact: c.id, at: now, kind: "replanned", detail: "outside the window or the daily cap; due " + utc(next).Format(time.RFC3339)})
				continue
			}
			if left != nil {
				if left[c.brand] <= 0 {
					continue // every agent of the brand is taken: the call stays due, untouched
				}
				left[c.brand]--
			}
			c.attempt++
			take = append(take, c.id)
			logs = append(logs, logRow{contact: c.id, at: now, try: c.attempt, kind: string(status)})
			out = append(out, c)
		}
		for start := 0; start < len(take); start += 500 {
			chunk := take[start:min(start+500, len(take))]
			args := append([]any{string(status), s.instance, now, now}, chunk...)
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = ?, attempts = attempts + 1, claimed_by = ?,
				claimed_at = ?, updated_at = ? WHERE id IN (`+marks(len(chunk))+`)`), args...); err != nil {
				return fmt.Errorf("claim contacts: %w", err)
			}
		}
		return s.writeLog(ctx, tx, logs)
	})
	if err != nil {
		return nil, fmt.Errorf("claim due %s contacts: %w", ch, err)
	}
	return out, nil
}

// freeAgents asks the telephony engine, when it can tell (AgentCapacity), how many calls of
// each brand with due calls it could place now; nil when it cannot tell or ch is no call.
// An empty map: nobody is free, nothing is claimed.
func (s *Service) freeAgents(ctx context.Context, ch Channel) (map[int64]int, error) {
	cp, ok := s.calls.(AgentCapacity)
	if ch != Call || !ok {
		return nil, nil
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT DISTINCT c.brand_id FROM contacts c JOIN campaigns k ON k.id = c.campaign_id
		WHERE c.channel = 'call' AND c.status = 'planned' AND c.due_at <= ? AND k.status = 'running'`), s.now())
	if err != nil {
		return nil, fmt.Errorf("brands with due calls: %w", err)
	}
	var brands []int64
	for rows.Next() {
		var b int64
		if rows.Scan(&b) == nil {
			brands = append(brands, b)
		}
	}
	rows.Close()
	n, err := cp.FreeAgents(ctx, brands)
	out := map[int64]int{}
	for _, b := range brands {
		if n[b] > 0 {
			out[b] = n[b]
		}
	}
	return out, err
}

// selectDue selects due contacts of ch; with free set (calls), only those of its brands.
func (s *Service) selectDue(ctx context.Context, tx store.Tx, ch Channel, now time.Time, limit int, free map[int64]int) ([]claimed, error) {
	q := `SELECT c.id, c.brand_id, COALESCE(c.campaign_id, 0), c.parcel_id, c.recipient, c.time_zone, c.language, c.subject, c.body,
		c.html, COALESCE(c.unsubscribe_token, ''), c.attempts, COALESCE(c.script_id, 0), COALESCE(c.script_version, 0), '' AS caller_id
		FROM contacts c WHERE c.channel = ? AND c.status = 'planned' AND c.due_at <= ?`
	if ch == Call {
		q = `SELECT c.id, c.brand_id, COALESCE(c.campaign_id, 0), c.parcel_id, c.recipient, c.time_zone, c.language, c.subject, c.body,
		c.html, '', c.attempts, COALESCE(c.script_id, 0), COALESCE(c.script_version, 0), k.caller_id
		FROM contacts c JOIN campaigns k ON k.id = c.campaign_id
		WHERE c.channel = ? AND c.status = 'planned' AND c.due_at <= ? AND k.status = 'running'`
	}
	args := []any{string(ch), now}
	if free != nil {
		q += ` AND c.brand_id IN (` + marks(len(free)) + `)`
		for b := range free {
			args = append(args, b)
		}
	}
	q += ` ORDER BY c.due_at LIMIT ?`
	if s.db.Dialect == store.Postgres {
		q += ` FOR UPDATE OF c SKIP LOCKED`
	}
	rows, err := tx.QueryContext(ctx, s.db.Rebind(q), append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("select due contacts: %w", err)
	}
	defer rows.Close()
	var out []claimed
	for rows.Next() {
		c := claimed{channel: ch}
		if err := rows.Scan(&c.id, &c.brand, &c.campaign, &c.parcel, &c.to, &c.zone, &c.lang, &c.subject, &c.body, &c.html,
			&c.token, &c.attempt, &c.scriptID, &c.scriptVer, &c.callerID); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// finish ends a contact with a final status.
func (s *Service) finish(ctx context.Context, tx store.Tx, id int64, st Status, detail string, now time.Time) error {
	_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = ?, detail = ?, done_at = ?, updated_at = ? WHERE id = ?`),
		string(st), detail, now, now, id)
	if err != nil {
		return fmt.Errorf("contact %d to %s: %w", id, st, err)
	}
	s.sent.WithLabelValues("", string(st)).Inc()
	return nil
}

// writeLog appends contact_log rows.
func (s *Service) writeLog(ctx context.Context, tx store.Tx, logs []logRow) error {
	return s.db.BulkExec(ctx, tx, `INSERT INTO contact_log (contact_id, at, try, kind, detail, provider_id, actor)`, "", 7, len(logs), nil,
		func(i int, dst []any) []any {
			l := logs[i]
			actor := l.actor
			if actor == "" {
				actor = s.instance
			}
			return append(dst, l.contact, l.at, l.try, l.kind, l.detail, l.pid, actor)
		})
}

// callWindow returns a campaign's own call window, if it has one.
func (s *Service) callWindow(ctx context.Context, tx store.Tx, campaign int64) (Week, bool) {
	var win string
	err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT windows FROM campaigns WHERE id = ?`), campaign).Scan(&win)
	if err != nil || win == "" {
		return Week{}, false
	}
	var w Week
	if json.Unmarshal([]byte(win), &w) != nil {
		return Week{}, false
	}
	return w, true
}

// underDailyCap moves a call's time to the recipient's next local day (and its window)
// while the recipient already had cap call attempts on that day, from any of the brand's
// campaigns. Only a placed call is an attempt (a `placed` row of the contact log): a claim
// handed back because no agent was free never counts.
func (s *Service) underDailyCap(ctx context.Context, tx store.Tx, c claimed, at time.Time, limit int, week Week, loc *time.Location) (time.Time, error) {
	for range 8 {
		y, m, d := at.In(loc).Date()
		dayStart := time.Date(y, m, d, 0, 0, 0, 0, loc)
		dayEnd := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
		var n int
		err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM contact_log l JOIN contacts c ON c.id = l.contact_id
			WHERE c.recipient = ? AND c.brand_id = ? AND c.channel = 'call' AND l.kind = 'placed' AND l.at >= ? AND l.at < ?`),
			c.to, c.brand, utc(dayStart), utc(dayEnd)).Scan(&n)
		if err != nil && err != sql.ErrNoRows {
			return at, fmt.Errorf("daily cap: %w", err)
		}
		if n < limit {
			return at, nil
		}
		next, err := week.Next(dayEnd, loc)
		if err != nil {
			return at, err
		}
		at = next
	}
	return at, nil
}
