package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/textkey"
)

const caseCols = `id, brand_id, number, seq, parcel_id, type, priority, status, source, subject, origin_country,
	destination_country, contact_name, contact_phone, contact_email, assignee_id, queue, resolution_code, created_by,
	created_at, updated_at, first_response_at, resolved_at, closed_at, first_response_due, resolution_due, sla_paused_at,
	first_response_breached_at, resolution_breached_at, version, merged_into, destination_region`

type rowScanner interface{ Scan(dest ...any) error }

func scanCase(r rowScanner) (*Case, error) {
	var c Case
	var mainParcel string
	var assignee, merged sql.NullInt64
	var fr, res, closed, frDue, resDue, paused, frB, resB sql.NullTime
	err := r.Scan(&c.ID, &c.BrandID, &c.Number, &c.Seq, &mainParcel, &c.Type, &c.Priority, &c.Status, &c.Source, &c.Subject,
		&c.OriginCountry, &c.DestinationCountry, &c.Contact.Name, &c.Contact.Phone, &c.Contact.Email, &assignee, &c.Queue,
		&c.ResolutionCode, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &fr, &res, &closed, &frDue, &resDue, &paused, &frB, &resB, &c.Version, &merged, &c.DestinationRegion)
	if err != nil {
		return nil, err
	}
	if assignee.Valid {
		c.AssigneeID = &assignee.Int64
	}
	if merged.Valid {
		c.MergedInto = &merged.Int64
	}
	c.ParcelIDs = []string{mainParcel}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.FirstResponseAt, c.ResolvedAt, c.ClosedAt = store.TimePtr(fr), store.TimePtr(res), store.TimePtr(closed)
	c.SLA = slaState{FirstResponseDue: store.TimePtr(frDue), ResolutionDue: store.TimePtr(resDue), PausedAt: store.TimePtr(paused),
		FirstResponseBreachedAt: store.TimePtr(frB), ResolutionBreachedAt: store.TimePtr(resB)}
	return &c, nil
}

// insertCase stores a new case and its parcels; it sets c.ID.
func insertCase(ctx context.Context, db *store.DB, tx store.Tx, c *Case) error {
	q := `INSERT INTO cases (brand_id, number, seq, parcel_id, type, priority, status, source, subject, origin_country,
		destination_country, contact_name, contact_phone, contact_email, assignee_id, queue, resolution_code, created_by,
		created_at, updated_at, first_response_due, resolution_due, priority_rank, destination_region) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`
	err := tx.QueryRowContext(ctx, db.Rebind(q), c.BrandID, c.Number, c.Seq, c.ParcelIDs[0], string(c.Type), string(c.Priority),
		string(c.Status), string(c.Source), c.Subject, c.OriginCountry, c.DestinationCountry, c.Contact.Name, c.Contact.Phone,
		c.Contact.Email, store.Int64Arg(c.AssigneeID), c.Queue, c.ResolutionCode, c.CreatedBy, c.CreatedAt, c.UpdatedAt,
		store.TimeArg(c.SLA.FirstResponseDue), store.TimeArg(c.SLA.ResolutionDue), c.Priority.Rank(), c.DestinationRegion).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("insert case: %w", err)
	}
	c.Version = 1
	for _, p := range c.ParcelIDs {
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO case_parcels (case_id, parcel_id) VALUES (?, ?)`), c.ID, p); err != nil {
			return fmt.Errorf("insert case parcel: %w", err)
		}
	}
	return nil
}

// updateCase writes a case's mutable fields back and adds one to its version. The row must
// still be at the version it was read at (c.Version): a writer that lost a race (which the
// row lock on PostgreSQL and the write lock on SQLite already prevent) gets ErrStale rather
// than overwriting the other's change.
func updateCase(ctx context.Context, db *store.DB, tx store.Tx, c *Case) error {
	res, err := tx.ExecContext(ctx, db.Rebind(`UPDATE cases SET type = ?, priority = ?, status = ?, subject = ?, contact_name = ?,
		contact_phone = ?, contact_email = ?, assignee_id = ?, queue = ?, resolution_code = ?, updated_at = ?,
		first_response_at = ?, resolved_at = ?, closed_at = ?, first_response_due = ?, resolution_due = ?, sla_paused_at = ?,
		priority_rank = ?, merged_into = ?, version = version + 1
		WHERE id = ? AND version = ?`),
		string(c.Type), string(c.Priority), string(c.Status), c.Subject, c.Contact.Name, c.Contact.Phone, c.Contact.Email,
		store.Int64Arg(c.AssigneeID), c.Queue, c.ResolutionCode, c.UpdatedAt, store.TimeArg(c.FirstResponseAt), store.TimeArg(c.ResolvedAt),
		store.TimeArg(c.ClosedAt), store.TimeArg(c.SLA.FirstResponseDue), store.TimeArg(c.SLA.ResolutionDue), store.TimeArg(c.SLA.PausedAt),
		c.Priority.Rank(), store.Int64Arg(c.MergedInto), c.ID, c.Version)
	if err != nil {
		return fmt.Errorf("update case %s: %w", c.Number, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("update case %s at version %d: %w", c.Number, c.Version, ErrStale)
	}
	c.Version++
	return nil
}

// loadCaseParcels fills c.ParcelIDs: the main parcel first, then the others by id.
func loadCaseParcels(ctx context.Context, db *store.DB, q store.Tx, c *Case) error {
	rows, err := q.QueryContext(ctx, db.Rebind(`SELECT parcel_id FROM case_parcels WHERE case_id = ? ORDER BY parcel_id`), c.ID)
	if err != nil {
		return fmt.Errorf("case parcels: %w", err)
	}
	defer rows.Close()
	main := c.ParcelIDs[0]
	ids := []string{main}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if id != main {
			ids = append(ids, id)
		}
	}
	c.ParcelIDs = ids
	return rows.Err()
}

// caseByNumber reads a case visible to scope by its number (case-insensitive). Case numbers
// are unique per brand; when a scope spanning brands sees two, brandID (if not 0) chooses.
func caseByNumber(ctx context.Context, db *store.DB, q store.Tx, scope access.Scope, number string, brandID int64, lock bool) (*Case, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	where, args := scope.SQL("brand_id", "origin_country", "destination_country")
	query := `SELECT ` + caseCols + ` FROM cases WHERE number = ? AND ` + where
	args = append([]any{number}, args...)
	if brandID != 0 {
		query += ` AND brand_id = ?`
		args = append(args, brandID)
	}
	query += ` ORDER BY brand_id LIMIT 2`
	if lock && db.Dialect == store.Postgres {
		query += ` FOR UPDATE`
	}
	rows, err := q.QueryContext(ctx, db.Rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("read case %s: %w", number, err)
	}
	var found []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("read case %s: %w", number, err)
		}
		found = append(found, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read case %s: %w", number, err)
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("case %s: %w", number, ErrNotFound)
	case 2:
		return nil, fmt.Errorf("case %s exists in several brands; name the brand: %w", number, ErrAmbiguous)
	}
	if err := loadCaseParcels(ctx, db, q, found[0]); err != nil {
		return nil, err
	}
	return found[0], nil
}

// logEntry is one row of case_log: who did what to a case.
type logEntry struct {
	At      time.Time
	Kind    string
	Actor   string
	Summary string
	Data    any
}

func insertLog(ctx context.Context, db *store.DB, tx store.Tx, caseID int64, entries ...logEntry) error {
	for _, e := range entries {
		data := []byte("{}")
		if e.Data != nil {
			var err error
			if data, err = json.Marshal(e.Data); err != nil {
				return fmt.Errorf("case log data: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO case_log (case_id, at, kind, actor, summary, data)
			VALUES (?, ?, ?, ?, ?, ?)`), caseID, e.At, e.Kind, e.Actor, e.Summary, string(data)); err != nil {
			return fmt.Errorf("case log: %w", err)
		}
	}
	return nil
}

// nextCaseNumber allocates the brand's next case number: PREFIX-000123, the prefix made of
// the initials of the brand's name on first use.
func nextCaseNumber(ctx context.Context, db *store.DB, tx store.Tx, brandID int64) (string, int64, error) {
	var prefix string
	var n int64
	err := tx.QueryRowContext(ctx, db.Rebind(`UPDATE case_counters SET last_number = last_number + 1 WHERE brand_id = ?
		RETURNING prefix, last_number`), brandID).Scan(&prefix, &n)
	if err == sql.ErrNoRows {
		var name string
		if err := tx.QueryRowContext(ctx, db.Rebind(`SELECT name FROM brands WHERE id = ?`), brandID).Scan(&name); err != nil {
			return "", 0, fmt.Errorf("brand %d: %w", brandID, err)
		}
		prefix, n = casePrefix(name), 1
		_, err = tx.ExecContext(ctx, db.Rebind(`INSERT INTO case_counters (brand_id, prefix, last_number) VALUES (?, ?, 1)`), brandID, prefix)
	}
	if err != nil {
		return "", 0, fmt.Errorf("case number: %w", err)
	}
	return FormatCaseNumber(prefix, n), n, nil
}

// FormatCaseNumber renders a case number: MM-000123.
func FormatCaseNumber(prefix string, n int64) string { return fmt.Sprintf("%s-%06d", prefix, n) }

// casePrefix makes a case-number prefix of a brand's name: the initials of its words in Latin
// capitals ("Matryoshka Market" is MM), the first two letters of a one-word name, "CS" when
// nothing is left.
func casePrefix(name string) string {
	latin := strings.ToUpper(skeletonFree(name))
	words := strings.FieldsFunc(latin, func(r rune) bool { return r < 'A' || r > 'Z' })
	var b strings.Builder
	for _, w := range words {
		if b.Len() < 4 {
			b.WriteByte(w[0])
		}
	}
	switch {
	case len(words) == 1 && len(words[0]) >= 2:
		return words[0][:2]
	case b.Len() >= 2:
		return b.String()
	}
	return "CS"
}

// skeletonFree transliterates a name to Latin letters without merging spelling variants.
func skeletonFree(name string) string {
	s := textkey.Translit(textkey.Fold(name))
	return strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII {
			return r
		}
		return ' '
	}, s)
}
