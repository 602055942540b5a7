package store_test

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// The SQLite database and its -wal and -shm files are wismo's user's alone, and so is the
// data dir wismo creates for them (issue 13, defect 10: the file was world-readable).
func TestSQLiteFilesArePrivate(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	db, err := store.Open(ctx, "", dir, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, storetest.Logger(t)); err != nil { // writes: the WAL and its index exist
		t.Fatal(err)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("data dir %s: mode %04o, want 0700", dir, m)
	}
	for _, name := range []string{"wismo.db", "wismo.db-wal", "wismo.db-shm"} {
		if m := mode(t, filepath.Join(dir, name)); m != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", name, m)
		}
	}
}

// A data dir the operator made readable by others is left as it is, with a warning in the
// log that names it and the fix; both dialects (PostgreSQL keeps recordings there too).
func TestSharedDataDirIsReported(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	url := storetest.URL(t)
	if strings.HasPrefix(url, "sqlite:") {
		url = "" // the database in the data dir, as wismo's default
	}
	var logged bytes.Buffer
	db, err := store.Open(ctx, url, dir, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if m := mode(t, dir); m != 0o755 {
		t.Errorf("the operator's data dir changed to %04o", m)
	}
	if !strings.Contains(logged.String(), "level=WARN") || !strings.Contains(logged.String(), "path="+dir) ||
		!strings.Contains(logged.String(), "chmod go-rwx") {
		t.Errorf("no warning naming %s and the fix; the log:\n%s", dir, logged.String())
	}
}
