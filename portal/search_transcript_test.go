package portal

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/wismo/wismo/reports/reportstest"
)

// A call found by its transcript alone is a hit of its own kind, in words, linking to the
// transcript (docs/transcripts.md); a call about a case finds the case.
func TestSearchPageFindsCallsByTheirWords(t *testing.T) {
	e := newStaffEnv(t)
	ctx, db := context.Background(), e.db
	say := func(parcel, text string) int64 {
		var call, rec int64
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO calls (direction, brand_id, parcel_id, started_at) VALUES ('inbound', ?, ?, ?) RETURNING id`),
			e.brandA, parcel, reportstest.Now).Scan(&call); err != nil {
			t.Fatal(err)
		}
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`INSERT INTO recordings (call_id, brand_id, path, started_at, finished_at) VALUES (?, ?, 'x.wav', ?, ?) RETURNING id`),
			call, e.brandA, reportstest.Now, reportstest.Now).Scan(&rec); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(ctx, db.Rebind(`INSERT INTO call_transcripts (recording_id, call_id, brand_id, side, text, search_key, transcribed_at)
			VALUES (?, ?, ?, 'customer', ?, ?, ?)`), rec, call, e.brandA, text, strings.ToLower(text), reportstest.Now); err != nil {
			t.Fatal(err)
		}
		return call
	}
	lone := say("", "The courier was rude")
	say(e.parcel, "курьер грубил")
	agent := e.as(t, "agent@a.example")
	r := agent.do("GET", "/search?q="+url.QueryEscape("courier was rude"), nil)
	if !strings.Contains(r.body, fmt.Sprintf(`href="/api/v1/calls/%d/transcript"`, lone)) || !strings.Contains(r.body, "words said in a call") || !strings.Contains(r.body, "Call") {
		t.Errorf("a lone call's hit: %s", r.body)
	}
	ru := agent.doWith("GET", "/search?q="+url.QueryEscape("курьер грубил"), nil, "Accept-Language", "ru")
	if !strings.Contains(ru.body, `href="/cases/`+e.caseNumber+`"`) || !strings.Contains(ru.body, "словам из разговора") {
		t.Errorf("the case of a call, in Russian: %s", ru.body)
	}
}
