package demo

import (
	"context"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/search"
	"github.com/wismo/wismo/store/storetest"
)

func TestCases(t *testing.T) {
	db, _ := runDemo(t, 300, 7)
	cs := cases.NewCaseService(db, storetest.Logger(t), "http://127.0.0.1:8080")
	n, err := Cases(context.Background(), CaseOptions{Cases: 120, Seed: 7, Now: testNow, BatchSize: 50}, db, cs, storetest.Logger(t))
	if err != nil || n != 120 {
		t.Fatalf("%d cases, %v", n, err)
	}
	statuses := map[string]int{}
	rows, err := db.SQL.Query(`SELECT status, COUNT(*) FROM cases GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		var c int
		rows.Scan(&s, &c)
		statuses[s] = c
	}
	rows.Close()
	for _, s := range []string{"new", "open", "resolved", "closed"} {
		if statuses[s] == 0 {
			t.Errorf("no %s cases among %v", s, statuses)
		}
	}
	var future int
	db.SQL.QueryRow(db.Rebind(`SELECT COUNT(*) FROM case_log WHERE at > ?`), testNow).Scan(&future)
	if future != 0 {
		t.Fatalf("%d case changes after now", future)
	}
	var number string
	var brand int64
	db.SQL.QueryRow(`SELECT number, brand_id FROM cases ORDER BY id LIMIT 1`).Scan(&number, &brand)
	hits, err := search.New(db, search.NewEmbeddedBackend(db)).Find(context.Background(), access.Brands(brand), number, 5)
	if err != nil || len(hits) == 0 || hits[0].ID != number {
		t.Fatalf("search for %s: %+v %v", number, hits, err)
	}
}
