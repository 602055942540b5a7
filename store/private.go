package store

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// The data dir holds every brand's customers (the SQLite database: names, phones,
// addresses) and their voices (call recordings): nobody but the user wismo runs as has a
// reason to read it. What wismo creates there it creates for that user alone.
const (
	PrivateDirMode  fs.FileMode = 0o700
	PrivateFileMode fs.FileMode = 0o600
)

// EnsurePrivateDir creates dir (and missing parents) with PrivateDirMode. A dir that
// exists already is left as it is, and one that grants anything to group or others is
// reported in log: the operator may have set it so on purpose (a backup group, a shared
// volume), and changing an operator's permissions silently would surprise more than it
// protects.
func EnsurePrivateDir(dir string, log *slog.Logger) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, PrivateDirMode); err != nil {
			return fmt.Errorf("create data dir: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("data dir: %w", err)
	case !st.IsDir():
		return fmt.Errorf("data dir %s is not a directory", dir)
	}
	WarnIfShared(dir, st.Mode(), log)
	return nil
}

// WarnIfShared logs a warning when mode lets group or others at path.
func WarnIfShared(path string, mode fs.FileMode, log *slog.Logger) {
	if mode.Perm()&0o077 == 0 {
		return
	}
	log.Warn("other users of this machine can read wismo's data: wismo creates its files for its own user only and leaves existing permissions as they are",
		"path", path, "mode", fmt.Sprintf("%04o", mode.Perm()), "fix", "chmod go-rwx "+path)
}

// createPrivateFile makes path, when it does not exist, an empty file with
// PrivateFileMode: SQLite then creates the -wal and -shm files beside it with the
// database file's mode. An existing file keeps its mode, with a warning when it is shared.
func createPrivateFile(path string, log *slog.Logger) error {
	if path == ":memory:" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, PrivateFileMode)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if st, err := os.Stat(p); err == nil {
			WarnIfShared(p, st.Mode(), log)
		}
	}
	return nil
}

// checkDataDir reports a shared data dir (SQLite's or not: recordings live there too)
// without creating it: a PostgreSQL node that records nothing needs none.
func checkDataDir(dataDir, sqliteDir string, log *slog.Logger) {
	if dataDir == "" || filepath.Clean(dataDir) == filepath.Clean(sqliteDir) {
		return
	}
	if st, err := os.Stat(dataDir); err == nil && st.IsDir() {
		WarnIfShared(dataDir, st.Mode(), log)
	}
}
