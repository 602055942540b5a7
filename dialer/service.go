package dialer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/dialer/smpp"
	"github.com/wismo/wismo/store"
)

// Options configure the dialer. Zero values run everything embedded: the log channel for
// SMS and email, calls waiting in their campaign's queue.
type Options struct {
	PublicURL string // base of unsubscribe links

	SMPP     *smpp.Config // SMS over SMPP when set (Handler and Log are filled in)
	SMSHTTP  string       // else SMS over an HTTP provider: the URL to POST to
	SMTPURL  string       // email over SMTP: smtp://user:pass@host:port
	SMTPFrom string       // the From address of emails

	SMS, Email Sender     // tests: senders to use instead of the above
	Calls      CallPlacer // the telephony engine; nil: calls wait in their campaign's queue

	Interval    time.Duration // how often due contacts are claimed (default 1s)
	Batch       int           // contacts claimed per channel per round, log channel (default 200)
	Concurrency int           // sends in flight, and claimed per round on real channels (default 32)
	// DispositionWait is how long an answered call waits for the agent's disposition before
	// the attempt algorithm decides it as reached (default 10 min).
	DispositionWait time.Duration
	MO              func(ctx context.Context, d smpp.Deliver) error // SMPP replies that are not receipts (package inbound); nil: STOP only
	Prepare         func(ctx context.Context, m *Message)           // sets From and Headers before a send (package inbound)
	Registry        prometheus.Registerer
	Now             func() time.Time
}

// Service plans, schedules and sends contacts.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	now      func() time.Time
	opts     Options
	instance string // this process, in contacts.claimed_by

	sms, email Sender
	smsc       *smpp.Client // when SMS goes over SMPP: its connection runs with the dialer
	calls      CallPlacer

	sent *prometheus.CounterVec

	receiptsMu sync.Mutex
	receiptsIn chan receipt // while Run runs: receipts to store in batches

	sqliteWrite sync.Mutex // SQLite: the dialer's own writers queue here, not in SQLite's busy handler
}

// writeTx runs fn in a write transaction. On SQLite, whose single writer makes a waiting
// transaction sleep in the busy handler (up to 100 ms a try), the dialer's writers — claims,
// results, receipts — take turns on a mutex first.
func (s *Service) writeTx(ctx context.Context, fn func(tx store.Tx) error) error {
	if s.db.Dialect == store.SQLite {
		s.sqliteWrite.Lock()
		defer s.sqliteWrite.Unlock()
	}
	return s.db.WriteTx(ctx, fn)
}

// New returns the dialer with the channels the options name.
func New(db *store.DB, log *slog.Logger, opts Options) (*Service, error) {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.DispositionWait <= 0 {
		opts.DispositionWait = 10 * time.Minute
	}
	if opts.Batch <= 0 {
		opts.Batch = 200
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 32
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return time.Now().UTC() }
	}
	host, _ := os.Hostname()
	s := &Service{db: db, log: log.With("domain", "dialer"), opts: opts, calls: opts.Calls,
		instance: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomHex(4)),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wismo_contacts_total",
			Help: "Contacts by channel and what became of them (sent, retry, failed, unknown, suppressed)."}, []string{"channel", "result"}),
	}
	s.now = func() time.Time { return utc(opts.Now()) }
	if opts.Registry != nil {
		opts.Registry.MustRegister(s.sent)
	}
	var err error
	switch {
	case opts.SMS != nil:
		s.sms = opts.SMS
	case opts.SMPP != nil:
		s.sms = s.newSMPPSender(*opts.SMPP)
	case opts.SMSHTTP != "":
		if s.sms, err = newHTTPSender(opts.SMSHTTP); err != nil {
			return nil, err
		}
	default:
		s.sms = logSender{log: s.log, channel: SMS}
	}
	switch {
	case opts.Email != nil:
		s.email = opts.Email
	case opts.SMTPURL != "":
		if s.email, err = newSMTPSender(opts.SMTPURL, opts.SMTPFrom); err != nil {
			return nil, err
		}
	default:
		s.email = logSender{log: s.log, channel: Email}
	}
	return s, nil
}

// Instance names this process in claims.
func (s *Service) Instance() string { return s.instance }

func (s *Service) sender(ch Channel) Sender {
	if ch == Email {
		return s.email
	}
	return s.sms
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
