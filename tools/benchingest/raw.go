package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wismo/wismo/store"
)

// rawEventCols are the columns the raw baseline writes: the event itself and its brand,
// nothing wismo derives (no parcel update, no outbox).
const rawEventCols = `item_id, code, occurred_at, office, location, country, time_zone, reason, action, signature, brand_id, received_at`

// rawInsert inserts the workload's events into a fresh migrated database at dbURL with plain
// multi-row INSERTs, one transaction per batch rows, from writers goroutines, and returns
// events per second. Each transaction runs one statement of stmtRows rows per chunk, prepared
// once per transaction (stmtRows = batch: one statement per transaction).
func rawInsert(ctx context.Context, dbURL string, w *workload, writers, batch, stmtRows int, unnest bool) (float64, error) {
	db, err := openMigrated(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var brand int64
	if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO brands (name, created_at) VALUES (?, ?) RETURNING id`),
		"Raw baseline", time.Now().UTC()).Scan(&brand); err != nil {
		return 0, fmt.Errorf("raw baseline brand: %w", err)
	}
	stmtRows = max(1, min(stmtRows, batch))
	insert := func(rows int) string {
		return db.Rebind(`INSERT INTO events (` + rawEventCols + `) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?,?,?,?,?),", rows), ","))
	}
	full := insert(stmtRows)
	nBatches := (len(w.Events) + batch - 1) / batch
	var next atomic.Int64
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	start := time.Now()
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := make([]any, 0, 12*stmtRows)
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= nBatches {
					return
				}
				lo, hi := i*batch, min((i+1)*batch, len(w.Events))
				now := time.Now().UTC()
				err := inWriteTx(ctx, db, func(tx rawTx) error {
					if unnest {
						return insertUnnest(ctx, tx, w, lo, hi, brand, now)
					}
					var stmt *sql.Stmt
					for s := lo; s < hi; s += stmtRows {
						e := min(s+stmtRows, hi)
						args = args[:0]
						for k := s; k < e; k++ {
							ev := &w.Events[k]
							args = append(args, ev.ItemID, ev.Code, w.occurred[k], ev.Office, ev.Location, ev.Country,
								ev.TimeZone, ev.Reason, ev.Action, ev.Signature, brand, now)
						}
						var err error
						switch {
						case e-s < stmtRows:
							_, err = tx.ExecContext(ctx, insert(e-s), args...)
						case hi-lo <= stmtRows: // one statement in this transaction: no need to prepare it
							_, err = tx.ExecContext(ctx, full, args...)
						default:
							if stmt == nil {
								if stmt, err = tx.PrepareContext(ctx, full); err != nil {
									return err
								}
								defer stmt.Close()
							}
							_, err = stmt.ExecContext(ctx, args...)
						}
						if err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("raw insert batch %d: %w", i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&n); err != nil || n != len(w.Events) {
		return 0, fmt.Errorf("raw baseline stored %d events, want %d (%v)", n, len(w.Events), err)
	}
	return float64(len(w.Events)) / elapsed.Seconds(), nil
}

// rawUnnest is the PostgreSQL baseline's other form: one INSERT ... SELECT FROM unnest of one
// array parameter per column, the way wismo itself writes rows there.
const rawUnnest = `INSERT INTO events (` + rawEventCols + `) SELECT * FROM unnest($1::text[], $2::text[],
	$3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::timestamptz[])`

func insertUnnest(ctx context.Context, tx rawTx, w *workload, lo, hi int, brand int64, now time.Time) error {
	n := hi - lo
	item, code, office, loc, country := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	tz, reason, action, sig := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	at, recv, brands := make([]time.Time, n), make([]time.Time, n), make([]int64, n)
	for k := lo; k < hi; k++ {
		ev, i := &w.Events[k], k-lo
		item[i], code[i], office[i], loc[i], country[i] = ev.ItemID, ev.Code, ev.Office, ev.Location, ev.Country
		tz[i], reason[i], action[i], sig[i] = ev.TimeZone, ev.Reason, ev.Action, ev.Signature
		at[i], recv[i], brands[i] = w.occurred[k], now, brand
	}
	_, err := tx.ExecContext(ctx, rawUnnest, item, code, at, office, loc, country, tz, reason, action, sig, brands, recv)
	return err
}

// rawTx is what the baseline needs of a transaction: *sql.Tx and *sql.Conn both have it.
type rawTx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// inWriteTx runs fn in a write transaction the way store.WriteTx does — on SQLite BEGIN
// IMMEDIATE on a dedicated connection, on PostgreSQL an ordinary transaction — but without
// wismo's code around it.
func inWriteTx(ctx context.Context, db *store.DB, fn func(tx rawTx) error) error {
	if db.Dialect != store.SQLite {
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := fn(conn); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), "COMMIT"); err != nil {
		conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return err
	}
	return nil
}

// parcelColumns is every column of the parcels table, for the raw point SELECT.
const parcelColumns = `id, brand_id, origin_country, destination_country, service_level, kind, weight_g, cod_minor,
	cod_currency, declared_minor, declared_currency, contents, sender, recipient_name, recipient_phone, recipient_email,
	recipient_address, recipient_region, recipient_language, time_zone, time_zone_rule, promised_date, phase, phase_at,
	is_returning, last_event_at, posted_at, delivered_at, fingerprint, created_at, updated_at`

// rawLookups runs point SELECTs of random parcels through database/sql in-process, from
// clients goroutines for dur (and at most maxLookups queries in all).
func rawLookups(ctx context.Context, dbURL string, ids []string, clients int, dur time.Duration) (lookupResult, error) {
	db, err := store.Open(ctx, dbURL, "", quietLog)
	if err != nil {
		return lookupResult{}, err
	}
	defer db.Close()
	db.SQL.SetMaxOpenConns(clients)
	db.SQL.SetMaxIdleConns(clients)
	stmt, err := db.SQL.PrepareContext(ctx, db.Rebind(`SELECT `+parcelColumns+` FROM parcels WHERE id = ?`))
	if err != nil {
		return lookupResult{}, err
	}
	defer stmt.Close()
	return runLookups(ctx, ids, clients, dur, func(id string) error {
		vals := make([]any, 31)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		err := stmt.QueryRowContext(ctx, id).Scan(ptrs...)
		if err == sql.ErrNoRows {
			return fmt.Errorf("parcel %s not found", id)
		}
		return err
	})
}
