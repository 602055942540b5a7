package carrier

import (
	"context"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// TestDemoParcelsHitEveryRule: the demo's recipients' numbers reach every kind of answer of
// the carrier, in both languages, so that `make run`'s calls show each (README "The demo
// carrier").
func TestDemoParcelsHitEveryRule(t *testing.T) {
	db, log := storetest.Open(t), storetest.Logger(t)
	ctx := context.Background()
	if _, err := demo.Run(ctx, demo.Options{Parcels: 300, Seed: 15, Now: time.Now().UTC()}, access.NewService(db), tracking.NewService(db, log, nil), log); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT recipient_phone FROM parcels WHERE recipient_phone <> ''`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	answers, langs := map[Answer]int{}, map[string]int{}
	for rows.Next() {
		var phone string
		if err := rows.Scan(&phone); err != nil {
			t.Fatal(err)
		}
		e164, a, ok := Rule(phone)
		if !ok {
			t.Fatalf("demo phone %q is no number the carrier knows", phone)
		}
		answers[a]++
		langs[Language(e164)]++
	}
	for _, a := range []Answer{Person, Busy, NoAnswer, Voicemail} {
		if answers[a] == 0 {
			t.Errorf("no demo recipient's number gives %v: %v", a, answers)
		}
	}
	if langs["ru"] == 0 || langs["en"] == 0 {
		t.Errorf("demo numbers by language: %v", langs)
	}
	t.Logf("300 demo parcels: %v, by language %v", answers, langs)
}
