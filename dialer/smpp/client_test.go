package smpp_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/dialer/gsm"
	"github.com/wismo/wismo/dialer/smpp"
	"github.com/wismo/wismo/dialer/smpp/smpptest"
	"github.com/wismo/wismo/store/storetest"
)

// harness is a client bound to a fresh Perl SMSC, collecting what the SMSC delivers.
type harness struct {
	peer   *smpptest.Peer
	client *smpp.Client
	mu     sync.Mutex
	got    []smpp.Deliver
}

func start(t *testing.T, cfg smpp.Config) *harness {
	t.Helper()
	h := &harness{peer: smpptest.Start(t)}
	cfg.Addr, cfg.Log = h.peer.Addr, storetest.Logger(t)
	if cfg.SystemID == "" {
		cfg.SystemID, cfg.Password = "wismo", "secret"
	}
	cfg.SourceAddr = "WISMO"
	cfg.MinBackoff, cfg.MaxBackoff = 20*time.Millisecond, 200*time.Millisecond
	cfg.Handler = func(_ context.Context, d smpp.Deliver) error {
		h.mu.Lock()
		h.got = append(h.got, d)
		h.mu.Unlock()
		return nil
	}
	h.client = smpp.NewClient(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.client.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return h
}

func (h *harness) delivered() []smpp.Deliver {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]smpp.Deliver(nil), h.got...)
}

func (h *harness) submit(t *testing.T, to, text string) smpp.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := h.client.Submit(ctx, smpp.Message{To: to, Text: text, Receipt: true})
	if err != nil {
		t.Fatalf("submit %q: %v", text, err)
	}
	return res
}

// joined reassembles the texts the SMSC received, concatenated parts in order.
func joined(subs []smpptest.Event) []string {
	var out []string
	parts := map[int][]smpptest.Event{}
	for _, s := range subs {
		if s.UDH == nil {
			out = append(out, s.Text)
			continue
		}
		parts[s.UDH.Ref] = append(parts[s.UDH.Ref], s)
	}
	for _, ps := range parts {
		sort.Slice(ps, func(i, j int) bool { return ps[i].UDH.Seq < ps[j].UDH.Seq })
		var b strings.Builder
		for _, p := range ps {
			b.WriteString(p.Text)
		}
		out = append(out, b.String())
	}
	return out
}

func TestSubmitEncodings(t *testing.T) {
	h := start(t, smpp.Config{Window: 4})
	long := strings.Repeat("Your parcel RB123456785GB is on its way. ", 10)
	longRU := strings.Repeat("Посылка RB123456785GB в пути. ", 6)
	tests := []struct {
		name, text string
		dc, parts  int
	}{
		{"GSM-7", "Your parcel RB123456785GB is at the sorting centre: http://127.0.0.1/track/RB123456785GB {ok} €5", 0, 1},
		{"UCS-2 Cyrillic", "Посылка RB123456785GB в сортировочном центре", 8, 1},
		{"long GSM-7 concatenated", long, 0, 3},
		{"long UCS-2 concatenated", longRU, 8, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.peer.Submits())
			res := h.submit(t, "+79131234567", tt.text)
			if res.Parts != tt.parts || len(res.IDs) != tt.parts {
				t.Fatalf("result %+v, want %d parts", res, tt.parts)
			}
			h.peer.WaitFor(t, 5*time.Second, "the parts at the SMSC", func([]smpptest.Event) bool { return len(h.peer.Submits()) >= before+tt.parts })
			subs := h.peer.Submits()[before:]
			if len(subs) != tt.parts {
				t.Fatalf("the SMSC got %d submit_sm, want %d", len(subs), tt.parts)
			}
			for i, s := range subs {
				if s.DC != tt.dc || s.Dst != "79131234567" || s.Src != "WISMO" || s.ID != res.IDs[i] {
					t.Fatalf("part %d at the SMSC: %+v (ids %v)", i, s, res.IDs)
				}
				if tt.parts > 1 && (s.UDH == nil || s.UDH.Total != tt.parts || s.UDH.Seq != i+1 || s.ESM&0x40 == 0) {
					t.Fatalf("part %d has no proper UDH: %+v", i, s)
				}
			}
			if got := joined(subs); len(got) != 1 || got[0] != tt.text {
				t.Fatalf("the SMSC reassembled %q", got)
			}
			if want := gsm.Analyze(tt.text).Segments; want != tt.parts {
				t.Fatalf("the editor would show %d segments, the wire carried %d", want, tt.parts)
			}
		})
	}
}

func TestReceiptsAndMobileOriginated(t *testing.T) {
	h := start(t, smpp.Config{Window: 2})
	h.peer.Must(t, "fail 7999")
	ok := h.submit(t, "+79131234567", "delivered one")
	bad := h.submit(t, "+79990000000", "undeliverable one")
	h.peer.Must(t, "mo +79131234567 WISMO STOP")
	h.peer.Must(t, "mo +79131234568 WISMO СТОП")
	deadline := time.Now().Add(15 * time.Second)
	for len(h.delivered()) < 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var receipts, mos []smpp.Deliver
	for _, d := range h.delivered() {
		if d.Receipt != nil {
			receipts = append(receipts, d)
		} else {
			mos = append(mos, d)
		}
	}
	if len(receipts) != 2 || len(mos) != 2 {
		t.Fatalf("got %d receipts and %d MOs: %+v", len(receipts), len(mos), h.delivered())
	}
	byID := map[string]*smpp.Receipt{}
	for _, r := range receipts {
		byID[r.Receipt.MessageID] = r.Receipt
	}
	if r := byID[ok.IDs[0]]; r == nil || !r.Delivered() {
		t.Errorf("receipt for %s: %+v", ok.IDs[0], r)
	}
	if r := byID[bad.IDs[0]]; r == nil || !r.Failed() || r.Delivered() {
		t.Errorf("receipt for %s: %+v", bad.IDs[0], r)
	}
	sort.Slice(mos, func(i, j int) bool { return mos[i].Source < mos[j].Source }) // handled concurrently
	if mos[0].Source != "+79131234567" || mos[0].Text != "STOP" || mos[1].Text != "СТОП" || mos[1].Destination != "WISMO" {
		t.Errorf("MOs: %+v", mos)
	}
	h.peer.WaitFor(t, 5*time.Second, "deliver_sm_resp for every deliver_sm", func(evs []smpptest.Event) bool {
		n := 0
		for _, e := range evs {
			if e.Ev == "deliver_resp" && e.Status == 0 {
				n++
			}
		}
		return n == 4
	})
}

func TestEnquireLinkAndWrongPassword(t *testing.T) {
	h := start(t, smpp.Config{EnquireLink: 100 * time.Millisecond})
	h.peer.WaitFor(t, 10*time.Second, "an enquire_link", func(evs []smpptest.Event) bool {
		for _, e := range evs {
			if e.Ev == "enquire_link" {
				return true
			}
		}
		return false
	})
	bad := start(t, smpp.Config{SystemID: "wismo", Password: "wrong"})
	bad.peer.WaitFor(t, 10*time.Second, "two refused binds (it retries with backoff)", func(evs []smpptest.Event) bool {
		n := 0
		for _, e := range evs {
			if e.Ev == "bind_refused" {
				n++
			}
		}
		return n >= 2
	})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := bad.client.Submit(ctx, smpp.Message{To: "+79131234567", Text: "x"}); !errors.Is(err, smpp.ErrNotSent) {
		t.Fatalf("submit without a bound connection: %v, want ErrNotSent", err)
	}
}

// TestDroppedConnectionMidBurst: the SMSC drops the connection in the middle of a burst of
// 300 messages, on a submit_sm it never answers. The client reconnects and sends the rest.
// No message arrives twice; every message is either acknowledged with an id the SMSC really
// gave it, or reported ErrUnknown (written, never answered: at most the send window); none
// is lost silently.
func TestDroppedConnectionMidBurst(t *testing.T) {
	const n, window = 300, 8
	h := start(t, smpp.Config{Window: window})
	h.peer.WaitFor(t, 10*time.Second, "the bind", func(evs []smpptest.Event) bool { return len(evs) > 1 })
	h.peer.Must(t, "drop_after 120")
	type outcome struct {
		id  string
		err error
	}
	results := make([]outcome, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := h.client.Submit(ctx, smpp.Message{To: "+79131234567", Text: fmt.Sprintf("burst message %03d", i)})
			if err == nil {
				results[i].id = res.IDs[0]
			}
			results[i].err = err
		}()
	}
	wg.Wait()
	h.peer.Must(t, "stats") // the peer answers in order: once stats is printed, every submit is too
	h.peer.WaitFor(t, 5*time.Second, "stats", func(evs []smpptest.Event) bool { return evs[len(evs)-1].Ev == "ok" })
	atPeer := map[string][]smpptest.Event{}
	for _, s := range h.peer.Submits() {
		atPeer[s.Text] = append(atPeer[s.Text], s)
	}
	var sent, unknown int
	for i, r := range results {
		text := fmt.Sprintf("burst message %03d", i)
		if len(atPeer[text]) > 1 {
			t.Errorf("%q arrived %d times", text, len(atPeer[text]))
		}
		switch {
		case r.err == nil:
			sent++
			if len(atPeer[text]) != 1 || atPeer[text][0].ID != r.id {
				t.Errorf("%q acknowledged as %s but the SMSC has %+v", text, r.id, atPeer[text])
			}
		case errors.Is(r.err, smpp.ErrUnknown):
			unknown++
		default:
			t.Errorf("%q: %v (neither sent nor unknown)", text, r.err)
		}
	}
	if binds := h.peer.Count("bind"); binds < 2 {
		t.Errorf("the client bound %d times; the drop should have made it reconnect", binds)
	}
	if unknown == 0 || unknown > window {
		t.Errorf("%d messages unknown; expected the unanswered one and at most the window of %d", unknown, window)
	}
	t.Logf("%d sent, %d unknown (in flight at the drop), %d binds", sent, unknown, h.peer.Count("bind"))
}
