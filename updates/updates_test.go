package updates

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// Every tracking event of a parcel with active requests plans an update through the dialer:
// to an opted-out number it is suppressed; a parcel without requests gets none.
func TestEventsPlanUpdatesThroughTheDialer(t *testing.T) {
	env := trackingtest.New(t)
	ctx := context.Background()
	dl, err := dialer.New(env.DB, storetest.Logger(t), dialer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := New(env.DB, dl)
	p := trackingtest.Parcel("RB123456785GB")
	other := trackingtest.Parcel("RB000000015GB")
	env.Upsert(env.ScopeA(), p, other)
	parcel := Parcel{BrandID: env.BrandA, ID: p.ID, Phone: "+79131234567", Email: "ivan@example.com", TimeZone: "Asia/Novosibirsk"}
	if _, err := svc.Subscribe(ctx, parcel, dialer.SMS, "", "ru"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Subscribe(ctx, parcel, dialer.Email, "", "en"); err != nil {
		t.Fatal(err)
	}
	if err := dl.OptOut(ctx, env.BrandA, dialer.Email, "ivan@example.com", "test"); err != nil {
		t.Fatal(err)
	}
	env.Events(env.ScopeA(), trackingtest.Event(p.ID, "EMC", "2026-11-19T10:00:00Z"), trackingtest.Event(other.ID, "EMC", "2026-11-19T10:00:00Z"))
	link := func(id string) string { return "https://track.example/track/" + id }
	// On PostgreSQL the outbox is read up to the oldest transaction running anywhere on the
	// server: poll until the cursor has passed the last message.
	var last int64
	if err := env.DB.SQL.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM outbox`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(2 * time.Minute); ; {
		n, err := outbox.Consume(ctx, env.DB, Consumer, 100, svc.Handle(link))
		if err != nil {
			t.Fatal(err)
		}
		var at int64
		env.DB.SQL.QueryRow(env.DB.Rebind(`SELECT COALESCE(MAX(last_id), 0) FROM outbox_cursors WHERE consumer = ?`), Consumer).Scan(&at) //nolint:errcheck
		if at >= last {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the outbox did not drain within 2 minutes")
		}
		if n == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	rows, err := env.DB.SQL.Query(`SELECT parcel_id, channel, status, body FROM contacts WHERE trigger_ref LIKE 'updates:%:%:%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var parcelID, channel, status, body string
		if err := rows.Scan(&parcelID, &channel, &status, &body); err != nil {
			t.Fatal(err)
		}
		got = append(got, parcelID+" "+channel+" "+status)
		if channel == "sms" && (!strings.Contains(body, "Посылка RB123456785GB") || !strings.Contains(body, link(p.ID))) {
			t.Errorf("update SMS: %q", body)
		}
	}
	if strings.Join(got, ", ") != "RB123456785GB sms planned, RB123456785GB email suppressed" {
		t.Errorf("updates planned: %v", got)
	}
}
