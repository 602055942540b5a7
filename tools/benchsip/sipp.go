package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/wismo/wismo/media"
)

// sipp runs SIPp (Debian sip-tester) processes in a work dir that holds the scenarios and
// the audio the media scenarios send (toneFile, and a pcap/ link to SIPp's shipped pcaps).
type sipp struct {
	bin string
	dir string
}

// result is one finished SIPp client run.
type result struct {
	ok   bool          // exit status 0: every call succeeded
	cpu  time.Duration // user+system CPU of the SIPp process
	wall time.Duration
	out  string
}

func newSIPp(dir string, scenarios map[string][]byte) (*sipp, error) {
	bin, err := exec.LookPath("sipp")
	if err != nil {
		return nil, fmt.Errorf("sipp not found: install Debian's sip-tester (apt-get install sip-tester)")
	}
	for name, b := range scenarios {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, toneFile), tone(), 0o644); err != nil {
		return nil, err
	}
	if err := os.Symlink("/usr/share/sip-tester", filepath.Join(dir, "pcap")); err != nil {
		return nil, err
	}
	return &sipp{bin: bin, dir: dir}, nil
}

// The media scenario streams toneFile with SIPp's rtp_stream: raw A-law (payload type 8),
// 160 bytes per 20 ms packet, tonePackets packets (7 s). rtp_stream sends every call's RTP
// from SIPp's one media socket; play_pcap_audio, the other way SIPp sends audio, opens a raw
// IPPROTO_UDP socket per call, and the kernel then clones every UDP datagram delivered on
// the host into each of them: at 400 calls that was a quarter of wismo's CPU in a perf
// profile, paid by whoever sent the packet, wismo and SIPp's UAS alike.
const (
	toneFile    = "tone.alaw"
	tonePackets = 350
)

// tone is a 1 kHz sine at half scale, A-law encoded.
func tone() []byte {
	pcm := make([]int16, tonePackets*160)
	for i := range pcm {
		pcm[i] = int16(16000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	return media.Encode(nil, media.PayloadPCMA, pcm)
}

// client runs a UAC scenario against target to completion (bounded by ctx).
func (s *sipp) client(ctx context.Context, scenario, target string, args ...string) result {
	run, err := s.start(ctx, scenario, target, args...)
	if err != nil {
		return result{out: err.Error()}
	}
	return run.wait()
}

// clientRun is a SIPp client started in the background.
type clientRun struct {
	cmd    *exec.Cmd
	out    *bytes.Buffer
	start  time.Time
	cancel context.CancelFunc
}

// start starts a UAC scenario against target; wait collects it.
func (s *sipp) start(ctx context.Context, scenario, target string, args ...string) (*clientRun, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	full := append([]string{"-sf", scenario, "-i", "127.0.0.1", "-p", "0", "-mi", "127.0.0.1", "-nostdin",
		"-timeout", "120s", "-max_socket", "4096", "-s", "bench"}, args...)
	full = append(full, target)
	cmd := exec.CommandContext(ctx, s.bin, full...)
	cmd.Dir = s.dir
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	return &clientRun{cmd: cmd, out: out, start: time.Now(), cancel: cancel}, nil
}

func (c *clientRun) wait() result {
	defer c.cancel()
	err := c.cmd.Wait()
	r := result{ok: err == nil, wall: time.Since(c.start), out: tail(c.out.String(), 2000)}
	if ru, ok := c.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return r
}

// server starts SIPp's built-in UAS on port, echoing RTP on mport (-rtp_echo), until ctx ends.
func (s *sipp) server(ctx context.Context, port, mport int) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, s.bin, "-sn", "uas", "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-mi", "127.0.0.1",
		"-mp", strconv.Itoa(mport), "-rtp_echo", "-nostdin", "-max_socket", "4096")
	cmd.Dir = s.dir
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	time.Sleep(300 * time.Millisecond) // let it bind
	return cmd, nil
}

// selfCPU is this process's user+system CPU time (the wismo engine under test).
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
