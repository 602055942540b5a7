package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// Transcripts of calls (recordings/transcribe, docs/transcripts.md) are a kind of document of
// their own: a query's words ("курьер грубил", "courier was rude") found in a call's
// transcript find the cases the call belongs to (linked to the call, or about the call's
// parcel); a call with no case finds its parcel, and a call with neither itself. They are looked up in the database's
// own full text (FTS5 call_transcript_words, PostgreSQL's call_transcripts.search_tsv)
// whichever backend serves the rest, and score "transcript" (matchScores): below every id,
// case number, phone, email and name match.

// transcriptWordMinRunes is the shortest word searched by its start ("грубил" finds "грубила").
const transcriptWordMinRunes = 3

// transcripts finds the cases (or calls) whose calls' transcripts hold every word of terms.
func (s *Search) transcripts(ctx context.Context, scope access.Scope, terms []NameTerm, limit int) ([]Candidate, error) {
	calls, parcels, err := s.transcriptCalls(ctx, scope, terms, limit)
	if err != nil || len(calls) == 0 {
		return nil, err
	}
	args := make([]any, len(calls))
	for i, c := range calls {
		args[i] = c
	}
	in := store.InList(len(calls))
	where, sargs := scope.SQL("c.brand_id", "", "")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT cc.call_id, cc.case_id FROM call_cases cc JOIN calls c ON c.id = cc.call_id
		WHERE cc.call_id IN (`+in+`) AND cc.brand_id = c.brand_id AND `+where+`
		UNION SELECT c.id, cp.case_id FROM calls c JOIN case_parcels cp ON cp.parcel_id = c.parcel_id JOIN cases k ON k.id = cp.case_id
		WHERE c.id IN (`+in+`) AND c.parcel_id <> '' AND k.brand_id = c.brand_id AND `+where),
		append(append(append(args, sargs...), args...), sargs...)...)
	if err != nil {
		return nil, fmt.Errorf("cases of transcribed calls: %w", err)
	}
	defer rows.Close()
	withCase := map[int64]bool{}
	var out []Candidate
	for rows.Next() {
		var call, cs int64
		if err := rows.Scan(&call, &cs); err != nil {
			return nil, err
		}
		withCase[call] = true
		out = append(out, Candidate{Kind: "case", Ref: strconv.FormatInt(cs, 10), Match: "transcript"})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range calls {
		switch {
		case withCase[c]:
		case parcels[c] != "":
			out = append(out, Candidate{Kind: "parcel", Ref: parcels[c], Match: "transcript", Code: parcels[c]})
		default:
			out = append(out, Candidate{Kind: "call", Ref: strconv.FormatInt(c, 10), Match: "transcript"})
		}
	}
	return out, nil
}

// transcriptCalls returns the calls, newest transcript first, one of whose transcripts holds
// every word of terms (whole, or by its start from transcriptWordMinRunes letters), and the
// parcels of those that are about one.
func (s *Search) transcriptCalls(ctx context.Context, scope access.Scope, terms []NameTerm, limit int) ([]int64, map[int64]string, error) {
	where, args := scope.SQL("t.brand_id", "", "")
	var q string
	var words []string
	if s.db.Dialect == store.Postgres {
		for _, t := range terms {
			w := "'" + t.Folded + "'"
			if utf8.RuneCountInString(t.Folded) >= transcriptWordMinRunes {
				w += ":*"
			}
			words = append(words, w)
		}
		q = `SELECT t.call_id, c.parcel_id FROM call_transcripts t JOIN calls c ON c.id = t.call_id
			WHERE t.search_tsv @@ to_tsquery('simple', ?) AND ` + where
	} else {
		for _, t := range terms {
			w := `"` + t.Folded + `"`
			if utf8.RuneCountInString(t.Folded) >= transcriptWordMinRunes {
				w += "*"
			}
			words = append(words, w)
		}
		q = `SELECT t.call_id, c.parcel_id FROM call_transcript_words w JOIN call_transcripts t ON t.id = w.rowid
			JOIN calls c ON c.id = t.call_id WHERE call_transcript_words MATCH ? AND ` + where
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(q+fmt.Sprintf(` ORDER BY t.id DESC LIMIT %d`, limit)),
		append([]any{strings.Join(words, map[bool]string{true: " & ", false: " AND "}[s.db.Dialect == store.Postgres])}, args...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("transcripts: %w", err)
	}
	defer rows.Close()
	parcels := map[int64]string{}
	var out []int64
	for rows.Next() {
		var id int64
		var parcel string
		if err := rows.Scan(&id, &parcel); err != nil {
			return nil, nil, err
		}
		if _, seen := parcels[id]; !seen {
			parcels[id] = parcel
			out = append(out, id)
		}
	}
	return out, parcels, rows.Err()
}

// hydrateCalls fills the hits of calls found by their transcripts alone, through scope.
func (s *Search) hydrateCalls(ctx context.Context, scope access.Scope, found map[[2]string]Hit, ids []any) ([]Hit, error) {
	where, args := scope.SQL("c.brand_id", "", "")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT c.id, c.brand_id, c.parcel_id, c.started_at FROM calls c
		WHERE c.id IN (`+store.InList(len(ids))+`) AND `+where), append(ids, args...)...)
	if err != nil {
		return nil, fmt.Errorf("search: read calls: %w", err)
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var h Hit
		var at time.Time
		if err := rows.Scan(&h.ID, &h.BrandID, &h.ParcelID, &at); err != nil {
			return nil, err
		}
		f := found[[2]string{"call", h.ID}]
		h.Kind, h.Match, h.Score, h.UpdatedAt = "call", f.Match, f.Score, at.UTC()
		h.URL = "/api/v1/calls/" + h.ID + "/transcript"
		out = append(out, h)
	}
	return out, rows.Err()
}
