package dialer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/tracking"
)

// smtpSink is an in-process go-smtp server that keeps what it receives.
type smtpSink struct {
	mu   sync.Mutex
	msgs []sinkMsg
	addr string
}

type sinkMsg struct {
	from, user string
	to         []string
	data       []byte
}

type sinkSession struct {
	sink *smtpSink
	cur  sinkMsg
}

func (s *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *sinkSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "wismo" || pass != "secret" {
			return errors.New("bad credentials")
		}
		s.cur.user = user
		return nil
	}), nil
}
func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error { s.cur.from = from; return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	switch {
	case strings.HasPrefix(to, "bounce@"):
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	case strings.HasPrefix(to, "busy@"):
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, s.cur)
	s.sink.mu.Unlock()
	return nil
}
func (s *sinkSession) Reset()        { s.cur = sinkMsg{user: s.cur.user} }
func (s *sinkSession) Logout() error { return nil }

type sinkBackend struct{ sink *smtpSink }

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &sinkSession{sink: b.sink}, nil
}

func startSMTP(t *testing.T) *smtpSink {
	t.Helper()
	sink := &smtpSink{}
	srv := smtp.NewServer(sinkBackend{sink})
	srv.Domain, srv.AllowInsecureAuth = "localhost", true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return sink
}

// newSMTPEnv is a dialer whose email channel is go-mail to an in-process go-smtp server.
func newSMTPEnv(t *testing.T) (*env, *smtpSink) {
	t.Helper()
	sink := startSMTP(t)
	e := newEnv(t, func(o *Options) {
		o.Email, o.SMTPURL, o.SMTPFrom = nil, "smtp://wismo:secret@"+sink.addr+"?tls=none", "Dialer Shop <noreply@shop.example>"
	})
	return e, sink
}

func (s *smtpSink) received() []sinkMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sinkMsg(nil), s.msgs...)
}

// TestEmailOverSMTP sends through go-mail to an in-process go-smtp server: authenticated,
// multipart text and HTML, with a List-Unsubscribe link that works in one click; a bounce
// fails the contact and a temporary refusal retries it.
func TestEmailOverSMTP(t *testing.T) {
	e, sink := newSMTPEnv(t)
	id := tracking.MakeS10("RB", 300001, "GB")
	e.parcel(id, "Europe/Moscow")
	mailReq := func(to, subject string, rule int64) Request {
		return Request{ParcelID: id, Channel: Email, To: to, TimeZone: "Europe/Moscow", Subject: subject, RuleID: rule, TriggerRef: "e",
			Body: "Ваша посылка " + id + " задержана таможней.", HTML: "<p>Ваша посылка <b>" + id + "</b> задержана таможней.</p>"}
	}
	e.plan(mailReq("anna@example.com", "Посылка на таможне", 1), mailReq("bounce@example.com", "x", 2), mailReq("busy@example.com", "y", 3))
	e.runOnce()
	list := e.contacts(id)
	if list[0].Status != StatusSent || list[1].Status != StatusFailed || list[2].Status != StatusPlanned {
		t.Fatalf("statuses %s %s %s (%s / %s)", list[0].Status, list[1].Status, list[2].Status, list[1].Detail, list[2].Detail)
	}
	got := sink.received()
	if len(got) != 1 || got[0].user != "wismo" || got[0].from != "noreply@shop.example" || got[0].to[0] != "anna@example.com" {
		t.Fatalf("the server received %+v", got)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); subj != "Посылка на таможне" {
		t.Errorf("subject %q", subj)
	}
	if id := msg.Header.Get("Message-Id"); !strings.Contains(id, list[0].ProviderID) {
		t.Errorf("Message-ID %q, provider id %q", id, list[0].ProviderID)
	}
	mt, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if mt != "multipart/alternative" {
		t.Fatalf("content type %s", mt)
	}
	var types []string
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		types = append(types, strings.Split(p.Header.Get("Content-Type"), ";")[0])
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Errorf("parts %v", types)
	}
	unsub := strings.Trim(msg.Header.Get("List-Unsubscribe"), "<>")
	if msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(unsub, "http://wismo.test/unsubscribe/") {
		t.Fatalf("List-Unsubscribe %q / %q", unsub, msg.Header.Get("List-Unsubscribe-Post"))
	}

	// The link works: a one-click POST opts the address out, and the next email is suppressed.
	app := fiber.New()
	Routes(app, e.svc)
	path := strings.TrimPrefix(unsub, "http://wismo.test")
	resp, err := app.Test(httptest.NewRequest("GET", path, nil))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %v %v", path, resp.StatusCode, err)
	}
	resp, err = app.Test(httptest.NewRequest("POST", path, strings.NewReader("List-Unsubscribe=One-Click")))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("one-click POST %s: %v %v", path, resp.StatusCode, err)
	}
	if resp, _ := app.Test(httptest.NewRequest("POST", "/unsubscribe/not-a-real-token-at-all", nil)); resp.StatusCode != 404 {
		t.Errorf("a made-up token answered %d", resp.StatusCode)
	}
	e.plan(mailReq("Anna@Example.com", "again", 4))
	e.runOnce()
	last := e.contacts(id)[3]
	if last.Status != StatusSuppressed || len(sink.received()) != 1 {
		t.Fatalf("after unsubscribing: %s, %d emails at the server", last.Status, len(sink.received()))
	}
	opts, _ := e.svc.OptOuts(context.Background(), e.brand, 10)
	if len(opts) != 1 || opts[0].Source != "email_unsubscribe" || opts[0].Address != "anna@example.com" {
		t.Fatalf("opt-outs %+v", opts)
	}
}

// TestEmailSubjectStaysOneHeader: a subject with line breaks in it (a template rendered
// from a carrier's event text, or a bug upstream) cannot add headers or recipients: the
// message has exactly one Subject, on one line, no Bcc, and only the planned recipient.
func TestEmailSubjectStaysOneHeader(t *testing.T) {
	e, sink := newSMTPEnv(t)
	id := tracking.MakeS10("RB", 300002, "GB")
	e.parcel(id, "Europe/Moscow")
	e.plan(Request{ParcelID: id, Channel: Email, To: "anna@example.com", TimeZone: "Europe/Moscow", RuleID: 1, TriggerRef: "e",
		Subject: "Parcel news\r\nBcc: evil@attacker.example\r\nX-Injected: 1\nReply-To: evil@attacker.example", Body: "Your parcel is held."})
	e.runOnce()
	got := sink.received()
	if len(got) != 1 || len(got[0].to) != 1 || got[0].to[0] != "anna@example.com" {
		t.Fatalf("the server received %+v", got)
	}
	head, _, _ := bytes.Cut(got[0].data, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\r\n") {
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(name) {
		case "bcc", "x-injected", "reply-to":
			t.Errorf("an injected header reached the message: %q", line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(msg.Header["Subject"]); n != 1 {
		t.Fatalf("%d Subject headers", n)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if want := "Parcel news Bcc: evil@attacker.example X-Injected: 1 Reply-To: evil@attacker.example"; err != nil || subj != want {
		t.Fatalf("subject %q (%v), want the one line %q", subj, err, want)
	}
}

// TestPrepareSetsThreadHeaders: Options.Prepare (package inbound) sets Reply-To and the
// thread's In-Reply-To/References; they reach the wire, each on one line.
func TestPrepareSetsThreadHeaders(t *testing.T) {
	sink := startSMTP(t)
	e := newEnv(t, func(o *Options) {
		o.Email, o.SMTPURL, o.SMTPFrom = nil, "smtp://wismo:secret@"+sink.addr+"?tls=none", "Dialer Shop <noreply@shop.example>"
		o.Prepare = func(_ context.Context, m *Message) {
			m.Headers = map[string]string{"Reply-To": "help@shop.example", "In-Reply-To": "<c2@example.com>", "References": "<c1@example.com>\r\n<c2@example.com>"}
		}
	})
	id := tracking.MakeS10("RB", 300003, "GB")
	e.parcel(id, "Europe/Moscow")
	e.plan(Request{ParcelID: id, Channel: Email, To: "anna@example.com", TimeZone: "Europe/Moscow", RuleID: 1, TriggerRef: "p",
		Subject: "Re: your parcel", Body: "It is on its way."})
	e.runOnce()
	got := sink.received()
	if len(got) != 1 {
		t.Fatalf("the server received %d messages", len(got))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].data))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"Reply-To": "<help@shop.example>", "In-Reply-To": "<c2@example.com>", "References": "<c1@example.com> <c2@example.com>"} {
		if v := msg.Header.Get(k); v != want && !(k == "Reply-To" && v == "help@shop.example") {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}
}
