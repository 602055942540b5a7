package telephony

import "time"

// The RTP timeout. A far end that stops sending RTP without a BYE has gone: its phone lost
// power or network, or it never was a phone (an INVITE and an ACK, then nothing). Every leg
// (bridged, queued, hearing an announcement, waiting while an agent is rung) is ended after
// Config.NoRTPTimeout of silence, except while the far end has put the call on hold or only
// receives: RFC 3264 §8.4 lets it send nothing then. Silence is counted from the answer, and
// again in full from the moment the call is taken off hold.

// aim points stream at what the far end's SDP m names, trusting the address as the SIP that
// carried it, from src, allows (latch.go). A port of 0 (a stream refused, RFC 3264 §6) or
// RFC 2543's c=0.0.0.0 hold moves nothing.
func (e *Endpoint) aim(stream *RTPStream, m Media, src string) {
	if m.Addr == nil || m.Addr.Port == 0 || m.held() {
		return
	}
	stream.SetRemote(m.Addr, e.trustedMedia(src, m.Addr))
}

// remoteMedia applies the direction the far end's SDP gives at now: its silence counts only
// while it sends and receives, and it is sent nothing while it wants nothing.
func (l *Leg) remoteMedia(m Media, now time.Time) {
	if was := l.twoWay.Swap(m.TwoWay()); !was && m.TwoWay() {
		l.quietFrom.Store(now.UnixNano()) // answered, or off hold: a full timeout from now
	}
	if s, ok := l.Stream.(*RTPStream); ok {
		s.muted.Store(!m.receives())
	}
}

// silence is how long the far end has sent nothing while it should have been sending; 0 while
// it has the call on hold.
func (l *Leg) silence(now time.Time) time.Duration {
	if !l.twoWay.Load() {
		return 0
	}
	return min(l.Stream.SinceLastRx(), now.Sub(time.Unix(0, l.quietFrom.Load())))
}

// watchMedia ends every leg that has been silent for longer than the RTP timeout, looking a
// few times per timeout, until the endpoint closes.
func (e *Endpoint) watchMedia() {
	every := min(time.Second, max(e.cfg.NoRTPTimeout/4, 50*time.Millisecond))
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-e.stop:
			return
		case now := <-tick.C:
			e.legs.Range(func(_, v any) bool {
				l := v.(*Leg)
				if quiet := l.silence(now); quiet > e.cfg.NoRTPTimeout && l.timingOut.CompareAndSwap(false, true) {
					e.log.Warn("no RTP: ending the call", "call_id", l.CallID, "silent", quiet.Round(100*time.Millisecond))
					go l.Hangup(e.base, EndedMedia)
				}
				return true
			})
		}
	}
}
