// Package smpptest runs tools/smsc.pl, a small SMSC built on Perl's Net::SMPP (Debian's
// libnet-smpp-perl), as an independent SMPP peer for tests and benchmarks. The peer prints
// what it receives as JSON lines and takes commands on stdin (see tools/smsc.pl).
package smpptest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// Event is one line the peer printed.
type Event struct {
	Ev       string `json:"ev"`
	Port     int    `json:"port"`
	ID       string `json:"id"`
	Src      string `json:"src"`
	Dst      string `json:"dst"`
	Text     string `json:"text"`
	DC       int    `json:"dc"`
	ESM      int    `json:"esm"`
	Reg      int    `json:"reg"`
	Status   int    `json:"status"`
	Submits  int    `json:"submits"`
	Binds    int    `json:"binds"`
	Why      string `json:"why"`
	SystemID string `json:"system_id"`
	UDH      *struct {
		Ref, Total, Seq int
	} `json:"udh"`
}

// Peer is a running smsc.pl.
type Peer struct {
	Addr string
	cmd  *exec.Cmd
	in   io.WriteCloser

	mu     sync.Mutex
	events []Event
	done   chan struct{}
}

// Install is what to install when the peer cannot run.
const Install = "Debian's libnet-smpp-perl (apt-get install libnet-smpp-perl; make test-deps does it)"

// Available reports whether perl with Net::SMPP can run the peer.
func Available() error {
	if out, err := exec.Command("perl", "-MNet::SMPP", "-MJSON::PP", "-e", "1").CombinedOutput(); err != nil {
		return fmt.Errorf("perl with Net::SMPP is not available (%v: %s): install %s", err, out, Install)
	}
	return nil
}

// Script finds tools/smsc.pl by walking up from the working directory to the module root.
func Script() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "tools", "smsc.pl"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("smpptest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Launch starts the peer on an ephemeral loopback port and waits until it listens. The
// peer ends with ctx, or with Stop.
func Launch(ctx context.Context, args ...string) (*Peer, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	script, err := Script()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "perl", append([]string{script, "--port", "0"}, args...)...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Peer{cmd: cmd, in: in, done: make(chan struct{})}
	listening := make(chan int, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var e Event
			if json.Unmarshal(sc.Bytes(), &e) != nil {
				continue
			}
			if e.Ev == "listening" {
				listening <- e.Port
			}
			p.mu.Lock()
			p.events = append(p.events, e)
			p.mu.Unlock()
		}
	}()
	select {
	case port := <-listening:
		p.Addr = "127.0.0.1:" + strconv.Itoa(port)
		return p, nil
	case <-p.done:
		cmd.Wait()
		return nil, errors.New("smsc.pl exited before listening")
	case <-time.After(20 * time.Second):
		p.Stop()
		return nil, errors.New("smsc.pl did not start listening within 20s")
	}
}

// Command sends one command line to the peer (mo, drop, drop_after, fail, delay_ms, stats).
func (p *Peer) Command(line string) error {
	_, err := io.WriteString(p.in, line+"\n")
	return err
}

// Events returns a copy of everything the peer printed so far.
func (p *Peer) Events() []Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Event(nil), p.events...)
}

// Submits returns the submit_sm the peer accepted, in order.
func (p *Peer) Submits() []Event {
	var out []Event
	for _, e := range p.Events() {
		if e.Ev == "submit" {
			out = append(out, e)
		}
	}
	return out
}

// Count returns how many events of kind ev the peer printed.
func (p *Peer) Count(ev string) int {
	n := 0
	for _, e := range p.Events() {
		if e.Ev == ev {
			n++
		}
	}
	return n
}

// Stop ends the peer.
func (p *Peer) Stop() {
	p.Command("quit")
	p.in.Close()
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		p.cmd.Process.Kill()
	}
	p.cmd.Wait()
}
