package dialer

import (
	"context"
	"errors"
	"fmt"

	"github.com/wismo/wismo/dialer/smpp"
)

// smppSender sends SMS through the in-house SMPP client.
type smppSender struct{ c *smpp.Client }

// newSMPPSender makes the SMPP client whose connection Run keeps up, with receipts and
// mobile-originated messages coming back to this service.
func (s *Service) newSMPPSender(cfg smpp.Config) Sender {
	cfg.Handler = s.handleDeliver
	cfg.Log = s.log
	s.smsc = smpp.NewClient(cfg)
	return smppSender{c: s.smsc}
}

// Send submits the SMS (concatenated when long) asking for a delivery receipt, and maps
// SMPP's answer onto the dialer's: never written is ErrNotSent, refused by the SMSC is
// ErrRefused (or ErrNotSent when it only asks to slow down), anything else is unknown.
func (p smppSender) Send(ctx context.Context, m Message) (Sent, error) {
	res, err := p.c.Submit(ctx, smpp.Message{To: m.To, From: m.From, Text: m.Text, Receipt: true})
	sent := Sent{Provider: "smpp", IDs: res.IDs, Encoding: string(res.Encoding), Parts: res.Parts}
	var se *smpp.StatusError
	switch {
	case err == nil:
		return sent, nil
	case errors.Is(err, smpp.ErrNotSent):
		return sent, fmt.Errorf("%w: %v", ErrNotSent, err)
	case errors.As(err, &se):
		return sent, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	return sent, err
}

// handleDeliver takes what the SMSC delivers: receipts update their contact, STOP replies
// opt the number out. An error makes the SMSC deliver it again later.
func (s *Service) handleDeliver(ctx context.Context, d smpp.Deliver) error {
	if r := d.Receipt; r != nil {
		if r.MessageID == "" {
			s.log.WarnContext(ctx, "delivery receipt without a message id; ignored", "stat", r.Stat)
			return nil
		}
		state := ReceiptPending
		switch {
		case r.Delivered():
			state = ReceiptDelivered
		case r.Failed():
			state = ReceiptFailed
		}
		detail := r.Stat
		if r.Err != "" {
			detail += " err:" + r.Err
		}
		return s.HandleReceipt(ctx, "smpp", r.MessageID, state, detail)
	}
	if s.opts.MO != nil {
		return s.opts.MO(ctx, d)
	}
	return s.HandleInbound(ctx, d.Source, d.Destination, d.Text)
}
