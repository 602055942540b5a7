package smpp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wismo/wismo/dialer/gsm"
)

// Errors of Submit. SMPP has no idempotency key, so the client never resends on its own
// once a submit_sm has been written: it says whether the message certainly did not go out
// (ErrNotSent: safe to try again later) or might have (ErrUnknown: never resend blindly).
var (
	ErrNotSent = errors.New("smpp: not sent")
	ErrUnknown = errors.New("smpp: outcome unknown")
)

// StatusError is an SMSC's refusal, with its command_status.
type StatusError struct {
	Command, Status uint32
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("smpp: command %#08x refused with status %#08x", e.Command, e.Status)
}

// Temporary reports a refusal that asks to try again later: the message queue is full or
// we exceeded the SMSC's throughput (ESME_RMSGQFUL, ESME_RTHROTTLED).
func (e *StatusError) Temporary() bool {
	return e.Status == StatusMsgQFull || e.Status == StatusThrottled
}

// Is lets a temporary refusal match ErrNotSent: the SMSC did not take the message.
func (e *StatusError) Is(target error) bool { return target == ErrNotSent && e.Temporary() }

// Message is a short message to submit.
type Message struct {
	To      string // E.164 with a plus
	From    string // the source address of this message ("" is Config.SourceAddr)
	Text    string
	Receipt bool // ask for a delivery receipt
}

// Result is what the SMSC said: one message id per part.
type Result struct {
	IDs      []string
	Encoding gsm.Encoding
	Parts    int
}

// Submit sends a message, as concatenated parts when it is long, and waits for the SMSC's
// answer to every part. Each part takes a slot of the send window, so at most Window parts
// are outstanding on the connection. A part not yet written waits for a bound connection
// (reconnecting after a drop) until ctx ends; a part written whose answer never came makes
// the whole message ErrUnknown, and so does a failure after the first part was accepted
// (the handset may show a fragment: resending would duplicate it).
func (c *Client) Submit(ctx context.Context, m Message) (Result, error) {
	enc, parts := gsm.Split(m.Text)
	res := Result{Encoding: enc, Parts: len(parts)}
	if len(parts) == 0 {
		return res, &StatusError{Command: SubmitSM, Status: 0x01} // ESME_RINVMSGLEN: nothing to send
	}
	if len(parts) > 255 {
		return res, fmt.Errorf("smpp: %d parts exceed the 255 a concatenated message may have: %w", len(parts), &StatusError{Command: SubmitSM, Status: 0x01})
	}
	coding := byte(codingDefault)
	if enc == gsm.UCS2 {
		coding = codingUCS2
	}
	var ref byte
	if len(parts) > 1 {
		c.refMu.Lock()
		c.ref++
		ref = c.ref
		c.refMu.Unlock()
	}
	for i, payload := range parts {
		var udh []byte
		if len(parts) > 1 {
			udh = concatUDH(ref, len(parts), i+1)
		}
		id, err := c.submitPart(ctx, submitBody(cmp.Or(m.From, c.cfg.SourceAddr), m.To, coding, udh, payload, m.Receipt))
		if err != nil {
			if i > 0 {
				return res, fmt.Errorf("%w: part %d of %d: %v (parts %s were accepted)", ErrUnknown, i+1, len(parts), err, strings.Join(res.IDs, ","))
			}
			return res, err
		}
		res.IDs = append(res.IDs, id)
	}
	return res, nil
}

// submitPart sends one submit_sm and returns the SMSC's message id.
func (c *Client) submitPart(ctx context.Context, body []byte) (string, error) {
	for {
		s, err := c.session(ctx)
		if err != nil {
			return "", err
		}
		select {
		case s.window <- struct{}{}:
		case <-s.dead:
			continue // the connection dropped before this part got a slot: wait for the next
		case <-ctx.Done():
			return "", fmt.Errorf("%w: window full: %v", ErrNotSent, ctx.Err())
		}
		resp, err := s.request(ctx, SubmitSM, body)
		<-s.window
		switch {
		case errors.Is(err, errNotWritten):
			if ctx.Err() != nil {
				return "", fmt.Errorf("%w: %v", ErrNotSent, err)
			}
			continue // never reached the wire: safe on the next connection
		case err != nil:
			return "", fmt.Errorf("%w: %v", ErrUnknown, err)
		case resp.Command == GenericNack || resp.Status != StatusOK:
			return "", &StatusError{Command: SubmitSM, Status: resp.Status}
		}
		r := parser{b: resp.Body}
		id := r.cstring()
		if r.err != nil || id == "" {
			return "", fmt.Errorf("%w: submit_sm_resp without a message_id", ErrUnknown)
		}
		return id, nil
	}
}
