package search

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// MeiliIndex is the Meilisearch index of parcels and cases.
const MeiliIndex = "wismo"

// MeiliBackend searches a Meilisearch index fed from the outbox (RunMeiliFeed) and rebuilt by
// `wismo reindex`. Documents carry what the embedded index holds; partial ids are found
// through each id's suffixes (Meilisearch matches word prefixes only, and a substring is a
// prefix of a suffix), mistyped ids through the same candidate ids as the embedded backend,
// as a filter.
type MeiliBackend struct {
	client meilisearch.ServiceManager
	index  string
	db     *store.DB
}

// NewMeiliBackend connects to Meilisearch at url with key; db is where documents come from.
func NewMeiliBackend(url, key string, db *store.DB) *MeiliBackend {
	return &MeiliBackend{client: meilisearch.New(url, meilisearch.WithAPIKey(key), meilisearch.WithCustomClient(MeiliHTTPClient())),
		index: MeiliIndex, db: db}
}

// Name names the backend in logs and benchmarks.
func (b *MeiliBackend) Name() string { return "meilisearch" }

// meiliDoc is one document of the index.
type meiliDoc struct {
	DocID    string   `json:"doc_id"` // p-<S10 id> or c-<case id>
	Kind     string   `json:"kind"`
	Ref      string   `json:"ref"`
	BrandID  int64    `json:"brand_id"`
	Origin   string   `json:"origin_country"`
	Dest     string   `json:"destination_country"`
	Phone    string   `json:"phone"`
	Email    string   `json:"email"`
	NameKey  string   `json:"name_key"`
	Code     string   `json:"code"`
	Suffixes []string `json:"code_suffixes"`
	CaseSeq  int64    `json:"case_seq"`
}

// codeSuffixes lists a code's suffixes of four characters or more, lower case, without
// separators: "RB123456785GB" gives "rb123456785gb", "b123456785gb", ... "85gb".
func codeSuffixes(code string) []string {
	c := strings.ToLower(strings.ReplaceAll(code, "-", ""))
	var out []string
	for i := 0; i+4 <= len(c); i++ {
		out = append(out, c[i:])
	}
	return out
}

// EnsureIndex creates the index and applies its settings, waiting until they are in force.
func (b *MeiliBackend) EnsureIndex(ctx context.Context) error {
	task, err := b.client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: b.index, PrimaryKey: "doc_id"})
	if err != nil {
		return fmt.Errorf("meilisearch: create index: %w", err)
	}
	if _, err := b.client.WaitForTaskWithContext(ctx, task.TaskUID, 50*time.Millisecond); err != nil {
		return fmt.Errorf("meilisearch: create index: %w", err)
	}
	// An index that existed already fails that task; the settings below apply either way.
	task, err = b.client.Index(b.index).UpdateSettingsWithContext(ctx, &meilisearch.Settings{
		SearchableAttributes: []string{"name_key", "code_suffixes", "email"},
		FilterableAttributes: []string{"kind", "brand_id", "origin_country", "destination_country", "phone", "email", "code", "case_seq"},
		TypoTolerance: &meilisearch.TypoTolerance{Enabled: true, DisableOnAttributes: []string{"code_suffixes", "email"},
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9}},
	})
	if err != nil {
		return fmt.Errorf("meilisearch: settings: %w", err)
	}
	return b.wait(ctx, task.TaskUID)
}

// wait waits for a task and reports its failure.
func (b *MeiliBackend) wait(ctx context.Context, uid int64) error {
	t, err := b.client.WaitForTaskWithContext(ctx, uid, 50*time.Millisecond)
	if err != nil {
		return fmt.Errorf("meilisearch: task %d: %w", uid, err)
	}
	if t.Status != meilisearch.TaskStatusSucceeded {
		return fmt.Errorf("meilisearch: task %d %s: %s", uid, t.Status, t.Error.Message)
	}
	return nil
}

// meiliScope renders a scope as a Meilisearch filter ("" for operators).
func meiliScope(scope access.Scope) string {
	if scope.All() {
		return ""
	}
	if _, country, ok := scope.Post(); ok {
		return fmt.Sprintf("(origin_country = %q OR destination_country = %q)", country, country)
	}
	ids := scope.BrandIDs()
	if len(ids) == 0 {
		return "brand_id = -1"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return "brand_id IN [" + strings.Join(parts, ", ") + "]"
}

func quoteList(vs []string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Find sends every reading of the plan in one multi-search request.
func (b *MeiliBackend) Find(ctx context.Context, scope access.Scope, p *Plan, limit int) ([]Candidate, error) {
	sc := meiliScope(scope)
	var reqs []*meilisearch.SearchRequest
	var matches []string
	add := func(match, q, filter string, on ...string) {
		if sc != "" {
			if filter != "" {
				filter = "(" + filter + ") AND " + sc
			} else {
				filter = sc
			}
		}
		r := &meilisearch.SearchRequest{IndexUID: b.index, Query: q, Limit: int64(limit), AttributesToSearchOn: on,
			MatchingStrategy: meilisearch.All, AttributesToRetrieve: []string{"kind", "ref", "code", "name_key", "email"}}
		if filter != "" {
			r.Filter = filter
		}
		reqs, matches = append(reqs, r), append(matches, match)
	}
	if len(p.IDs) > 0 {
		add("id", "", `kind = "parcel" AND code IN `+quoteList(p.IDs))
	}
	if len(p.TypoIDs) > 0 {
		add("typo_id", "", `kind = "parcel" AND code IN `+quoteList(p.TypoIDs))
	}
	if len(p.TypoSwaps) > 0 {
		add("typo_swap", "", `kind = "parcel" AND code IN `+quoteList(p.TypoSwaps))
	}
	if len(p.Phones) > 0 {
		add("phone", "", "phone IN "+quoteList(p.Phones))
	}
	if p.Email != "" {
		add("email", "", "email = "+strconv.Quote(p.Email))
	}
	if p.EmailPrefix != "" {
		add("email_prefix", p.EmailPrefix, "", "email")
	}
	if p.CaseNumber != "" {
		add("case_number", "", `kind = "case" AND code = `+strconv.Quote(p.CaseNumber))
	}
	if p.CaseSeq != 0 {
		add("case_seq", "", `kind = "case" AND case_seq = `+strconv.FormatInt(p.CaseSeq, 10))
	}
	if p.Fragment != "" {
		add("fragment", strings.ToLower(p.Fragment), "", "code_suffixes")
	}
	// Names are asked by their skeletons alone: a document's key holds the skeleton of its
	// name, and equal folded words have equal skeletons, so the folded words find nothing
	// more. Meilisearch reads only the last word of a query as a prefix, so a short name is
	// sent once per rotation of its words: each word gets its turn as the one typed half-way.
	// (Two-word names only: "Петр Иван" is how people give a name they half remember; a
	// longer one is a full name being typed, its last word the unfinished one.)
	n := len(p.Names)
	rotations := min(n, 1)
	if n == 2 {
		rotations = 2
	}
	for r := 0; r < rotations; r++ {
		words := make([]string, n)
		for i := range p.Names {
			words[i] = p.Names[(i+r+1)%n].Skeleton
		}
		add("name", strings.Join(words, " "), "", "name_key")
	}
	if len(reqs) == 0 {
		return nil, nil
	}
	resp, err := b.client.MultiSearchWithContext(ctx, &meilisearch.MultiSearchRequest{Queries: reqs})
	if err != nil {
		var me *meilisearch.Error
		if errors.As(err, &me) && me.StatusCode == 0 {
			return nil, fmt.Errorf("%v: %w", err, ErrUnavailable)
		}
		return nil, err
	}
	var out []Candidate
	for i, r := range resp.Results {
		for _, h := range r.Hits {
			var d struct {
				Kind    string `json:"kind"`
				Ref     string `json:"ref"`
				Code    string `json:"code"`
				NameKey string `json:"name_key"`
				Email   string `json:"email"`
			}
			if err := h.DecodeInto(&d); err != nil {
				return nil, fmt.Errorf("meilisearch hit: %w", err)
			}
			out = append(out, Candidate{Kind: d.Kind, Ref: d.Ref, Match: matches[i], Code: d.Code, NameKey: d.NameKey, Email: d.Email})
		}
	}
	return out, nil
}
