package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// MeiliConsumer is the outbox consumer that feeds Meilisearch.
const MeiliConsumer = "search.meilisearch"

// reindexBatch is how many documents one Meilisearch request carries.
const reindexBatch = 10000

// WithIndex returns the backend on another index (benchmarks, reindex tests).
func (b *MeiliBackend) WithIndex(name string) *MeiliBackend {
	c := *b
	c.index = name
	return &c
}

// loadMeiliDocs reads search documents: the embedded index's rows, whose name keys the
// database computed, are the one source of truth for every backend.
func loadMeiliDocs(ctx context.Context, db *store.DB, q store.Tx, where string, args []any) ([]meiliDoc, int64, error) {
	rows, err := q.QueryContext(ctx, db.Rebind(`SELECT id, kind, ref, brand_id, origin_country, destination_country, phone, email,
		name_key, code FROM search_docs WHERE `+where), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("search documents: %w", err)
	}
	defer rows.Close()
	var out []meiliDoc
	var last int64
	for rows.Next() {
		var d meiliDoc
		if err := rows.Scan(&last, &d.Kind, &d.Ref, &d.BrandID, &d.Origin, &d.Dest, &d.Phone, &d.Email, &d.NameKey, &d.Code); err != nil {
			return nil, 0, err
		}
		d.DocID = d.Kind[:1] + "-" + d.Ref
		d.Suffixes = codeSuffixes(d.Code)
		if d.Kind == "case" {
			if _, n, ok := strings.Cut(d.Code, "-"); ok {
				d.CaseSeq, _ = strconv.ParseInt(n, 10, 64)
			}
		}
		out = append(out, d)
	}
	return out, last, rows.Err()
}

// HandleOutbox is the outbox handler that sends new and changed parcels and cases to
// Meilisearch. The cursor moves once Meilisearch has accepted the documents (its task queue
// is durable); it does not wait for indexing, which would hold the transaction open.
func (b *MeiliBackend) HandleOutbox(ctx context.Context, tx store.Tx, msgs []outbox.Message) error {
	var parcels []string
	var docs []meiliDoc
	seen := map[string]bool{}
	for _, m := range msgs {
		switch m.Topic {
		case tracking.TopicParcelCreated, tracking.TopicParcelUpdated:
			if !seen[m.ItemID] {
				seen[m.ItemID] = true
				parcels = append(parcels, m.ItemID)
			}
		case cases.TopicCaseOpened, cases.TopicCaseUpdated:
			var ch cases.CaseChange
			if err := json.Unmarshal(m.Payload, &ch); err != nil {
				return fmt.Errorf("outbox %s: %w", m.Ref(), err)
			}
			ds, _, err := loadMeiliDocs(ctx, b.db, tx, `kind = 'case' AND brand_id = ? AND code = ?`, []any{m.BrandID, ch.Number})
			if err != nil {
				return err
			}
			docs = append(docs, ds...)
		}
	}
	err := store.InChunks(b.db, parcels, func(list string, args []any) error {
		ds, _, err := loadMeiliDocs(ctx, b.db, tx, `kind = 'parcel' AND ref IN (`+list+`)`, args)
		docs = append(docs, ds...)
		return err
	})
	if err != nil || len(docs) == 0 {
		return err
	}
	pk := "doc_id"
	if _, err := b.client.Index(b.index).AddDocumentsWithContext(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: &pk}); err != nil {
		err = fmt.Errorf("meilisearch: add documents: %w", err)
		if meiliUnavailable(err) {
			return outbox.Transient(err) // Meilisearch down or busy: not the messages' fault
		}
		return err
	}
	return nil
}

// meiliUnavailable reports whether err says Meilisearch could not be reached or was
// overloaded (no answer, a timeout, 429 or 5xx), rather than that it refused the documents.
func meiliUnavailable(err error) bool {
	var me *meilisearch.Error
	if !errors.As(err, &me) {
		return false
	}
	return me.ErrCode == meilisearch.MeilisearchCommunicationError || me.ErrCode == meilisearch.MeilisearchTimeoutError ||
		me.StatusCode == 429 || me.StatusCode >= 500
}

// RunMeiliFeed keeps the index current from the outbox until ctx ends; p says how it treats
// messages it cannot index.
func (b *MeiliBackend) RunMeiliFeed(ctx context.Context, log *slog.Logger, p outbox.Policy) {
	for {
		err := b.EnsureIndex(ctx)
		if err == nil {
			break
		}
		log.Error("meilisearch index not ready; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
		}
	}
	outbox.Run(ctx, b.db, log, MeiliConsumer, time.Second, 1000, p, b.HandleOutbox)
}

// WaitIdle waits until Meilisearch has processed every task of the index.
func (b *MeiliBackend) WaitIdle(ctx context.Context) error {
	for {
		res, err := b.client.GetTasksWithContext(ctx, &meilisearch.TasksQuery{IndexUIDS: []string{b.index}, Limit: 1,
			Statuses: []meilisearch.TaskStatus{meilisearch.TaskStatusEnqueued, meilisearch.TaskStatusProcessing}})
		if err != nil {
			return fmt.Errorf("meilisearch: tasks: %w", err)
		}
		if res.Total == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Reindex sends every parcel and case to Meilisearch and waits until they are indexed. It
// first moves the feed's outbox cursor to the head of the outbox: what committed before is in
// the tables read here, what commits after is the feed's. progress, if set, is called after
// each batch. It returns how many documents it sent.
func (b *MeiliBackend) Reindex(ctx context.Context, progress func(done int)) (int, error) {
	if err := b.EnsureIndex(ctx); err != nil {
		return 0, err
	}
	if err := outbox.SetCursorAtHead(ctx, b.db, MeiliConsumer); err != nil {
		return 0, err
	}
	var tasks []int64
	pk := "doc_id"
	total := 0
	for after := int64(0); ; {
		docs, last, err := loadMeiliDocs(ctx, b.db, b.db.SQL, fmt.Sprintf(`id > ? ORDER BY id LIMIT %d`, reindexBatch), []any{after})
		if err != nil {
			return total, err
		}
		if len(docs) == 0 {
			break
		}
		t, err := b.client.Index(b.index).AddDocumentsWithContext(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return total, fmt.Errorf("meilisearch: add documents: %w", err)
		}
		tasks = append(tasks, t.TaskUID)
		total, after = total+len(docs), last
		if progress != nil {
			progress(total)
		}
	}
	for _, t := range tasks {
		if err := b.wait(ctx, t); err != nil {
			return total, err
		}
	}
	return total, nil
}

// RebuildEmbeddedIndex rewrites the embedded search index from the parcels and cases tables
// in one transaction, through the same triggers that keep it current, and returns how many
// documents it holds. Searches keep answering from the old index until it commits. It
// repairs an index a later migration changed the name key of, or one restored from elsewhere.
func RebuildEmbeddedIndex(ctx context.Context, db *store.DB) (int, error) {
	// The SQL function of the PostgreSQL migration, or the Go function registered with the
	// SQLite driver.
	key := func(col string) string { return "wismo_search_key(" + col + ")" }
	var n int
	err := db.WriteTx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_docs`); err != nil {
			return fmt.Errorf("clear search index: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_docs (kind, ref, brand_id, origin_country, destination_country,
			phone, email, name_key, code) SELECT 'parcel', id, brand_id, origin_country, destination_country, recipient_phone,
			recipient_email, `+key("recipient_name")+`, id FROM parcels ORDER BY created_at, id`); err != nil {
			return fmt.Errorf("index parcels: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_docs (kind, ref, brand_id, origin_country, destination_country,
			phone, email, name_key, code) SELECT 'case', CAST(id AS TEXT), brand_id, origin_country, destination_country,
			contact_phone, contact_email, `+key("contact_name")+`, number FROM cases ORDER BY id`); err != nil {
			return fmt.Errorf("index cases: %w", err)
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_docs`).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild search index: %w", err)
	}
	return n, nil
}
