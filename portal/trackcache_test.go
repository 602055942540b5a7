package portal

import (
	"strings"
	"testing"
	"time"
)

// A reload within the cache time is served from the node's memory: a change made meanwhile
// shows only when the page expires, or at once when the change came through the page's own
// forms. Each visitor still gets a form token of their own, matching their cookie.
func TestTrackPageCache(t *testing.T) {
	f := newTrackFixture(t, FeedbackLimits{}, withPageCache)
	const path = "/track/RB123456785GB"

	anna, boris := f.browser(t), f.browser(t)
	first := anna.do("GET", path, nil)
	if first.status != 200 || !strings.Contains(first.body, "We have not sent you anything") {
		t.Fatalf("first view: %d %.300s", first.status, first.body)
	}
	f.comms.mu.Lock()
	f.comms.list["RB123456785GB"] = []Comm{{Channel: "sms", At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Status: "delivered", To: "+79131234567"}}
	reads := len(f.comms.brands)
	f.comms.mu.Unlock()

	again := boris.do("GET", path, nil)
	if !strings.Contains(again.body, "We have not sent you anything") {
		t.Fatal("a reload within the cache time should be the stored page")
	}
	if len(f.comms.brands) != reads {
		t.Fatal("a stored page should cost no communications read")
	}
	ta, tb := csrfField.FindStringSubmatch(first.body), csrfField.FindStringSubmatch(again.body)
	if ta == nil || tb == nil || ta[1] == tb[1] || strings.Contains(again.body, csrfSlot) {
		t.Fatalf("each visitor needs their own form token, never the slot: %v %v", ta, tb)
	}
	if ta[1] != anna.cookies[trackCSRFCookie] || tb[1] != boris.cookies[trackCSRFCookie] {
		t.Fatal("the page's token must be the visitor's cookie")
	}
	if r := f.do(t, "GET", path+"?lang=ru", "", ""); !strings.Contains(r.body, "Сообщения и звонки") || strings.Contains(r.body, "We have not sent") {
		t.Fatal("languages are stored apart")
	}

	// Feedback through this node drops the stored page: the new SMS and the request show.
	r := boris.do("POST", path+"/feedback", feedbackForm(tb[1]))
	if r.status != 303 {
		t.Fatalf("feedback: %d %.300s", r.status, r.body)
	}
	after := anna.do("GET", path, nil)
	if strings.Contains(after.body, "We have not sent you anything") || !strings.Contains(after.body, "Delivered") {
		t.Fatalf("after a form was sent the page must be rendered again: %.2000s", after.body)
	}
}

// The store never grows past its bound and forgets expired pages.
func TestPageCacheBoundAndExpiry(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	pc := newPageCache(5*time.Second, func() time.Time { return now }, nil)
	pc.put("en", "RB123456785GB", 1, []byte("page"))
	if _, ok := pc.get("en", "RB123456785GB"); !ok {
		t.Fatal("fresh page not found")
	}
	now = now.Add(5 * time.Second)
	if _, ok := pc.get("en", "RB123456785GB"); ok {
		t.Fatal("expired page served")
	}
	for i := range maxTrackPages + 10 {
		pc.put("en", strings.Repeat("x", 3)+string(rune('a'+i%26))+time.Duration(i).String(), 1, []byte("p"))
	}
	if n := len(pc.pages); n > maxTrackPages {
		t.Fatalf("cache holds %d pages, bound %d", n, maxTrackPages)
	}
	pc.put("en", "RB123456785GB", 1, []byte("page"))
	pc.put("ru", "RB123456785GB", 1, []byte("страница"))
	pc.Drop("RB123456785GB")
	if _, ok := pc.get("ru", "RB123456785GB"); ok {
		t.Fatal("a dropped parcel's page served")
	}
	var none *TrackCache
	none.Drop("RB123456785GB") // no cache: nothing to drop, no panic
	if _, ok := none.get("en", "RB123456785GB"); ok {
		t.Fatal("no cache serves nothing")
	}
}
