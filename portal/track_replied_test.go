package portal

import (
	"context"
	"strings"
	"testing"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/cases"
)

// TestTrackingPageSaysTheServiceReplied: a customer's request shows that the service
// replied, and when, in the page's language; never the reply's text.
func TestTrackingPageSaysTheServiceReplied(t *testing.T) {
	f := newTrackFixture(t, DefaultFeedbackLimits)
	ctx := context.Background()
	c, err := f.desk.Open(ctx, access.Brands(f.brandA), cases.Actor{Label: "customer"}, cases.CaseInput{Parcels: []string{"RB123456785GB"},
		Type: "non_receipt_or_delay", Source: "sms"})
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	if page := b.do("GET", "/track/RB123456785GB?lang=en", nil); !strings.Contains(page.body, c.Number) || strings.Contains(page.body, "The service replied") {
		t.Fatalf("before the reply: %.2000s", page.body)
	}
	secret := "reply by sms to +79131234567 (template secret words)"
	if _, err := f.desk.LogReply(ctx, access.Brands(f.brandA), cases.Actor{Label: "user:agent@a.test"}, c.Number, f.brandA, secret, nil); err != nil {
		t.Fatal(err)
	}
	page := b.do("GET", "/track/RB123456785GB?lang=en", nil)
	if !strings.Contains(page.body, "The service replied on <time") || strings.Contains(page.body, "secret words") {
		t.Errorf("after the reply (English): %.3000s", page.body)
	}
	if page := b.do("GET", "/track/RB123456785GB?lang=ru", nil); !strings.Contains(page.body, "Служба ответила <time") {
		t.Errorf("after the reply (Russian): %.3000s", page.body)
	}
}
