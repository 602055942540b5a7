// Package telephonytest runs real SIP peers for tests: baresip (Debian baresip-core) as a
// customer's or agent's phone that auto-answers and plays a tone, with its ctrl_tcp
// interface for dialling and hanging up, and its sndfile recordings of what it heard.
package telephonytest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/media"
)

// Require fails the test in CI (CI=true) when a peer binary is missing, saying what to
// install, and skips loudly elsewhere.
func Require(t testing.TB, binary, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(binary)
	if err == nil {
		return path
	}
	msg := fmt.Sprintf("%s not found: install Debian's %s (apt-get install %s, or make test-deps)", binary, debianPackage, debianPackage)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("SKIPPING (peer missing): " + msg)
	return ""
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreeSIPPort returns a port free on 127.0.0.1 for both UDP and TCP, for a SIP listener the
// test starts (a port picked for UDP alone may have its TCP twin taken by another test).
func FreeSIPPort(t testing.TB) int {
	t.Helper()
	for range 50 {
		u, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		u.Close()
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no port free for both UDP and TCP on 127.0.0.1")
	return 0
}

// sipPorts returns a SIP port for baresip and a ctrl_tcp port: baresip listens on the SIP
// port over UDP and TCP and, for SIP/TLS, on the next port over TCP, so all three must be
// free (other test packages start phones and SIP stacks at the same time).
func sipPorts(t testing.TB) (sip, ctrl int) {
	t.Helper()
	for range 50 {
		u, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		free := port < 65535
		for _, p := range []int{port, port + 1} {
			if !free {
				break
			}
			l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				free = false
				break
			}
			l.Close()
		}
		u.Close()
		if free {
			return port, FreePort(t, "tcp")
		}
	}
	t.Fatal("no free SIP port triple on 127.0.0.1")
	return 0, 0
}

// ToneWAV writes a mono 8 kHz 16-bit WAV of seconds of a freq Hz sine at half scale.
func ToneWAV(t testing.TB, dir string, freq float64, seconds int) string {
	t.Helper()
	return sineWAV(t, filepath.Join(dir, fmt.Sprintf("tone%.0f.wav", freq)), 8000, freq, seconds, 16000)
}

// ToneWAVAt is ToneWAV at another sample rate (48000: a browser's fake microphone).
func ToneWAVAt(t testing.TB, dir string, freq float64, rate, seconds int) string {
	t.Helper()
	return sineWAV(t, filepath.Join(dir, fmt.Sprintf("tone%.0f-%d.wav", freq, rate)), rate, freq, seconds, 16000)
}

// MicWAV writes a browser agent's voice for Chromium's fake microphone
// (--use-file-for-fake-audio-capture wants 48 kHz 16-bit mono): seconds of a freq Hz sine.
func MicWAV(t testing.TB, dir string, freq float64, seconds int) string {
	t.Helper()
	return sineWAV(t, filepath.Join(dir, fmt.Sprintf("mic%.0f.wav", freq)), 48000, freq, seconds, 12000)
}

func sineWAV(t testing.TB, path string, rate int, freq float64, seconds int, amp float64) string {
	t.Helper()
	w, err := media.CreateWAV(path, rate, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]int16, rate*seconds)
	for i := range s {
		s[i] = int16(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	if err := w.WriteSamples(s); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// Phone is a running baresip.
type Phone struct {
	SIPPort  int
	CtrlPort int
	RecDir   string
	User     string
	cmd      *exec.Cmd
	out      *syncBuffer
	exited   chan struct{} // closed once the process has been waited for
}

// PhoneOptions configure a baresip.
type PhoneOptions struct {
	User      string  // AOR user part
	Tone      float64 // Hz of what it says
	Say       string  // an 8 kHz mono WAV it says instead of the tone (a recorded greeting)
	Codec     string  // PCMU (default) or PCMA
	Registrar string  // host:port to REGISTER with (an agent's phone); empty: no registration
	Password  string  // digest secret for Registrar
	RegInt    int     // seconds between registrations (baresip's regint); default 60
	Manual    bool    // ring without answering (answermode=manual)
}

// URI is where the phone can be called directly.
func (p *Phone) URI() string { return fmt.Sprintf("sip:%s@127.0.0.1:%d", p.User, p.SIPPort) }

// Output is what baresip printed so far (for failure messages).
func (p *Phone) Output() string { return p.out.String() }

// StartPhone starts baresip with a config of its own in a temp dir; it is killed at cleanup.
func StartPhone(t testing.TB, o PhoneOptions) *Phone {
	t.Helper()
	bin := Require(t, "baresip", "baresip-core")
	dir := t.TempDir()
	if o.Codec == "" {
		o.Codec = "PCMU"
	}
	for attempt := 1; ; attempt++ {
		p, err := startPhone(t, bin, dir, o)
		if err == nil {
			return p
		}
		// Another process may take a port between our check and baresip's bind: try new ports.
		if attempt == 3 || !strings.Contains(err.Error(), "Address already in use") {
			t.Fatal(err)
		}
		t.Logf("baresip lost a port race, retrying: %v", err)
	}
}

func startPhone(t testing.TB, bin, dir string, o PhoneOptions) (*Phone, error) {
	t.Helper()
	sipPort, ctrlPort := sipPorts(t)
	p := &Phone{SIPPort: sipPort, CtrlPort: ctrlPort, RecDir: filepath.Join(dir, "rec"), User: o.User}
	os.MkdirAll(p.RecDir, 0o750)
	tone := o.Say
	if tone == "" {
		tone = ToneWAV(t, dir, o.Tone, 60)
	}
	cfg := fmt.Sprintf(`sip_listen 127.0.0.1:%d
net_interface 127.0.0.1
dns_server 127.0.0.1:53
audio_player aubridge,nil
audio_alert aubridge,nil
audio_source aufile,%s
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module aubridge.so
module sndfile.so
module_tmp uuid.so
module_tmp account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:%d
snd_path %s
`, p.SIPPort, tone, p.CtrlPort, p.RecDir)
	mode := "auto"
	if o.Manual {
		mode = "manual"
	}
	acct := fmt.Sprintf("<sip:%s@127.0.0.1:%d>;regint=0;answermode=%s;audio_codecs=%s\n", o.User, p.SIPPort, mode, o.Codec)
	if o.Registrar != "" {
		regint := o.RegInt
		if regint == 0 {
			regint = 60
		}
		acct = fmt.Sprintf("<sip:%s@%s;transport=udp>;auth_pass=%s;regint=%d;answermode=%s;audio_codecs=%s\n", o.User, o.Registrar, o.Password, regint, mode, o.Codec)
	}
	os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600)
	os.WriteFile(filepath.Join(dir, "accounts"), []byte(acct), 0o600)
	p.out = &syncBuffer{}
	p.cmd = exec.Command(bin, "-f", dir)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	p.exited = make(chan struct{})
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.Kill)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("baresip exited at start:\n%s", p.out.String())
		default:
		}
		if c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", p.CtrlPort)); err == nil {
			c.Close()
			return p, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.Kill()
	return nil, fmt.Errorf("baresip did not open ctrl_tcp in 10 s:\n%s", p.out.String())
}

// Kill stops baresip at once (a phone that vanishes mid-call).
func (p *Phone) Kill() {
	p.cmd.Process.Kill() // an error means it is gone already
	<-p.exited
}

// Command sends one ctrl_tcp command (netstring-framed JSON) and returns the response.
func (p *Phone) Command(command, params string) (string, error) {
	c, err := net.DialTimeout("tcp4", fmt.Sprintf("127.0.0.1:%d", p.CtrlPort), 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	body, _ := json.Marshal(map[string]string{"command": command, "params": params, "token": "t1"})
	if _, err := fmt.Fprintf(c, "%d:%s,", len(body), body); err != nil {
		return "", err
	}
	r := bufio.NewReader(c)
	for range 20 { // skip events until the response to our token
		lenStr, err := r.ReadString(':')
		if err != nil {
			return "", err
		}
		n, err := strconv.Atoi(strings.TrimSuffix(lenStr, ":"))
		if err != nil || n > 1<<20 {
			return "", fmt.Errorf("bad netstring length %q", lenStr)
		}
		msg := make([]byte, n+1)
		if _, err := io.ReadFull(r, msg); err != nil {
			return "", err
		}
		if strings.Contains(string(msg), `"response"`) {
			return string(msg[:n]), nil
		}
	}
	return "", fmt.Errorf("no response to %s", command)
}

// Heard returns the samples of the phone's last sndfile recording of what it heard
// (dump-*-dec.wav). baresip writes the file's sizes when it closes it, after the call's BYE:
// Heard waits up to 5 s for them, so a test need not guess how long that takes.
func (p *Phone) Heard(t testing.TB) []int16 {
	t.Helper()
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(p.RecDir, "dump-*-dec.wav"))
		if len(files) == 0 {
			err = fmt.Errorf("baresip wrote no dump-*-dec.wav into %s", p.RecDir)
		} else {
			var ch [][]int16
			if _, ch, err = media.ReadWAV(files[len(files)-1]); err == nil && len(ch) > 0 && len(ch[0]) > 0 {
				return ch[0]
			} else if err == nil {
				err = fmt.Errorf("%s: no samples yet (baresip has not closed it)", files[len(files)-1])
			}
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
	}
}

// HeardSoFar is what the phone has heard so far in its current call (baresip writes the
// dump's header sizes at the end: it reads what is there); nil before any.
func (p *Phone) HeardSoFar() []int16 {
	files, _ := filepath.Glob(filepath.Join(p.RecDir, "dump-*-dec.wav"))
	if len(files) == 0 {
		return nil
	}
	b, err := os.ReadFile(files[len(files)-1])
	if err != nil || len(b) <= 44 {
		return nil
	}
	b = b[44 : 44+(len(b)-44)&^1]
	samples := make([]int16, len(b)/2)
	for i := range samples {
		samples[i] = int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8)
	}
	return samples
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
