package search

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// EmbeddedBackend searches the search_docs index that triggers keep in the same transaction
// as parcels and cases: SQLite FTS5 (unicode61 for names, trigram for partial ids), or
// PostgreSQL full text for names and pg_trgm for partial ids. Ids, phones, emails and case
// numbers are B-tree lookups on either.
type EmbeddedBackend struct{ db *store.DB }

// NewEmbeddedBackend returns the embedded backend over db.
func NewEmbeddedBackend(db *store.DB) *EmbeddedBackend { return &EmbeddedBackend{db: db} }

// Name names the backend in logs and benchmarks.
func (b *EmbeddedBackend) Name() string { return "embedded-" + string(b.db.Dialect) }

// minPrefixRunes is the shortest name prefix searched as a prefix (shorter words match whole).
const minPrefixRunes = 2

// Find looks the plan's readings up.
func (b *EmbeddedBackend) Find(ctx context.Context, scope access.Scope, p *Plan, limit int) ([]Candidate, error) {
	var out []Candidate
	add := func(cs []Candidate, err error) error {
		out = append(out, cs...)
		return err
	}
	if ids := slices.Concat(p.IDs, p.TypoIDs, p.TypoSwaps); len(ids) > 0 {
		if err := add(b.parcelIDs(ctx, scope, p, ids)); err != nil {
			return nil, err
		}
	}
	if len(p.Phones) > 0 {
		// "<> ''" lets the planners use the partial indexes: a bound value proves nothing.
		if err := add(b.docs(ctx, scope, "phone", "d.phone IN ("+store.InList(len(p.Phones))+") AND d.phone <> ''", anys(p.Phones), limit)); err != nil {
			return nil, err
		}
	}
	if p.Email != "" {
		if err := add(b.docs(ctx, scope, "email", "d.email = ? AND d.email <> ''", []any{p.Email}, limit)); err != nil {
			return nil, err
		}
	}
	if p.EmailPrefix != "" {
		if err := add(b.docs(ctx, scope, "email_prefix", "d.email >= ? AND d.email < ? AND d.email <> ''", []any{p.EmailPrefix, prefixEnd(p.EmailPrefix)}, limit)); err != nil {
			return nil, err
		}
	}
	if p.CaseNumber != "" {
		if err := add(b.cases(ctx, scope, "case_number", "number = ?", p.CaseNumber, limit)); err != nil {
			return nil, err
		}
	}
	if p.CaseSeq != 0 {
		if err := add(b.cases(ctx, scope, "case_seq", "seq = ?", p.CaseSeq, limit)); err != nil {
			return nil, err
		}
	}
	if p.Fragment != "" {
		if err := add(b.fragment(ctx, scope, p.Fragment, limit)); err != nil {
			return nil, err
		}
	}
	if len(p.Names) > 0 {
		if err := add(b.names(ctx, scope, p.Names, limit)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// prefixEnd is the smallest string after every string that starts with prefix (in code
// point order, which both SQLite's BINARY and a C/C.UTF-8 collation follow).
func prefixEnd(prefix string) string {
	r, size := utf8.DecodeLastRuneInString(prefix)
	return prefix[:len(prefix)-size] + string(r+1)
}

func (b *EmbeddedBackend) parcelIDs(ctx context.Context, scope access.Scope, p *Plan, ids []string) ([]Candidate, error) {
	where, args := scope.SQL("brand_id", "origin_country", "destination_country")
	rows, err := b.db.SQL.QueryContext(ctx, b.db.Rebind(`SELECT id FROM parcels WHERE id IN (`+store.InList(len(ids))+`) AND `+where),
		append(anys(ids), args...)...)
	if err != nil {
		return nil, fmt.Errorf("ids: %w", err)
	}
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		m := "typo_swap"
		switch {
		case slices.Contains(p.IDs, id):
			m = "id"
		case slices.Contains(p.TypoIDs, id):
			m = "typo_id"
		}
		out = append(out, Candidate{Kind: "parcel", Ref: id, Match: m, Code: id})
	}
	return out, rows.Err()
}

// docs reads search documents matching cond, newest first. ("d.id + 0" keeps both planners on
// the index of cond instead of walking the primary key backwards in search of a rare value.)
func (b *EmbeddedBackend) docs(ctx context.Context, scope access.Scope, match, cond string, args []any, limit int) ([]Candidate, error) {
	where, sargs := scope.SQL("d.brand_id", "d.origin_country", "d.destination_country")
	return b.query(ctx, match, `SELECT d.kind, d.ref, d.code, d.name_key, d.email FROM search_docs d WHERE `+cond+` AND `+where+
		fmt.Sprintf(` ORDER BY d.id + 0 DESC LIMIT %d`, limit), append(args, sargs...))
}

func (b *EmbeddedBackend) query(ctx context.Context, match, q string, args []any) ([]Candidate, error) {
	rows, err := b.db.SQL.QueryContext(ctx, b.db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", match, err)
	}
	return scanCandidates(rows, match)
}

// scanCandidates reads (kind, ref, code, name_key, email) rows and closes them.
func scanCandidates(rows *sql.Rows, match string) ([]Candidate, error) {
	defer rows.Close()
	var out []Candidate
	for rows.Next() {
		c := Candidate{Match: match}
		if err := rows.Scan(&c.Kind, &c.Ref, &c.Code, &c.NameKey, &c.Email); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (b *EmbeddedBackend) cases(ctx context.Context, scope access.Scope, match, cond string, arg any, limit int) ([]Candidate, error) {
	where, args := scope.SQL("brand_id", "origin_country", "destination_country")
	return b.query(ctx, match, fmt.Sprintf(`SELECT 'case', CAST(id AS TEXT), number, '', '' FROM cases WHERE %s AND %s ORDER BY id + 0 DESC LIMIT %d`,
		cond, where, limit), append([]any{arg}, args...))
}

// fragment finds documents whose code contains frag: FTS5's trigram index on SQLite, a
// pg_trgm GIN index on PostgreSQL.
func (b *EmbeddedBackend) fragment(ctx context.Context, scope access.Scope, frag string, limit int) ([]Candidate, error) {
	if b.db.Dialect == store.Postgres {
		return b.docs(ctx, scope, "fragment", "d.code LIKE ?", []any{"%" + frag + "%"}, limit)
	}
	where, args := scope.SQL("d.brand_id", "d.origin_country", "d.destination_country")
	return b.query(ctx, "fragment", `SELECT d.kind, d.ref, d.code, d.name_key, d.email FROM search_codes f JOIN search_docs d ON d.id = f.rowid
		WHERE search_codes MATCH ? AND `+where+fmt.Sprintf(` ORDER BY f.rowid DESC LIMIT %d`, limit),
		append([]any{`"` + frag + `"`}, args...))
}

// names finds documents holding every word of a name, whole words first and then by their
// beginnings, in the word's own script or as its Latin skeleton.
func (b *EmbeddedBackend) names(ctx context.Context, scope access.Scope, terms []NameTerm, limit int) ([]Candidate, error) {
	out, err := b.nameQuery(ctx, scope, terms, false, limit)
	if err != nil || len(out) >= limit {
		return out, err
	}
	more, err := b.nameQuery(ctx, scope, terms, true, limit)
	return append(out, more...), err
}

func (b *EmbeddedBackend) nameQuery(ctx context.Context, scope access.Scope, terms []NameTerm, prefix bool, limit int) ([]Candidate, error) {
	where, args := scope.SQL("d.brand_id", "d.origin_country", "d.destination_country")
	if b.db.Dialect == store.Postgres {
		q, qargs := pgNameQuery(terms, prefix)
		return b.pgNames(ctx, `SELECT d.kind, d.ref, d.code, d.name_key, d.email FROM search_docs d
			WHERE `+q+` AND `+where+fmt.Sprintf(` LIMIT %d`, limit), append(qargs, args...))
	}
	var groups []string
	for _, t := range terms {
		forms := []string{t.Folded}
		if t.Skeleton != t.Folded {
			forms = append(forms, t.Skeleton)
		}
		for i, f := range forms {
			forms[i] = `"` + f + `"`
			if prefix && utf8.RuneCountInString(f) >= minPrefixRunes {
				forms[i] += "*"
			}
		}
		groups = append(groups, "("+strings.Join(forms, " OR ")+")")
	}
	return b.query(ctx, "name", `SELECT d.kind, d.ref, d.code, d.name_key, d.email FROM search_names n JOIN search_docs d ON d.id = n.rowid
		WHERE search_names MATCH ? AND `+where+fmt.Sprintf(` ORDER BY n.rowid DESC LIMIT %d`, limit),
		append([]any{strings.Join(groups, " AND ")}, args...))
}

// pgNameQuery is the condition of a PostgreSQL name lookup. Whole words are tsquery words.
// A word start is the index entry of its first four letters (wismo_name_prefixes in the
// migration: "петр0"), which GIN can skip through; a longer start is also checked against
// the key itself, on the few rows the entries leave.
func pgNameQuery(terms []NameTerm, prefix bool) (string, []any) {
	var groups, checks []string
	var args []any
	for _, t := range terms {
		forms := []string{t.Folded}
		if t.Skeleton != t.Folded {
			forms = append(forms, t.Skeleton)
		}
		var words, res []string
		for _, f := range forms {
			r := []rune(f)
			switch {
			case !prefix || len(r) < minPrefixRunes:
				words = append(words, "'"+f+"'")
			case len(r) <= 4:
				words = append(words, "'"+f+"0'")
			default:
				words = append(words, "'"+string(r[:4])+"0'")
				res = append(res, "(^|[^[:alnum:]])"+f)
			}
		}
		groups = append(groups, "("+strings.Join(words, " | ")+")")
		if len(res) > 0 {
			ors := make([]string, len(res))
			for i, re := range res {
				ors[i] = "d.name_key ~ ?"
				args = append(args, re)
			}
			checks = append(checks, "("+strings.Join(ors, " OR ")+")")
		}
	}
	cond := "d.name_tsv @@ to_tsquery('simple', ?)"
	args = append([]any{strings.Join(groups, " & ")}, args...)
	for _, c := range checks {
		cond += " AND " + c
	}
	return cond, args
}

// pgNames runs a name lookup on PostgreSQL in a read-only transaction that forbids
// sequential scans. Without an ORDER BY the heap scan stops at the limit instead of reading
// and sorting every "Ivan"; but then the planner, hoping to meet the limit early, prefers
// a sequential scan, which takes 100 ms and more when the matches are rare.
func (b *EmbeddedBackend) pgNames(ctx context.Context, q string, args []any) ([]Candidate, error) {
	tx, err := b.db.SQL.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("name: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		return nil, fmt.Errorf("name: %w", err)
	}
	rows, err := tx.QueryContext(ctx, b.db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("name: %w", err)
	}
	return scanCandidates(rows, "name")
}

// IndexSize counts the documents of the search index (search_docs): a parcel or a case each.
func IndexSize(ctx context.Context, db *store.DB) (int, error) {
	var n int
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_docs`).Scan(&n); err != nil {
		return 0, fmt.Errorf("search index size: %w", err)
	}
	return n, nil
}
