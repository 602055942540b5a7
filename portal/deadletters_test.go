package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// lettersEnv is a portal with dead letters: the rules consumer set aside one message of
// brand A (RA) and one of brand B (RB).
type lettersEnv struct {
	f        *fixture
	db       *store.DB
	byItem   map[string]int64 // letter id by item
	handled  []string         // what the consumer handled after the letters were set aside
	consumer func(t *testing.T) (int, error)
}

func newLettersEnv(t *testing.T) *lettersEnv {
	t.Helper()
	db := storetest.Open(t)
	log := storetest.Logger(t)
	acc := access.NewService(db)
	reg := prometheus.NewRegistry()
	app := New(Deps{Log: log, DB: db, Access: acc, Cases: tracking.NewService(db, log, reg), Registry: reg,
		DeadLetters: outbox.NewDeadLetters(db)})
	ctx := context.Background()
	a, ka, _ := acc.CreateBrand(ctx, "Brand A")
	b, kb, err := acc.CreateBrand(ctx, "Brand B")
	if err != nil {
		t.Fatal(err)
	}
	e := &lettersEnv{f: &fixture{app: app, acc: acc, keyA: ka, keyB: kb, brandA: a.ID, brandB: b.ID}, db: db, byItem: map[string]int64{}}
	for _, u := range []struct {
		email  string
		role   access.Role
		brands []int64
	}{
		{"admin@example", access.RoleAdmin, nil},
		{"sup@a.example", access.RoleSupervisor, []int64{a.ID}},
		{"mgr@a.example", access.RoleBrandManager, []int64{a.ID}},
		{"agent@a.example", access.RoleAgent, []int64{a.ID}},
	} {
		if _, err := acc.CreateUser(ctx, u.email, "correct horse battery", u.role, u.brands); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []struct {
		brand int64
		item  string
	}{{a.ID, "RA"}, {b.ID, "RB"}} {
		if err := db.WriteTx(ctx, func(tx store.Tx) error {
			return outbox.Write(ctx, db, tx, []outbox.Entry{{Topic: "tracking.event", BrandID: m.brand, ItemID: m.item, Payload: map[string]string{"code": "EMB"}}}, time.Now())
		}); err != nil {
			t.Fatal(err)
		}
	}
	// The consumer fails every message until told otherwise.
	fixed := false
	p := outbox.Policy{Backoff: time.Millisecond}
	e.consumer = func(t *testing.T) (int, error) {
		return p.Consume(ctx, db, "scripts.rules", 10, func(_ context.Context, _ store.Tx, msgs []outbox.Message) error {
			if !fixed {
				return errors.New("template 7 is missing")
			}
			for _, m := range msgs {
				e.handled = append(e.handled, m.ItemID)
			}
			return nil
		})
	}
	ls := []outbox.DeadLetter{}
	for deadline := time.Now().Add(20 * time.Second); len(ls) < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("the messages were not set aside: %+v", ls)
		}
		e.consumer(t)
		if ls, err = outbox.NewDeadLetters(db).List(ctx, access.Operator(), outbox.LetterFilter{}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // PostgreSQL: the messages become visible
	}
	for _, l := range ls {
		e.byItem[l.Message.ItemID] = l.ID
	}
	fixed = true
	return e
}

func (e *lettersEnv) browser(t *testing.T, email string) *browser {
	t.Helper()
	b := &browser{t: t, app: e.f.app, cookies: map[string]string{}}
	if r := b.login(email, "correct horse battery", "/dead-letters"); r.status != http.StatusSeeOther {
		t.Fatalf("login %s: %d %s", email, r.status, r.body)
	}
	return b
}

// csrf is the session's CSRF token, as scripts read it.
func (b *browser) csrf() string {
	b.t.Helper()
	r := b.do("GET", "/api/v1/session", nil)
	var s struct {
		CSRF string `json:"csrf_token"`
	}
	if err := json.Unmarshal([]byte(r.body), &s); err != nil || s.CSRF == "" {
		b.t.Fatalf("session: %d %s", r.status, r.body)
	}
	return s.CSRF
}

type letterReply struct {
	DeadLetters []struct {
		ID       int64  `json:"id"`
		ItemID   string `json:"item_id"`
		Ref      string `json:"ref"`
		Status   string `json:"status"`
		Attempts int    `json:"attempts"`
		Error    string `json:"error"`
		Payload  any    `json:"payload"`
	} `json:"dead_letters"`
	DeadLetter struct {
		ID        int64  `json:"id"`
		Status    string `json:"status"`
		UpdatedBy string `json:"updated_by"`
	} `json:"dead_letter"`
}

func decodeLetters(t *testing.T, r reply) letterReply {
	t.Helper()
	var out letterReply
	if err := json.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	return out
}

// Admins list, retry and discard dead letters through the API; a retried letter is handed
// to its consumer once more and resolved; supervisors see their brands' letters only;
// brand managers, agents and API keys get 403.
func TestDeadLettersAPI(t *testing.T) {
	e := newLettersEnv(t)
	admin := e.browser(t, "admin@example")
	r := admin.do("GET", "/api/v1/dead-letters", nil)
	got := decodeLetters(t, r)
	if r.status != 200 || len(got.DeadLetters) != 2 {
		t.Fatalf("admin list: %d %s", r.status, r.body)
	}
	for _, l := range got.DeadLetters {
		if l.Status != "dead" || l.Attempts != outbox.DefaultMaxAttempts || l.Error != "template 7 is missing" || l.Payload == nil {
			t.Errorf("letter %+v: want dead, %d attempts, the handler's error, the payload", l, outbox.DefaultMaxAttempts)
		}
	}

	// Retry: 202, then the consumer's next turn handles it, once.
	csrf := admin.csrf()
	ra := e.byItem["RA"]
	r = admin.do("POST", fmt.Sprintf("/api/v1/dead-letters/%d/retry", ra), url.Values{"_csrf": {csrf}})
	if one := decodeLetters(t, r).DeadLetter; r.status != http.StatusAccepted || one.Status != "retry" || one.UpdatedBy != "user:admin@example" {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	if n, err := e.consumer(t); n != 1 || err != nil {
		t.Fatalf("the consumer's turn after the retry: %d, %v", n, err)
	}
	if n, _ := e.consumer(t); n != 0 || len(e.handled) != 1 || e.handled[0] != "RA" {
		t.Fatalf("handled %v after the retry, want RA once", e.handled)
	}
	r = admin.do("GET", fmt.Sprintf("/api/v1/dead-letters/%d", ra), nil)
	if decodeLetters(t, r).DeadLetter.Status != "resolved" {
		t.Fatalf("after the retry: %s", r.body)
	}
	if r := admin.do("POST", fmt.Sprintf("/api/v1/dead-letters/%d/retry", ra), url.Values{"_csrf": {csrf}}); r.status != http.StatusConflict || !strings.Contains(r.body, "resolved") {
		t.Fatalf("retrying a resolved letter: %d %s", r.status, r.body)
	}

	// Discard, and the filters.
	rb := e.byItem["RB"]
	r = admin.do("POST", fmt.Sprintf("/api/v1/dead-letters/%d/discard", rb), url.Values{"_csrf": {csrf}})
	if r.status != 200 || decodeLetters(t, r).DeadLetter.Status != "discarded" {
		t.Fatalf("discard: %d %s", r.status, r.body)
	}
	if r := admin.do("GET", "/api/v1/dead-letters", nil); len(decodeLetters(t, r).DeadLetters) != 0 {
		t.Fatalf("nothing waits any more, the list says %s", r.body)
	}
	if r := admin.do("GET", "/api/v1/dead-letters?status=discarded&consumer=scripts.rules", nil); len(decodeLetters(t, r).DeadLetters) != 1 {
		t.Fatalf("discarded: %s", r.body)
	}
	for _, bad := range []string{"/api/v1/dead-letters?status=lost", "/api/v1/dead-letters?limit=0", "/api/v1/dead-letters/x"} {
		if r := admin.do("GET", bad, nil); r.status != 400 {
			t.Errorf("GET %s: %d %s, want 400 naming the field", bad, r.status, r.body)
		}
	}
	if r := admin.do("POST", "/api/v1/dead-letters/999/retry", url.Values{"_csrf": {csrf}}); r.status != 404 {
		t.Errorf("retry of no letter: %d", r.status)
	}
	if r := admin.do("POST", fmt.Sprintf("/api/v1/dead-letters/%d/discard", rb), nil); r.status != 403 {
		t.Errorf("a post without the CSRF token: %d, want 403", r.status)
	}

	// Who may.
	sup := e.browser(t, "sup@a.example")
	r = sup.do("GET", "/api/v1/dead-letters?status=resolved", nil)
	if l := decodeLetters(t, r).DeadLetters; r.status != 200 || len(l) != 1 || l[0].ItemID != "RA" {
		t.Fatalf("brand A's supervisor: %d %s", r.status, r.body)
	}
	if r := sup.do("GET", fmt.Sprintf("/api/v1/dead-letters/%d", rb), nil); r.status != 404 {
		t.Errorf("brand A's supervisor reading brand B's letter: %d", r.status)
	}
	if r := sup.do("POST", fmt.Sprintf("/api/v1/dead-letters/%d/retry", rb), url.Values{"_csrf": {sup.csrf()}}); r.status != 404 {
		t.Errorf("brand A's supervisor retrying brand B's letter: %d", r.status)
	}
	for _, who := range []string{"mgr@a.example", "agent@a.example"} {
		if r := e.browser(t, who).do("GET", "/api/v1/dead-letters", nil); r.status != 403 {
			t.Errorf("%s: %d, want 403", who, r.status)
		}
	}
	if r := e.f.do(t, "GET", "/api/v1/dead-letters", e.f.keyA, ""); r.status != 403 {
		t.Errorf("a brand's API key: %d, want 403", r.status)
	}
}

// The page lists the letters a supervisor may see, retries and discards them through plain
// forms (no script), and renders whatever language the browser asks for.
func TestDeadLettersPage(t *testing.T) {
	e := newLettersEnv(t)
	sup := e.browser(t, "sup@a.example")
	r := sup.do("GET", "/dead-letters", nil)
	if r.status != 200 || !strings.Contains(r.body, `id="dead-letters"`) || !strings.Contains(r.body, ">RA<") || strings.Contains(r.body, ">RB<") ||
		!strings.Contains(r.body, "template 7 is missing") || !strings.Contains(r.body, "<td>Brand A</td>") || !strings.Contains(r.body, `href="/dead-letters" aria-current="page"`) {
		t.Fatalf("supervisor's page: %d %s", r.status, r.body)
	}
	if strings.Contains(strings.ReplaceAll(jsonData.ReplaceAllString(r.body, ""), `<script src="/static/wismo.js"></script>`, ""), "<script") {
		t.Error("the page carries a script: it must work with forms alone (CSP)")
	}
	ra := e.byItem["RA"]
	token := csrfField.FindStringSubmatch(r.body)[1]
	r = sup.do("POST", fmt.Sprintf("/dead-letters/%d/retry", ra), url.Values{"_csrf": {token}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/dead-letters?") {
		t.Fatalf("retry form: %d %q %s", r.status, r.header.Get("Location"), r.body)
	}
	r = sup.do("GET", r.header.Get("Location"), nil)
	if !strings.Contains(r.body, fmt.Sprintf("sent back for a retry: %d", ra)) || !strings.Contains(r.body, ">waiting for a retry<") {
		t.Fatalf("after the retry form: %s", r.body)
	}
	r = sup.do("POST", fmt.Sprintf("/dead-letters/%d/discard", ra), url.Values{"_csrf": {token}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("discard form: %d %s", r.status, r.body)
	}
	if r := sup.do("GET", "/dead-letters", nil); !strings.Contains(r.body, `id="no-letters"`) {
		t.Fatalf("after discarding, brand A has nothing waiting: %s", r.body)
	}
	if r := sup.do("POST", fmt.Sprintf("/dead-letters/%d/retry", e.byItem["RB"]), url.Values{"_csrf": {token}}); r.status != 404 {
		t.Errorf("brand A's supervisor retrying brand B's letter through the form: %d", r.status)
	}
	if r := sup.do("GET", "/dead-letters?lang=ru&status=discarded", nil); r.status != 200 || !strings.Contains(r.body, `<html lang="ru">`) || !strings.Contains(r.body, ">RA<") {
		t.Errorf("the page in Russian: %d %s", r.status, r.body)
	}
	if r := e.browser(t, "mgr@a.example").do("GET", "/dead-letters", nil); r.status != 403 {
		t.Errorf("a brand manager: %d, want 403", r.status)
	}
}
