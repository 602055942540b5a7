package carrier

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Hotline is the carrier's demo customers calling wismo's hotline: after each pause of Every,
// as soon as Ready says an agent could take the call, one customer calls Target from the
// next of Callers' numbers, says why they call (again now and then, since the agent may pick
// up at any time), and hangs up after Timing.HotlineCall unless wismo hangs up first. One
// call at a time.
type Hotline struct {
	Every  time.Duration // pause between calls; at least a second
	Target string        // the hotline number at wismo, e.g. sip:+78005550100@127.0.0.1:5060 (loopback)
	// Callers returns the numbers (E.164) demo customers call from: recipients of demo
	// parcels, so that the agent's screen pop finds their parcels.
	Callers func(ctx context.Context) ([]string, error)
	// Ready reports whether an agent could take a call now.
	Ready func(ctx context.Context) (bool, error)
}

// readyPoll is how often a due call asks whether an agent has become free.
const readyPoll = 5 * time.Second

// target checks the hotline's configuration and parses its target.
func (h Hotline) target() (sip.Uri, error) {
	var u sip.Uri
	if h.Every < time.Second || h.Callers == nil || h.Ready == nil {
		return u, errors.New("demo hotline calls: Every (at least 1s), Callers and Ready are required")
	}
	if err := sip.ParseUri(h.Target, &u); err != nil {
		return u, fmt.Errorf("demo hotline target %q: %w", h.Target, err)
	}
	if ip := net.ParseIP(u.Host); ip == nil || !ip.IsLoopback() || u.User == "" {
		return u, fmt.Errorf("demo hotline target %q: must be a number at a loopback address, such as sip:+78005550100@127.0.0.1:5060", h.Target)
	}
	return u, nil
}

// hotline places the demo calls until ctx ends.
func (c *Carrier) hotline(ctx context.Context, h Hotline, target sip.Uri) {
	timer := time.NewTimer(h.Every)
	defer timer.Stop()
	for next := 0; ; {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		ready, err := h.Ready(ctx)
		if err != nil {
			c.log.Warn("demo hotline: cannot tell whether an agent is free", "err", err)
		}
		if !ready {
			timer.Reset(readyPoll)
			continue
		}
		callers, err := h.Callers(ctx)
		if err != nil || len(callers) == 0 {
			c.log.Warn("demo hotline: no demo customer to call from", "err", err)
			timer.Reset(h.Every)
			continue
		}
		from := callers[next%len(callers)]
		next++
		if err := c.callHotline(target, from); err != nil {
			c.log.Warn("demo hotline call failed", "from", from, "err", err)
		}
		timer.Reset(h.Every)
	}
}

// hotlineRing bounds the wait for wismo to answer (it answers at once and queues the call).
const hotlineRing = 30 * time.Second

// callHotline places one demo customer's call and runs it to its end (or the carrier's).
func (c *Carrier) callHotline(target sip.Uri, from string) error {
	ctx, ok := c.begin()
	if !ok {
		return errors.New("the carrier is full or stopping")
	}
	defer c.end()
	m, err := openRTP()
	if err != nil {
		return err
	}
	defer m.close()
	fromHdr := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: from, Host: c.addr.IP.String(), Port: c.addr.Port}, Params: sip.NewParams()}
	fromHdr.Params.Add("tag", sip.GenerateTagN(16))
	ct := sip.ContentTypeHeader("application/sdp")
	sess, err := c.uac.Invite(ctx, target, localSDP(m.port()), fromHdr, &ct)
	if err != nil {
		return err
	}
	defer sess.Close()
	log := c.log.With("call_id", sess.InviteRequest.CallID().Value(), "from", from, "to", target.User)
	log.Info("demo customer calls the hotline")
	waitCtx, cancel := context.WithTimeout(ctx, hotlineRing)
	defer cancel()
	if err := sess.WaitAnswer(waitCtx, sipgo.AnswerOptions{}); err != nil {
		return fmt.Errorf("not answered: %w", err)
	}
	if err := sess.Ack(ctx); err != nil {
		return fmt.Errorf("ACK: %w", err)
	}
	if m.remote, err = remoteMedia(sess.InviteResponse.Body()); err != nil {
		byeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		sess.Bye(byeCtx)
		return fmt.Errorf("answer SDP: %w", err)
	}
	c.converse(ctx, m, callerTape(c.voices[Language(from)], c.cfg.Timing.HotlineCall), sess.Context(), sess.Bye, log)
	return nil
}
