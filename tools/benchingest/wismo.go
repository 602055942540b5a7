package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/wismo/wismo/tracking"
)

// instance is one wismo installation under test: a database and a data dir.
type instance struct {
	bin, dbURL, dataDir string
	jobs                string // WISMO_JOBS of wismo serve
	debugAddr           string // WISMO_DEBUG_ADDR of wismo serve (pprof), empty = off
}

// env is the environment of a wismo process: ours without any WISMO_* setting, plus the
// instance's.
func (in instance) env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WISMO_") {
			out = append(out, kv)
		}
	}
	return append(out, append([]string{"WISMO_DATABASE_URL=" + in.dbURL, "WISMO_DATA_DIR=" + in.dataDir,
		"WISMO_LOG_LEVEL=warn", "WISMO_DEMO=false"}, extra...)...)
}

// command runs a one-shot wismo command (words such as "brand", "add") with the instance's
// settings as flags before args, and returns its standard output.
func (in instance) command(ctx context.Context, words []string, args ...string) ([]byte, error) {
	full := append(append(append([]string{}, words...), "--database-url", in.dbURL, "--data-dir", in.dataDir), args...)
	cmd := exec.CommandContext(ctx, in.bin, full...)
	cmd.Env = in.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("wismo %s: %w\n%.2000s%.2000s", strings.Join(full, " "), err, out, stderr.Bytes())
	}
	return out, nil
}

// brandAdd creates a brand and returns its id and API key.
func (in instance) brandAdd(ctx context.Context, name string) (int64, string, error) {
	out, err := in.command(ctx, []string{"brand", "add"}, "--name", name)
	if err != nil {
		return 0, "", err
	}
	var b struct {
		ID     int64  `json:"id"`
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal(out, &b); err != nil || b.APIKey == "" {
		return 0, "", fmt.Errorf("wismo brand add printed %q: %v", out, err)
	}
	return b.ID, b.APIKey, nil
}

// server is a running `wismo serve`.
type server struct {
	cmd  *exec.Cmd
	addr string
	logs *bytes.Buffer
	done chan error
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// serve starts `wismo serve` on a free loopback port and waits until /readyz answers 200.
func (in instance) serve(ctx context.Context) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(in.bin, "serve")
	cmd.Env = in.env("WISMO_HTTP_ADDR="+addr, "WISMO_JOBS="+in.jobs, "WISMO_DEBUG_ADDR="+in.debugAddr)
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, addr: addr, logs: logs, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("wismo serve exited: %v\n%s", err, logs)
		default:
		}
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	<-s.done
	return nil, fmt.Errorf("wismo serve did not become ready in 60s:\n%s", logs)
}

// stop sends SIGTERM and waits for the drain (killing the process after 40 s).
func (s *server) stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			return fmt.Errorf("wismo serve exited with %v:\n%s", err, s.logs)
		}
		return nil
	case <-time.After(40 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		return fmt.Errorf("wismo serve did not stop within 40s of SIGTERM")
	}
}

// newClient returns a keep-alive HTTP client for conns concurrent connections.
func newClient(conns int) *http.Client {
	return &http.Client{Timeout: 120 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute,
	}}
}

// postAll POSTs every body to path from clients concurrent workers and returns how many
// items got each status and the wall time.
func postAll(ctx context.Context, client *http.Client, s *server, key, path string, bodies [][]byte, clients int) (map[tracking.Status]int, time.Duration, error) {
	var next atomic.Int64
	var mu sync.Mutex
	counts := map[tracking.Status]int{}
	var firstErr error
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(bodies) {
					return
				}
				res, err := post(ctx, client, s.addr, key, path, bodies[i])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("POST %s batch %d: %w", path, i, err)
					cancel()
				}
				for _, r := range res {
					counts[r.Status]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return counts, elapsed, firstErr
}

func post(ctx context.Context, client *http.Client, addr, key, path string, body []byte) ([]tracking.Result, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+addr+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2000))
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, msg)
	}
	var r struct {
		Results []tracking.Result `json:"results"`
	}
	return r.Results, json.NewDecoder(resp.Body).Decode(&r)
}

// httpLookups GETs random parcels through the API from clients keep-alive clients for dur.
func httpLookups(ctx context.Context, s *server, key string, ids []string, clients int, dur time.Duration) (lookupResult, error) {
	client := newClient(clients)
	defer client.CloseIdleConnections()
	return runLookups(ctx, ids, clients, dur, func(id string) error {
		req, err := http.NewRequestWithContext(ctx, "GET", "http://"+s.addr+"/api/v1/parcels/"+id, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(id)) {
			return fmt.Errorf("GET parcel %s: status %d: %.300s", id, resp.StatusCode, body)
		}
		return nil
	})
}

// importFile times `wismo import --brand ID file` (process start included) and checks that
// every record got the wanted status.
func (in instance) importFile(ctx context.Context, brand int64, file string, want map[string]map[tracking.Status]int) (time.Duration, error) {
	start := time.Now()
	out, err := in.command(ctx, []string{"import"}, "--brand", fmt.Sprint(brand), file)
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	var rep tracking.ImportReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return 0, fmt.Errorf("wismo import printed %.500q: %w", out, err)
	}
	got := map[string]map[tracking.Status]int{"parcels": rep.Parcels, "events": rep.Events}
	for kind, counts := range want {
		for st, n := range counts {
			if got[kind][st] != n {
				return 0, fmt.Errorf("wismo import %s: %s %s = %d, want %d (report %.500s)", file, kind, st, got[kind][st], n, out)
			}
		}
	}
	return elapsed, nil
}

// errNotAllAccepted reports a batch whose items were not all accepted.
var errNotAllAccepted = errors.New("not every item was accepted")

// allAccepted fails unless every one of n items was accepted.
func allAccepted(what string, counts map[tracking.Status]int, n int) error {
	if counts[tracking.StatusAccepted] != n || len(counts) != 1 {
		return fmt.Errorf("%s: %w: %v of %d", what, errNotAllAccepted, counts, n)
	}
	return nil
}
