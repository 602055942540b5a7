package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
)

// The public tracking page is kept in each node's memory, and a scan pushed through the API
// shows on it within moments: the node hears of the change from the outbox and drops the
// stored page (a page's age bound, 10 minutes by default, is not what brings the news).
func TestTrackPageShowsANewScanAtOnce(t *testing.T) {
	bin := buildWismo(t)
	env := []string{"WISMO_DATA_DIR=" + t.TempDir(), "WISMO_DATABASE_URL=" + storetest.URL(t), "WISMO_LOG_LEVEL=warn"}
	key := commsBrand(t, bin, env, "Track Shop")
	srv := startServe(t, bin, env)
	defer srv.cmd.Process.Kill()
	client := &http.Client{Timeout: 10 * time.Second}
	page := func() string {
		resp, err := client.Get("http://" + srv.addr + "/track/RB123456785GB")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("tracking page: %d %.300s", resp.StatusCode, b)
		}
		return string(b)
	}
	if _, err := post(client, srv.addr, key, "/api/v1/parcels", []byte(`{"parcels":[{"id":"RB123456785GB","service_level":"standard","kind":"packet",
		"weight_kg":0.4,"origin_country":"GB","destination_country":"RU","recipient":{"name":"Иван Петров","phone":"+79131234567","region":"RU-NVS"}}]}`)); err != nil {
		t.Fatal(err)
	}
	for range 3 { // rendered once, then served from the node's memory
		if p := page(); !strings.Contains(p, "No scans yet") {
			t.Fatalf("a new parcel's page: %.500s", p)
		}
	}
	if _, err := post(client, srv.addr, key, "/api/v1/events", []byte(`{"events":[{"item_id":"RB123456785GB","code":"EMA",
		"occurred_at":"2026-11-01T10:00:00Z","office":"GBLONA","location":"London","country":"GB"}]}`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second) // PostgreSQL: the outbox shows a change once older transactions end
	for strings.Contains(page(), "No scans yet") {
		if time.Now().After(deadline) {
			t.Fatalf("the page still shows no scans 15 s after one was pushed\n%s", srv.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	resp, err := client.Get("http://" + srv.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(b), `wismo_track_page_cache_total{result="hit"}`) {
		t.Fatal("no page cache hits counted in /metrics")
	}
}
