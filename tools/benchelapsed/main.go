// Command benchelapsed measures the sweep of the rules on elapsed time (package elapsed,
// docs/elapsed.md) over a million parcels on SQLite and PostgreSQL, beside a raw indexed
// COUNT of the same due rows in the same run, and writes the elapsed section of BENCHMARKS.md.
//
// Each dialect gets a fresh database (dropped afterwards): one brand with the standard flow
// (its rule "No scan for 7 days: case for an agent" is the one that applies), N parcels at the
// sorting centre whose latest scans are spread so that -due of them became due in the last 20
// hours and the rest fall due over the next 7 days. The parcels are armed by the real
// backfill (elapsed.Service.ArmRules), then measured with a fixed clock:
//
//   - count: SELECT COUNT(*) of the due rows through the partial index (the raw baseline);
//
//   - idle sweep: Sweep when nothing is due (what every 30 s tick costs on a quiet day);
//
//   - sweep: Sweep firing the due rows (each re-checked against its parcel and rule, marked,
//     and run through the rule: its condition and a case request), reset between runs.
//
//     go run ./tools/benchelapsed -out BENCHMARKS.md [-parcels 1000000 -due 10000 -runs 3]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/elapsed"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchmd"
	"github.com/wismo/wismo/tracking"
)

type options struct {
	out, adminURL string
	parcels, due  int
	runs          int
	dialects      []store.Dialect
}

type result struct {
	dialect, version    string
	parcels, armed, due int
	load, arm           time.Duration
	count, idle, sweep  []float64 // ms
	counted, fired      int
	plan                string
}

func main() {
	var o options
	var dialects string
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "markdown file whose elapsed section is rewritten")
	flag.IntVar(&o.parcels, "parcels", 1000000, "parcels armed")
	flag.IntVar(&o.due, "due", 10000, "of them due at the measured moment")
	flag.IntVar(&o.runs, "runs", 3, "runs per figure; medians are reported")
	flag.StringVar(&dialects, "dialects", "sqlite,postgres", "databases to measure")
	flag.Parse()
	o.adminURL = benchmd.PGAdmin()
	for _, d := range strings.Split(dialects, ",") {
		o.dialects = append(o.dialects, store.Dialect(strings.TrimSpace(d)))
	}
	ctx := context.Background()
	var results []result
	for _, d := range o.dialects {
		r, err := run(ctx, o, d)
		if err != nil {
			log.Fatalf("benchelapsed %s: %v", d, err)
		}
		results = append(results, r)
		log.Printf("%s: count %.2f ms, idle sweep %.2f ms, sweep of %d %.0f ms", d, benchmd.Median(r.count), benchmd.Median(r.idle), r.fired, benchmd.Median(r.sweep))
	}
	if err := benchmd.WriteSection(o.out, "elapsed", report(ctx, o, results)); err != nil {
		log.Fatal(err)
	}
}

// now is the benchmark's clock: every service reads it.
var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func run(ctx context.Context, o options, d store.Dialect) (result, error) {
	r := result{dialect: string(d), parcels: o.parcels, due: o.due}
	db, drop, err := freshDB(ctx, o, d)
	if err != nil {
		return r, err
	}
	defer drop()
	r.version = serverVersion(ctx, db)
	clock := now
	tick := func() time.Time { return clock }
	acc := access.NewService(db)
	brand, _, err := acc.CreateBrand(ctx, "Elapsed bench")
	if err != nil {
		return r, err
	}
	tr := tracking.NewService(db, quiet(), nil)
	tr.SetClock(tick)
	dl, err := dialer.New(db, quiet(), dialer.Options{Now: tick, PublicURL: "http://wismo.test"})
	if err != nil {
		return r, err
	}
	sc := scripts.New(db, quiet(), scripts.Options{PublicURL: "http://wismo.test", Planner: dl, Parcels: tr, Brands: acc, Now: tick})
	if err := sc.EnsureStandardFlow(ctx, brand.ID); err != nil {
		return r, err
	}
	el := elapsed.New(db, quiet(), sc, elapsed.Options{Now: tick})

	began := time.Now()
	if err := load(ctx, db, brand.ID, o); err != nil {
		return r, fmt.Errorf("load parcels: %w", err)
	}
	r.load = time.Since(began)
	log.Printf("%s: %d parcels loaded in %s", d, o.parcels, r.load.Round(time.Second))
	began = time.Now()
	for {
		n, err := el.ArmRules(ctx)
		if err != nil {
			return r, fmt.Errorf("arm: %w", err)
		}
		if n == 0 {
			break
		}
	}
	r.arm = time.Since(began)
	if err := db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM elapsed_due`).Scan(&r.armed); err != nil {
		return r, err
	}
	log.Printf("%s: %d rows armed in %s", d, r.armed, r.arm.Round(time.Second))
	if d == store.Postgres {
		db.SQL.ExecContext(ctx, `ANALYZE elapsed_due`)
	} else {
		db.SQL.ExecContext(ctx, `ANALYZE`)
	}
	r.plan = explain(ctx, db)

	for i := 0; i < max(5, o.runs); i++ {
		t0 := time.Now()
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT COUNT(*) FROM elapsed_due WHERE fired_at IS NULL AND due_at <= ?`), now).Scan(&r.counted); err != nil {
			return r, err
		}
		r.count = append(r.count, ms(time.Since(t0)))
	}
	clock = now.Add(-21 * time.Hour) // before the first row is due
	for i := 0; i < max(5, o.runs); i++ {
		t0 := time.Now()
		w, err := el.Sweep(ctx)
		if err != nil {
			return r, err
		}
		if w.Fired+w.Stale+w.Moved+w.Deferred != 0 {
			rows, _ := db.SQL.QueryContext(ctx, `SELECT parcel_id, rule_id, due_at, anchor, outcome FROM elapsed_due WHERE fired_at IS NOT NULL LIMIT 3`)
			for rows.Next() {
				var a, b, c, d, e string
				rows.Scan(&a, &b, &c, &d, &e)
				log.Println(a, b, c, d, e)
			}
			rows.Close()
			return r, fmt.Errorf("idle sweep handled rows: %+v", w)
		}
		r.idle = append(r.idle, ms(time.Since(t0)))
	}
	clock = now
	for i := 0; i < o.runs; i++ {
		if _, err := db.SQL.ExecContext(ctx, `UPDATE elapsed_due SET fired_at = NULL, outcome = '' WHERE fired_at IS NOT NULL`); err != nil {
			return r, err
		}
		if _, err := db.SQL.ExecContext(ctx, `DELETE FROM rule_case_requests`); err != nil {
			return r, err
		}
		t0 := time.Now()
		w, err := el.Sweep(ctx)
		if err != nil {
			return r, err
		}
		r.sweep = append(r.sweep, ms(time.Since(t0)))
		r.fired = w.Fired
		var req int
		db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM rule_case_requests`).Scan(&req)
		if w.Fired != r.counted || req != r.counted {
			return r, fmt.Errorf("sweep fired %d and made %d case requests, %d were due", w.Fired, req, r.counted)
		}
	}
	return r, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// load writes the parcels straight into the table (the ingest path has its own benchmark):
// at the sorting centre, the first o.due last scanned 7 days and 0-20 hours ago, the others
// within the last 7 days.
func load(ctx context.Context, db *store.DB, brand int64, o options) error {
	const cols = 18
	week := 7 * 24 * time.Hour
	last := func(i int) time.Time {
		if i < o.due {
			return now.Add(-week - time.Second - time.Duration(float64(20*time.Hour)*float64(i)/float64(o.due)))
		}
		j, rest := i-o.due, o.parcels-o.due
		return now.Add(-week + time.Minute + time.Duration(float64(week-2*time.Minute)*float64(j)/float64(max(rest, 1))))
	}
	const per = 20000
	for start := 0; start < o.parcels; start += per {
		n := min(per, o.parcels-start)
		err := db.WriteTx(ctx, func(tx store.Tx) error {
			return db.BulkExec(ctx, tx, `INSERT INTO parcels (id, brand_id, origin_country, destination_country, service_level, kind,
				weight_g, recipient_name, recipient_phone, recipient_language, time_zone, time_zone_rule, phase, phase_at,
				last_event_at, fingerprint, created_at, updated_at)`, "", cols, n, nil, func(k int, dst []any) []any {
				i := start + k
				at := last(i)
				return append(dst, tracking.MakeS10("RB", 10000000+i, "GB"), brand, "GB", "RU", "standard", "packet", 400,
					"Петров Иван", "+79131234567", "ru", "Asia/Novosibirsk", "region", "at_sorting_center", at, at,
					fmt.Sprintf("bench%d", i), at.Add(-72*time.Hour), at)
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// explain is the database's plan of the sweep's read.
func explain(ctx context.Context, db *store.DB) string {
	q := `EXPLAIN QUERY PLAN ` + elapsed.DueQuery
	if db.Dialect == store.Postgres {
		q = `EXPLAIN ` + elapsed.DueQuery
	}
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(q), now, 500)
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		rows.Scan(ptrs...)
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	return strings.Join(lines, "\n")
}

func report(ctx context.Context, o options, rs []result) string {
	m := benchmd.ThisMachine(ctx)
	begin, end := benchmd.Markers("elapsed")
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n## Elapsed-time sweep (rules on elapsed time)\n\n", begin)
	fmt.Fprintf(&b, "`go run ./tools/benchelapsed -out BENCHMARKS.md -parcels %d -due %d -runs %d` (part of `make bench`), %s, %s CPUs (%s), %s.\n\n",
		o.parcels, o.due, o.runs, m.Revision, m.NProc, m.CPU, m.GoVersion)
	b.WriteString("A fresh database per dialect: one brand with the standard flow, " + fmt.Sprint(o.parcels) + " parcels at the sorting centre " +
		"armed by the real backfill (`elapsed.Service.ArmRules`: one `elapsed_due` row per parcel for the rule \"No scan for 7 days: case for an agent\"), " +
		fmt.Sprint(o.due) + " of them due at the measured moment. *count* is the raw baseline, `SELECT COUNT(*) FROM elapsed_due WHERE fired_at IS NULL AND due_at <= now` " +
		"through the partial index; *idle sweep* is `Sweep` when nothing is due (every 30 s tick on a quiet day); *sweep* is `Sweep` firing the due rows " +
		"(each re-checked against its parcel's state and rule, marked fired, run through the rule's condition and action: a case request), " +
		"reset between runs. Medians of 5 (count, idle) and of -runs (sweep); the database is dropped afterwards.\n\n")
	b.WriteString("| database | parcels | armed rows | due | count (raw) | idle sweep | sweep of the due rows | fired/s | sweep ÷ count | load | arming backfill |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rs {
		c, idle, sw := benchmd.Median(r.count), benchmd.Median(r.idle), benchmd.Median(r.sweep)
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.2f ms | %.2f ms | %.0f ms | %.0f | %.0f× | %s | %s (%.0f parcels/s) |\n",
			r.version, r.parcels, r.armed, r.counted, c, idle, sw, float64(r.fired)/(sw/1000), sw/max(c, 0.001),
			r.load.Round(time.Second), r.arm.Round(time.Second), float64(r.parcels)/r.arm.Seconds())
	}
	b.WriteString("\nThe sweep's read, as each database plans it:\n\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "- %s:\n\n  ```\n  %s\n  ```\n", r.version, strings.ReplaceAll(r.plan, "\n", "\n  "))
	}
	b.WriteString("\nWhat it shows: with a million parcels armed, a tick with nothing due costs under a millisecond (the index " +
		"range below now is empty: the sweep reads the rows due, not the parcels), and counting the due rows through the same " +
		"index a few milliseconds. Firing is work per due row, not per parcel: its parcel's state re-read, its rule's condition " +
		"run on the parcel (read whole, as every rule reads it), the row marked and a case request written, 500 rows per " +
		"transaction — the sweep÷count ratio is that work, the read itself is the count's.\n")
	b.WriteString(end + "\n")
	return b.String()
}
