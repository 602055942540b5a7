package dialer

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// sendTimeout bounds one send, including the wait for a connection to the provider.
const sendTimeout = 30 * time.Second

// maxSendTries is how often a message that certainly did not go out is tried before it fails.
const maxSendTries = 5

// result is what became of one claimed contact.
type result struct {
	c    claimed
	sent Sent
	err  error
	at   time.Time
}

// drain claims and sends due contacts of every channel until none is left (or ctx ends),
// and returns how many went out. Sends over the wire stream: at most Concurrency are in
// flight, and a channel claims again as soon as half of them are free, so no more
// contacts are `sending` (claimed, not yet answered) than go out at once. The log channel
// sends whole claimed batches in place. Results go to the writer, which records them in
// batches.
func (s *Service) drain(ctx context.Context, w *resultWriter) (int, error) {
	channels := []Channel{SMS, Email}
	if s.calls != nil {
		channels = append(channels, Call)
	}
	f := newFlight(s.opts.Concurrency)
	defer f.wait()
	total := 0
	for ctx.Err() == nil {
		claimedAny := false
		for _, ch := range channels {
			n, local := s.claimSize(ch), s.local(ch)
			if !local {
				if !f.free(ctx, (s.opts.Concurrency+1)/2) {
					return total, nil
				}
				n = min(n, f.available())
			}
			batch, err := s.claim(ctx, ch, n)
			if err != nil {
				return total, err
			}
			claimedAny = claimedAny || len(batch) > 0
			total += len(batch)
			for _, c := range batch {
				if local {
					w.add(s.sendOne(ctx, c))
					continue
				}
				f.start(func() { w.add(s.sendOne(ctx, c)) })
			}
		}
		if !claimedAny {
			break
		}
	}
	return total, nil
}

// sendOne sends a claimed contact. It runs to its end even when ctx is cancelled (shutdown
// drains): cutting it would only turn a sent message into an unknown one.
func (s *Service) sendOne(ctx context.Context, c claimed) result {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	var r result
	if c.channel == Call {
		r = result{c: c, err: s.calls.PlaceCall(sctx, c.callRequest())}
	} else {
		m := c.message(s.opts.PublicURL)
		if s.opts.Prepare != nil {
			s.opts.Prepare(sctx, &m)
		}
		sent, err := s.sender(c.channel).Send(sctx, m)
		r = result{c: c, sent: sent, err: err}
	}
	r.at = s.now()
	return r
}

// flight bounds the sends in flight.
type flight struct {
	limit int
	mu    sync.Mutex
	n     int
	freed chan struct{}
	wg    sync.WaitGroup
}

func newFlight(limit int) *flight { return &flight{limit: limit, freed: make(chan struct{}, 1)} }

func (f *flight) available() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.limit - f.n
}

// free waits until at least k slots are free; false when ctx ended first.
func (f *flight) free(ctx context.Context, k int) bool {
	for f.available() < k {
		select {
		case <-f.freed:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

func (f *flight) start(fn func()) {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		fn()
		f.mu.Lock()
		f.n--
		f.mu.Unlock()
		select {
		case f.freed <- struct{}{}:
		default:
		}
	}()
}

func (f *flight) wait() { f.wg.Wait() }

// local reports whether a channel is the log channel, which sends in place and cannot lose
// a message.
func (s *Service) local(ch Channel) bool {
	_, ok := s.sender(ch).(logSender)
	return ok && ch != Call
}

// claimSize is how many contacts of a channel one claim takes. A contact claimed is
// `sending`, and a crash turns every `sending` contact `unknown` — also those still waiting
// their turn — so a channel that goes over the wire claims no more than it sends at once;
// the log channel claims whole batches.
func (s *Service) claimSize(ch Channel) int {
	if s.local(ch) {
		return s.opts.Batch
	}
	return min(s.opts.Batch, s.opts.Concurrency)
}

func (c claimed) message(publicURL string) Message {
	m := Message{ContactID: c.id, BrandID: c.brand, Channel: c.channel, To: c.to, Subject: c.subject, Text: c.body, HTML: c.html}
	if c.token != "" {
		m.UnsubscribeURL = strings.TrimSuffix(publicURL, "/") + "/unsubscribe/" + c.token
	}
	return m
}

func (c claimed) callRequest() CallRequest {
	return CallRequest{ContactID: c.id, BrandID: c.brand, ParcelID: c.parcel, CampaignID: c.campaign, To: c.to,
		CallerID: c.callerID, ScriptID: c.scriptID, ScriptVersion: c.scriptVer, Attempt: c.attempt, Language: c.lang}
}

func joinIDs(ids []string) string { return strings.Join(ids, ",") }

func describe(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 500 {
		s = s[:500]
	}
	return fmt.Sprint(s)
}
