package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// `wismo import` goes on past a line over 1 MiB and an unclosed CSV quote: every valid line
// is stored, the bad one is listed with its line, and the command exits 1 (issue 13, defect 9).
func TestImportCommandGoesOnPastBadLines(t *testing.T) {
	ctx := context.Background()
	dbURL, dir := storetest.URL(t), t.TempDir()
	flags := []string{"--database-url", dbURL, "--data-dir", dir, "--log-level", "error"}
	var out bytes.Buffer
	if err := run(ctx, append([]string{"brand", "add", "--name", "Shop"}, flags...), nil, &out); err != nil {
		t.Fatal(err)
	}
	var brand struct{ ID int64 }
	if err := json.Unmarshal(out.Bytes(), &brand); err != nil {
		t.Fatalf("brand add printed %q: %v", out.String(), err)
	}
	var nd strings.Builder
	var ids []string
	for i := range 5 {
		id := tracking.MakeS10("RR", 500000+i, "GB")
		ids = append(ids, id)
		if i == 2 { // line 3: 2 MiB
			fmt.Fprintf(&nd, `{"id":%q,"recipient":{"name":%q}}`+"\n", tracking.MakeS10("RR", 599999, "GB"), strings.Repeat("x", 2<<20))
		}
		fmt.Fprintf(&nd, `{"id":%q,"service_level":"standard","kind":"packet","weight_kg":0.4,"origin_country":"GB","destination_country":"RU","recipient":{"name":"Ivan Petrov","region":"RU-NVS"}}`+"\n", id)
	}
	csvBody := "item_id,code,occurred_at,office,location\n"
	for i, id := range ids {
		loc := "London"
		if i == 1 {
			loc = `"London` // line 3: never closed
		}
		csvBody += fmt.Sprintf("%s,EMA,2026-11-10T09:00:00Z,GBLONA,%s\n", id, loc)
	}
	for _, f := range []struct {
		name, body string
		records    int
	}{{"parcels.ndjson", nd.String(), 6}, {"events.csv", csvBody, 5}} {
		path := filepath.Join(dir, f.name)
		if err := os.WriteFile(path, []byte(f.body), 0o600); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		err := run(ctx, append(append([]string{"import", "--brand", fmt.Sprint(brand.ID)}, flags...), path), nil, &out)
		var exit exitError
		if !errors.As(err, &exit) || exit != 1 {
			t.Fatalf("import %s: %v, want exit status 1 after the rejected line (output %s)", f.name, err, out.String())
		}
		var rep tracking.ImportReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("import %s printed %q: %v", f.name, out.String(), err)
		}
		if rep.Records() != f.records || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 3 {
			t.Errorf("import %s: %d records, rejected %+v; want %d records and line 3 rejected", f.name, rep.Records(), rep.Rejected, f.records)
		}
	}
	db, err := store.Open(ctx, dbURL, dir, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for table, want := range map[string]int{"parcels": 5, "events": 4} {
		var n int
		if err := db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil || n != want {
			t.Errorf("%d %s stored (%v), want %d", n, table, err, want)
		}
	}
}
