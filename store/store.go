// Package store opens wismo's database — an embedded SQLite file by default, PostgreSQL at
// scale — and applies the embedded migrations. It is the only package that knows how to
// connect; domains receive the *DB it returns.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL flavour behind a DB.
type Dialect string

// The dialects wismo runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database with its dialect. Each package uses one of the handles (Gorm, or SQL
// with Rebind), as docs/architecture.md "Data access" lists; both share one pool.
type DB struct {
	Gorm    *gorm.DB
	SQL     *sql.DB
	Dialect Dialect
	// Location is where the database lives, with any password removed: safe to log.
	Location string

	// writer is held by this process's SQLite write transaction (WriteTx): see there.
	writer chan struct{}
}

// Open connects to url: empty means the SQLite file wismo.db in dataDir; "postgres://" or
// "postgresql://" means PostgreSQL; "sqlite:PATH" or "file:PATH" an explicit SQLite file.
func Open(ctx context.Context, rawURL, dataDir string, log *slog.Logger) (*DB, error) {
	gcfg := &gorm.Config{
		Logger:                 newGormLogger(log),
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	var (
		db  *DB
		err error
	)
	sqliteDir := ""
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db, err = openPostgres(rawURL, gcfg)
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "file:")
		if path == "" {
			path = filepath.Join(dataDir, "wismo.db")
		}
		sqliteDir = filepath.Dir(path)
		db, err = openSQLite(path, gcfg, log)
	}
	checkDataDir(dataDir, sqliteDir, log)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.SQL.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s: %w", db.Location, err)
	}
	return db, nil
}

func openSQLite(path string, gcfg *gorm.Config, log *slog.Logger) (*DB, error) {
	if path != ":memory:" {
		if err := EnsurePrivateDir(filepath.Dir(path), log); err != nil {
			return nil, err
		}
	}
	if err := createPrivateFile(path, log); err != nil {
		return nil, fmt.Errorf("create sqlite %s: %w", path, err)
	}
	// WAL lets readers run beside the one writer; _time_format=sqlite stores times as sortable
	// ISO text. (The driver ignores _txlock when _time_format is set — its DSN parser returns
	// early — so WriteTx issues BEGIN IMMEDIATE itself.)
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	g, err := gorm.Open(sqlite.Open(path+"?"+q.Encode()), gcfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(8)
	sqlDB.SetMaxIdleConns(8)
	return &DB{Gorm: g, SQL: sqlDB, Dialect: SQLite, Location: "sqlite:" + path, writer: make(chan struct{}, 1)}, nil
}

func openPostgres(rawURL string, gcfg *gorm.Config) (*DB, error) {
	g, err := gorm.Open(postgres.Open(withoutJIT(rawURL)), gcfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", MaskURL(rawURL), err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(16)
	sqlDB.SetMaxIdleConns(16)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{Gorm: g, SQL: sqlDB, Dialect: Postgres, Location: MaskURL(rawURL)}, nil
}

// withoutJIT turns PostgreSQL's JIT compiler off for wismo's sessions unless the URL says
// otherwise (?jit=on). wismo's queries are short; a plan whose estimate crosses
// jit_above_cost (a large table with stale statistics is enough) spent 90 ms compiling
// before a 0.2 ms index scan.
func withoutJIT(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	if q.Has("jit") {
		return rawURL
	}
	q.Set("jit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// Close closes the connection pool.
func (db *DB) Close() error { return db.SQL.Close() }

// Ping reports whether the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.SQL.PingContext(ctx) }

// Rebind turns the ? placeholders of query into the dialect's own ($1, $2... on PostgreSQL).
// Queries must not contain a literal '?' in strings.
func (db *DB) Rebind(query string) string {
	if db.Dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// MaxParams is how many bind parameters one statement should carry. PostgreSQL takes up to
// 65535 and multi-row statements save round trips. The SQLite driver binds in quadratic time
// (for each placeholder it scans every argument), so there statements stay small: in-process,
// more statements cost little.
func (db *DB) MaxParams() int {
	if db.Dialect == SQLite {
		return 240
	}
	return 30000
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// Retryable reports whether a write transaction lost a race to a concurrent writer and
// may simply run again, seeing that writer's rows: a unique violation, a serialization
// failure or a deadlock (PostgreSQL), a busy database (SQLite).
func Retryable(err error) bool {
	if IsUniqueViolation(err) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "SQLSTATE 40001") || strings.Contains(s, "SQLSTATE 40P01") || strings.Contains(s, "SQLITE_BUSY")
}

// MaskURL hides the password of a database or service URL for logs.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// gormLogger routes Gorm's slow-query and error reports to slog; it never logs arguments,
// which carry personal data.
type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func newGormLogger(log *slog.Logger) logger.Interface {
	return &gormLogger{log: log.With("component", "db"), slow: 500 * time.Millisecond}
}

func (l *gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }
func (l *gormLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.InfoContext(ctx, fmt.Sprintf(msg, args...))
}
func (l *gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
func (l *gormLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}
func (l *gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !IsUniqueViolation(err) && !errors.Is(err, context.Canceled):
		sqlText, _ := fc()
		l.log.DebugContext(ctx, "query failed", "err", err, "sql", truncate(sqlText, 200), "elapsed", elapsed)
	case elapsed > l.slow:
		sqlText, rows := fc()
		l.log.WarnContext(ctx, "slow query", "sql", truncate(sqlText, 200), "rows", rows, "elapsed", elapsed)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
