package callcenter

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/wismo/wismo/callcenter/browsermedia"
	"github.com/wismo/wismo/callcenter/rtcapi"
	"github.com/wismo/wismo/telephony"
	"github.com/wismo/wismo/telephony/telephonytest"
)

// The relay benchmarks run without a database: a "wismo" endpoint dials a "phones"
// endpoint that answers every call (both sipgo, RTP over loopback UDP), and a pion peer in
// the test process plays the agent's browser (PCMU, telephone-event as PT 126 like Chrome)
// against the softphone's own peer connection code.

// answerAll is a phones endpoint's inbound handler: it answers and hands the leg over.
type answerAll struct{ legs chan *telephony.Leg }

func (a answerAll) HandleInbound(context.Context, *telephony.InboundCall) telephony.Decision {
	return telephony.Accept(func(_ context.Context, leg *telephony.Leg, err error) {
		if err == nil {
			a.legs <- leg
		}
	})
}

// benchRig is the two endpoints and a softphone that is not wired to a database.
type benchRig struct {
	t      testing.TB
	wismo  *telephony.Endpoint
	phones *telephony.Endpoint
	answer answerAll
	desk   *desk
}

func newBenchRig(t testing.TB) *benchRig {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	start := func(in telephony.InboundHandler) *telephony.Endpoint {
		p := telephonytest.FreePort(t, "udp") &^ 1
		e, err := telephony.New(context.Background(), telephony.Config{ListenAddr: "127.0.0.1:0", RTPPortMin: p, RTPPortMax: p + 400,
			NoRTPTimeout: time.Minute}, log, nil, in)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go e.Serve(ctx)
		t.Cleanup(func() { cancel(); e.Close() })
		return e
	}
	r := &benchRig{t: t, answer: answerAll{legs: make(chan *telephony.Leg, 256)}}
	r.phones = start(r.answer)
	r.wismo = start(nil)
	cfg := SoftphoneConfig{ConnectTimeout: 10 * time.Second, IPFilter: func(ip net.IP) bool { return ip.IsLoopback() }}
	api, err := rtcapi.New(cfg.IPFilter, cfg.PortMin, cfg.PortMax)
	if err != nil {
		t.Fatal(err)
	}
	p := &Softphone{cfg: cfg, api: api, log: log, desks: map[int64]*desk{}, waiting: map[int64]int{}}
	r.desk = &desk{p: p, agentID: 1, log: log}
	return r
}

// sipPair dials the phones endpoint: wismo's leg (to bridge) and the phone's leg (to talk).
func (r *benchRig) sipPair(ctx context.Context) (wismoLeg, phoneLeg *telephony.Leg) {
	r.t.Helper()
	leg, err := r.wismo.Dial(ctx, telephony.DialRequest{To: "sip:phone@" + r.phones.Addr()}, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	select {
	case ph := <-r.answer.legs:
		return leg, ph
	case <-ctx.Done():
		r.t.Fatal("the phone endpoint never answered")
	}
	return nil, nil
}

// browser is the in-process stand-in for the agent's browser.
type browser struct {
	pc  *webrtc.PeerConnection
	out *webrtc.TrackLocalStaticRTP
	in  chan *webrtc.TrackRemote
}

// chromeAPI registers what Chrome offers for G.711 audio: PCMU 0 and telephone-event 126.
func chromeAPI(t testing.TB) *webrtc.API {
	m := &webrtc.MediaEngine{}
	for _, c := range []webrtc.RTPCodecParameters{
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, PayloadType: 0},
		{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: "audio/telephone-event", ClockRate: 8000, Channels: 1}, PayloadType: 126},
	} {
		if err := m.RegisterCodec(c, webrtc.RTPCodecTypeAudio); err != nil {
			t.Fatal(err)
		}
	}
	var s webrtc.SettingEngine
	s.SetIncludeLoopbackCandidate(true)
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	s.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(s), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
}

// sinkTo trickles the softphone's candidates straight into the browser peer.
type sinkTo struct{ pc *webrtc.PeerConnection }

func (s sinkTo) send(m msg) error {
	if c, ok := m["candidate"].(webrtc.ICECandidateInit); ok && m["type"] == "ice" {
		return s.pc.AddICECandidate(c)
	}
	return nil
}
func (s sinkTo) close(string) {}

// browserLeg connects a new browser peer to the softphone and returns the agent's leg.
func (r *benchRig) browserLeg(api *webrtc.API, n int) (*telephony.Leg, *browser) {
	r.t.Helper()
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		r.t.Fatal(err)
	}
	b := &browser{pc: pc, in: make(chan *webrtc.TrackRemote, 1)}
	b.out, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}, "mic", "browser")
	if _, err := pc.AddTrack(b.out); err != nil {
		r.t.Fatal(err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) { b.in <- tr })
	offer, _ := pc.CreateOffer(nil)
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		r.t.Fatal(err)
	}
	<-gathered
	r.desk.mu.Lock()
	r.desk.conn = sinkTo{pc: pc}
	r.desk.mu.Unlock()
	stream, err := browsermedia.New()
	if err != nil {
		r.t.Fatal(err)
	}
	pe, answer, err := r.desk.newPeer(stream, pc.LocalDescription().SDP)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		r.t.Fatal(err)
	}
	select {
	case <-pe.up:
	case <-time.After(10 * time.Second):
		r.t.Fatal("the browser peer did not connect")
	}
	leg := r.wismo.AttachLeg(telephony.ExternalLeg{ID: fmt.Sprintf("webrtc-bench-%d", n), Stream: stream,
		Remote: telephony.Media{Codec: 0, DTMF: pe.dtmf}, Hangup: func(context.Context) { pe.close() }})
	return leg, b
}

// stamp writes a packet whose payload starts with the send time.
func stamp(payload []byte) []byte {
	binary.BigEndian.PutUint64(payload, uint64(time.Now().UnixNano()))
	return payload
}

func since(payload []byte) time.Duration {
	return time.Duration(time.Now().UnixNano() - int64(binary.BigEndian.Uint64(payload)))
}

// median of ds (sorted in place).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

func p99(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)*99/100]
}

// measureSIP sends packets from phone a and times their arrival at phone b (legs bridged
// between).
func measureSIP(t testing.TB, from, to *telephony.Leg, packets int, gap time.Duration) []time.Duration {
	arrived := receiveAt(to, packets)
	payload := make([]byte, 160)
	buf := make([]byte, 1500)
	for range packets {
		from.Stream.WriteAudio(0, stamp(payload), buf)
		time.Sleep(gap)
	}
	return arrived()
}

// receiveAt times the arrival of up to packets stamped packets at leg to; the returned
// function waits for them (or for two silent seconds) and gives the one-way times.
func receiveAt(to *telephony.Leg, packets int) func() []time.Duration {
	var out []time.Duration
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		var pkt rtp.Packet
		for len(out) < packets {
			n, _, err := to.Stream.Read(buf, &pkt, 2*time.Second)
			if err != nil {
				return
			}
			if n > 0 && len(pkt.Payload) >= 8 {
				out = append(out, since(pkt.Payload))
			}
		}
	}()
	return func() []time.Duration { <-done; return out }
}

// measureToBrowser sends from the phone and times arrival at the browser peer.
func measureToBrowser(t testing.TB, from *telephony.Leg, b *browser, packets int, gap time.Duration) []time.Duration {
	var tr *webrtc.TrackRemote
	var out []time.Duration
	payload := make([]byte, 160)
	buf := make([]byte, 1500)
	from.Stream.WriteAudio(0, stamp(payload), buf) // pion's OnTrack needs a first packet
	select {
	case tr = <-b.in:
	case <-time.After(5 * time.Second):
		t.Fatal("no track from the softphone")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		rb := make([]byte, 1500)
		var pkt rtp.Packet
		tr.SetReadDeadline(time.Now().Add(time.Duration(packets)*gap + 5*time.Second))
		for len(out) < packets {
			n, _, err := tr.Read(rb)
			if err != nil {
				return
			}
			if pkt.Unmarshal(rb[:n]) == nil && len(pkt.Payload) >= 8 {
				out = append(out, since(pkt.Payload))
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	for range packets {
		from.Stream.WriteAudio(0, stamp(payload), buf)
		time.Sleep(gap)
	}
	<-done
	return out
}

// measureFromBrowser sends from the browser peer and times arrival at the phone.
func measureFromBrowser(t testing.TB, b *browser, to *telephony.Leg, packets int, gap time.Duration) []time.Duration {
	arrived := receiveAt(to, packets)
	payload := make([]byte, 160)
	for i := range packets {
		b.out.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(i), Timestamp: uint32(i * 160)}, Payload: stamp(payload)})
		time.Sleep(gap)
	}
	return arrived()
}

// BenchmarkSoftphoneRelayLatency measures one packet's trip phone -> wismo's relay -> peer,
// for a SIP peer (the baseline: two loopback UDP hops and the relay) and for a browser peer
// (pion's SRTP and our browsermedia.Stream instead of the second UDP socket), both directions.
// The difference of the medians is what the browser leg adds per packet.
//
//	go test -run '^$' -bench SoftphoneRelayLatency -benchtime 1x ./callcenter/
func BenchmarkSoftphoneRelayLatency(b *testing.B) {
	const packets, gap = 1000, 2 * time.Millisecond
	r := newBenchRig(b)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w1, ph1 := r.sipPair(ctx)
	w2, ph2 := r.sipPair(ctx)
	go r.wismo.Bridge(ctx, w1, w2, nil)
	time.Sleep(100 * time.Millisecond)
	sip := measureSIP(b, ph1, ph2, packets, gap)
	w3, ph3 := r.sipPair(ctx)
	bl, br := r.browserLeg(chromeAPI(b), 1)
	go r.wismo.Bridge(ctx, w3, bl, nil)
	time.Sleep(100 * time.Millisecond)
	toB := measureToBrowser(b, ph3, br, packets, gap)
	fromB := measureFromBrowser(b, br, ph3, packets, gap)
	if len(sip) < packets*9/10 || len(toB) < packets*9/10 || len(fromB) < packets*9/10 {
		b.Fatalf("packets lost: sip %d, to browser %d, from browser %d of %d", len(sip), len(toB), len(fromB), packets)
	}
	ms, mt, mf := median(sip), median(toB), median(fromB)
	b.ReportMetric(float64(ms.Microseconds()), "sip-sip-µs/pkt")
	b.ReportMetric(float64(mt.Microseconds()), "sip-browser-µs/pkt")
	b.ReportMetric(float64(mf.Microseconds()), "browser-sip-µs/pkt")
	b.Logf("median (p99) one-way: SIP->SIP %v (%v), SIP->browser %v (%v), browser->SIP %v (%v); added by the browser leg: %v and %v",
		ms, p99(sip), mt, p99(toB), mf, p99(fromB), mt-ms, mf-ms)
	bl.Hangup(context.Background(), "")
}

// BenchmarkSoftphoneLegsPerCore runs calls browser <-> SIP at 50 packets/s each way (G.711's
// 20 ms) for a few seconds and measures the process's CPU time per call, against SIP <-> SIP
// calls with the same traffic in the same run. The in-process "browsers" and phones are
// counted too, so the figure is a lower bound of what one core carries.
//
//	go test -run '^$' -bench SoftphoneLegsPerCore -benchtime 1x ./callcenter/
func BenchmarkSoftphoneLegsPerCore(b *testing.B) {
	const calls, seconds = 40, 5
	r := newBenchRig(b)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	runCtx, stopReaders := context.WithCancel(ctx)
	defer stopReaders()
	run := func(kind string, setup func(i int) (send func(), phones []*telephony.Leg)) float64 {
		var senders []func()
		for i := range calls {
			s, phones := setup(i)
			senders = append(senders, s)
			for _, phone := range phones {
				go func() { // each phone reads what it hears
					buf := make([]byte, 1500)
					var pkt rtp.Packet
					for runCtx.Err() == nil && phone.EndedBy() == "" {
						phone.Stream.Read(buf, &pkt, 200*time.Millisecond)
					}
				}()
			}
		}
		time.Sleep(200 * time.Millisecond)
		before := cpuTime()
		start := time.Now()
		var wg sync.WaitGroup
		for _, s := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for time.Since(start) < seconds*time.Second {
					<-tick.C
					s()
				}
			}()
		}
		wg.Wait()
		cpu := cpuTime() - before
		perCall := cpu.Seconds() / time.Since(start).Seconds() / calls
		b.Logf("%s: %d calls, %.2f%% of a core per call, %.0f calls per core", kind, calls, perCall*100, 1/perCall)
		return perCall
	}
	sipPer := run("SIP<->SIP", func(int) (func(), []*telephony.Leg) {
		w1, ph1 := r.sipPair(ctx)
		w2, ph2 := r.sipPair(ctx)
		go r.wismo.Bridge(ctx, w1, w2, nil)
		payload, buf := make([]byte, 160), make([]byte, 1500)
		return func() {
			ph1.Stream.WriteAudio(0, payload, buf)
			ph2.Stream.WriteAudio(0, payload, buf)
		}, []*telephony.Leg{ph1, ph2}
	})
	api := chromeAPI(b)
	webPer := run("browser<->SIP", func(i int) (func(), []*telephony.Leg) {
		w, ph := r.sipPair(ctx)
		bl, br := r.browserLeg(api, i)
		go r.wismo.Bridge(ctx, w, bl, nil)
		go func() { // the browser reads what it hears
			select {
			case tr := <-br.in:
				buf := make([]byte, 1500)
				for {
					if _, _, err := tr.Read(buf); err != nil {
						return
					}
				}
			case <-ctx.Done():
			}
		}()
		payload, buf := make([]byte, 160), make([]byte, 1500)
		var seq uint16
		return func() {
			ph.Stream.WriteAudio(0, payload, buf)
			seq++
			br.out.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: uint32(seq) * 160}, Payload: payload})
		}, []*telephony.Leg{ph}
	})
	b.ReportMetric(1/sipPer, "sip-calls/core")
	b.ReportMetric(1/webPer, "webrtc-calls/core")
	cancel()
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
