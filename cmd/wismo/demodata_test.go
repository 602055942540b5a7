package main

import (
	"context"
	"io"
	"testing"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// TestDemoCLIGivesServesData: `wismo demo` loads what `wismo serve --demo` loads into an
// empty database: every table serve's demo fills (recorded calls, reviews, transcripts,
// ratings, the floor's queue calls and transfers...) is filled by the CLI too, and the
// counts that do not depend on the seed are the same.
func TestDemoCLIGivesServesData(t *testing.T) {
	ctx := context.Background()
	const parcels = "40"
	env := func(dbURL string) {
		t.Setenv("WISMO_DATABASE_URL", dbURL)
		t.Setenv("WISMO_DATA_DIR", t.TempDir())
		t.Setenv("WISMO_LOG_LEVEL", "warn")
		t.Setenv("WISMO_DEMO_PARCELS", parcels)
		t.Setenv("WISMO_DEMO", "true")
	}
	// serve's demo: loadDemo on an empty database, as `wismo serve` starts.
	serveURL := storetest.URL(t)
	env(serveURL)
	cfg, _, err := parseFlags("serve", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.loadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	serve := demoCounts(t, a.db)
	a.db.Close()

	// The CLI's, with its flags.
	cliURL := storetest.URL(t)
	env(cliURL)
	t.Setenv("WISMO_DEMO", "false")
	if err := demoCmd(ctx, []string{"--parcels", parcels, "--seed", "7"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, cliURL, t.TempDir(), storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cli := demoCounts(t, db)

	var missing []string
	for table, n := range serve {
		if n > 0 && cli[table] == 0 {
			missing = append(missing, table)
		}
	}
	if len(missing) > 0 {
		t.Errorf("serve's demo fills %v, the CLI's leaves them empty", missing)
	}
	// Whatever the seed: the brands, the demo users, the floor's scripted calls and reviews.
	for _, k := range []string{"brands", "users", "parcels", "recorded calls", "call_reviews", "call_transcripts", "call_transfers", "hotline_queues"} {
		if serve[k] != cli[k] || serve[k] == 0 {
			t.Errorf("%s: serve's demo has %d, the CLI's %d", k, serve[k], cli[k])
		}
	}
}

// demoCounts counts the rows of every domain's table (isolationTables), and the calls with a
// recording.
func demoCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, table := range isolationTables {
		var n int
		if err := db.SQL.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		counts[table] = n
	}
	var n int
	if err := db.SQL.QueryRow("SELECT COUNT(DISTINCT call_id) FROM recordings").Scan(&n); err != nil {
		t.Fatal(err)
	}
	counts["recorded calls"] = n
	t.Logf("%v", counts)
	return counts
}
