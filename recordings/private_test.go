package recordings

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store/storetest"
)

// A recording, a customer's voice, is written for wismo's user alone: the file 0600 and the
// directories wismo makes for it 0700 (issue 13, defect 10).
func TestRecordingFilesArePrivate(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	b, _, err := access.NewService(db).CreateBrand(ctx, "One")
	if err != nil {
		t.Fatal(err)
	}
	var callID int64
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO calls (direction, brand_id, started_at) VALUES ('outbound', ?, ?) RETURNING id`),
		b.ID, time.Now().UTC()).Scan(&callID); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(t.TempDir(), "data", "recordings")
	svc := NewService(db, root, storetest.Logger(t))
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	a, err := svc.Start(ctx, callID, b.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	a.Write(Left, 0, at, tone(160, 1000, 0))
	rec, err := svc.Finish(ctx, a, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(rec.Path)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.Mode().Perm(); m != 0o600 {
		t.Errorf("recording %s: mode %04o, want 0600", rec.Path, m)
	}
	for _, dir := range []string{filepath.Dir(root), root, filepath.Join(root, "2026"), filepath.Join(root, "2026", "12"), filepath.Dir(rec.Path)} {
		st, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if m := st.Mode().Perm(); m != 0o700 {
			t.Errorf("%s: mode %04o, want 0700", dir, m)
		}
	}
}
