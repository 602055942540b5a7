package main

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// A brand's new look reaches its stored tracking pages through the outbox, as on every node:
// the tracking page cache job drops the brand's pages when the look-changed message commits,
// and leaves other brands' pages stored.
func TestTrackPagesJobDropsABrandsPagesWhenItsLookChanges(t *testing.T) {
	db := storetest.Open(t)
	log := storetest.Logger(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	acc := access.NewService(db)
	reg := prometheus.NewRegistry()
	cs := tracking.NewService(db, log, reg)
	looks := branding.New(db)
	pages := portal.NewTrackCache(time.Hour, nil)
	app := portal.New(portal.Deps{Log: log, DB: db, Access: acc, Cases: cs, Registry: reg, TrackCache: pages, Looks: looks})
	a, keyA, _ := acc.CreateBrand(ctx, "Shop A")
	_, keyB, err := acc.CreateBrand(ctx, "Shop B")
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, key, body string) string {
		t.Helper()
		method := "GET"
		if body != "" {
			method = "POST"
		}
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := app.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	parcel := func(id string) string {
		return `{"parcels":[{"id":"` + id + `","service_level":"standard","kind":"packet","weight_kg":1,"origin_country":"GB","destination_country":"RU",
			"recipient":{"name":"X","phone":"+79131234567","address":"x","region":"RU-MOW","time_zone":""}}]}`
	}
	get("/api/v1/parcels", keyA, parcel("RB123456785GB"))
	get("/api/v1/parcels", keyB, parcel("RB000000000GB"))
	if p := get("/track/RB123456785GB", "", ""); !strings.Contains(p, "Shop A") || strings.Contains(p, "a.example") {
		t.Fatalf("A's neutral page: %.300s", p)
	}
	bPage := get("/track/RB000000000GB", "", "")
	// B's parcel changes behind the cache's back (no outbox message): its stored page stays.
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`UPDATE brands SET name = ? WHERE name = ?`), "Shop B renamed", "Shop B"); err != nil {
		t.Fatal(err)
	}

	go trackPagesJob(db, log, pages).run(ctx)
	// The job reads the messages committed after it started: save until a save lands after.
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := looks.Save(ctx, a.ID, branding.Change{Look: branding.Look{ShopURL: "https://a.example", Accent: "#0b5cad"}}, "test"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		if p := get("/track/RB123456785GB", "", ""); strings.Contains(p, "https://a.example") && strings.Contains(p, "/style.css?v=") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("brand A's stored page was never dropped after its look changed")
		}
	}
	if p := get("/track/RB000000000GB", "", ""); p != bPage {
		t.Error("brand B's stored page was dropped by brand A's look")
	}
}
