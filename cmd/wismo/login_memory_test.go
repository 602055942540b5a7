package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
)

// loginFlood is how many anonymous logins arrive at once in the memory bound test (issue 13,
// defect 5: 150 of them took the process to 5.9 GB, and it stayed there).
const loginFlood = 200

// peakRSSBound is the acceptance bound on the process's peak resident memory (VmHWM).
const peakRSSBound = 500 << 20

// TestLoginFloodKeepsMemoryBounded starts the built binary at its shipped GC settings and fires
// loginFlood concurrent logins for unknown accounts, each from its own loopback address (so
// that no per-address limit hides what the hash gate does). Every answer is a refusal in
// words (401, or 429 with Retry-After when the hash queue is full), and the child's peak RSS
// stays under the bound.
func TestLoginFloodKeepsMemoryBounded(t *testing.T) {
	storetest.OnePass(t)
	bin := buildWismo(t)
	srv := startServe(t, bin, []string{"WISMO_DATA_DIR=" + t.TempDir(), "WISMO_DATABASE_URL=", "WISMO_LOG_LEVEL=warn", "GOGC="})
	defer srv.cmd.Process.Kill()
	before := vmHWM(t, srv.cmd.Process.Pid)

	statuses := make([]int, loginFlood)
	retryAfter := make([]string, loginFlood)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range loginFlood {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := &net.TCPAddr{IP: net.IPv4(127, 0, byte(1+i/250), byte(1+i%250))}
			client := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{
				DialContext: (&net.Dialer{LocalAddr: src}).DialContext, DisableKeepAlives: true}}
			body := fmt.Sprintf(`{"email":"nobody%d@example.com","password":"a guess of some length"}`, i)
			<-start
			resp, err := client.Post("http://"+srv.addr+"/api/v1/session", "application/json", strings.NewReader(body))
			if err != nil {
				t.Errorf("login %d: %v", i, err)
				return
			}
			resp.Body.Close()
			statuses[i], retryAfter[i] = resp.StatusCode, resp.Header.Get("Retry-After")
		}()
	}
	close(start)
	wg.Wait()
	peak := vmHWM(t, srv.cmd.Process.Pid)
	counts := map[int]int{}
	for i, s := range statuses {
		counts[s]++
		if s == http.StatusTooManyRequests && retryAfter[i] == "" {
			t.Errorf("login %d: 429 without Retry-After", i)
		}
		if s != http.StatusUnauthorized && s != http.StatusTooManyRequests {
			t.Errorf("login %d: status %d, want 401 or 429", i, s)
		}
	}
	t.Logf("%d concurrent logins: statuses %v; VmHWM %d MiB at start, %d MiB after", loginFlood, counts, before>>20, peak>>20)
	if counts[http.StatusUnauthorized] == 0 {
		t.Errorf("no login was checked at all: %v", counts)
	}
	if peak >= peakRSSBound {
		t.Errorf("peak RSS %d MiB, want under %d MiB", peak>>20, peakRSSBound>>20)
	}
}

// vmHWM is a process's peak resident set size in bytes (/proc/<pid>/status, VmHWM).
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/<pid>/status")
	return 0
}
