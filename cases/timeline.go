package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// TimelineEntry is one line of a case's (or parcel's) timeline.
type TimelineEntry struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // "event", "contact", "call", "case", "note", ...
	Summary string    `json:"summary"`
	Actor   string    `json:"actor,omitempty"`
	Ref     string    `json:"ref,omitempty"`
	Data    any       `json:"data,omitempty"`
}

// TimelineSource adds timeline entries about parcels from another domain (contacts, calls).
type TimelineSource interface {
	TimelineFor(ctx context.Context, scope access.Scope, parcelIDs []string) ([]TimelineEntry, error)
}

// sortTimeline orders entries by time. Entries at the same instant keep the order they were
// gathered in (tracking events, then the case log, then webhook attempts, then sources).
func sortTimeline(entries []TimelineEntry) {
	slices.SortStableFunc(entries, func(a, b TimelineEntry) int { return a.At.Compare(b.At) })
}

func sortedKeys(m map[int64]string) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// eventEntries are the tracking events of a brand's parcels.
func eventEntries(ctx context.Context, db *store.DB, q store.Tx, brand int64, parcelIDs []string) ([]TimelineEntry, error) {
	var out []TimelineEntry
	for _, id := range parcelIDs {
		evs, err := tracking.AttachedEvents(ctx, db, q, brand, id)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			var loc *time.Location
			if e.TimeZone != "" {
				loc, _ = geo.LoadZone(e.TimeZone)
			}
			v := e.View(loc)
			summary := e.Code
			if v.Meaning != "" {
				summary += " " + v.Meaning
			}
			if e.Location != "" {
				summary += " — " + e.Location
			}
			out = append(out, TimelineEntry{At: e.OccurredAt, Kind: "event", Summary: summary, Ref: id, Data: v})
		}
	}
	return out, nil
}

// logEntries are the case log rows of the given cases (id -> number).
func logEntries(ctx context.Context, db *store.DB, q store.Tx, cases map[int64]string) ([]TimelineEntry, error) {
	var out []TimelineEntry
	for _, id := range sortedKeys(cases) {
		number := cases[id]
		rows, err := q.QueryContext(ctx, db.Rebind(`SELECT at, kind, actor, summary, data FROM case_log WHERE case_id = ? ORDER BY at, id`), id)
		if err != nil {
			return nil, fmt.Errorf("case log: %w", err)
		}
		for rows.Next() {
			var at time.Time
			var kind, actor, summary, data string
			if err := rows.Scan(&at, &kind, &actor, &summary, &data); err != nil {
				rows.Close()
				return nil, err
			}
			d := map[string]any{}
			json.Unmarshal([]byte(data), &d) //nolint:errcheck // written by insertLog; a bad row shows without data
			d["change"] = kind
			k := "case"
			if kind == "note" || kind == "attachment" || kind == "message_in" { // message_in: what a customer wrote (inbound)
				k, d = kind, nil
			}
			out = append(out, TimelineEntry{At: at.UTC(), Kind: k, Summary: summary, Actor: actor, Ref: number, Data: d})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// attemptEntries are the webhook attempts of the given cases' escalations.
func attemptEntries(ctx context.Context, db *store.DB, q store.Tx, cases map[int64]string) ([]TimelineEntry, error) {
	var out []TimelineEntry
	for _, id := range sortedKeys(cases) {
		number := cases[id]
		rows, err := q.QueryContext(ctx, db.Rebind(`SELECT a.at, a.attempt, a.status_code, a.error, a.duration_ms, e.country, e.id
			FROM webhook_attempts a JOIN escalations e ON e.id = a.escalation_id WHERE e.case_id = ? ORDER BY a.at, a.id`), id)
		if err != nil {
			return nil, fmt.Errorf("webhook attempts: %w", err)
		}
		for rows.Next() {
			var at time.Time
			var attempt, status, ms int
			var errText, country string
			var esc int64
			if err := rows.Scan(&at, &attempt, &status, &errText, &ms, &country, &esc); err != nil {
				rows.Close()
				return nil, err
			}
			outcome := fmt.Sprintf("HTTP %d", status)
			if errText != "" {
				outcome = errText
			}
			out = append(out, TimelineEntry{At: at.UTC(), Kind: "escalation", Ref: number, Actor: "system",
				Summary: fmt.Sprintf("webhook to the %s post, attempt %d: %s", country, attempt, outcome),
				Data:    map[string]any{"escalation_id": esc, "country": country, "attempt": attempt, "status_code": status, "error": errText, "duration_ms": ms}})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sourceEntries asks every timeline source about the parcels. A failing source is logged and
// left out: the rest of the timeline still shows.
func (s *CaseService) sourceEntries(ctx context.Context, scope access.Scope, parcelIDs []string) []TimelineEntry {
	s.mu.RLock()
	sources := slices.Clone(s.sources)
	s.mu.RUnlock()
	var out []TimelineEntry
	for _, src := range sources {
		es, err := src.TimelineFor(ctx, scope, parcelIDs)
		if err != nil {
			s.log.Warn("timeline source failed", "source", fmt.Sprintf("%T", src), "err", err)
			continue
		}
		out = append(out, es...)
	}
	return out
}

// timeline gathers a case's timeline: its parcels' tracking events, every contact and call
// from the timeline sources, the case log and webhook attempts, in time order.
// The log of cases merged into c shows on c's timeline too.
func (s *CaseService) timeline(ctx context.Context, scope access.Scope, c *Case) ([]TimelineEntry, error) {
	ids, err := mergedCases(ctx, s.db, s.db.SQL, c.ID)
	if err != nil {
		return nil, err
	}
	ids[c.ID] = c.Number
	return s.gather(ctx, scope, c.BrandID, c.ParcelIDs, ids)
}

func (s *CaseService) gather(ctx context.Context, scope access.Scope, brand int64, parcelIDs []string, cases map[int64]string) ([]TimelineEntry, error) {
	entries, err := eventEntries(ctx, s.db, s.db.SQL, brand, parcelIDs)
	if err != nil {
		return nil, err
	}
	logs, err := logEntries(ctx, s.db, s.db.SQL, cases)
	if err != nil {
		return nil, err
	}
	attempts, err := attemptEntries(ctx, s.db, s.db.SQL, cases)
	if err != nil {
		return nil, err
	}
	entries = append(append(append(entries, logs...), attempts...), s.sourceEntries(ctx, scope, parcelIDs)...)
	sortTimeline(entries)
	return entries, nil
}

// ParcelTimeline returns a parcel's timeline: its tracking events, contacts and calls, and the
// log of every case about it that scope may see.
func (s *CaseService) ParcelTimeline(ctx context.Context, scope access.Scope, rawID string) ([]TimelineEntry, error) {
	id, err := tracking.ParseS10(rawID)
	if err != nil {
		return nil, fmt.Errorf("parcel %q: %w", rawID, ErrNotFound)
	}
	p, err := tracking.ReadParcel(ctx, s.db, s.db.SQL, scope, id)
	if err != nil {
		return nil, err
	}
	where, args := scope.SQL("c.brand_id", "c.origin_country", "c.destination_country")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT c.id, c.number FROM cases c JOIN case_parcels cp ON cp.case_id = c.id
		WHERE cp.parcel_id = ? AND `+where), append([]any{id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("cases of parcel %s: %w", id, err)
	}
	cases := map[int64]string{}
	for rows.Next() {
		var cid int64
		var number string
		if err := rows.Scan(&cid, &number); err != nil {
			rows.Close()
			return nil, err
		}
		cases[cid] = number
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.gather(ctx, scope, p.BrandID, []string{id}, cases)
}
