package scripts

import (
	"context"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
)

// batch is one outbox batch of the rules: what it reads once for all its messages (brand
// settings, templates, names), and the contacts it plans, sent to the dialer in one Plan at
// its end — still inside the consumer's transaction.
type batch struct {
	tx       store.Tx
	settings map[int64]Settings
	tpls     map[tplReq]tplResult
	names    map[int64][2]map[int64]string // brand -> template names, rule names
	planned  map[string][]ContactEnv       // parcel -> contacts planned earlier in this batch
	reqs     []dialer.Request
}

type tplReq struct {
	brand                   int64
	name, channel, language string
}

type tplResult struct {
	t   Template
	err error
}

func newBatch(tx store.Tx) *batch {
	return &batch{tx: tx, settings: map[int64]Settings{}, tpls: map[tplReq]tplResult{},
		names: map[int64][2]map[int64]string{}, planned: map[string][]ContactEnv{}}
}

func (b *batch) setting(ctx context.Context, s *Service, brand int64) (Settings, error) {
	if st, ok := b.settings[brand]; ok {
		return st, nil
	}
	st, err := s.settings(ctx, b.tx, brand)
	if err == nil {
		b.settings[brand] = st
	}
	return st, err
}

func (b *batch) template(ctx context.Context, s *Service, brand int64, name, channel, lang, fallback string) (Template, error) {
	k := tplReq{brand, name, channel, lang}
	if r, ok := b.tpls[k]; ok {
		return r.t, r.err
	}
	t, err := s.templateFor(ctx, b.tx, brand, name, channel, lang, fallback)
	b.tpls[k] = tplResult{t, err}
	return t, err
}

// nameMaps returns a brand's template and rule names by id.
func (b *batch) nameMaps(ctx context.Context, s *Service, brand int64) ([2]map[int64]string, error) {
	if n, ok := b.names[brand]; ok {
		return n, nil
	}
	var out [2]map[int64]string
	for i, q := range []string{`SELECT id, name FROM templates WHERE brand_id = ?`, `SELECT id, name FROM rules WHERE brand_id = ?`} {
		out[i] = map[int64]string{}
		rows, err := b.tx.QueryContext(ctx, s.db.Rebind(q), brand)
		if err != nil {
			return out, err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return out, err
			}
			out[i][id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return out, err
		}
	}
	b.names[brand] = out
	return out, nil
}
