package review

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/recordings/talk"
)

// Export writes call id as a zip to w: call.json (the call log's row and its legs, the talk
// analytics, the review), and each recording's audio as recording-<id>.wav. Each exported
// recording is written to the recordings' audit log as an export by who (before any byte
// of audio leaves). ErrNotFound when scope may not see the call.
func (s *Service) Export(ctx context.Context, scope access.Scope, who recordings.AuditEntry, id int64, w io.Writer) error {
	call, err := s.Call(ctx, scope, id)
	if err != nil {
		return err
	}
	row, err := s.rowsAsMaps(ctx, `SELECT * FROM calls WHERE id = ?`, id)
	if err != nil {
		return err
	}
	if len(row) == 0 {
		return fmt.Errorf("call %d: %w", id, ErrNotFound)
	}
	legs, err := s.rowsAsMaps(ctx, `SELECT * FROM call_legs WHERE call_id = ? ORDER BY id`, id)
	if err != nil {
		return err
	}
	doc := map[string]any{"exported_at": s.now().UTC().Format(time.RFC3339), "call": row[0], "legs": legs,
		"talk": []talk.Stored{}, "recordings": []recordings.Recording{}}
	if t, err := s.talk.ForCall(ctx, scope, id); err == nil {
		doc["talk"] = t
	} else if !errors.Is(err, talk.ErrNotFound) {
		return err
	}
	if r, err := s.OfCall(ctx, scope, Viewer{}, id); err == nil {
		doc["review"] = r
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	recIDs, err := s.recordingIDs(ctx, scope, id)
	if err != nil {
		return err
	}
	var recs []recordings.Recording
	for _, rid := range recIDs {
		rec, err := s.recs.Get(ctx, scope, rid)
		if err != nil {
			return err
		}
		recs = append(recs, rec)
		e := who
		e.BrandID, e.RecordingID, e.CallID, e.Action = call.BrandID, rec.ID, id, recordings.ActionExport
		if err := s.recs.Audit(ctx, e); err != nil {
			return err // no export the log cannot show
		}
	}
	if len(recs) > 0 {
		doc["recordings"] = recs
	}
	z := zip.NewWriter(w)
	f, err := z.Create("call.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	for _, rec := range recs {
		if err := addFile(z, fmt.Sprintf("recording-%d.wav", rec.ID), rec.Path); err != nil {
			return err
		}
	}
	return z.Close()
}

// addFile copies the file at path into z as name (Store: WAV does not compress much and
// the export is made while the reader waits).
func addFile(z *zip.Writer, name, path string) error {
	in, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("export %s: %w", name, err)
	}
	defer in.Close()
	out, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Now()})
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return err
}

func (s *Service) recordingIDs(ctx context.Context, scope access.Scope, call int64) ([]int64, error) {
	where, args := scope.SQL("brand_id", "", "")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT id FROM recordings WHERE `+where+` AND call_id = ? ORDER BY id LIMIT 20`), append(args, call)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// rowsAsMaps reads rows as column -> value (bytes as text), for the export's JSON: the call
// log's columns as stored, whatever they are.
func (s *Service) rowsAsMaps(ctx context.Context, q string, args ...any) ([]map[string]any, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		m := map[string]any{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			m[c] = vals[i]
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Recordings returns the ids of call's recordings scope may see, oldest first.
func (s *Service) Recordings(ctx context.Context, scope access.Scope, call int64) ([]int64, error) {
	return s.recordingIDs(ctx, scope, call)
}

// AuditLog is the recordings' audit log (recordings.Service.AuditLog) for the pages.
func (s *Service) AuditLog(ctx context.Context, scope access.Scope, recording int64, limit int) ([]recordings.AuditEntry, error) {
	return s.recs.AuditLog(ctx, scope, recording, limit)
}
