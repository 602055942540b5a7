package ivr

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/i18n"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/trackwords"
)

// TestStatusFragmentsOfADay measures what the synthesiser cache must hold for a day of
// self-service: the status of every parcel of the demo data (2,000 parcels of three shops on
// every lane and stage, events over 45 days, recipients all over Russia), each in its
// recipient's language as a matched caller hears it, read on one day. It logs the distinct
// whole sentences (what per-sentence caching would synthesise) beside the distinct fragments
// (what fragment caching synthesises), and fails when fragments do not save most of the work.
// docs/ivr.md quotes the figures.
func TestStatusFragmentsOfADay(t *testing.T) {
	storetest.OnePass(t)
	db := storetest.Open(t)
	log := storetest.Logger(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	cs := tracking.NewService(db, log, nil)
	parcels := 2000
	if n, err := strconv.Atoi(os.Getenv("WISMO_FRAGMENT_PARCELS")); err == nil && n > 0 {
		parcels = n // docs/ivr.md's figure for 20,000
	}
	if _, err := demo.Run(ctx, demo.Options{Parcels: parcels, Seed: 7, Now: now}, access.NewService(db), cs, log); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL.QueryContext(ctx, `SELECT id, brand_id FROM parcels`)
	if err != nil {
		t.Fatal(err)
	}
	type ref struct {
		id    string
		brand int64
	}
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.brand); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	rows.Close()
	s := &SelfService{Settings: NewSettings(db), Now: func() time.Time { return now }}
	sentences, fragments, kinds := map[string]bool{}, map[string]bool{}, map[string]map[string]bool{}
	total := 0
	for _, r := range refs {
		p, err := cs.Parcel(ctx, access.Brands(r.brand), r.id)
		if err != nil {
			t.Fatal(err)
		}
		lg := string(trackwords.LangOf(p.Recipient.Language))
		fs := s.statusFragments(ctx, r.brand, lg, i18n.New(i18n.Lang(lg), time.UTC), p)
		var whole []string
		for _, f := range fs {
			key := lg + "\x00" + f.text
			fragments[key] = true
			if kinds[f.kind] == nil {
				kinds[f.kind] = map[string]bool{}
			}
			kinds[f.kind][key] = true
			whole = append(whole, f.text)
			total++
		}
		sentences[lg+"\x00"+strings.Join(whole, " ")] = true
	}
	t.Logf("%d parcels: %d fragments spoken, %d distinct whole sentences, %d distinct fragments (intro %d, status %d, place %d, expected %d, day %d)",
		len(refs), total, len(sentences), len(fragments), len(kinds["intro"]), len(kinds["status"]), len(kinds["place"]),
		len(kinds["expected"]), len(kinds["day"]))
	if len(refs) != parcels || len(fragments)*2 > len(sentences) {
		t.Fatalf("%d parcels, %d distinct fragments for %d distinct sentences: fragments should need under half", len(refs), len(fragments), len(sentences))
	}
}
