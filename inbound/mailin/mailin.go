// Package mailin is wismo's SMTP listener for customers' e-mail (github.com/emersion/go-smtp
// as a server): deployments point an MX record or a forwarding rule at it. It takes mail for
// the brands' inbound addresses only (550 at RCPT TO for any other), under a size cap (552),
// read and write timeouts, connection caps in total and per address (throttle.Listener) and
// STARTTLS when a certificate is configured; package inbound decides what each message
// becomes. There is no AUTH: this is an MX, not a submission server.
package mailin

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/wismo/wismo/inbound"
	"github.com/wismo/wismo/throttle"
)

// Options configure the listener (cmd/wismo: WISMO_MAIL_*).
type Options struct {
	Addr            string // host:port
	Domain          string // greeting host name
	TLSCert, TLSKey string // STARTTLS when set
	MaxBytes        int64  // message size cap
	Timeout         time.Duration
	RatePerHour     int
	TrustedRelays   []netip.Prefix // whose Authentication-Results are believed
	Limits          throttle.ConnLimits
	MaxRecipients   int // RCPT TO per message (default 20)
}

// Server is a running SMTP listener.
type Server struct {
	opts Options
	in   *inbound.Service
	log  *slog.Logger
	srv  *smtp.Server
	ln   *throttle.LimitedListener
}

// Listen opens the listener; Serve serves it.
func Listen(opts Options, in *inbound.Service, log *slog.Logger) (*Server, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 25 << 20
	}
	if opts.Timeout <= 0 {
		opts.Timeout = time.Minute
	}
	if opts.MaxRecipients <= 0 {
		opts.MaxRecipients = 20
	}
	if opts.Domain == "" {
		opts.Domain = "localhost"
	}
	s := &Server{opts: opts, in: in, log: log.With("listener", "smtp")}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = opts.Domain
	s.srv.MaxMessageBytes = opts.MaxBytes
	s.srv.MaxRecipients = opts.MaxRecipients
	s.srv.ReadTimeout, s.srv.WriteTimeout = opts.Timeout, opts.Timeout
	s.srv.MaxLineLength = 4000
	s.srv.ErrorLog = errorLog{s.log}
	if opts.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(opts.TLSCert, opts.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("WISMO_MAIL_TLS_CERT/WISMO_MAIL_TLS_KEY: %w", err)
		}
		s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	inner, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (WISMO_MAIL_LISTEN_ADDR): %w", opts.Addr, err)
	}
	s.ln = throttle.Listener(inner, opts.Limits, s.log)
	return s, nil
}

// Addr is where the listener listens.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Listener is the limited listener (its counts go to /metrics).
func (s *Server) Listener() *throttle.LimitedListener { return s.ln }

// Serve serves until ctx ends, then closes the listener and its connections.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.srv.Close() })
	defer stop()
	err := s.srv.Serve(s.ln)
	if ctx.Err() != nil || errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	trusted := false
	if ap, err := netip.ParseAddrPort(c.Conn().RemoteAddr().String()); err == nil {
		for _, p := range s.opts.TrustedRelays {
			if p.Contains(ap.Addr().Unmap()) {
				trusted = true
			}
		}
	}
	return &session{s: s, trusted: trusted}, nil
}

type session struct {
	s       *Server
	trusted bool
	from    string
	to      []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx := context.Background()
	ok, err := x.s.in.KnownAddress(ctx, to)
	if err != nil {
		x.s.log.Error("look up a recipient", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure; try later"}
	}
	if !ok {
		x.s.in.RefuseRecipient(ctx, x.from, to)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox here"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	ctx := context.Background()
	raw, err := io.ReadAll(r)
	if errors.Is(err, smtp.ErrDataTooLarge) {
		io.Copy(io.Discard, r) //nolint:errcheck // the rest of a refused message
		x.s.in.RefuseTooLarge(ctx, x.from, x.to, x.s.opts.MaxBytes)
		return smtp.ErrDataTooLarge
	}
	if err != nil {
		io.Copy(io.Discard, r) //nolint:errcheck // the rest of a refused message
		x.s.in.RefuseUnreadable(ctx, x.from, x.to, err)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "malformed message: " + err.Error()}
	}
	_, err = x.s.in.HandleMail(ctx, inbound.Mail{EnvelopeFrom: x.from, To: x.to, TrustedRelay: x.trusted, Raw: raw})
	var ref *inbound.Refusal
	switch {
	case errors.As(err, &ref):
		return &smtp.SMTPError{Code: ref.Code, EnhancedCode: smtp.EnhancedCode(ref.Enhanced), Message: ref.Text}
	case err != nil:
		x.s.log.Error("an inbound e-mail could not be handled; the sender's server will retry", "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure; try later"}
	}
	return nil
}

// errorLog sends go-smtp's own errors to the log.
type errorLog struct{ log *slog.Logger }

func (e errorLog) Printf(format string, v ...any) { e.log.Warn(fmt.Sprintf(format, v...)) }
func (e errorLog) Println(v ...any)               { e.log.Warn(fmt.Sprint(v...)) }
