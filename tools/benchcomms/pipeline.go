package main

import (
	"context"
	"fmt"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// dbFigures are one run's rates on one database, per second.
type dbFigures struct {
	Rules, Plan, RawInsert float64 // contacts planned
	Dispatch, RawClaim     float64 // due contacts claimed and recorded
}

// zones spread the recipients over Russia so that windows are computed for many zones.
func zones() []string {
	return []string{"Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
		"Asia/Novosibirsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka"}
}

// dbRun measures planning and dispatching on a fresh database of dialect d.
func dbRun(ctx context.Context, o options, d store.Dialect) (dbFigures, string, error) {
	var f dbFigures
	db, drop, err := freshDB(ctx, o, d)
	if err != nil {
		return f, "", err
	}
	defer drop()
	version := serverVersion(ctx, db)
	acc := access.NewService(db)
	cs := tracking.NewService(db, quiet(), nil)
	dl, err := dialer.New(db, quiet(), dialer.Options{PublicURL: "http://127.0.0.1:8080", Batch: 500})
	if err != nil {
		return f, "", err
	}
	sc := scripts.New(db, quiet(), scripts.Options{PublicURL: "http://127.0.0.1:8080", Planner: dl, Parcels: cs, Brands: acc})
	brand, _, err := acc.CreateBrand(ctx, "Bench Shop")
	if err != nil {
		return f, "", err
	}
	if err := sc.EnsureStandardFlow(ctx, brand.ID); err != nil {
		return f, "", err
	}
	// Every recipient's SMS window open: the figures measure work, not waiting for 09:00.
	if _, err := dl.SetWindows(ctx, brand.ID, dialer.Windows{dialer.SMS: allDay()}); err != nil {
		return f, "", err
	}
	ids, err := loadParcels(ctx, cs, brand.ID, o.contacts)
	if err != nil {
		return f, "", err
	}

	// 1. The rules pipeline: fresh EDD scans in, one SMS planned per parcel.
	if f.Rules, err = timeRules(ctx, db, cs, sc, brand.ID, ids); err != nil {
		return f, "", err
	}
	// 2. dialer.Plan alone, and 3. a raw INSERT of the same rows (status sent: not dispatched).
	reqs := make([]dialer.Request, len(ids))
	for i, id := range ids {
		reqs[i] = dialer.Request{BrandID: brand.ID, ParcelID: id, Channel: dialer.SMS, To: phone(i), TimeZone: zones()[i%len(zones())],
			Language: "en", RuleID: int64(1_000_000 + i), TriggerRef: "bench", TemplateID: 1, TemplateVersion: 1,
			Body: "Bench Shop: parcel " + id + " is at the sorting centre. Track it: http://127.0.0.1:8080/track/" + id, NotBefore: time.Now()}
	}
	start := time.Now()
	for s := 0; s < len(reqs); s += 200 {
		chunk := reqs[s:min(s+200, len(reqs))]
		if err := db.WriteTx(ctx, func(tx store.Tx) error { return dl.Plan(ctx, tx, chunk) }); err != nil {
			return f, "", err
		}
	}
	f.Plan = float64(len(reqs)) / time.Since(start).Seconds()
	if f.RawInsert, err = rawInsert(ctx, db, reqs); err != nil {
		return f, "", err
	}

	// 4. Claim and dispatch every due contact through the log channel.
	due := count(ctx, db, `SELECT COUNT(*) FROM contacts WHERE status = 'planned'`)
	start = time.Now()
	sent, err := dl.RunOnce(ctx)
	if err != nil {
		return f, "", err
	}
	if sent != due {
		return f, "", fmt.Errorf("dispatched %d of %d due contacts", sent, due)
	}
	f.Dispatch = float64(sent) / time.Since(start).Seconds()
	// 5. The same database work, raw.
	if _, err := db.SQL.ExecContext(ctx, `UPDATE contacts SET status = 'planned' WHERE provider = 'log'`); err != nil {
		return f, "", err
	}
	if f.RawClaim, err = rawClaim(ctx, db, due); err != nil {
		return f, "", err
	}
	return f, version, nil
}

func allDay() dialer.Week {
	var w dialer.Week
	for d := range w {
		w[d] = []dialer.Interval{{Start: 0, End: 24 * 60}}
	}
	return w
}

func phone(i int) string { return fmt.Sprintf("+7913%07d", i) }

// loadParcels registers n parcels to English-speaking recipients across Russia.
func loadParcels(ctx context.Context, cs *tracking.Service, brand int64, n int) ([]string, error) {
	var ids []string
	for s := 0; s < n; s += 1000 {
		var items []tracking.ParcelItem
		for i := s; i < min(s+1000, n); i++ {
			id := tracking.MakeS10("RB", 10_000_000+i, "GB")
			ids = append(ids, id)
			items = append(items, tracking.ParcelItem{Input: tracking.ParcelInput{ID: id, ServiceLevel: "standard", Kind: "packet",
				WeightKg: 0.3, OriginCountry: "GB", DestinationCountry: "RU", Recipient: tracking.RecipientInput{Name: "Anna Smith",
					Phone: phone(i), Language: "en", TimeZone: zones()[i%len(zones())]}}})
		}
		if _, err := cs.UpsertParcels(ctx, access.Brands(brand), items); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// timeRules ingests a fresh EDD per parcel, then times the rules draining the outbox.
func timeRules(ctx context.Context, db *store.DB, cs *tracking.Service, sc *scripts.Service, brand int64, ids []string) (float64, error) {
	at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	for s := 0; s < len(ids); s += 1000 {
		var items []tracking.EventItem
		for _, id := range ids[s:min(s+1000, len(ids))] {
			items = append(items, tracking.EventItem{Input: tracking.EventInput{ItemID: id, Code: "EDD", OccurredAt: at, Office: "RUMOWA"}})
		}
		if _, err := cs.IngestEvents(ctx, access.Brands(brand), items); err != nil {
			return 0, err
		}
	}
	var last int64
	db.SQL.QueryRowContext(ctx, `SELECT MAX(id) FROM outbox`).Scan(&last)
	start := time.Now()
	deadline := start.Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		n, err := outbox.Consume(ctx, db, scripts.Consumer, 200, sc.Handle)
		if err != nil {
			return 0, err
		}
		var at int64
		db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT last_id FROM outbox_cursors WHERE consumer = ?`), scripts.Consumer).Scan(&at)
		if at >= last {
			break
		}
		if n == 0 {
			time.Sleep(5 * time.Millisecond) // PostgreSQL: waiting for an older transaction elsewhere
		}
	}
	elapsed := time.Since(start)
	planned := count(ctx, db, `SELECT COUNT(*) FROM contacts`)
	if planned != len(ids) {
		return 0, fmt.Errorf("the rules planned %d contacts for %d fresh scans", planned, len(ids))
	}
	return float64(planned) / elapsed.Seconds(), nil
}

func count(ctx context.Context, db *store.DB, q string) int {
	var n int
	db.SQL.QueryRowContext(ctx, q).Scan(&n)
	return n
}
