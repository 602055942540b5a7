package main

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

const (
	beginMark = "<!-- telephony:begin -->"
	endMark   = "<!-- telephony:end -->"
)

// report holds the figures of one run.
type report struct {
	started, finished           time.Time
	recorded                    bool
	directRate, wismoRate       int     // calls/s, zero failures
	directSetupUS, wismoSetupUS float64 // CPU µs per call at that rate
	directCalls, wismoCalls     int     // concurrent bridged calls, zero failures
	levels                      map[int]levelStats
	// Per-packet costs at the largest level both passed.
	costLevel                             int
	samples                               map[string][]costSample // by scenario, one per cost run
	wismoPacketUS, sippEchoUS, sippBothUS float64                 // medians, rtp_stream
	pcapWismoUS, pcapEchoUS               float64                 // medians, play_pcap_audio
}

// costSample is one cost run's CPU per RTP packet: wismo relaying, SIPp's echoing UAS, SIPp
// as a whole (client and UAS) over every packet on the wire.
type costSample struct{ wismo, echo, both float64 }

// costOf works out a cost run from SIPp's own step d and wismo's step w of the same
// scenario and level: wismo relays every packet it receives (receive, decode for the
// recording, transcode, send); in SIPp's own run the same calls put half as many packets
// through the echoing UAS (receive and send each: a relay's work with nothing done to the
// packet), and the client sent the other half. The packet count of SIPp's run is taken from
// wismo's run (SIPp's UAS counts nothing).
func costOf(d, w levelStats) costSample {
	packets := float64(w.wismoRx) // both directions, in the window
	return costSample{wismo: us(w.wismoCPU) / packets, echo: us(d.uasCPU) / (packets / 2), both: us(d.uacCPU+d.uasCPU) / packets}
}

// levelStats is what one concurrency level cost.
type levelStats struct {
	wismoCPU, uacCPU, uasCPU time.Duration
	wismoRx                  uint64 // RTP packets wismo relayed in the steady window
	total                    uint64 // and in the whole step
}

// merge adds the figures of b's run (wismo's or SIPp's) to s's.
func (s levelStats) merge(b levelStats) levelStats {
	s.wismoCPU += b.wismoCPU
	s.uacCPU += b.uacCPU
	s.uasCPU += b.uasCPU
	s.wismoRx += b.wismoRx
	s.total += b.total
	return s
}

// costs takes the medians of the cost runs.
func (r *report) costs() {
	r.costLevel = min(r.wismoCalls, r.directCalls)
	med := func(sc string, f func(costSample) float64) float64 {
		var v []float64
		for _, c := range r.samples[sc] {
			v = append(v, f(c))
		}
		if len(v) == 0 {
			return 0
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	wismo := func(c costSample) float64 { return c.wismo }
	echo := func(c costSample) float64 { return c.echo }
	r.wismoPacketUS, r.sippEchoUS = med("uac_media.xml", wismo), med("uac_media.xml", echo)
	r.sippBothUS = med("uac_media.xml", func(c costSample) float64 { return c.both })
	r.pcapWismoUS, r.pcapEchoUS = med("uac_media_pcap.xml", wismo), med("uac_media_pcap.xml", echo)
}

// eachRun lists a scenario's cost runs as "wismo/SIPp" pairs.
func (r *report) eachRun(sc string) string {
	var parts []string
	for _, c := range r.samples[sc] {
		parts = append(parts, fmt.Sprintf("%.1f/%.1f", c.wismo, c.echo))
	}
	return strings.Join(parts, ", ")
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*a/b)
}

// markdown renders the telephony section.
func (r *report) markdown() string {
	var b strings.Builder
	w := func(f string, a ...any) { fmt.Fprintf(&b, f+"\n", a...) }
	w(beginMark)
	w("## Telephony: call setup, concurrent bridged calls, relay cost")
	w("")
	w("Command: `make bench` (runs `tools/bench.sh`); this section was written by `go run ./tools/benchsip -out BENCHMARKS.md`.")
	w("")
	w("- Date: %s UTC (whole run: %s)", r.started.UTC().Format("2006-01-02 15:04"), r.finished.Sub(r.started).Round(time.Second))
	w("- Machine: %d CPUs (shared with other work: figures are one run each, read them as ratios)", runtime.NumCPU())
	w("- Load generator and baseline: SIPp 3.6.1 (Debian sip-tester); scenarios in `tools/benchsip/scenarios/`; SIPp's built-in `uas` with `-rtp_echo` as the far end")
	w("- wismo: the `telephony.Endpoint` that `wismo serve` runs, in the bench process, with a database-free B2BUA in place of call control: each inbound INVITE is dialled on to the SIPp UAS, answered when it answers, and both legs bridged (RTP relayed, PCMA from the caller transcoded to the far end's PCMU and back)%s.", map[bool]string{true: " and recorded to a stereo WAV", false: ""}[r.recorded])
	w("")
	w("| Figure | SIPp -> wismo -> SIPp | SIPp -> SIPp (baseline) | wismo / baseline |")
	w("|---|---|---|---|")
	w("| (a) highest call-setup rate with zero failed calls (INVITE/200/ACK/BYE, 4 s steps) | %d calls/s | %d calls/s | %s |", r.wismoRate, r.directRate, ratio(float64(r.wismoRate), float64(r.directRate)))
	w("| (b) most concurrent bridged%s calls, RTP both ways (SIPp's rtp_stream: a 1 kHz tone, %d PCMA packets of 20 ms, 7 s, each way), zero failed | %d | %d | %s |", map[bool]string{true: " and recorded", false: ""}[r.recorded], tonePackets, r.wismoCalls, r.directCalls, ratio(float64(r.wismoCalls), float64(r.directCalls)))
	w("| (c) CPU per call setup at that rate (wismo: both legs; SIPp: client + server) | %.0f µs | %.0f µs | %s |", r.wismoSetupUS, r.directSetupUS, ratio(r.wismoSetupUS, r.directSetupUS))
	w("| (c) CPU per RTP packet at %d calls (median of %d runs), in a window with every call up and no SIP: wismo relaying (receive, decode for the recording, transcode, send) vs SIPp's UAS echoing (receive, send) | %.1f µs | %.1f µs | %s |", r.costLevel, len(r.samples["uac_media.xml"]), r.wismoPacketUS, r.sippEchoUS, ratio(r.wismoPacketUS, r.sippEchoUS))
	w("| (c) the same, against SIPp as a whole (client sending + UAS echoing, over every packet on the wire) | %.1f µs | %.1f µs | %s |", r.wismoPacketUS, r.sippBothUS, ratio(r.wismoPacketUS, r.sippBothUS))
	if r.pcapWismoUS > 0 {
		w("| (c) the first figure again with SIPp's `play_pcap_audio` as the source (g711a.pcap, 30 ms packets: one sender thread and one raw socket per call) | %.1f µs | %.1f µs | %s |", r.pcapWismoUS, r.pcapEchoUS, ratio(r.pcapWismoUS, r.pcapEchoUS))
	}
	if n := len(r.samples["uac_media.xml"]); n > 0 {
		w("")
		w("Cost runs, wismo/SIPp µs per packet: rtp_stream %s; play_pcap_audio %s.", r.eachRun("uac_media.xml"), r.eachRun("uac_media_pcap.xml"))
	}
	if st, ok := r.levels[r.wismoCalls]; ok && r.wismoCalls > 0 {
		want := 2 * tonePackets * r.wismoCalls
		w("")
		w("At %d calls wismo relayed %d RTP packets of the %d the tone puts on the wire (%d each way per call; calls end at 7 s, as the tone does).", r.wismoCalls, st.total, want, tonePackets)
	}
	w("")
	goalA := r.directRate > 0 && 4*r.wismoRate >= r.directRate
	goalC := r.sippEchoUS > 0 && r.wismoPacketUS < r.sippEchoUS
	w("- Goal (a), a setup rate of at least a quarter of SIPp-to-SIPp: **%s**.", met(goalA))
	w("- Goal (c), relay cost per packet below SIPp's own (its echoing UAS, the same receive-and-send per packet): **%s**.", met(goalC))
	w("- How the relay works and what bounds its cost per packet (the kernel's UDP send and receive path): `docs/telephony.md`.")
	w("- The steps stop at the first rate or level that loses a call, so each figure is the last step that passed, not a ceiling; the largest step tried bounds what could be shown.")
	w("- Context, not measured here: FreeSWITCH ships with `sessions-per-second` 30 and `max-sessions` 1000 in its default `switch.conf.xml`; Asterisk is commonly sized at about 400 concurrent G.711 calls per core.")
	w(endMark)
	return b.String()
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

// write replaces the telephony section of path (appending it if absent).
func (r *report) write(path string) error {
	sec := r.markdown()
	fmt.Fprint(os.Stderr, sec)
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	s := string(old)
	i, j := strings.Index(s, beginMark), strings.Index(s, endMark)
	if i >= 0 && j > i {
		s = s[:i] + strings.TrimSuffix(sec, "\n") + s[j+len(endMark):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n" + sec
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
