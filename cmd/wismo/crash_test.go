package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony/telephonytest"
	"github.com/wismo/wismo/tracking"
)

// buildWismo compiles the binary under test once per test.
func buildWismo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "wismo")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// server is a running `wismo serve`.
type server struct {
	cmd  *exec.Cmd
	addr string
	logs *bytes.Buffer
}

func startServe(t *testing.T, bin string, env []string, args ...string) *server {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s, err := tryServe(t, bin, env, args...)
		if err == nil {
			return s
		}
		// Another process may take a picked port before wismo binds it: try new ports.
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatal(err)
		}
		t.Logf("wismo serve lost a port race, retrying: %v", err)
	}
}

func tryServe(t *testing.T, bin string, env []string, args ...string) (*server, error) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, append([]string{"serve"}, args...)...)
	logs := &bytes.Buffer{}
	// Each server gets its own SIP port too (tests run beside other wismo processes), unless
	// env names one: later values win in exec's environment.
	cmd.Env = append(append(os.Environ(), "WISMO_SIP_ADDR="+fmt.Sprintf("127.0.0.1:%d", telephonytest.FreeSIPPort(t))), append(env, "WISMO_HTTP_ADDR="+addr, "WISMO_DEMO=false")...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, addr: addr, logs: logs}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if exited(cmd.Process.Pid) { // it could not start (a port taken meanwhile, say): its reason
			cmd.Wait()
			return nil, fmt.Errorf("wismo serve exited at start:\n%s", logs)
		}
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 && !exited(cmd.Process.Pid) {
				return s, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, fmt.Errorf("wismo serve did not become ready:\n%s", logs)
}

// exited reports whether the child process pid has exited and is not yet waited for (a
// zombie), without reaping it: the tests wait for their servers themselves.
func exited(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// "pid (comm) S ...": the state follows the command's closing parenthesis.
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && (b[i+2] == 'Z' || b[i+2] == 'X')
}

// crashInput is a deterministic ingest workload: parcels, then their full histories.
func crashInput(parcels int) (parcelBatches, eventBatches [][]byte, nEvents int) {
	codes := []string{"EMA", "EMB", "EMC", "EMD", "EDD", "EMG", "EDG", "EMI"}
	base := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	var ps []map[string]any
	var evs []map[string]any
	for i := 0; i < parcels; i++ {
		id := tracking.MakeS10("RR", 500000+i, "GB")
		ps = append(ps, map[string]any{"id": id, "service_level": "standard", "kind": "packet", "weight_kg": 0.5,
			"origin_country": "GB", "destination_country": "RU",
			"recipient": map[string]any{"name": "Анна Смирнова", "phone": fmt.Sprintf("+7913%07d", i), "region": "RU-NVS"}})
		for j, c := range codes {
			evs = append(evs, map[string]any{"item_id": id, "code": c, "occurred_at": base.Add(time.Duration(i)*time.Minute + time.Duration(j)*7*time.Hour).Format(time.RFC3339),
				"office": "GBLONA"})
		}
	}
	chunk := func(field string, items []map[string]any, n int) (out [][]byte) {
		for s := 0; s < len(items); s += n {
			b, _ := json.Marshal(map[string]any{field: items[s:min(s+n, len(items))]})
			out = append(out, b)
		}
		return out
	}
	return chunk("parcels", ps, 250), chunk("events", evs, 250), len(evs)
}

type batchReply struct {
	Results []tracking.Result `json:"results"`
}

func post(client *http.Client, addr, key, path string, body []byte) (*batchReply, error) {
	req, _ := http.NewRequest("POST", "http://"+addr+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	var r batchReply
	return &r, json.NewDecoder(resp.Body).Decode(&r)
}

// TestKillDuringIngest kills `wismo serve` with SIGKILL in the middle of a concurrent ingest,
// restarts it, replays the whole input, and checks that every event is stored exactly once,
// announced in the outbox exactly once, and that every batch acknowledged before the crash
// is reported as duplicates on replay.
func TestKillDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildWismo(t)
	dbURL := storetest.URL(t)
	env := []string{"WISMO_DATA_DIR=" + t.TempDir(), "WISMO_DATABASE_URL=" + dbURL, "WISMO_LOG_LEVEL=warn"}

	key := commsBrand(t, bin, env, "Crash Shop")

	parcelBatches, eventBatches, nEvents := crashInput(1500)
	srv := startServe(t, bin, env)
	client := &http.Client{Timeout: 30 * time.Second}
	for _, b := range parcelBatches {
		if _, err := post(client, srv.addr, key, "/api/v1/parcels", b); err != nil {
			t.Fatal(err)
		}
	}

	// Four clients push event batches; at 30% acknowledged, kill -9 while others are in flight.
	var next, acked atomic.Int64
	var ackedMu sync.Mutex
	ackedBatches := map[int]bool{}
	var wg sync.WaitGroup
	killed := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(eventBatches) {
					return
				}
				select {
				case <-killed:
					return
				default:
				}
				if _, err := post(client, srv.addr, key, "/api/v1/events", eventBatches[i]); err != nil {
					return // the server died under us
				}
				ackedMu.Lock()
				ackedBatches[i] = true
				ackedMu.Unlock()
				if acked.Add(1) == int64(len(eventBatches)*3/10) {
					srv.cmd.Process.Kill() // SIGKILL: no shutdown, no flush
					close(killed)
				}
			}
		}()
	}
	wg.Wait()
	srv.cmd.Wait()
	t.Logf("killed after %d of %d event batches were acknowledged", acked.Load(), len(eventBatches))
	if acked.Load() >= int64(len(eventBatches)) {
		t.Fatal("the kill came too late: every batch was acknowledged")
	}

	// Restart and replay everything.
	srv = startServe(t, bin, env)
	defer srv.cmd.Process.Kill()
	for _, b := range parcelBatches {
		r, err := post(client, srv.addr, key, "/api/v1/parcels", b)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range r.Results {
			if x.Status != tracking.StatusDuplicate {
				t.Fatalf("replayed parcel %s: %s", x.ID, x.Status)
			}
		}
	}
	for i, b := range eventBatches {
		r, err := post(client, srv.addr, key, "/api/v1/events", b)
		if err != nil {
			t.Fatalf("replay batch %d: %v\n%s", i, err, srv.logs)
		}
		for _, x := range r.Results {
			if x.Status != tracking.StatusAccepted && x.Status != tracking.StatusDuplicate {
				t.Fatalf("replay batch %d: %+v", i, x)
			}
			if ackedBatches[i] && x.Status != tracking.StatusDuplicate {
				t.Fatalf("batch %d was acknowledged before the crash but its event %s was not stored", i, x.ID)
			}
		}
	}

	db, err := store.Open(context.Background(), dbURL, "", storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string) int {
		var n int
		if err := db.SQL.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM events`); n != nEvents {
		t.Errorf("events stored = %d, want exactly %d", n, nEvents)
	}
	messages := func(topic string) int {
		msgs, err := outbox.All(context.Background(), db, topic)
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs)
	}
	if n := messages("tracking.event"); n != nEvents {
		t.Errorf("tracking.event outbox messages = %d, want exactly %d (one per event, none lost, none twice)", n, nEvents)
	}
	if n := messages("parcel.created"); n != 1500 {
		t.Errorf("parcel.created outbox messages = %d, want 1500", n)
	}
	if n := count(`SELECT COUNT(*) FROM parcels WHERE phase <> 'delivered'`); n != 0 {
		t.Errorf("%d parcels are not delivered after the replay", n)
	}
	if db.Dialect == store.SQLite {
		var res string
		db.SQL.QueryRow(`PRAGMA integrity_check`).Scan(&res)
		if res != "ok" {
			t.Errorf("SQLite integrity after kill -9: %s", res)
		}
	}
}

// envFlags turns WISMO_X=v settings into --x v flags for one-shot commands.
func envFlags(env []string) []string {
	var out []string
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		name := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(k, "WISMO_"), "_", "-"))
		out = append(out, "--"+name, v)
	}
	return out
}
