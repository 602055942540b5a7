package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/telephony"
)

// b2bua is what wismo does with a call in the benchmark, without the database: the inbound
// leg is answered once the far end (SIPp's UAS) answers, both are bridged with RTP relayed
// and the call recorded to a stereo WAV, until either side hangs up.
type b2bua struct {
	eng      *telephony.Endpoint
	target   string // the UAS's SIP URI
	dir      string // recordings
	log      *slog.Logger
	failed   atomic.Int64
	recorded atomic.Int64
	seq      atomic.Int64
	record   bool
}

// HandleInbound implements telephony.InboundHandler: it dials the far end first and takes
// the call only when the far end answered.
func (b *b2bua) HandleInbound(ctx context.Context, in *telephony.InboundCall) telephony.Decision {
	out, err := b.eng.Dial(ctx, telephony.DialRequest{To: b.target, RingTimeout: 10 * time.Second}, nil)
	if err != nil {
		b.failed.Add(1)
		return telephony.Reject(telephony.Unavailable)
	}
	return telephony.Accept(func(ctx context.Context, leg *telephony.Leg, err error) {
		if err != nil {
			b.failed.Add(1)
			out.Hangup(context.WithoutCancel(ctx), "")
			return
		}
		b.bridge(ctx, leg, out)
	})
}

// bridge relays and records the two legs until either hangs up, for at most two minutes.
func (b *b2bua) bridge(ctx context.Context, leg, out *telephony.Leg) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var rec *recordings.Recorder
	if b.record {
		path := filepath.Join(b.dir, fmt.Sprintf("call-%d.wav", b.seq.Add(1)))
		if w, err := media.CreateWAV(path, recordings.Rate, 2); err == nil {
			rec = recordings.NewRecorder(w, time.Now())
		}
	}
	var r telephony.Recorder
	if rec != nil {
		r = rec
	}
	b.eng.Bridge(ctx, leg, out, r)
	leg.Hangup(context.WithoutCancel(ctx), "")
	out.Hangup(context.WithoutCancel(ctx), "")
	if rec != nil {
		if _, err := rec.Close(); err == nil {
			b.recorded.Add(1)
		}
	}
}

// cleanRecordings removes what a run recorded (the disk is shared).
func (b *b2bua) cleanRecordings() {
	files, _ := filepath.Glob(filepath.Join(b.dir, "*.wav"))
	for _, f := range files {
		os.Remove(f)
	}
}
