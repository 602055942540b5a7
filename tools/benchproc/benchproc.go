// Package benchproc starts and stops the processes a benchmark measures (wismo serve, a
// baseline server) on loopback: a free port, a wait until the process answers, a check that it
// is still running, and a stop that lets wismo drain.
package benchproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is a process a benchmark started and stops.
type Server struct {
	Name, Addr string
	cmd        *exec.Cmd
	done       chan error
}

// FreeAddr returns a loopback address nobody listens on right now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Start runs cmd and waits until GET http://addr+probe answers 200, for at most wait.
func Start(ctx context.Context, name string, cmd *exec.Cmd, addr, probe string, wait time.Duration) (*Server, error) {
	s := &Server{Name: name, Addr: addr, cmd: cmd, done: make(chan error, 1)}
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
			s.Stop()
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
	s.Stop()
	return nil, fmt.Errorf("%s did not answer %s within %s", name, probe, wait)
}

// Check reports a server that died during the measurements.
func (s *Server) Check() error {
	select {
	case err := <-s.done:
		s.done <- err
		return fmt.Errorf("%s exited during the benchmark: %v", s.Name, err)
	default:
		return nil
	}
}

// Stop sends SIGTERM and waits (wismo drains), then kills after 30 s. Stopping a stopped
// server returns at once.
func (s *Server) Stop() {
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
	s.done <- err // for a later Check or Stop
}

// StartWismo runs `bin serve` on loopback (HTTP and SIP on free ports, no demo, no search
// server, the embedded database unless env names one) with its output in logPath; env's
// settings come last and win. It answers once /readyz does.
func StartWismo(ctx context.Context, bin, dataDir, logPath string, env ...string) (*Server, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	sip, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "WISMO_DATA_DIR="+dataDir, "WISMO_HTTP_ADDR="+addr, "WISMO_SIP_ADDR="+sip,
		"WISMO_DATABASE_URL=", "WISMO_SEARCH_URL=", "WISMO_DEMO=false", "WISMO_LOG_LEVEL=warn", "WISMO_PUBLIC_URL=http://"+addr)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	srv, err := Start(ctx, "wismo serve", cmd, addr, "/readyz", 5*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("%w (its log: %s)", err, logPath)
	}
	return srv, nil
}

// Pid is the server's process id (0 when it did not start).
func (s *Server) Pid() int {
	if s == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// CPU reads the user+system CPU time of a running process from /proc (proc(5)).
func CPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name; utime and stime are fields 14 and 15.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
}
