package inbound_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/netip"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/conversation"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/inbound"
	"github.com/wismo/wismo/inbound/mailin"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store/storetest"
)

// fakeMail records the e-mail the dialer sends, as an SMTP provider would answer it.
type fakeMail struct {
	mu   sync.Mutex
	sent []dialer.Message
}

func (f *fakeMail) Send(_ context.Context, m dialer.Message) (dialer.Sent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, m)
	return dialer.Sent{Provider: "smtp", IDs: []string{fmt.Sprintf("wismo-%d-abc@shop-a.example", m.ContactID)}, Parts: 1}, nil
}

type mailEnv struct {
	*env
	mail *fakeMail
	addr string
	conv *conversation.Service
}

// newMailEnv is newEnv with the SMTP listener on loopback (opts changes its options).
func newMailEnv(t *testing.T, opts func(*mailin.Options)) *mailEnv {
	fm := &fakeMail{}
	e := &mailEnv{env: newEnv(t, dialer.Options{SMS: nopSender{}, Email: fm}), mail: fm}
	o := mailin.Options{Addr: "127.0.0.1:0", Domain: "mx.wismo.test", MaxBytes: 25 << 20, Timeout: 10 * time.Second}
	if opts != nil {
		opts(&o)
	}
	srv, err := mailin.Listen(o, e.in, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	e.addr = srv.Addr().String()
	sc := scripts.New(e.DB, storetest.Logger(t), scripts.Options{PublicURL: "http://wismo.test", Planner: e.dl, Parcels: e.Tracking,
		Brands: e.Access, Now: func() time.Time { return e.Now }})
	if err := sc.EnsureStandardFlow(context.Background(), e.BrandA); err != nil {
		t.Fatal(err)
	}
	e.conv = conversation.New(e.DB, storetest.Logger(t), e.dl, sc, e.Cases, e.Tracking)
	return e
}

// send speaks SMTP to the listener and returns the server's final answer ("" for 250).
func (e *mailEnv) send(from, to, msg string) string {
	e.T.Helper()
	c, err := smtp.Dial(e.addr)
	if err != nil {
		e.T.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail(from); err != nil {
		return err.Error()
	}
	if err := c.Rcpt(to); err != nil {
		return err.Error()
	}
	w, err := c.Data()
	if err != nil {
		return err.Error()
	}
	w.Write([]byte(strings.ReplaceAll(msg, "\n", "\r\n")))
	if err := w.Close(); err != nil {
		return err.Error()
	}
	c.Quit()
	return ""
}

func (e *mailEnv) last() inbound.Message {
	e.T.Helper()
	var m inbound.Message
	err := e.DB.SQL.QueryRow(`SELECT outcome, detail, COALESCE(case_id, 0), body FROM inbound_messages ORDER BY id DESC LIMIT 1`).
		Scan(&m.Outcome, &m.Detail, &m.CaseID, &m.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	return m
}

func letter(headers, body string) string {
	return "From: Ivan Petrov <ivan@example.com>\nTo: help@shop-a.example\nDate: Sun, 06 Dec 2026 10:00:00 +0000\n" + headers +
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n"
}

// TestMailOverSMTPLandsOnTheCase speaks SMTP to the listener: the parcel's recipient writes
// to the brand's address and a case opens (source email) with the brand's acknowledgement
// planned, carrying the case token; her answer to wismo's reply from the case (In-Reply-To
// of its Message-ID) lands on the same case; a stranger using the case token goes to the
// review queue; an auto-reply is put on the case but not acknowledged; mail to an unknown
// address is refused at RCPT TO; the per-sender rate limit answers 451.
func TestMailOverSMTPLandsOnTheCase(t *testing.T) {
	e := newMailEnv(t, nil)
	ctx := context.Background()
	if r := e.send("ivan@example.com", "help@shop-a.example", letter("Subject: =?utf-8?q?=D0=93=D0=B4=D0=B5_=D0=BF=D0=BE=D1=81=D1=8B=D0=BB=D0=BA=D0=B0=3F?=\nMessage-ID: <m1@example.com>\n", "Посылка не пришла.")); r != "" {
		t.Fatalf("the first letter: %s", r)
	}
	m := e.last()
	if m.Outcome != inbound.OutcomeCaseOpened {
		t.Fatalf("the first letter: %+v", m)
	}
	c := e.caseOf(m.CaseID)
	if c.Source != cases.SourceEmail {
		t.Errorf("the case's source: %s", c.Source)
	}
	if lines := e.customerLines(c.Number); len(lines) != 1 || lines[0] != "Где посылка?\n\nПосылка не пришла." {
		t.Errorf("the letter on the case: %q", lines)
	}
	if n, err := e.dl.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("the acknowledgement: %d %v", n, err)
	}
	if ack := e.mail.sent[0]; ack.To != "ivan@example.com" || !strings.Contains(ack.Subject, "["+c.Number+"]") || !strings.Contains(ack.Text, c.Number) {
		t.Errorf("the acknowledgement: %+v", ack)
	}

	// The agent replies from the case; the customer answers that reply.
	tpl := e.emailTemplate()
	if err := e.conv.Reply(ctx, e.ScopeA(), casestest.AgentA, c, "email", tpl); err != nil {
		t.Fatal(err)
	}
	if n, err := e.dl.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("the reply: %d %v", n, err)
	}
	reply := e.mail.sent[1]
	if reply.Headers["In-Reply-To"] != "<m1@example.com>" || reply.Headers["Reply-To"] != brandMail || !strings.HasSuffix(reply.Subject, "["+c.Number+"]") {
		t.Errorf("the reply's thread: subject %q headers %v", reply.Subject, reply.Headers)
	}
	if ack := e.mail.sent[0]; ack.Headers["In-Reply-To"] != "<m1@example.com>" {
		t.Errorf("the acknowledgement's thread: %v", ack.Headers)
	}
	replyID := fmt.Sprintf("wismo-%d-abc@shop-a.example", reply.ContactID)
	e.send("ivan@example.com", "help@shop-a.example", letter("Subject: Re: your parcel\nIn-Reply-To: <"+replyID+">\nReferences: <m1@example.com> <"+replyID+">\n", "Thank you, it came."))
	if m := e.last(); m.Outcome != inbound.OutcomeCase || m.CaseID != c.ID {
		t.Errorf("the answer to wismo's reply: %+v", m)
	}
	// The case's timeline has both sides: what the customer wrote and the replies with their status.
	v, err := e.Cases.Detail(ctx, e.ScopeA(), c.Number, 0)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, en := range v.Timeline {
		if en.Kind == "message_in" || en.Kind == "contact" {
			kinds = append(kinds, en.Kind+": "+en.Summary)
		}
	}
	if len(kinds) != 4 || !strings.Contains(strings.Join(kinds, "\n"), "email sent") {
		t.Errorf("the conversation on the timeline:\n%s", strings.Join(kinds, "\n"))
	}

	// A stranger with the case token waits for review.
	e.send("mallory@evil.example", "help@shop-a.example", strings.Replace(letter("Subject: Re: ["+c.Number+"] refund\n", "Send the refund to my account."),
		"Ivan Petrov <ivan@example.com>", "mallory@evil.example", 1))
	if m := e.last(); m.Outcome != inbound.OutcomeReview || m.CaseID != 0 {
		t.Errorf("a stranger's letter: %+v", m)
	}
	if lines := e.customerLines(c.Number); len(lines) != 2 {
		t.Errorf("the stranger's letter reached the case: %q", lines)
	}

	// An auto-reply is taken but never answered.
	resolved := "resolved"
	code := "information_given"
	if _, err := e.Cases.Update(ctx, e.ScopeA(), casestest.AgentA, c.Number, 0, cases.CasePatch{Status: &resolved, ResolutionCode: &code}); err != nil {
		t.Fatal(err)
	}
	e.Now = e.Now.Add(30 * 24 * time.Hour) // past reopen_days: a new case
	e.send("ivan@example.com", "help@shop-a.example", letter("Subject: Out of office\nAuto-Submitted: auto-replied\n", "I am away."))
	if m := e.last(); m.Outcome != inbound.OutcomeCaseOpened {
		t.Errorf("the auto-reply: %+v", m)
	}
	if n, _ := e.dl.RunOnce(ctx); n != 0 || len(e.mail.sent) != 2 {
		t.Errorf("an auto-reply was acknowledged: %d sent", len(e.mail.sent))
	}

	// Mail to an address no brand has is refused at RCPT TO, and recorded.
	if r := e.send("ivan@example.com", "nobody@shop-a.example", letter("Subject: hi\n", "hi")); !strings.HasPrefix(r, "550") {
		t.Errorf("mail to an unknown address: %q", r)
	}
	if m := e.last(); m.Outcome != inbound.OutcomeUnknownRecipient {
		t.Errorf("mail to an unknown address: %+v", m)
	}

	// The sender's rate limit (20 an hour by default): the 21st in the hour waits.
	var r string
	for i := 0; i < 20 && r == ""; i++ {
		r = e.send("ivan@example.com", "help@shop-a.example", letter(fmt.Sprintf("Subject: again %d\n", i), "more"))
	}
	if !strings.HasPrefix(r, "451") || e.last().Outcome != inbound.OutcomeRateLimited {
		t.Errorf("the rate limit: %q %+v", r, e.last())
	}
}

func (e *mailEnv) emailTemplate() int64 {
	e.T.Helper()
	ts, err := e.conv.ReplyTemplates(context.Background(), e.BrandA)
	if err != nil {
		e.T.Fatal(err)
	}
	for _, tpl := range ts {
		if tpl.Channel == "email" {
			return tpl.ID
		}
	}
	e.T.Fatalf("no e-mail template among %+v", ts)
	return 0
}

// Bad input has a defined outcome each: a 50 MB message is refused with 552 at DATA, a
// malformed MIME message with 550, and each is recorded; attachments within the case
// tracker's limits are stored on the case, others refused and noted.
func TestMailBadInput(t *testing.T) {
	storetest.OnePass(t)
	e := newMailEnv(t, nil)
	b64 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xAB}, 50<<20))
	var lines strings.Builder
	for i := 0; i < len(b64); i += 76 {
		lines.WriteString(b64[i:min(i+76, len(b64))] + "\n")
	}
	big := "From: ivan@example.com\nTo: help@shop-a.example\nSubject: photos\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\n" +
		"Content-Type: text/plain\n\nsee the video\n--b\nContent-Type: video/mp4\nContent-Transfer-Encoding: base64\n\n" + lines.String() + "--b--\n"
	if r := e.send("ivan@example.com", "help@shop-a.example", big); !strings.HasPrefix(r, "552") {
		t.Errorf("a 50 MB message: %q", r)
	}
	if m := e.last(); m.Outcome != inbound.OutcomeTooLarge {
		t.Errorf("a 50 MB message: %+v", m)
	}
	bad := "From: ivan@example.com\nTo: help@shop-a.example\nSubject: broken\nMIME-Version: 1.0\nContent-Type: multipart/mixed\n\n--x\n\nhello\n--x--\n"
	if r := e.send("ivan@example.com", "help@shop-a.example", bad); !strings.HasPrefix(r, "550") {
		t.Errorf("malformed MIME: %q", r)
	}
	if m := e.last(); m.Outcome != inbound.OutcomeMalformed {
		t.Errorf("malformed MIME: %+v", m)
	}
	long := letter("Subject: one long line\n", strings.Repeat("x", 10000))
	if r := e.send("ivan@example.com", "help@shop-a.example", long); !strings.HasPrefix(r, "5") || e.last().Outcome != inbound.OutcomeMalformed {
		t.Errorf("a line of 10,000 characters: %q %+v", r, e.last())
	}
	png := base64.StdEncoding.EncodeToString(append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 64)...))
	exe := base64.StdEncoding.EncodeToString([]byte("MZ\x90\x00 not a picture"))
	multi := "From: Ivan <ivan@example.com>\nTo: help@shop-a.example\nSubject: damage\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b1\n\n" +
		"--b1\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n" + base64.StdEncoding.EncodeToString([]byte{0xf0, 0xcf, 0xd3, 0xd9, 0xcc, 0xcb, 0xc1}) + "\n" +
		"--b1\nContent-Type: image/png; name=box.png\nContent-Disposition: attachment; filename=box.png\nContent-Transfer-Encoding: base64\n\n" + png + "\n" +
		"--b1\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=tool.exe\nContent-Transfer-Encoding: base64\n\n" + exe + "\n--b1--\n"
	if r := e.send("ivan@example.com", "help@shop-a.example", multi); r != "" {
		t.Fatalf("a letter with attachments: %s", r)
	}
	m := e.last()
	if m.Outcome != inbound.OutcomeCaseOpened || m.Body != "Посылка" || !strings.Contains(m.Detail, "tool.exe refused") {
		t.Fatalf("a letter with attachments: %+v", m)
	}
	v, err := e.Cases.Detail(context.Background(), e.ScopeA(), e.caseOf(m.CaseID).Number, 0)
	if err != nil || len(v.Attachments) != 1 || v.Attachments[0].ContentType != "image/png" {
		t.Errorf("the case's attachments: %+v %v", v.Attachments, err)
	}
}

// With a certificate the listener offers STARTTLS and takes mail over it.
func TestMailSTARTTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	e := newMailEnv(t, func(o *mailin.Options) { o.TLSCert, o.TLSKey = cert, key })
	c, err := smtp.Dial(e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("no STARTTLS offered")
	}
	if err := c.StartTLS(&tls.Config{InsecureSkipVerify: true}); err != nil { //nolint:gosec // a self-signed test certificate
		t.Fatal(err)
	}
	if err := c.Mail("ivan@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("help@shop-a.example"); err != nil {
		t.Fatal(err)
	}
	w, _ := c.Data()
	w.Write([]byte(strings.ReplaceAll(letter("Subject: over TLS\n", "hello"), "\n", "\r\n")))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if m := e.last(); m.Outcome != inbound.OutcomeCaseOpened {
		t.Errorf("over TLS: %+v", m)
	}
}

func selfSigned(t *testing.T, dir string) (string, string) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.wismo.test"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"mx.wismo.test"}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}

// Authentication-Results is believed only from a trusted relay: there a failed DMARC sends
// the customer's letter to review; from anyone else the header (which anyone can write) is
// ignored.
func TestAuthenticationResultsOnlyFromTrustedRelays(t *testing.T) {
	forged := letter("Subject: where is it\nAuthentication-Results: mx.relay.example; spf=fail smtp.mailfrom=example.com; dmarc=fail header.from=example.com\n", "?")
	e := newMailEnv(t, nil)
	e.send("ivan@example.com", "help@shop-a.example", forged)
	if m := e.last(); m.Outcome != inbound.OutcomeCaseOpened {
		t.Errorf("the header from an untrusted peer was believed: %+v", m)
	}
	loop := netip.MustParsePrefix("127.0.0.1/32")
	e = newMailEnv(t, func(o *mailin.Options) { o.TrustedRelays = []netip.Prefix{loop} })
	e.send("ivan@example.com", "help@shop-a.example", forged)
	if m := e.last(); m.Outcome != inbound.OutcomeReview || !strings.Contains(m.Detail, "Authentication-Results") {
		t.Errorf("the trusted relay's verdict was ignored: %+v", m)
	}
}

// The listener's per-address cap: a connection over it is closed before the greeting; the
// ones within it are greeted. A silent connection is closed after the timeout.
func TestMailListenerLimits(t *testing.T) {
	e := newMailEnv(t, func(o *mailin.Options) { o.Limits.PerAddr = 2; o.Timeout = 300 * time.Millisecond })
	greeting := func(c net.Conn) string {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 256)
		n, _ := c.Read(b)
		return string(b[:n])
	}
	var conns []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	if g := greeting(conns[0]); !strings.HasPrefix(g, "220 ") {
		t.Errorf("the first connection: %q", g)
	}
	if g := greeting(conns[1]); !strings.HasPrefix(g, "220 ") {
		t.Errorf("the second connection: %q", g)
	}
	if g := greeting(conns[2]); g != "" {
		t.Errorf("the third connection from one address was greeted: %q", g)
	}
	// The first connection says nothing: the listener closes it (EOF, not our deadline).
	conns[0].SetReadDeadline(time.Now().Add(5 * time.Second))
	if rest, err := io.ReadAll(conns[0]); err != nil {
		t.Errorf("a silent connection stayed open: %v (read %q)", err, rest)
	}
}
