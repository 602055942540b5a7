package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// server is a process the benchmark started and stops.
type server struct {
	name, addr string
	cmd        *exec.Cmd
	done       chan error
}

// freeAddr returns a loopback address nobody listens on right now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func start(ctx context.Context, name string, cmd *exec.Cmd, addr, probe string, wait time.Duration) (*server, error) {
	s := &server{name: name, addr: addr, cmd: cmd, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() { s.done <- cmd.Wait() }()
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("%s exited before answering: %v", name, err)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if resp, err := client.Get("http://" + addr + probe); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("%s did not answer %s within %s", name, probe, wait)
}

// startWismo runs `wismo serve` on the corpus, HTTP and SIP on free loopback ports.
func startWismo(ctx context.Context, o options, dataDir string, env ...string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	sip, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(o.workDir, "wismo-serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.bin, "serve")
	cmd.Env = append(os.Environ(), "WISMO_DATA_DIR="+dataDir, "WISMO_HTTP_ADDR="+addr, "WISMO_SIP_ADDR="+sip,
		"WISMO_DATABASE_URL=", "WISMO_SEARCH_URL=", "WISMO_DEMO=false", "WISMO_LOG_LEVEL=warn", "WISMO_PUBLIC_URL=http://"+addr)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	step("starting wismo serve on %s (log: %s)", addr, logPath)
	return start(ctx, "wismo serve", cmd, addr, "/readyz", 5*time.Minute)
}

// startHello runs this program's fiber hello-world in its own process.
func startHello(ctx context.Context) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-hello", addr)
	cmd.Stderr = os.Stderr
	step("starting the fiber hello-world on %s", addr)
	return start(ctx, "hello-world", cmd, addr, "/", 30*time.Second)
}

// check reports a server that died during the measurements.
func (s *server) check() error {
	select {
	case err := <-s.done:
		s.done <- err
		return fmt.Errorf("%s exited during the benchmark: %v", s.name, err)
	default:
		return nil
	}
}

// stop sends SIGTERM and waits (wismo drains), then kills after 30 s. Stopping a stopped
// server returns at once (run stops wismo before its deferred stop runs again).
func (s *server) stop() {
	if s == nil || s.cmd.Process == nil {
		return
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		s.cmd.Process.Kill()
	}
	var err error
	select {
	case err = <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		err = <-s.done
	}
	s.done <- err // for a later check or stop
}

// cacheCounts reads the tracking page cache's hits and misses from wismo's /metrics.
func cacheCounts(ctx context.Context, addr string) (hit, miss float64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(body), "\n") {
		var v float64
		switch {
		case strings.HasPrefix(line, `wismo_track_page_cache_total{result="hit"} `):
			fmt.Sscan(strings.Fields(line)[1], &v)
			hit = v
		case strings.HasPrefix(line, `wismo_track_page_cache_total{result="miss"} `):
			fmt.Sscan(strings.Fields(line)[1], &v)
			miss = v
		}
	}
	return hit, miss, nil
}
