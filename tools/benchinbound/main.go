// Command benchinbound measures customers writing back (package inbound) on SQLite and
// PostgreSQL: the time from a message's arrival to its being on the case, as the sender sees
// it, beside a baseline measured in the same run.
//
//   - SMS over HTTP: a signed POST /api/v1/sms/inbound on a loopback listener; the 200 comes
//     after the message is committed on the case (opened for a parcel's first message,
//     appended after);
//   - SMS over SMPP, two parts: the two deliver_sm of a concatenated UCS-2 reply handed to
//     the inbound service as the dialer's SMPP link hands them (the SMSC's transport aside);
//   - e-mail over SMTP: one connection per message to the listener, as MTAs deliver; the 250
//     after DATA comes once the message is on the case;
//   - baseline: a note added to a case through the case tracker (cases.AddNote), and a raw
//     INSERT of a case_log row.
//
// It writes p50 and p99 into the inbound section of BENCHMARKS.md.
//
//	go run ./tools/benchinbound -out BENCHMARKS.md [-messages 1000] [-parcels 500] [-dialects sqlite,postgres]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/dialer/smpp"
	"github.com/wismo/wismo/inbound"
	"github.com/wismo/wismo/inbound/mailin"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchmd"
	"github.com/wismo/wismo/tracking"
)

type options struct {
	out      string
	messages int
	parcels  int
	dialects []store.Dialect
	adminURL string
}

const secret = "bench-inbound-secret-0123456789"

func main() {
	var o options
	var dialects string
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "markdown file whose inbound section is rewritten")
	flag.IntVar(&o.messages, "messages", 1000, "messages per channel per database")
	flag.IntVar(&o.parcels, "parcels", 500, "parcels the messages are about (each parcel's first message opens its case)")
	flag.StringVar(&dialects, "dialects", "sqlite,postgres", "databases to measure")
	flag.Parse()
	o.adminURL = benchmd.PGAdmin()
	for _, d := range strings.Split(dialects, ",") {
		o.dialects = append(o.dialects, store.Dialect(strings.TrimSpace(d)))
	}
	if o.messages < 100 || o.parcels < 1 {
		fmt.Fprintln(os.Stderr, "benchinbound: -messages at least 100, -parcels at least 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	var rows []row
	var versions []string
	began := time.Now()
	for _, d := range o.dialects {
		fmt.Fprintf(os.Stderr, "benchinbound: %s (%d messages per channel)\n", d, o.messages)
		rs, v, err := dbRun(ctx, o, d)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchinbound:", err)
			os.Exit(1)
		}
		rows, versions = append(rows, rs...), append(versions, v)
	}
	if err := benchmd.WriteSection(o.out, "inbound", report(ctx, o, rows, versions, time.Since(began))); err != nil {
		fmt.Fprintln(os.Stderr, "benchinbound:", err)
		os.Exit(1)
	}
}

type row struct {
	dialect  store.Dialect
	what     string
	p50, p99 time.Duration
	n        int
}

func summarize(d store.Dialect, what string, xs []time.Duration) row {
	slices.Sort(xs)
	return row{dialect: d, what: what, p50: xs[len(xs)/2], p99: xs[min(len(xs)-1, len(xs)*99/100)], n: len(xs)}
}

func dbRun(ctx context.Context, o options, d store.Dialect) ([]row, string, error) {
	db, drop, err := freshDB(ctx, o, d)
	if err != nil {
		return nil, "", err
	}
	defer drop()
	version := serverVersion(ctx, db)
	acc := access.NewService(db)
	tr := tracking.NewService(db, quiet(), nil)
	cs := cases.NewCaseService(db, quiet(), "http://127.0.0.1:8080")
	dl, err := dialer.New(db, quiet(), dialer.Options{PublicURL: "http://127.0.0.1:8080"})
	if err != nil {
		return nil, "", err
	}
	in := inbound.New(db, quiet(), inbound.Options{Dialer: dl, Cases: cs, SMSSecret: secret, MailRatePerHour: 1 << 30})
	brand, _, err := acc.CreateBrand(ctx, "Bench Shop")
	if err != nil {
		return nil, "", err
	}
	scope := access.Brands(brand.ID)
	if _, err := in.SetSettings(ctx, scope, brand.ID, inbound.Settings{SMSNumber: "+447700900123", MailAddress: "help@bench.example", ReopenDays: 14}); err != nil {
		return nil, "", err
	}
	ids := make([]string, o.parcels)
	for s := 0; s < o.parcels; s += 1000 {
		var items []tracking.ParcelItem
		for i := s; i < min(s+1000, o.parcels); i++ {
			ids[i] = tracking.MakeS10("RB", 10_000_000+i, "GB")
			items = append(items, tracking.ParcelItem{Input: tracking.ParcelInput{ID: ids[i], ServiceLevel: "standard", Kind: "packet",
				WeightKg: 0.3, OriginCountry: "GB", DestinationCountry: "RU", Recipient: tracking.RecipientInput{Name: "Anna Smith",
					Phone: phone(i), Email: email(i), Language: "en", TimeZone: "Europe/Moscow"}}})
		}
		if _, err := tr.UpsertParcels(ctx, scope, items); err != nil {
			return nil, "", err
		}
	}
	var rows []row

	// Baseline: a note through the case tracker, and a raw case_log INSERT, on one case.
	c, err := cs.Open(ctx, scope, cases.Actor{Label: "bench"}, cases.CaseInput{Parcels: []string{ids[0]}, Type: "damage", Source: "agent"})
	if err != nil {
		return nil, "", err
	}
	var notes, raw []time.Duration
	for i := range o.messages {
		start := time.Now()
		if _, err := cs.AddNote(ctx, scope, cases.Actor{Label: "bench", System: true}, c.Number, brand.ID, fmt.Sprintf("note %d", i)); err != nil {
			return nil, "", err
		}
		notes = append(notes, time.Since(start))
		start = time.Now()
		if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO case_log (case_id, at, kind, actor, summary, data) VALUES (?, ?, 'note', 'bench', ?, '{}')`),
			c.ID, time.Now().UTC(), fmt.Sprintf("raw %d", i)); err != nil {
			return nil, "", err
		}
		raw = append(raw, time.Since(start))
	}
	rows = append(rows, summarize(d, "baseline: cases.AddNote on one case", notes), summarize(d, "baseline: raw INSERT of a case_log row", raw))

	// SMS over HTTP, signed, on a loopback listener.
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	inbound.Routes(app, in)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	go app.Listener(ln)
	defer app.Shutdown()
	client := &http.Client{Timeout: 30 * time.Second}
	var smsHTTP []time.Duration
	for i := range o.messages {
		p := i % o.parcels
		body := []byte(fmt.Sprintf(`{"from": %q, "to": "+447700900123", "text": "Where is my parcel? (%d)"}`, phone(p), i))
		req, _ := http.NewRequestWithContext(ctx, "POST", "http://"+ln.Addr().String()+inbound.SMSInboundPath, bytes.NewReader(body))
		req.Header.Set(cases.SignatureHeader, cases.SignWebhook(secret, time.Now(), body))
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, "", fmt.Errorf("SMS over HTTP: %d", resp.StatusCode)
		}
		smsHTTP = append(smsHTTP, time.Since(start))
	}
	rows = append(rows, summarize(d, "SMS over HTTP (signed POST to the 200)", smsHTTP))

	// SMS over SMPP: a two-part UCS-2 reply, its parts as the SMPP link hands them.
	var smsSMPP []time.Duration
	text := []string{"Здравствуйте! Посылка всё ещё не пришла, хотя прошло уже две недели. ", "Подскажите, пожалуйста, где она сейчас?"}
	for i := range o.messages {
		p := i % o.parcels
		start := time.Now()
		for seq := 2; seq >= 1; seq-- {
			if err := in.HandleSMPP(ctx, smpp.Deliver{Source: phone(p), Destination: "447700900123", Text: text[seq-1],
				Part: &smpp.Part{Ref: i % 65536, Total: 2, Seq: seq}}); err != nil {
				return nil, "", err
			}
		}
		smsSMPP = append(smsSMPP, time.Since(start))
	}
	rows = append(rows, summarize(d, "SMS over SMPP, 2 UCS-2 parts (first part in to whole on the case)", smsSMPP))

	// E-mail over SMTP to the listener, one connection per message.
	srv, err := mailin.Listen(mailin.Options{Addr: "127.0.0.1:0", Domain: "mx.bench.example", MaxBytes: 25 << 20}, in, quiet())
	if err != nil {
		return nil, "", err
	}
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	go srv.Serve(sctx)
	var mails []time.Duration
	for i := range o.messages {
		p := i % o.parcels
		msg := fmt.Sprintf("From: Anna <%s>\r\nTo: help@bench.example\r\nSubject: my parcel\r\nMessage-ID: <bench-%d@example.com>\r\n"+
			"Content-Type: text/plain; charset=utf-8\r\n\r\nWhere is my parcel? (%d)\r\n", email(p), i, i)
		start := time.Now()
		if err := smtp.SendMail(srv.Addr().String(), nil, email(p), []string{"help@bench.example"}, []byte(msg)); err != nil {
			return nil, "", fmt.Errorf("e-mail over SMTP: %w", err)
		}
		mails = append(mails, time.Since(start))
	}
	rows = append(rows, summarize(d, "e-mail over SMTP (connect to the 250 after DATA)", mails))

	var onCases int
	db.SQL.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbound_messages WHERE case_id IS NOT NULL`).Scan(&onCases)
	if onCases != 3*o.messages {
		return nil, "", fmt.Errorf("%d of %d messages are on cases", onCases, 3*o.messages)
	}
	return rows, version, nil
}

func phone(i int) string { return fmt.Sprintf("+7913%07d", i) }
func email(i int) string { return fmt.Sprintf("anna%d@example.com", i) }

func report(ctx context.Context, o options, rows []row, versions []string, took time.Duration) string {
	begin, end := benchmd.Markers("inbound")
	m := benchmd.ThisMachine(ctx)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n## Inbound SMS and e-mail: arrival to on the case\n\n", begin)
	fmt.Fprintf(&b, "`go run ./tools/benchinbound -out BENCHMARKS.md -messages %d -parcels %d` (part of `make bench`), %s, %s CPUs (%s), %s, revision %s; took %s.\n\n",
		o.messages, o.parcels, time.Now().UTC().Format("2006-01-02"), m.NProc, m.CPU, m.GoVersion, m.Revision, took.Round(time.Second))
	fmt.Fprintf(&b, "Databases: %s. One sender at a time; each parcel's first message opens its case, later ones are appended "+
		"(%d parcels, %d messages per channel). Latency is what the sender waits for: the answer comes once the message is committed on the case.\n\n",
		strings.Join(versions, "; "), o.parcels, o.messages)
	b.WriteString("| database | path | p50 | p99 | messages |\n|---|---|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d |\n", r.dialect, r.what, ms(r.p50), ms(r.p99), r.n)
	}
	fmt.Fprintf(&b, "\n%s\n", end)
	return b.String()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
