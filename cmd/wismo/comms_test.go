package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/dialer/smpp/smpptest"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// commsBrand adds a brand with the CLI and returns its API key.
func commsBrand(t *testing.T, bin string, env []string, name string) string {
	t.Helper()
	_, key := cliBrand(t, bin, env, name)
	return key
}

// cliBrand adds a brand with the CLI and returns its id and API key.
func cliBrand(t *testing.T, bin string, env []string, name string) (int64, string) {
	t.Helper()
	out, err := exec.Command(bin, append([]string{"brand", "add", "--name", name}, envFlags(env)...)...).Output()
	if err != nil {
		t.Fatalf("brand add: %v", err)
	}
	var b struct {
		ID     int64  `json:"id"`
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal(out, &b); err != nil || b.APIKey == "" {
		t.Fatalf("brand add printed %q: %v", out, err)
	}
	return b.ID, b.APIKey
}

// commsPut sends a JSON PUT with a brand key.
func commsPut(t *testing.T, addr, key, path, body string) {
	t.Helper()
	req, _ := http.NewRequest("PUT", "http://"+addr+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT %s: %v %v", path, err, resp)
	}
	resp.Body.Close()
}

// commsWorkload registers n parcels to English-speaking recipients and gives each a fresh
// sorting-centre scan (EDD), which the standard flow answers with one single-part SMS
// naming the parcel.
func commsWorkload(t *testing.T, addr, key string, n, first int) []string {
	t.Helper()
	client := &http.Client{Timeout: 60 * time.Second}
	var ids []string
	var ps, evs []map[string]any
	at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	for i := range n {
		id := tracking.MakeS10("RR", first+i, "GB")
		ids = append(ids, id)
		ps = append(ps, map[string]any{"id": id, "service_level": "standard", "kind": "packet", "weight_kg": 0.3,
			"origin_country": "GB", "destination_country": "RU", "recipient": map[string]any{"name": "Anna Smith",
				"phone": fmt.Sprintf("+7913%07d", first+i), "region": "RU-NVS", "language": "en"}})
		evs = append(evs, map[string]any{"item_id": id, "code": "EDD", "occurred_at": at, "office": "RUNSKA"})
	}
	for s := 0; s < n; s += 500 {
		for _, b := range []struct {
			path, field string
			items       []map[string]any
		}{{"/api/v1/parcels", "parcels", ps[s:min(s+500, n)]}, {"/api/v1/events", "events", evs[s:min(s+500, n)]}} {
			body, _ := json.Marshal(map[string]any{b.field: b.items})
			if _, err := post(client, addr, key, b.path, body); err != nil {
				t.Fatalf("%s: %v", b.path, err)
			}
		}
	}
	return ids
}

// commsDB opens the database a wismo under test uses.
func commsDB(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url, "", storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// commsCount runs a counting query.
func commsCount(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL.QueryRow(db.Rebind(q), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// commsWait polls until cond holds, failing after timeout with what the server logged.
func commsWait(t *testing.T, timeout time.Duration, what string, logs *bytes.Buffer, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s\n%s", timeout, what, logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestKillDuringSMSBurst kills `wismo serve` with SIGKILL while a burst of due SMS goes to
// the Perl SMSC, restarts it, and checks at the SMSC and in the database: no message arrived
// twice, every contact is sent (its id at the SMSC with its text) or listed unknown, and none
// was lost.
func TestKillDuringSMSBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	peer := smpptest.Start(t)
	peer.Must(t, "delay_ms 3") // a burst long enough to kill in the middle of
	bin := buildWismo(t)
	dbURL := storetest.URL(t)
	env := []string{"WISMO_DATA_DIR=" + t.TempDir(), "WISMO_DATABASE_URL=" + dbURL, "WISMO_LOG_LEVEL=warn",
		"WISMO_SMPP_ADDR=" + peer.Addr, "WISMO_SMPP_SYSTEM_ID=wismo", "WISMO_SMPP_PASSWORD=secret", "WISMO_SMPP_SOURCE_ADDR=SHOP", "WISMO_SMPP_WINDOW=8"}
	key := commsBrand(t, bin, env, "Burst Shop")
	srv := startServe(t, bin, env)
	commsPut(t, srv.addr, key, "/api/v1/comms/windows", `{"windows": {"sms": {"all": ["00:00-24:00"]}}}`)
	const n = 600
	ids := commsWorkload(t, srv.addr, key, n, 800000)
	commsWait(t, 60*time.Second, "30% of the burst at the SMSC", srv.logs, func() bool { return len(peer.Submits()) >= n*3/10 })
	srv.cmd.Process.Kill()
	srv.cmd.Wait()
	atKill := len(peer.Submits())
	if atKill >= n {
		t.Fatalf("the kill came too late: all %d messages were out", n)
	}

	srv = startServe(t, bin, env)
	defer srv.cmd.Process.Kill()
	db := commsDB(t, dbURL)
	commsWait(t, 90*time.Second, "every contact settled (nothing planned or sending)", srv.logs, func() bool {
		return commsCount(t, db, `SELECT COUNT(*) FROM contacts WHERE status IN ('planned', 'sending')`) == 0 &&
			commsCount(t, db, `SELECT COUNT(*) FROM contacts`) == n
	})
	peer.Must(t, "stats")
	time.Sleep(200 * time.Millisecond)
	atPeer := map[string][]smpptest.Event{}
	for _, s := range peer.Submits() {
		for _, id := range ids {
			if strings.Contains(s.Text, id) {
				atPeer[id] = append(atPeer[id], s)
			}
		}
	}
	rows, err := db.SQL.Query(`SELECT parcel_id, status, provider_id FROM contacts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	statuses := map[string]int{}
	for rows.Next() {
		var parcel, status, pid string
		if err := rows.Scan(&parcel, &status, &pid); err != nil {
			t.Fatal(err)
		}
		statuses[status]++
		got := atPeer[parcel]
		if len(got) > 1 {
			t.Errorf("%s reached the SMSC %d times", parcel, len(got))
		}
		switch status {
		case "sent", "delivered":
			if len(got) != 1 || got[0].ID != pid {
				t.Errorf("%s is %s as %q but the SMSC has %+v", parcel, status, pid, got)
			}
		case "unknown":
		default:
			t.Errorf("%s ended %s", parcel, status)
		}
	}
	t.Logf("killed with %d of %d at the SMSC; after the restart: %v", atKill, n, statuses)
	if statuses["unknown"] == 0 && atKill > 0 {
		t.Log("no contact was in flight at the kill")
	}
	if statuses["sent"]+statuses["delivered"]+statuses["unknown"] != n {
		t.Fatalf("contacts lost: %v", statuses)
	}
}

// TestTwoInstancesShareDueContacts runs two `wismo serve` on one PostgreSQL: every due
// contact is claimed by exactly one of them.
func TestTwoInstancesShareDueContacts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dbURL := storetest.URL(t)
	if !strings.HasPrefix(dbURL, "postgres") {
		t.Skip("several instances share one PostgreSQL; the SQLite pass runs one instance per file")
	}
	bin := buildWismo(t)
	env := []string{"WISMO_DATA_DIR=" + t.TempDir(), "WISMO_DATABASE_URL=" + dbURL, "WISMO_LOG_LEVEL=warn"}
	key := commsBrand(t, bin, env, "Twin Shop")
	a := startServe(t, bin, env)
	defer a.cmd.Process.Kill()
	b := startServe(t, bin, env)
	defer b.cmd.Process.Kill()
	commsPut(t, a.addr, key, "/api/v1/comms/windows", `{"windows": {"sms": {"all": ["00:00-24:00"]}}}`)
	const n = 1500
	commsWorkload(t, a.addr, key, n, 900000)
	db := commsDB(t, dbURL)
	commsWait(t, 120*time.Second, "every SMS sent through the log channel", a.logs, func() bool {
		return commsCount(t, db, `SELECT COUNT(*) FROM contacts WHERE status = 'sent'`) == n
	})
	if d := commsCount(t, db, `SELECT COUNT(*) FROM (SELECT contact_id FROM contact_log WHERE kind = 'sending'
		GROUP BY contact_id HAVING COUNT(*) <> 1) x`); d != 0 {
		t.Fatalf("%d contacts were claimed more than once", d)
	}
	var claimers []string
	rows, _ := db.SQL.Query(`SELECT claimed_by, COUNT(*) FROM contacts GROUP BY claimed_by ORDER BY claimed_by`)
	for rows.Next() {
		var who string
		var k int
		rows.Scan(&who, &k)
		claimers = append(claimers, fmt.Sprintf("%s: %d", who, k))
	}
	rows.Close()
	t.Logf("claims per instance: %v", claimers)
}
