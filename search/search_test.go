package search

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/meiliserver"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// searchCorpus is testdata/search_corpus.json: parcels and cases of two brands, and queries
// with the hits that must come first.
type searchCorpus struct {
	Parcels []struct {
		Brand  string               `json:"brand"`
		Parcel tracking.ParcelInput `json:"parcel"`
	} `json:"parcels"`
	Cases []struct {
		Brand string          `json:"brand"`
		Case  cases.CaseInput `json:"case"`
	} `json:"cases"`
	Queries []struct {
		Kind  string   `json:"kind"`
		Scope string   `json:"scope"`
		Q     string   `json:"q"`
		First []string `json:"first"`
		None  bool     `json:"none"`
	} `json:"queries"`
}

// loadSearchCorpus fills e with the corpus and returns it.
func loadSearchCorpus(t *testing.T, e *casestest.Env) searchCorpus {
	t.Helper()
	b, err := os.ReadFile("testdata/search_corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var c searchCorpus
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Parcels {
		if res := e.Upsert(corpusScope(e, p.Brand), p.Parcel); res[0].Status != tracking.StatusAccepted {
			t.Fatalf("corpus parcel %s: %+v", p.Parcel.ID, res[0])
		}
	}
	for _, cs := range c.Cases {
		e.Open(corpusScope(e, cs.Brand), cs.Case)
	}
	return c
}

func corpusScope(e *casestest.Env, name string) access.Scope {
	switch name {
	case "A":
		return e.ScopeA()
	case "B":
		return e.ScopeB()
	case "postGB":
		return e.PostGB
	}
	e.T.Fatalf("unknown scope %q", name)
	return access.Scope{}
}

// runSearchCorpus checks every corpus query against search: the right item first, nothing
// outside the caller's scope, and a brand's queries for another brand's items find nothing.
func runSearchCorpus(t *testing.T, e *casestest.Env, c searchCorpus, search *Search) {
	ctx := context.Background()
	for _, q := range c.Queries {
		t.Run(q.Kind, func(t *testing.T) {
			scope := corpusScope(e, q.Scope)
			hits, err := search.Find(ctx, scope, q.Q, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hits {
				if _, _, isPost := scope.Post(); !isPost && !scope.AllowsBrand(h.BrandID) {
					t.Fatalf("%q in scope %s found brand %d's %s", q.Q, q.Scope, h.BrandID, h.ID)
				}
			}
			if q.None {
				if len(hits) != 0 {
					t.Fatalf("%q in scope %s found %s:%s", q.Q, q.Scope, hits[0].Kind, hits[0].ID)
				}
				return
			}
			if len(hits) == 0 {
				t.Fatalf("%q found nothing, want %v", q.Q, q.First)
			}
			if got := hits[0].Kind + ":" + hits[0].ID; !slices.Contains(q.First, got) {
				var all []string
				for _, h := range hits {
					all = append(all, h.Kind+":"+h.ID+"/"+h.Match)
				}
				t.Fatalf("%q: first hit %s, want one of %v (all: %v)", q.Q, got, q.First, all)
			}
		})
	}
}

func TestSearchEmbedded(t *testing.T) {
	e := casestest.New(t)
	c := loadSearchCorpus(t, e)
	search := New(e.DB, NewEmbeddedBackend(e.DB))
	runSearchCorpus(t, e, c, search)
	t.Run("rebuilt", func(t *testing.T) {
		n, err := RebuildEmbeddedIndex(context.Background(), e.DB)
		if want := len(c.Parcels) + len(c.Cases); err != nil || n != want {
			t.Fatalf("rebuilt %d documents (%v), want %d", n, err, want)
		}
		runSearchCorpus(t, e, c, search)
	})
}

func TestSearchHitDetails(t *testing.T) {
	e := casestest.New(t)
	loadSearchCorpus(t, e)
	hits, err := New(e.DB, NewEmbeddedBackend(e.DB)).Find(context.Background(), e.ScopeA(), "RB123456785GB", 10)
	if err != nil || len(hits) == 0 {
		t.Fatalf("%v %v", hits, err)
	}
	h := hits[0]
	if h.Match != "id" || h.Phase != tracking.PhaseRegistered || h.OpenCases != 1 || h.Name != "Петров Иван Сергеевич" || h.URL != "/api/v1/parcels/RB123456785GB" {
		t.Fatalf("hit %+v", h)
	}
}

// meiliFor starts a Meilisearch for t and returns the backend over e's database.
func meiliFor(t *testing.T, e *casestest.Env) *MeiliBackend {
	srv := meiliserver.ForTest(t)
	b := NewMeiliBackend(srv.URL, srv.Key, e.DB)
	if err := b.EnsureIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	return b
}

// feed runs the outbox consumer until its cursor has passed every message, and waits for
// Meilisearch to index. (On PostgreSQL a consumer sees a message only once every older
// transaction in the cluster has ended, so an empty batch does not mean the end.)
func feed(t *testing.T, e *casestest.Env, b *MeiliBackend) {
	t.Helper()
	ctx := context.Background()
	behind := `SELECT COUNT(*) FROM outbox o JOIN outbox_cursors c ON c.consumer = ? WHERE o.id > c.last_id`
	if e.DB.Dialect == store.Postgres {
		behind = `SELECT COUNT(*) FROM outbox o JOIN outbox_cursors c ON c.consumer = ? WHERE (o.txid, o.id) > (c.last_txid, c.last_id)`
	}
	deadline := time.Now().Add(time.Minute)
	for {
		n, err := outbox.Consume(ctx, e.DB, MeiliConsumer, 1000, b.HandleOutbox)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			continue
		}
		if e.Count(behind, MeiliConsumer) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the outbox feed did not catch up in a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := b.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSearchMeilisearch(t *testing.T) {
	e := casestest.New(t)
	b := meiliFor(t, e)
	c := loadSearchCorpus(t, e)
	feed(t, e, b)
	search := New(e.DB, b)
	runSearchCorpus(t, e, c, search)

	t.Run("changes reach the index through the outbox", func(t *testing.T) {
		ctx := context.Background()
		if _, err := e.Cases.Update(ctx, e.ScopeA(), casestest.AgentA, "BA-000001", 0, cases.CasePatch{Contact: &cases.ContactInput{Name: "Мария Кузнецова",
			Email: "maria.k@example.ru"}}); err != nil {
			t.Fatal(err)
		}
		e.Upsert(e.ScopeA(), trackingtest.Parcel("RB555555555GB"))
		feed(t, e, b)
		for q, want := range map[string]string{"maria.k@example.ru": "case:BA-000001", "Kuznetsova": "case:BA-000001", "55555555": "parcel:RB555555555GB"} {
			hits, err := search.Find(ctx, e.ScopeA(), q, 5)
			if err != nil || len(hits) == 0 || hits[0].Kind+":"+hits[0].ID != want {
				t.Fatalf("%q: %+v %v, want %s", q, hits, err, want)
			}
		}
	})

	t.Run("reindex rebuilds the same answers", func(t *testing.T) {
		r := b.WithIndex("wismo_rebuilt")
		n, err := r.Reindex(context.Background(), nil)
		if want := e.Count(`SELECT COUNT(*) FROM search_docs`); err != nil || n != want {
			t.Fatalf("reindexed %d documents (%v), want %d", n, err, want)
		}
		// The feed goes on from where the reindex put its cursor: changes after it arrive
		// (changes the reindex read already may arrive again; the index takes them as updates).
		if _, err := e.Cases.Update(context.Background(), e.ScopeA(), casestest.AgentA, "BA-000001", 0, cases.CasePatch{Contact: &cases.ContactInput{Name: "Петров Иван",
			Email: "after.reindex@example.ru"}}); err != nil {
			t.Fatal(err)
		}
		feed(t, e, r)
		hits, err := New(e.DB, r).Find(context.Background(), e.ScopeA(), "after.reindex@example.ru", 5)
		if err != nil || len(hits) == 0 || hits[0].ID != "BA-000001" {
			t.Fatalf("a change after the reindex: %+v %v", hits, err)
		}
		r.WaitIdle(context.Background())
		runSearchCorpus(t, e, c, New(e.DB, r))
	})
}
