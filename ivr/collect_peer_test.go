package ivr

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// tone is a prompt a phone can hear: 425 Hz for n seconds.
func tone(n float64) []int16 {
	s := seconds(n)
	for i := range s {
		if i%19 < 9 {
			s[i] = 6000
		} else {
			s[i] = -6000
		}
	}
	return s
}

// TestPlayCollectBaresipRFC4733: a real phone (baresip) hears the prompt and keys 4, 2, #
// as RFC 4733 telephone-events: the first key stops the prompt, # ends the input.
func TestPlayCollectBaresipRFC4733(t *testing.T) {
	storetest.OnePass(t)
	phone := telephonytest.StartPhone(t, telephonytest.PhoneOptions{User: "customer", Tone: 1000})
	e := startEndpoint(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	leg, err := e.Dial(ctx, telephony.DialRequest{To: phone.URI(), RingTimeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, phone.Output())
	}
	defer leg.Hangup(context.WithoutCancel(ctx), "")
	if leg.Remote.DTMF == 0 {
		t.Fatal("baresip offered no telephone-event")
	}
	go func() {
		time.Sleep(1500 * time.Millisecond)
		for _, k := range []string{"4", "2", "#"} {
			phone.Command("sndcode", k)
			time.Sleep(400 * time.Millisecond)
		}
	}()
	start := time.Now()
	r, err := PlayCollect(ctx, e, leg, tone(8), Collect{MaxDigits: 4, FirstDigit: 10 * time.Second})
	took := time.Since(start)
	if err != nil || r.Digits != "42" || r.Stop != StopTerminator || r.Via != "rr" || !r.Barged {
		t.Fatalf("collected %+v %v\n%s", r, err, phone.Output())
	}
	if took >= 8*time.Second {
		t.Fatalf("the prompt was not stopped by the first key: collecting took %s", took)
	}
}

// TestPlayCollectSIPpInfo: a real phone (SIPp) keys 3 as SIP INFO application/dtmf-relay and
// # as application/dtmf inside the dialog: both are answered 200 and collected.
func TestPlayCollectSIPpInfo(t *testing.T) {
	storetest.OnePass(t)
	bin := telephonytest.Require(t, "sipp", "sip-tester")
	port := telephonytest.FreeSIPPort(t)
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys.csv")
	os.WriteFile(keys, []byte("SEQUENTIAL\n3;\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "-sf", "testdata/info_uas.xml", "-inf", keys, "-i", "127.0.0.1", "-p", strconv.Itoa(port),
		"-mi", "127.0.0.1", "-mp", strconv.Itoa(telephonytest.FreePort(t, "udp")), "-rtp_echo", "-m", "1", "-nostdin", "-timeout", "30s",
		"-trace_err", "-error_file", filepath.Join(dir, "err.log"))
	cmd.Stdout, cmd.Stderr, cmd.Dir = &out, &out, "."
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() { cmd.Process.Kill(); <-done }()
	time.Sleep(300 * time.Millisecond) // SIPp binds its port
	e := startEndpoint(t)
	leg, err := e.Dial(ctx, telephony.DialRequest{To: "sip:phone@127.0.0.1:" + strconv.Itoa(port), RingTimeout: 10 * time.Second}, nil)
	if err != nil {
		t.Fatalf("dial SIPp: %v\n%s", err, out.String())
	}
	r, err := PlayCollect(ctx, e, leg, tone(3), Collect{MaxDigits: 4, FirstDigit: 10 * time.Second})
	leg.Hangup(context.WithoutCancel(ctx), "")
	if err != nil || r.Digits != "3" || r.Stop != StopTerminator || r.Via != "i" || !r.Barged {
		errs, _ := os.ReadFile(filepath.Join(dir, "err.log"))
		t.Fatalf("collected %+v %v\n%s\n%s", r, err, out.String(), errs)
	}
	select {
	case err := <-done:
		done <- err
		if err != nil {
			errs, _ := os.ReadFile(filepath.Join(dir, "err.log"))
			t.Fatalf("SIPp failed (an INFO not answered 200?): %v\n%s", err, errs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("SIPp did not finish its scenario")
	}
}

// TestPlayCollectTypeAheadKeepsEarlyKeys: a real phone (SIPp) keys 3 and # as SIP INFO before
// the question's prompt starts (the first question of a call on a busy node); with TypeAhead
// those keys are the answer, without it they are dropped as answers to nothing (found by
// tools/benchhotline: at 600 concurrent callers the first digits were lost and the caller
// heard "not found").
func TestPlayCollectTypeAheadKeepsEarlyKeys(t *testing.T) {
	storetest.OnePass(t)
	bin := telephonytest.Require(t, "sipp", "sip-tester")
	e := startEndpoint(t)
	for _, typeAhead := range []bool{true, false} {
		port := telephonytest.FreeSIPPort(t)
		dir := t.TempDir()
		keys := filepath.Join(dir, "keys.csv")
		os.WriteFile(keys, []byte("SEQUENTIAL\n3;\n"), 0o644)
		ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
		defer cancel()
		var out bytes.Buffer
		cmd := exec.CommandContext(ctx, bin, "-sf", "testdata/info_uas.xml", "-inf", keys, "-i", "127.0.0.1", "-p", strconv.Itoa(port),
			"-mi", "127.0.0.1", "-mp", strconv.Itoa(telephonytest.FreePort(t, "udp")), "-rtp_echo", "-m", "1", "-nostdin", "-timeout", "30s")
		cmd.Stdout, cmd.Stderr, cmd.Dir = &out, &out, "."
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		defer func() { cmd.Process.Kill(); <-done }()
		time.Sleep(300 * time.Millisecond) // SIPp binds its port
		leg, err := e.Dial(ctx, telephony.DialRequest{To: "sip:phone@127.0.0.1:" + strconv.Itoa(port), RingTimeout: 10 * time.Second}, nil)
		if err != nil {
			t.Fatalf("dial SIPp: %v\n%s", err, out.String())
		}
		for len(leg.Keys()) < 2 && ctx.Err() == nil { // both keys came before the question
			time.Sleep(20 * time.Millisecond)
		}
		r, err := PlayCollect(ctx, e, leg, tone(0.5), Collect{MaxDigits: 4, FirstDigit: 500 * time.Millisecond, TypeAhead: typeAhead})
		leg.Hangup(context.WithoutCancel(ctx), "")
		if typeAhead && (err != nil || r.Digits != "3" || r.Stop != StopTerminator || r.Via != "i") {
			t.Fatalf("type-ahead: collected %+v %v, want 3 then #\n%s", r, err, out.String())
		}
		if !typeAhead && (err != nil || r.Digits != "" || r.Stop != StopTimeout) {
			t.Fatalf("no type-ahead: collected %+v %v, want the early keys dropped", r, err)
		}
	}
}
