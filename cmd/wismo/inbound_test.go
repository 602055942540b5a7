package main

import (
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
)

// TestServeTakesCustomersReplies wires a node as `wismo serve` does with the SMTP listener
// and the HTTP SMS route on: a brand sets its number and address over the API, the HTTP
// provider's signed MO (no session or key) and an e-mail to the listener both land on the
// parcel's case.
func TestServeTakesCustomersReplies(t *testing.T) {
	secret := "0123456789abcdef-test"
	ctx, a, n, base := serveInTest(t, map[string]string{"WISMO_JOBS": "mail-listener", "WISMO_MAIL_LISTEN_ADDR": "127.0.0.1:0",
		"WISMO_SMS_INBOUND_SECRET": secret, "WISMO_SIP_ADDR": "127.0.0.1:0"})
	brand, key, err := a.access.CreateBrand(ctx, "Matryoshka")
	if err != nil {
		t.Fatal(err)
	}
	must := func(method, path, body string) string {
		t.Helper()
		code, got := apiCall(t, method, base+path, key, body)
		if code/100 != 2 {
			t.Fatalf("%s %s: %d %s", method, path, code, got)
		}
		return string(got)
	}
	must("POST", "/api/v1/parcels", `{"parcels": [{"id": "RB123456785GB", "service_level": "standard", "kind": "packet", "weight_kg": 1,
		"origin_country": "GB", "destination_country": "RU", "recipient": {"name": "Anna", "phone": "+79131234567", "email": "anna@example.com", "address": "x"}}]}`)
	must("PUT", "/api/v1/inbound/settings", `{"sms_number": "+447700900123", "mail_address": "help@matryoshka.example", "reopen_days": 14}`)

	body := `{"from": "+79131234567", "to": "+447700900123", "text": "Where is my parcel?"}`
	req, _ := http.NewRequest("POST", base+"/api/v1/sms/inbound", strings.NewReader(body))
	req.Header.Set(cases.SignatureHeader, cases.SignWebhook(secret, time.Now(), []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the provider's MO: %d", resp.StatusCode)
	}

	msg := "From: Anna <anna@example.com>\r\nTo: help@matryoshka.example\r\nSubject: the parcel\r\n\r\nAlso by e-mail.\r\n"
	if err := smtp.SendMail(n.in.mail.Addr().String(), nil, "anna@example.com", []string{"help@matryoshka.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	list, _, err := a.caseService().List(ctx, access.Brands(brand.ID), cases.CaseFilter{ParcelID: "RB123456785GB"})
	if err != nil || len(list) != 1 || list[0].Source != cases.SourceSMS {
		t.Fatalf("the parcel's cases: %+v %v", list, err)
	}
	v, err := a.caseService().Detail(ctx, access.Brands(brand.ID), list[0].Number, brand.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range v.Timeline {
		if e.Kind == "message_in" {
			got = append(got, e.Summary)
		}
	}
	if want := fmt.Sprint([]string{"Where is my parcel?", "the parcel\n\nAlso by e-mail."}); fmt.Sprint(got) != want {
		t.Errorf("what the customer wrote on the case: %q, want %s", got, want)
	}

	// A stranger's SMS waits on the review page; an agent puts it on the case from there.
	stranger := `{"from": "+15550001111", "to": "+447700900123", "text": "Anna here, from my work phone"}`
	req, _ = http.NewRequest("POST", base+"/api/v1/sms/inbound", strings.NewReader(stranger))
	req.Header.Set(cases.SignatureHeader, cases.SignWebhook(secret, time.Now(), []byte(stranger)))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the stranger's SMS: %v %v", resp, err)
	}
	if _, err := a.access.CreateUser(ctx, "agent@matryoshka.example", "a long password 1", access.RoleAgent, []int64{brand.ID}); err != nil {
		t.Fatal(err)
	}
	sess, err := a.access.Login(ctx, "agent@matryoshka.example", "a long password 1")
	if err != nil {
		t.Fatal(err)
	}
	page := func(method, path, form string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: access.SessionCookie, Value: sess.Token})
		req.Header.Set(access.CSRFHeader, sess.CSRF)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, html := page("GET", "/inbound/review?lang=ru", "")
	m := regexp.MustCompile(`action="/inbound/review/(\d+)"`).FindStringSubmatch(html)
	if code != 200 || m == nil || !strings.Contains(html, "Anna here, from my work phone") || !strings.Contains(html, "Сообщения на проверку") ||
		!strings.Contains(html, "Бренд никогда не писал на этот номер") { // why it waits, in the reader's language

		t.Fatalf("the review page: %d %.3000s", code, html)
	}
	if code, _ := page("POST", "/inbound/review/"+m[1], "_csrf="+sess.CSRF+"&case="+list[0].Number+"&action=case"); code != 303 {
		t.Fatalf("putting it on the case: %d", code)
	}
	if _, html := page("GET", "/inbound/review?lang=en", ""); !strings.Contains(html, "Nothing to review.") {
		t.Errorf("the review page after: %.2000s", html)
	}
}
