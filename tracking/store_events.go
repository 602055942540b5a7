package tracking

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/wismo/wismo/jsonw"
	"github.com/wismo/wismo/store"
)

// The cases store speaks SQL through database/sql: ingest is the hottest write path in
// wismo, and multi-row statements built here are several times faster than row-by-row ORM
// calls. Every query that reads brand data takes an access.Scope-derived WHERE fragment.

// parcelState is what ingest needs to know of an existing parcel.
type parcelState struct {
	ID, Origin, Dest string
	BrandID          int64
	ServiceLevel     ServiceLevel
	TimeZone         string
	PromisedDate     string
	Fingerprint      string
	CreatedAt        time.Time
	phaseState
}

const parcelStateCols = `id, brand_id, origin_country, destination_country, service_level, time_zone, promised_date, fingerprint,
	created_at, phase, phase_at, is_returning, last_event_at, posted_at, delivered_at`

func scanParcelState(rows *sql.Rows) (*parcelState, error) {
	var p parcelState
	var phaseAt, last, posted, delivered sql.NullTime
	if err := rows.Scan(&p.ID, &p.BrandID, &p.Origin, &p.Dest, &p.ServiceLevel, &p.TimeZone, &p.PromisedDate, &p.Fingerprint,
		&p.CreatedAt, &p.Phase, &phaseAt, &p.Returning, &last, &posted, &delivered); err != nil {
		return nil, err
	}
	p.PhaseAt, p.LastEventAt, p.PostedAt, p.DeliveredAt = store.TimePtr(phaseAt), store.TimePtr(last), store.TimePtr(posted), store.TimePtr(delivered)
	return &p, nil
}

// loadParcelStates reads the parcels with the given ids, whoever they belong to: callers
// check each against the caller's scope before using it. With lock, PostgreSQL locks the rows
// (in id order, so concurrent batches never deadlock on them) until the transaction ends:
// two batches with events of one parcel then fold one after the other instead of each
// overwriting the other's phase. SQLite needs no lock: its write transactions are serial.
func loadParcelStates(ctx context.Context, db *store.DB, q store.Tx, ids []string, lock bool) (map[string]*parcelState, error) {
	out := make(map[string]*parcelState, len(ids))
	read := func(query string, args ...any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("load parcels: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanParcelState(rows)
			if err != nil {
				return fmt.Errorf("load parcels: %w", err)
			}
			out[p.ID] = p
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("load parcels: %w", err)
		}
		return nil
	}
	if db.Dialect == store.Postgres {
		// One array parameter joined on the primary key, not "id IN ($1..$1000)": a row a
		// concurrent batch updated makes FOR UPDATE re-check it (EvalPlanQual), and with an
		// IN list that re-check compares the id with every element of the list: a thousand
		// rows times a thousand string comparisons, seconds of CPU per batch under contention.
		// The join re-checks one pair. The plan is also right before the table has
		// statistics, since the key is unique.
		query := `SELECT ` + parcelStateCols + ` FROM unnest($1::text[]) AS k(key) JOIN parcels ON parcels.id = k.key`
		if lock {
			query += ` ORDER BY parcels.id FOR UPDATE OF parcels`
		}
		if len(ids) == 0 {
			return out, nil
		}
		if err := read(query, ids); err != nil {
			return nil, err
		}
		return out, nil
	}
	if len(ids) == 0 {
		return out, nil
	}
	if err := read(`SELECT `+parcelStateCols+` FROM parcels WHERE id IN (SELECT value FROM json_each(?))`, idList(ids)); err != nil {
		return nil, err
	}
	return out, nil
}

// idList is ids as one JSON array parameter, read on SQLite with json_each: a constant
// statement instead of "IN (?,?,...)" lists whose text changes with their length (SQLite
// parsed and bound each one anew: a quarter of ingest's CPU).
func idList(ids []string) string {
	b := make([]byte, 0, len(ids)*16)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonw.AppendString(b, id)
	}
	return string(append(b, ']'))
}

// lockItemIDs takes a transaction-scoped PostgreSQL advisory lock per item id, in id order.
// Event ingest takes it for items whose parcel is not known yet and parcel upsert for the
// parcels it creates, so an early event and its parcel committed at the same moment still
// meet: whichever transaction comes second sees the other's rows.
func lockItemIDs(ctx context.Context, db *store.DB, q store.Tx, ids []string) error {
	if db.Dialect != store.Postgres || len(ids) == 0 {
		return nil
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	for start := 0; start < len(sorted); start += 5000 {
		chunk := sorted[start:min(start+5000, len(sorted))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := q.QueryContext(ctx, db.Rebind(`SELECT pg_advisory_xact_lock(hashtext(v.column1)) FROM (VALUES `+
			store.Placeholders(len(chunk), 1, []string{"text"})+`) AS v ORDER BY v.column1`), args...)
		if err != nil {
			return fmt.Errorf("lock item ids: %w", err)
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("lock item ids: %w", err)
		}
	}
	return nil
}

// storedEvent is an event row with its ownership columns.
type storedEvent struct {
	Event
	BrandID      *int64
	ClaimBrandID *int64
	PostID       *int64
}

const eventCols = `id, item_id, code, occurred_at, office, location, country, time_zone, reason, action, signature,
	received_at, brand_id, claim_brand_id, post_id`

func scanEvent(rows *sql.Rows) (*storedEvent, error) {
	var e storedEvent
	var brand, claim, post sql.NullInt64
	if err := rows.Scan(&e.ID, &e.ItemID, &e.Code, &e.OccurredAt, &e.Office, &e.Location, &e.Country, &e.TimeZone,
		&e.Reason, &e.Action, &e.Signature, &e.ReceivedAt, &brand, &claim, &post); err != nil {
		return nil, err
	}
	e.OccurredAt, e.ReceivedAt = e.OccurredAt.UTC(), e.ReceivedAt.UTC()
	e.BrandID, e.ClaimBrandID, e.PostID = nullInt(brand), nullInt(claim), nullInt(post)
	return &e, nil
}

func nullInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

func queryEvents(ctx context.Context, q store.Tx, query string, args ...any) ([]*storedEvent, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*storedEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// loadItemEvents reads the stored events (attached or early) of the given items, in time
// order per item; with a non-zero window only those that occurred within it. The identity
// check of a batch needs only its window: in a feed that arrives in time order, an item's
// stored events are all older than the batch, so almost nothing is read. (A row-value lookup
// by full identity looked cheaper, but with a thousand keys PostgreSQL plans it as a hash
// join over the whole events table.)
func loadItemEvents(ctx context.Context, db *store.DB, q store.Tx, ids []string, from, to time.Time) (map[string][]*storedEvent, error) {
	out := make(map[string][]*storedEvent, len(ids))
	window := ""
	var extra []any
	if !from.IsZero() {
		window = ` AND occurred_at >= ? AND occurred_at <= ?`
		extra = []any{from, to}
	}
	if db.Dialect == store.Postgres {
		if len(ids) == 0 {
			return out, nil
		}
		// One lookup per item by the identity index, whatever the statistics say: on a
		// table that grew from empty since it was last analyzed, "item_id IN (a thousand
		// ids)" is estimated to match every row, and the plan becomes a sequential scan of
		// all events per batch. The ORDER BY inside the lateral subquery keeps PostgreSQL
		// from pulling it up into a plain join: flattened, the whole-history read (no time
		// window) was planned as a parallel hash join over every event with a sort spilling
		// to disk, 100-300 ms per batch instead of a few.
		found, err := queryEvents(ctx, q, db.Rebind(`SELECT e.* FROM unnest(?::text[]) AS k(key),
			LATERAL (SELECT `+eventCols+` FROM events WHERE item_id = k.key`+window+` ORDER BY occurred_at, id) AS e`),
			append([]any{ids}, extra...)...)
		if err != nil {
			return nil, fmt.Errorf("load events: %w", err)
		}
		for _, e := range found {
			out[e.ItemID] = append(out[e.ItemID], e)
		}
		return out, nil
	}
	if len(ids) == 0 {
		return out, nil
	}
	found, err := queryEvents(ctx, q, `SELECT `+eventCols+` FROM events WHERE item_id IN (SELECT value FROM json_each(?))`+window+`
		ORDER BY item_id, occurred_at, id`, append([]any{idList(ids)}, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("load events: %w", err)
	}
	for _, e := range found {
		out[e.ItemID] = append(out[e.ItemID], e)
	}
	return out, nil
}

// AttachedEvents reads every event of an item attached to brand, in time order, inside the
// caller's transaction q (the case timeline reads them with its own rows).
func AttachedEvents(ctx context.Context, db *store.DB, q store.Tx, brand int64, itemID string) ([]*Event, error) {
	stored, err := loadAttachedEvents(ctx, db, q, brand, itemID)
	if err != nil {
		return nil, err
	}
	out := make([]*Event, len(stored))
	for i, e := range stored {
		out[i] = &e.Event
	}
	return out, nil
}

// loadAttachedEvents reads every event of an item attached to brand, in time order.
func loadAttachedEvents(ctx context.Context, db *store.DB, q store.Tx, brand int64, itemID string) ([]*storedEvent, error) {
	evs, err := queryEvents(ctx, q, db.Rebind(`SELECT `+eventCols+` FROM events WHERE item_id = ? AND brand_id = ? ORDER BY occurred_at, id`), itemID, brand)
	if err != nil {
		return nil, fmt.Errorf("load events of %s: %w", itemID, err)
	}
	return evs, nil
}

// newEventRow is an event to insert with its ownership.
type newEventRow struct {
	e                      *Event
	brandID, claim, postID *int64
}

func insertEvents(ctx context.Context, db *store.DB, q store.Tx, rows []newEventRow) error {
	if db.Dialect == store.Postgres {
		return insertEventsPG(ctx, q, rows)
	}
	err := db.BulkExec(ctx, q, `INSERT INTO events (item_id, code, occurred_at, office, location, country, time_zone, reason,
		action, signature, brand_id, claim_brand_id, post_id, received_at, updated_at)`, "", 15, len(rows), nil,
		func(i int, dst []any) []any {
			r, e := rows[i], rows[i].e
			return append(dst, e.ItemID, e.Code, e.OccurredAt, e.Office, e.Location, e.Country, e.TimeZone, e.Reason,
				e.Action, e.Signature, store.Int64Arg(r.brandID), store.Int64Arg(r.claim), store.Int64Arg(r.postID), e.ReceivedAt, nil)
		})
	if err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	return nil
}

// insertEventsPG inserts the rows with one statement whatever their number: each column is
// one array parameter (unnest), so the statement text never changes (pgx prepares it once
// per connection) and 1000 rows bind 14 parameters, not 14,000.
func insertEventsPG(ctx context.Context, q store.Tx, rows []newEventRow) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	item, code, office, loc, country := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	tz, reason, action, sig := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	at, recv := make([]time.Time, n), make([]time.Time, n)
	brand, claim, post := make([]*int64, n), make([]*int64, n), make([]*int64, n)
	for i, r := range rows {
		e := r.e
		item[i], code[i], office[i], loc[i], country[i] = e.ItemID, e.Code, e.Office, e.Location, e.Country
		tz[i], reason[i], action[i], sig[i] = e.TimeZone, e.Reason, e.Action, e.Signature
		at[i], recv[i] = e.OccurredAt, e.ReceivedAt
		brand[i], claim[i], post[i] = r.brandID, r.claim, r.postID
	}
	_, err := q.ExecContext(ctx, `INSERT INTO events (item_id, code, occurred_at, office, location, country, time_zone, reason,
		action, signature, brand_id, claim_brand_id, post_id, received_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
			$8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::bigint[], $14::timestamptz[])`,
		item, code, at, office, loc, country, tz, reason, action, sig, brand, claim, post, recv)
	if err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	return nil
}

// updateEvent stores new details of an event and keeps the previous ones in its history.
func updateEvent(ctx context.Context, db *store.DB, q store.Tx, old *storedEvent, e *Event, now time.Time) error {
	prev, _ := json.Marshal(eventJSONOf(&old.Event, nil))
	if _, err := q.ExecContext(ctx, db.Rebind(`INSERT INTO event_history (event_id, changed_at, previous) VALUES (?, ?, ?)`), old.ID, now, string(prev)); err != nil {
		return fmt.Errorf("event history: %w", err)
	}
	_, err := q.ExecContext(ctx, db.Rebind(`UPDATE events SET location = ?, country = ?, time_zone = ?, reason = ?, action = ?,
		signature = ?, updated_at = ? WHERE id = ?`), e.Location, e.Country, e.TimeZone, e.Reason, e.Action, e.Signature, now, old.ID)
	if err != nil {
		return fmt.Errorf("update event: %w", err)
	}
	return nil
}

// Outbox topics written by tracking.
const (
	TopicParcelCreated = "parcel.created"
	TopicParcelUpdated = "parcel.updated"
	TopicTrackingEvent = "tracking.event"
)

// updatePhases writes new phase states: on SQLite (3.33+) with one UPDATE ... FROM (VALUES
// ...) per chunk, whose columns are named column1, column2...; on PostgreSQL with arrays.
func updatePhases(ctx context.Context, db *store.DB, q store.Tx, states []*parcelState, promised map[string]string, now time.Time) error {
	if db.Dialect == store.Postgres {
		return updatePhasesPG(ctx, q, states, promised, now)
	}
	err := db.BulkExec(ctx, q, `UPDATE parcels SET phase = v.column2, phase_at = v.column3, is_returning = v.column4,
		last_event_at = v.column5, posted_at = v.column6, delivered_at = v.column7, promised_date = v.column8,
		updated_at = v.column9 FROM (`, `) AS v WHERE parcels.id = v.column1`, 9, len(states), nil,
		func(i int, dst []any) []any {
			s := states[i]
			return append(dst, s.ID, string(s.Phase), store.TimeArg(s.PhaseAt), s.Returning, store.TimeArg(s.LastEventAt),
				store.TimeArg(s.PostedAt), store.TimeArg(s.DeliveredAt), promised[s.ID], now)
		})
	if err != nil {
		return fmt.Errorf("update phases: %w", err)
	}
	return nil
}

// updatePhasesPG is updatePhases with one array parameter per column (see insertEventsPG).
func updatePhasesPG(ctx context.Context, q store.Tx, states []*parcelState, promised map[string]string, now time.Time) error {
	if len(states) == 0 {
		return nil
	}
	n := len(states)
	id, phase, prom := make([]string, n), make([]string, n), make([]string, n)
	phaseAt, last, posted, delivered := make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n), make([]*time.Time, n)
	returning := make([]bool, n)
	for i, st := range states {
		id[i], phase[i], prom[i] = st.ID, string(st.Phase), promised[st.ID]
		phaseAt[i], last[i], posted[i], delivered[i] = st.PhaseAt, st.LastEventAt, st.PostedAt, st.DeliveredAt
		returning[i] = st.Returning
	}
	_, err := q.ExecContext(ctx, `UPDATE parcels SET phase = v.phase, phase_at = v.phase_at, is_returning = v.is_returning,
		last_event_at = v.last_event_at, posted_at = v.posted_at, delivered_at = v.delivered_at, promised_date = v.promised,
		updated_at = $9
		FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::boolean[], $5::timestamptz[], $6::timestamptz[],
			$7::timestamptz[], $8::text[]) AS v(id, phase, phase_at, is_returning, last_event_at, posted_at, delivered_at, promised)
		WHERE parcels.id = v.id`, id, phase, phaseAt, returning, last, posted, delivered, prom, now)
	if err != nil {
		return fmt.Errorf("update phases: %w", err)
	}
	return nil
}
