package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/dialer/gsm"
)

// Provider is the demo's SMS and email provider (demo mode without an SMSC or a mail
// server): it takes every message, like the log channel, and a moment later reports it
// delivered through the dialer's receipt path (dialer.Service.HandleReceipt), as an SMSC's
// delivery receipt would; so `make run` shows delivered messages that went the real way.
// Nothing leaves the process.
type Provider struct {
	Channel dialer.Channel
	Delay   time.Duration // before the receipt; 0: 2 s
	Log     *slog.Logger
	// Receipts gets the receipts: the dialer, set once it is built.
	Receipts interface {
		HandleReceipt(ctx context.Context, provider, messageID, state, detail string) error
	}
	Base context.Context // receipts run under it (the server's lifetime)
}

// ProviderName is how the demo provider's messages name it.
const ProviderName = "demo"

// Send takes m and schedules its delivery receipt.
func (p *Provider) Send(ctx context.Context, m dialer.Message) (dialer.Sent, error) {
	id := fmt.Sprintf("demo-%s-%d", p.Channel, m.ContactID)
	s := dialer.Sent{Provider: ProviderName, IDs: []string{id}, Parts: 1}
	if p.Channel == dialer.SMS {
		info := gsm.Analyze(m.Text)
		s.Encoding, s.Parts = string(info.Encoding), info.Segments // one id, one receipt for the whole message
	}
	delay := p.Delay
	if delay <= 0 {
		delay = 2 * time.Second
	}
	base := p.Base
	if base == nil {
		base = context.WithoutCancel(ctx)
	}
	time.AfterFunc(delay, func() {
		if p.Receipts == nil || base.Err() != nil {
			return
		}
		if err := p.Receipts.HandleReceipt(base, ProviderName, id, dialer.ReceiptDelivered, ""); err != nil && p.Log != nil {
			p.Log.Warn("demo delivery receipt not stored", "contact", m.ContactID, "err", err)
		}
	})
	return s, nil
}
