// Package search is the one-box search over parcels and cases: a query is read every way it
// may be meant (an S10 id, a case number, a phone, a name), a backend finds candidates (the
// embedded index: SQLite FTS5 or PostgreSQL full text and pg_trgm; or Meilisearch), and the
// hits are ranked and filled in from the database within the caller's scope.
//
// It is a read model over tracking and cases: it owns search_docs and the FTS5 tables
// search_names and search_codes, which triggers on parcels and cases keep current (migrations
// 00003, 00005), and reads parcels, cases and case_parcels to fill in hits; it writes none of
// their tables. With Meilisearch it follows the outbox as the consumer "search.meilisearch"
// (MeiliConsumer) into the index "wismo" (MeiliIndex): both names are stored outside the code.
package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/apierr"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/textkey"
	"github.com/wismo/wismo/tracking"
)

// ErrUnavailable is a search backend that does not answer (Meilisearch down): 503.
var ErrUnavailable = errors.New("search backend unavailable")

// searchErrors answer ErrUnavailable as 503, anything else as the case API does.
var searchErrors = append(apierr.Mapper{{Err: ErrUnavailable, Kind: apierr.Unavailable}}, cases.Errors...)

// Search is the one-box search over parcels and cases. A query is read every way it may be
// meant (ParseQuery); a Backend finds candidate documents for each reading; Search ranks
// them — an exact id first — and fills in what the agent sees (phase, open cases) from the
// database, filtered by the caller's scope again.
type Search struct {
	db      *store.DB
	backend Backend
}

// Backend finds documents for a query plan. The embedded backend (SQLite FTS5, PostgreSQL
// full text and pg_trgm) and Meilisearch implement it. Backends filter by scope themselves.
type Backend interface {
	Name() string
	Find(ctx context.Context, scope access.Scope, p *Plan, limit int) ([]Candidate, error)
}

// Candidate is a document a backend found and the reading that found it.
type Candidate struct {
	Kind    string // "parcel", "case" or "call" (a call found by its transcript alone)
	Ref     string // the parcel's S10 id, the case's id, or the call's id
	Match   string // id, typo_id, typo_swap, fragment, phone, email, email_prefix, case_number, case_seq, name, transcript
	Code    string // the document's S10 id or case number
	NameKey string // the document's name key, for name matches
	Email   string // the document's email, for email prefixes
}

// The ways a query matches, best first, with their base scores.
var matchScores = map[string]int{
	"id": 1000, "case_number": 950, "phone": 900, "email": 900, "typo_id": 800, "typo_swap": 780,
	"case_seq": 700, "email_prefix": 650, "fragment": 600, "name": 300, "transcript": 250,
}

// NewSearch returns the search over backend.
func New(db *store.DB, backend Backend) *Search { return &Search{db: db, backend: backend} }

// Backend returns the search's backend.
func (s *Search) Backend() Backend { return s.backend }

// SearchHit is one result of the search box.
type Hit struct {
	Kind      string           `json:"kind"` // parcel, case, or call (found by its transcript)
	ID        string           `json:"id"`   // S10 id, case number, or call id
	BrandID   int64            `json:"brand_id"`
	Match     string           `json:"match"`
	Score     int              `json:"score"`
	Phase     tracking.Phase   `json:"phase"`                // the parcel's, or the case's main parcel's
	OpenCases int              `json:"open_cases,omitempty"` // parcels: open cases about it
	Name      string           `json:"name,omitempty"`       // recipient, or the case's contact
	Phone     string           `json:"phone,omitempty"`
	Email     string           `json:"email,omitempty"`
	ParcelID  string           `json:"parcel_id,omitempty"` // cases: the main parcel
	Status    cases.CaseStatus `json:"status,omitempty"`    // cases
	CaseType  cases.CaseType   `json:"case_type,omitempty"` // cases
	UpdatedAt time.Time        `json:"updated_at"`
	URL       string           `json:"url"`
}

// MaxSearchResults bounds one answer.
const MaxResults = 50

// Find runs a query for scope and returns up to limit hits, best first.
func (s *Search) Find(ctx context.Context, scope access.Scope, q string, limit int) ([]Hit, error) {
	if limit <= 0 || limit > MaxResults {
		limit = 20
	}
	p := ParseQuery(q)
	if p.Empty() {
		return []Hit{}, nil
	}
	cands, err := s.backend.Find(ctx, scope, p, max(limit*2, 50))
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", s.backend.Name(), err)
	}
	if len(p.Names) > 0 { // words may also be said in calls (transcripts.go)
		more, err := s.transcripts(ctx, scope, p.Names, max(limit*2, 50))
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		cands = append(cands, more...)
	}
	best := map[[2]string]Hit{}
	for _, c := range cands {
		sc := scoreCandidate(c, p)
		if sc <= 0 {
			continue
		}
		k := [2]string{c.Kind, c.Ref}
		if h, ok := best[k]; !ok || sc > h.Score {
			best[k] = Hit{Kind: c.Kind, ID: c.Ref, Match: c.Match, Score: sc}
		}
	}
	hits, err := s.hydrate(ctx, scope, best)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// scoreCandidate scores a match. Names score by how the words matched: every word whole
// (in its own script better than by transliteration) above every word by its start; a
// document that misses a word (a backend's typo tolerance) scores lowest.
func scoreCandidate(c Candidate, p *Plan) int {
	base := matchScores[c.Match]
	if c.Kind == "parcel" {
		base += 5 // a parcel before its case when both match alike: the hit shows its open cases
	}
	switch c.Match {
	case "email_prefix":
		if !strings.HasPrefix(c.Email, p.EmailPrefix) {
			return 0 // a backend matched words of the address, not its start
		}
	case "fragment":
		switch {
		case !strings.Contains(c.Code, p.Fragment):
			return 0
		case strings.HasPrefix(c.Code, p.Fragment):
			base += 20
		case strings.HasSuffix(c.Code, p.Fragment):
			base += 10
		}
	case "name":
		return base + nameScore(c.NameKey, p.Names)
	}
	return base
}

func nameScore(key string, terms []NameTerm) int {
	tokens := textkey.Words(key)
	exact, folded, prefix := 0, 0, 0
	for _, t := range terms {
		switch {
		case slices.Contains(tokens, t.Folded):
			exact++
			folded++
		case slices.Contains(tokens, t.Skeleton):
			exact++
		case slices.ContainsFunc(tokens, func(tok string) bool {
			return strings.HasPrefix(tok, t.Folded) || strings.HasPrefix(tok, t.Skeleton)
		}):
			prefix++
		}
	}
	switch n := len(terms); {
	case exact == n && folded == n:
		return 220
	case exact == n:
		return 200
	case exact+prefix == n:
		return 100 + 10*exact
	}
	return 0
}

// Routes mounts GET /api/v1/search?q=&limit= under r; auth must have run before.
func Routes(r fiber.Router, s *Search) {
	r.Get("/api/v1/search", func(c *fiber.Ctx) error {
		q := c.Query("q")
		if utf8.RuneCountInString(q) > MaxQueryChars {
			return searchErrors.Answer(c, input.Invalid(input.Errorf("q", "is longer than %d characters", MaxQueryChars)))
		}
		limit := c.QueryInt("limit", 20)
		if limit < 1 || limit > MaxResults {
			return searchErrors.Answer(c, input.Invalid(input.Errorf("limit", "must be 1 to %d", MaxResults)))
		}
		hits, err := s.Find(c.UserContext(), access.PrincipalOf(c).Scope, q, limit)
		if err != nil {
			return searchErrors.Answer(c, err)
		}
		return c.JSON(fiber.Map{"query": q, "backend": s.Backend().Name(), "hits": hits})
	})
}
