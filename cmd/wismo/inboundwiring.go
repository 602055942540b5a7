package main

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/dialer/smpp"
	"github.com/wismo/wismo/inbound"
	"github.com/wismo/wismo/inbound/mailin"
	"github.com/wismo/wismo/inbound/reviewpage"
)

// inboundPart is customers writing back (package inbound): SMS replies from the dialer's
// SMSC link and the HTTP provider's route, e-mail from the SMTP listener (when
// WISMO_MAIL_LISTEN_ADDR is set), all onto cases.
type inboundPart struct {
	acc  *access.Service
	svc  *inbound.Service
	mail *mailin.Server // nil when the listener is off
}

// moForward hands the dialer's mobile-originated SMS to the inbound service, which is made
// after the dialer (it opts numbers out through it).
type moForward struct {
	in atomic.Pointer[inbound.Service]
}

func (f *moForward) handle(ctx context.Context, d smpp.Deliver) error {
	s := f.in.Load()
	if s == nil {
		return errors.New("inbound SMS: not ready yet") // the SMSC delivers it again
	}
	return s.HandleSMPP(ctx, d)
}

// prepare lets the inbound service set an outgoing message's brand number and thread
// headers (dialer.Options.Prepare); before it is ready messages go as they are.
func (f *moForward) prepare(ctx context.Context, m *dialer.Message) {
	if s := f.in.Load(); s != nil {
		s.Prepare(ctx, m)
	}
}

// openInbound makes the inbound service over the dialer and the case tracker, and opens the
// SMTP listener when one is configured (a bad address fails the start, as the HTTP one does).
func (a *app) openInbound(comms *commsPart, cs *cases.CaseService) (*inboundPart, error) {
	mo := a.cfg.mailOptions()
	svc := inbound.New(a.db, a.log, inbound.Options{Dialer: comms.dialer, Cases: cs, SMSSecret: a.cfg.SMSInboundSecret,
		MailRatePerHour: mo.RatePerHour, Registry: a.reg})
	if comms.mo != nil {
		comms.mo.in.Store(svc)
	}
	p := &inboundPart{acc: a.access, svc: svc}
	if run, _ := a.cfg.jobSet(); a.cfg.MailListenAddr == "" || !run["mail-listener"] { // validated at start
		return p, nil // off, or another node's (WISMO_JOBS): this one does not bind the port
	}
	var err error
	if p.mail, err = mailin.Listen(mo, svc, a.log); err != nil {
		return nil, err
	}
	if a.reg != nil {
		a.reg.MustRegister(listenerCollector{ln: p.mail.Listener(), name: "smtp"})
	}
	a.log.Info("SMTP listener for customers' e-mail", "addr", p.mail.Addr().String(), "starttls", a.cfg.MailTLSCert != "")
	return p, nil
}

// routes: the inbound API and the staff page of the review queue (/inbound/review).
func (p *inboundPart) routes(r fiber.Router) {
	inbound.Routes(r, p.svc)
	reviewpage.Routes(r, p.acc, p.svc)
}

// jobs: the SMTP listener, when configured. A listener that fails is opened again.
func (p *inboundPart) jobs(a *app) []job {
	return []job{{name: "mail-listener", run: func(ctx context.Context) {
		if p.mail == nil {
			<-ctx.Done() // off (WISMO_MAIL_LISTEN_ADDR empty)
			return
		}
		if err := p.mail.Serve(ctx); err != nil {
			a.log.Error("SMTP listener stopped; opening it again", "err", err)
			time.Sleep(time.Second)
			if srv, err := mailin.Listen(a.cfg.mailOptions(), p.svc, a.log); err == nil {
				p.mail = srv
			}
		}
	}}}
}
