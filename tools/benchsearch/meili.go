package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/wismo/wismo/search"
	"github.com/wismo/wismo/store"
)

// plainIndex is the baseline: Meilisearch as one would set it up for this corpus without
// wismo's query reading — the items' own fields, default settings (typo tolerance, prefix
// search, default ranking) and the brand as a filter — queried with the query as typed.
const plainIndex = "plain"

// plainMeili is the baseline backend.
type plainMeili struct {
	client meilisearch.ServiceManager
}

func (p *plainMeili) name() string { return "plain Meilisearch (baseline)" }

type plainDoc struct {
	DocID   string `json:"doc_id"`
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	BrandID int64  `json:"brand_id"`
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Email   string `json:"email"`
}

func (p *plainMeili) search(ctx context.Context, brand int64, q string) ([]result, error) {
	resp, err := p.client.Index(plainIndex).SearchWithContext(ctx, q, &meilisearch.SearchRequest{Limit: 20,
		Filter: "brand_id = " + strconv.FormatInt(brand, 10), AttributesToRetrieve: []string{"kind", "id", "name", "phone", "email"}})
	if err != nil {
		return nil, err
	}
	out := make([]result, 0, len(resp.Hits))
	for _, h := range resp.Hits {
		var d plainDoc
		if err := h.DecodeInto(&d); err != nil {
			return nil, err
		}
		out = append(out, result{kind: d.Kind, id: d.ID, name: d.Name, phone: d.Phone, email: d.Email})
	}
	return out, nil
}

// buildPlain indexes the corpus's parcels and cases, as stored, into the baseline index and
// returns how many documents it indexed.
func buildPlain(ctx context.Context, db *store.DB, url, key string) (*plainMeili, int, error) {
	// The same client as wismo's (search.MeiliHTTPClient): without its quick acknowledgements
	// the baseline would lose 40 ms on every answer over a kilobyte, which is TCP, not search.
	p := &plainMeili{client: meilisearch.New(url, meilisearch.WithAPIKey(key), meilisearch.WithCustomClient(search.MeiliHTTPClient()))}
	t, err := p.client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: plainIndex, PrimaryKey: "doc_id"})
	if err != nil {
		return nil, 0, err
	}
	if err := waitTask(ctx, p.client, t.TaskUID); err != nil {
		return nil, 0, err
	}
	t, err = p.client.Index(plainIndex).UpdateFilterableAttributesWithContext(ctx, &[]interface{}{"brand_id"})
	if err != nil {
		return nil, 0, err
	}
	if err := waitTask(ctx, p.client, t.TaskUID); err != nil {
		return nil, 0, err
	}
	var tasks []int64
	total := 0
	for _, src := range []string{
		`SELECT 'parcel', id, brand_id, recipient_name, recipient_phone, recipient_email FROM parcels`,
		`SELECT 'case', number, brand_id, contact_name, contact_phone, contact_email FROM cases`,
	} {
		rows, err := db.SQL.QueryContext(ctx, src)
		if err != nil {
			return nil, 0, err
		}
		var batch []plainDoc
		send := func() error {
			pk := "doc_id"
			t, err := p.client.Index(plainIndex).AddDocumentsWithContext(ctx, batch, &meilisearch.DocumentOptions{PrimaryKey: &pk})
			if err != nil {
				return err
			}
			tasks, total, batch = append(tasks, t.TaskUID), total+len(batch), nil
			return nil
		}
		for rows.Next() {
			var d plainDoc
			if err := rows.Scan(&d.Kind, &d.ID, &d.BrandID, &d.Name, &d.Phone, &d.Email); err != nil {
				rows.Close()
				return nil, 0, err
			}
			d.DocID = d.Kind + "-" + d.ID
			if batch = append(batch, d); len(batch) == 10000 {
				if err := send(); err != nil {
					rows.Close()
					return nil, 0, err
				}
			}
		}
		rows.Close()
		if len(batch) > 0 {
			if err := send(); err != nil {
				return nil, 0, err
			}
		}
	}
	for _, t := range tasks {
		if err := waitTask(ctx, p.client, t); err != nil {
			return nil, 0, err
		}
	}
	return p, total, nil
}

func waitTask(ctx context.Context, c meilisearch.ServiceManager, uid int64) error {
	t, err := c.WaitForTaskWithContext(ctx, uid, 100*time.Millisecond)
	if err != nil {
		return err
	}
	if t.Status != meilisearch.TaskStatusSucceeded {
		return fmt.Errorf("meilisearch task %d %s: %s", uid, t.Status, t.Error.Message)
	}
	return nil
}
