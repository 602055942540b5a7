package tracking_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

func TestImportNDJSONAndCSV(t *testing.T) {
	e := trackingtest.New(t)
	ctx := context.Background()
	ndjson := trackingtest.JSON(trackingtest.Parcel(idA)) + "\n\n" +
		`{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-10T09:00:00Z","office":"GBLONA"}` + "\n" +
		`{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-10T09:00:00Z","office":"GBLONA"}` + "\n" +
		`{"item_id":"RB123456785GB","code":"BAD","occurred_at":"2026-11-10T09:00:00Z"}` + "\n" +
		`{broken json` + "\n" +
		`{"item_id":"RB123456785GB","code":"EMB","occurred_at":"2026-11-10T19:00:00Z"}` + "\n"
	dec, err := tracking.NewImportDecoder(strings.NewReader(ndjson), "ndjson")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.Tracking.Import(ctx, e.ScopeA(), dec, 2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Parcels[tracking.StatusAccepted] != 1 || rep.Events[tracking.StatusAccepted] != 2 || rep.Events[tracking.StatusDuplicate] != 1 || rep.Events[tracking.StatusRejected] != 2 {
		t.Fatalf("report %+v", rep)
	}
	if len(rep.Rejected) != 2 || rep.Rejected[0].Line != 5 || rep.Rejected[0].Field != "code" || rep.Rejected[1].Line != 6 {
		t.Fatalf("rejected %+v", rep.Rejected)
	}

	csvEvents := "item_id,code,occurred_at,office,location,country,time_zone,reason,action,signature\n" +
		"RB123456785GB,EMH,2026-11-15T09:00:00Z,RUNVSA,Novosibirsk,RU,Asia/Novosibirsk,ABSENT,NOTICE_LEFT,\n" +
		"RB123456785GB,EMI,2026-11-16T09:00:00Z,RUNVSA,Novosibirsk,RU,Asia/Novosibirsk,,,I. Petrov\n" +
		"RB123456785GB,EMI\n"
	dec, err = tracking.NewImportDecoder(strings.NewReader(csvEvents), "csv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err = e.Tracking.Import(ctx, e.ScopeA(), dec, 1000, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events[tracking.StatusAccepted] != 2 || rep.Events[tracking.StatusRejected] != 1 || rep.Rejected[0].Line != 4 {
		t.Fatalf("csv report %+v", rep)
	}
	v, _ := e.Tracking.Parcel(ctx, e.ScopeA(), idA)
	if v.Phase != tracking.PhaseDelivered || v.Events[len(v.Events)-1].Signature != "I. Petrov" {
		t.Fatalf("after csv: %s %+v", v.Phase, v.Events)
	}
	// Replaying both files changes nothing.
	dec, _ = tracking.NewImportDecoder(strings.NewReader(csvEvents), "csv")
	rep, _ = e.Tracking.Import(ctx, e.ScopeA(), dec, 1000, 1, nil)
	if rep.Events[tracking.StatusDuplicate] != 2 {
		t.Fatalf("replay: %+v", rep)
	}
}

func TestImportCSVHeaderErrors(t *testing.T) {
	for _, h := range []string{"", "foo,bar\n", "item_id,code,colour\n"} {
		if _, err := tracking.NewImportDecoder(strings.NewReader(h), "csv"); err == nil {
			t.Errorf("header %q accepted", h)
		}
	}
	if _, err := tracking.NewImportDecoder(strings.NewReader(""), "xml"); err == nil {
		t.Error("format xml accepted")
	}
	csvParcels := "id,service_level,kind,weight_kg,origin_country,destination_country,recipient_name,recipient_phone,recipient_region\n" +
		"RB123456785GB,standard,packet,0.4,GB,RU,Иван Петров,+79131234567,RU-NVS\n" +
		"RB123456785GB,standard,packet,heavy,GB,RU,Иван Петров,+79131234567,RU-NVS\n"
	dec, err := tracking.NewImportDecoder(strings.NewReader(csvParcels), "csv")
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := dec.Next()
	r2, _ := dec.Next()
	if r1.Parcel == nil || r1.Parcel.Err != nil || r1.Parcel.Input.WeightKg != 0.4 || r2.Parcel.Err == nil || r2.Parcel.Err.Field != "weight_kg" {
		t.Fatalf("csv parcels: %+v %+v", r1.Parcel, r2.Parcel)
	}
	if _, err := dec.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}

// FuzzImportDecoder feeds arbitrary files to both decoders: they must never panic, and every
// record they return must be a parcel or an event whose validation either passes or names
// a field-level error.
func FuzzImportDecoder(f *testing.F) {
	f.Add([]byte(`{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-10T09:00:00Z"}`), false)
	f.Add([]byte(trackingtest.JSON(trackingtest.Parcel(idA))), false)
	f.Add([]byte("item_id,code,occurred_at\nRB123456785GB,EMA,2026-11-10T09:00:00Z\n"), true)
	f.Add([]byte("id,weight_kg\nRB123456785GB,0.4\n\"unterminated\n"), true)
	f.Add([]byte("{\"item_id\":1}\n{\"id\":[]}\n\xff\xfe"), false)
	f.Fuzz(func(t *testing.T, data []byte, isCSV bool) {
		format := "ndjson"
		if isCSV {
			format = "csv"
		}
		dec, err := tracking.NewImportDecoder(strings.NewReader(string(data)), format)
		if err != nil {
			return
		}
		for i := 0; i < 10000; i++ {
			rec, err := dec.Next()
			if err != nil {
				return
			}
			switch {
			case rec.Event != nil:
				if rec.Event.Err == nil {
					rec.Event.Input.ToEvent(trackingtest.Start)
				}
			case rec.Parcel != nil:
				if rec.Parcel.Err == nil {
					rec.Parcel.Input.ToParcel()
				}
			default:
				t.Fatalf("record %d is neither parcel nor event", rec.Line)
			}
		}
	})
}

// TestImportWritersInParallel imports one file of parcels and their events with four
// writers and batches of 7, so events often commit before their parcel's batch: every event
// must end up attached, each parcel delivered, and the counts and rejected lines exact.
func TestImportWritersInParallel(t *testing.T) {
	e := trackingtest.New(t)
	ctx := context.Background()
	var b strings.Builder
	var ids []string
	for i := range 30 {
		id := tracking.MakeS10("RR", 200000+i, "GB")
		ids = append(ids, id)
		b.WriteString(trackingtest.JSON(trackingtest.Parcel(id)) + "\n")
		for j, code := range []string{"EMA", "EMB", "EMC", "EMD", "EDD", "EMI"} {
			sig := ""
			if code == "EMI" {
				sig = "I. Petrov"
			}
			fmt.Fprintf(&b, `{"item_id":%q,"code":%q,"occurred_at":"2026-11-%02dT09:00:00Z","office":"RUMOWA","signature":%q}`+"\n", id, code, 10+j, sig)
		}
	}
	b.WriteString(`{"item_id":"RR000000005GB","code":"NOPE","occurred_at":"2026-11-10T09:00:00Z"}` + "\n") // line 211
	dec, err := tracking.NewImportDecoder(strings.NewReader(b.String()), "ndjson")
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	rep, err := e.Tracking.Import(ctx, e.ScopeA(), dec, 7, 4, func(n int) { done = n })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Parcels[tracking.StatusAccepted] != 30 || rep.Events[tracking.StatusAccepted] != 180 || rep.Events[tracking.StatusRejected] != 1 || done != 211 {
		t.Fatalf("report %+v, progress %d", rep, done)
	}
	if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 211 || rep.Rejected[0].Field != "code" {
		t.Fatalf("rejected %+v", rep.Rejected)
	}
	for _, id := range ids {
		v, err := e.Tracking.Parcel(ctx, e.ScopeA(), id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Phase != tracking.PhaseDelivered || len(v.Events) != 6 {
			t.Fatalf("%s: phase %s with %d events, want delivered with 6", id, v.Phase, len(v.Events))
		}
	}
}

// importFile imports body as brand A in batches of 3, so that a bad record shares its batch
// with good ones.
func importFile(t *testing.T, e *trackingtest.Env, body, format string) tracking.ImportReport {
	t.Helper()
	dec, err := tracking.NewImportDecoder(strings.NewReader(body), format)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.Tracking.Import(context.Background(), e.ScopeA(), dec, 3, 1, nil)
	if err != nil {
		t.Fatalf("import stopped: %v (report %+v)", err, rep)
	}
	return rep
}

func csvEventLine(id, code string, day int, location string) string {
	return fmt.Sprintf("%s,%s,2026-11-%02dT09:00:00Z,GBLONA,%s,GB,Europe/London,,,\n", id, code, day, location)
}

const csvEventHeader = "item_id,code,occurred_at,office,location,country,time_zone,reason,action,signature\n"

// A line over the 1 MiB bound is one rejected record with its line number; the lines after it
// are read and stored, and the summary counts every line (issue 13, defect 9).
func TestImportOverlongLineIsOneRejectedRecord(t *testing.T) {
	huge := strings.Repeat("x", 2<<20) // 2 MiB

	t.Run("ndjson", func(t *testing.T) {
		e := trackingtest.New(t)
		var b strings.Builder
		var ids []string
		for i := range 6 {
			id := tracking.MakeS10("RR", 300000+i, "GB")
			ids = append(ids, id)
			if i == 3 { // line 4
				p := trackingtest.Parcel(tracking.MakeS10("RR", 399999, "GB"))
				p.Recipient.Name = huge
				b.WriteString(trackingtest.JSON(p) + "\n")
			}
			b.WriteString(trackingtest.JSON(trackingtest.Parcel(id)) + "\n")
		}
		for _, id := range ids { // lines 8-13
			b.WriteString(trackingtest.JSON(trackingtest.Event(id, "EMA", "2026-11-10T09:00:00Z")) + "\n")
		}
		rep := importFile(t, e, b.String(), "ndjson")
		if n := e.Count(`SELECT COUNT(*) FROM parcels`); n != 6 {
			t.Errorf("%d parcels stored, want the 6 valid ones", n)
		}
		if n := e.Count(`SELECT COUNT(*) FROM events`); n != 6 {
			t.Errorf("%d events stored, want 6 (all after the long line)", n)
		}
		if rep.Records() != 13 || rep.Parcels[tracking.StatusAccepted] != 6 || rep.Parcels[tracking.StatusRejected] != 1 || rep.Events[tracking.StatusAccepted] != 6 {
			t.Errorf("summary %+v, want 13 records: 6+1 rejected parcels, 6 events", rep)
		}
		if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 4 || !strings.Contains(rep.Rejected[0].Message, "1 MiB") {
			t.Errorf("rejected %+v, want line 4 with the line limit in words", rep.Rejected)
		}
	})

	t.Run("csv", func(t *testing.T) {
		e := trackingtest.New(t)
		e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
		body := csvEventHeader + csvEventLine(idA, "EMA", 10, "London") + csvEventLine(idA, "EMB", 11, "London") +
			csvEventLine(idA, "EMC", 12, huge) + // line 4
			csvEventLine(idA, "EMD", 13, "Moscow") + csvEventLine(idA, "EDD", 14, "Novosibirsk")
		rep := importFile(t, e, body, "csv")
		if n := e.Count(`SELECT COUNT(*) FROM events`); n != 4 {
			t.Errorf("%d events stored, want the 4 valid ones", n)
		}
		if rep.Records() != 5 || rep.Events[tracking.StatusAccepted] != 4 || rep.Events[tracking.StatusRejected] != 1 {
			t.Errorf("summary %+v, want 5 records, 4 stored, 1 rejected", rep)
		}
		if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 4 || !strings.Contains(rep.Rejected[0].Message, "1 MiB") {
			t.Errorf("rejected %+v, want line 4 with the line limit in words", rep.Rejected)
		}
	})
}

// A quote that never closes is one rejected record (the line that opened it); it does not
// swallow the lines after it, while a quoted field that really spans lines still reads as
// one record (RFC 4180 §2.6) and later line numbers stay right.
func TestImportCSVBrokenQuoteIsOneRejectedRecord(t *testing.T) {
	e := trackingtest.New(t)
	e.Upsert(e.ScopeA(), trackingtest.Parcel(idA))
	body := csvEventHeader +
		csvEventLine(idA, "EMA", 10, "London") + // 2
		csvEventLine(idA, "EMB", 11, `"Heathrow, ""World Cargo""`+"\n"+`Centre"`) + // 3-4: one record
		csvEventLine(idA, "EMC", 12, `"Moscow`) + // 5: never closed
		csvEventLine(idA, "EMD", 13, "Moscow") + // 6
		csvEventLine(idA, "EDD", 14, `"Novosibirsk, Tolmachevo"`) + // 7
		csvEventLine(idA, "EMF", 15, "Novosibirsk") + // 8
		csvEventLine(idA, "EMG", 16, "Novosibirsk") // 9
	rep := importFile(t, e, body, "csv")
	if n := e.Count(`SELECT COUNT(*) FROM events`); n != 6 {
		t.Errorf("%d events stored, want the 6 valid ones", n)
	}
	if n := e.Count(`SELECT COUNT(*) FROM events WHERE location = ?`, "Heathrow, \"World Cargo\"\nCentre"); n != 1 {
		t.Errorf("the two-line quoted location was not stored as one field")
	}
	if rep.Records() != 7 || rep.Events[tracking.StatusAccepted] != 6 || rep.Events[tracking.StatusRejected] != 1 {
		t.Errorf("summary %+v, want 7 records, 6 stored, 1 rejected", rep)
	}
	if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 5 || !strings.Contains(rep.Rejected[0].Message, "quote") {
		t.Fatalf("rejected %+v, want line 5 with the open quote named", rep.Rejected)
	}
	t.Logf("line 5: %s", rep.Rejected[0].Message)
}
