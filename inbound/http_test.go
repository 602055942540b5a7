package inbound_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/cases/casestest"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/inbound"
	"github.com/wismo/wismo/input"
)

// postSMS posts an HTTP provider's MO message, signed with secret at the env's time.
func (e *env) postSMS(app *fiber.App, secret, body string) (int, string) {
	e.T.Helper()
	req := httptest.NewRequest("POST", inbound.SMSInboundPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(cases.SignatureHeader, cases.SignWebhook(secret, e.Now, []byte(body)))
	resp, err := app.Test(req, -1)
	if err != nil {
		e.T.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The HTTP provider's MO messages: a forged signature is refused (nothing recorded), a signed
// reply from the customer lands on the parcel's case, a reply to a case resolved days ago
// reopens it, one to a case resolved longer ago than reopen_days opens a new case, and an
// SMS from an unknown number waits for review.
func TestSMSOverHTTP(t *testing.T) {
	e := newEnv(t, dialer.Options{SMS: nopSender{}, Email: nopSender{}})
	app := fiber.New()
	inbound.Routes(app, e.in)
	ctx := context.Background()

	if code, _ := e.postSMS(app, "forged", `{"from": "+79131234567", "to": "+447700900123", "text": "hi"}`); code != 401 {
		t.Errorf("a forged signature answers %d", code)
	}
	if n := len(e.messages()); n != 0 {
		t.Fatalf("a forged message was recorded: %d", n)
	}
	code, body := e.postSMS(app, "s3cret", `{"from": "+7 913 123-45-67", "to": "447700900123", "text": "Где посылка?"}`)
	if code != 200 || !strings.Contains(body, `"case_opened"`) {
		t.Fatalf("a signed reply: %d %s", code, body)
	}
	first := e.messages()[0]
	c := e.caseOf(first.CaseID)
	if c.Source != cases.SourceSMS {
		t.Errorf("the case's source: %s", c.Source)
	}

	resolve := func(number string) {
		st, code := "resolved", "information_given"
		if _, err := e.Cases.Update(ctx, e.ScopeA(), casestest.AgentA, number, 0, cases.CasePatch{Status: &st, ResolutionCode: &code}); err != nil {
			t.Fatal(err)
		}
	}
	resolve(c.Number)
	e.Now = e.Now.Add(3 * 24 * time.Hour)
	if _, body := e.postSMS(app, "s3cret", `{"from": "+79131234567", "to": "+447700900123", "text": "still nothing"}`); !strings.Contains(body, `"case_reopened"`) {
		t.Fatalf("a reply 3 days after resolving: %s", body)
	}
	if got := e.caseOf(first.CaseID); got.Status != cases.StatusOpen {
		t.Errorf("the reopened case is %s", got.Status)
	}
	resolve(c.Number)
	e.Now = e.Now.Add(20 * 24 * time.Hour)
	_, body = e.postSMS(app, "s3cret", `{"from": "+79131234567", "to": "+447700900123", "text": "again"}`)
	if !strings.Contains(body, `"case_opened"`) {
		t.Fatalf("a reply 20 days after resolving (reopen_days 14): %s", body)
	}
	if last := e.messages()[2]; last.CaseID == first.CaseID {
		t.Error("a reply to a case resolved long ago went on it")
	}

	if _, body := e.postSMS(app, "s3cret", `{"from": "+15550001111", "to": "+447700900123", "text": "who is this"}`); !strings.Contains(body, `"review"`) {
		t.Errorf("an SMS from an unknown number: %s", body)
	}
	if _, body := e.postSMS(app, "s3cret", `{"from": "+15550001111", "to": "+10000000000", "text": "wrong number"}`); !strings.Contains(body, `"unknown_recipient"`) {
		t.Errorf("an SMS to no brand's number: %s", body)
	}
	if code, _ := e.postSMS(app, "s3cret", `{"text": "no numbers"}`); code != 400 {
		t.Errorf("an SMS without numbers answers %d", code)
	}
}

// Settings: numbers and addresses are validated, and unique across brands.
func TestSettingsAreValidatedAndUnique(t *testing.T) {
	e := newEnv(t, dialer.Options{SMS: nopSender{}, Email: nopSender{}})
	ctx := context.Background()
	_, err := e.in.SetSettings(ctx, e.ScopeB(), e.BrandB, inbound.Settings{SMSNumber: "call 4477", MailAddress: "Help <x@y>", ReopenDays: 400})
	var ve *input.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Fatalf("bad settings: %v", err)
	}
	_, err = e.in.SetSettings(ctx, e.ScopeB(), e.BrandB, inbound.Settings{SMSNumber: brandNum, MailAddress: strings.ToUpper(brandMail)})
	if !errors.As(err, &ve) || len(ve.Fields) != 2 || ve.Fields[0].Field != "sms_number" || ve.Fields[1].Field != "mail_address" {
		t.Fatalf("brand A's number and address for brand B: %v", err)
	}
	if _, err := e.in.SetSettings(ctx, e.ScopeB(), e.BrandA, inbound.Settings{}); err == nil {
		t.Error("brand B changed brand A's settings")
	}
	st, err := e.in.SetSettings(ctx, e.ScopeB(), e.BrandB, inbound.Settings{SMSNumber: "+447700900999", ReopenDays: 0})
	if err != nil || st.SMSNumber != "+447700900999" {
		t.Fatalf("brand B's own number: %+v %v", st, err)
	}
	got, _ := e.in.SettingsOf(ctx, e.ScopeB(), e.BrandB)
	b, _ := json.Marshal(got)
	if !strings.Contains(string(b), `"sms_number":"+447700900999"`) {
		t.Errorf("read back: %s", b)
	}
}

// The review queue is not a dead end: staff put a message on a case (it shows there as the
// customer's) or set it aside; each message is settled once, and another brand cannot.
func TestReviewQueueIsSettled(t *testing.T) {
	e := newEnv(t, dialer.Options{SMS: nopSender{}, Email: nopSender{}})
	ctx := context.Background()
	a, err := e.in.HandleSMS(ctx, "+15550001111", "+447700900123", "It is Anna from my other phone: where is RB123456785GB?")
	if err != nil || a.Outcome != inbound.OutcomeReview {
		t.Fatalf("a stranger's SMS: %+v %v", a, err)
	}
	b, _ := e.in.HandleSMS(ctx, "+15550002222", "+447700900123", "WIN A PRIZE")
	c := e.Open(e.ScopeA(), cases.CaseInput{Parcels: []string{parcelID}, Type: "damage"})
	if _, err := e.in.Settle(ctx, e.ScopeB(), "user:b", a.ID, c.Number); err == nil {
		t.Error("brand B settled brand A's message")
	}
	if _, err := e.in.Settle(ctx, e.ScopeA(), "user:agent@a.test", a.ID, "XX-999999"); err == nil {
		t.Error("settled onto a case the brand does not have")
	}
	m, err := e.in.Settle(ctx, e.ScopeA(), "user:agent@a.test", a.ID, c.Number)
	if err != nil || m.Outcome != inbound.OutcomeCase || m.CaseID != c.ID {
		t.Fatalf("put on the case: %+v %v", m, err)
	}
	if lines := e.customerLines(c.Number); len(lines) != 1 || !strings.Contains(lines[0], "other phone") {
		t.Errorf("the case: %q", lines)
	}
	if _, err := e.in.Settle(ctx, e.ScopeA(), "user:agent@a.test", a.ID, ""); err == nil {
		t.Error("a message was settled twice")
	}
	if m, err := e.in.Settle(ctx, e.ScopeA(), "user:agent@a.test", b.ID, ""); err != nil || m.Outcome != inbound.OutcomeDismissed {
		t.Errorf("set aside: %+v %v", m, err)
	}
	if left, _ := e.in.Review(ctx, e.ScopeA(), e.BrandA, 10); len(left) != 0 {
		t.Errorf("still in review: %+v", left)
	}
}
