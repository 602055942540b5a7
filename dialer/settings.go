package dialer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/wismo/wismo/store"
)

// settings are what the scheduler needs to know about a brand.
type settings struct {
	windows   Windows
	algorithm Algorithm
}

// parseWindows reads stored JSON over the defaults: a channel the brand never set keeps
// wismo's default window.
func parseWindows(raw string) (Windows, error) {
	w := DefaultWindows()
	if raw == "" || raw == "{}" {
		return w, nil
	}
	var set map[Channel]Week
	if err := json.Unmarshal([]byte(raw), &set); err != nil {
		return w, fmt.Errorf("%w: windows: %v", ErrInvalid, err)
	}
	for ch, wk := range set {
		if _, err := ParseChannel(string(ch)); err != nil {
			return w, fmt.Errorf("%w: windows: %v", ErrInvalid, err)
		}
		w[ch] = wk
	}
	return w, nil
}

// loadSettings reads the settings of brands (wismo's defaults for a brand with no row).
func (s *Service) loadSettings(ctx context.Context, q store.Tx, brands []int64) (map[int64]settings, error) {
	out := make(map[int64]settings, len(brands))
	for _, b := range brands {
		out[b] = settings{windows: DefaultWindows(), algorithm: DefaultAlgorithm()}
	}
	if len(brands) == 0 {
		return out, nil
	}
	args := make([]any, len(brands))
	for i, b := range brands {
		args[i] = b
	}
	rows, err := q.QueryContext(ctx, s.db.Rebind(`SELECT brand_id, windows, algorithm FROM comms_settings WHERE brand_id IN (`+marks(len(brands))+`)`), args...)
	if err != nil {
		return nil, fmt.Errorf("load comms settings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var w, a string
		if err := rows.Scan(&id, &w, &a); err != nil {
			return nil, fmt.Errorf("load comms settings: %w", err)
		}
		st := out[id]
		if st.windows, err = parseWindows(w); err != nil {
			s.log.Warn("stored windows unreadable; using defaults", "brand", id, "err", err)
		}
		if st.algorithm, err = parseAlgorithm(a); err != nil {
			s.log.Warn("stored algorithm unreadable; using defaults", "brand", id, "err", err)
		}
		out[id] = st
	}
	return out, rows.Err()
}

// saveSetting writes one JSON column of a brand's settings row, creating the row.
func (s *Service) saveSetting(ctx context.Context, brand int64, column string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	now := s.now()
	_, err = s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO comms_settings (brand_id, `+column+`, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (brand_id) DO UPDATE SET `+column+` = excluded.`+column+`, updated_at = excluded.updated_at`), brand, string(b), now)
	if err != nil {
		return fmt.Errorf("save %s of brand %d: %w", column, brand, err)
	}
	return nil
}

// Windows returns a brand's contact windows.
func (s *Service) Windows(ctx context.Context, brand int64) (Windows, error) {
	st, err := s.loadSettings(ctx, s.db.SQL, []int64{brand})
	if err != nil {
		return nil, err
	}
	return st[brand].windows, nil
}

// SetWindows replaces the windows of the channels given; the others keep theirs. Contacts
// planned already are checked against the new windows when they come due.
func (s *Service) SetWindows(ctx context.Context, brand int64, w Windows) (Windows, error) {
	cur, err := s.Windows(ctx, brand)
	if err != nil {
		return nil, err
	}
	for ch, wk := range w {
		if _, err := ParseChannel(string(ch)); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if wk.empty() {
			return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, ch, ErrNoWindow)
		}
		cur[ch] = wk
	}
	return cur, s.saveSetting(ctx, brand, "windows", cur)
}

// Algorithm returns a brand's call-attempt algorithm.
func (s *Service) Algorithm(ctx context.Context, brand int64) (Algorithm, error) {
	st, err := s.loadSettings(ctx, s.db.SQL, []int64{brand})
	if err != nil {
		return Algorithm{}, err
	}
	return st[brand].algorithm, nil
}

// SetAlgorithm replaces a brand's call-attempt algorithm.
func (s *Service) SetAlgorithm(ctx context.Context, brand int64, a Algorithm) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.saveSetting(ctx, brand, "algorithm", a)
}

// marks returns "?,?,?" for n parameters.
func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// utc normalises a time for storage: UTC (SQLite compares times as text), microseconds
// (PostgreSQL's precision).
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
