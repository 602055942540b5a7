package cases

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestImportNDJSONAndCSV(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ndjson := mustJSON(parcel(idA)) + "\n\n" +
		`{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-10T09:00:00Z","office":"GBLONA"}` + "\n" +
		`{"item_id":"RB123456785GB","code":"EMA","occurred_at":"2026-11-10T09:00:00Z","office":"GBLONA"}` + "\n" +
		`{"item_id":"RB123456785GB","code":"BAD","occurred_at":"2026-11-10T09:00:00Z"}` + "\n" +
		`{broken json` + "\n" +
		`{"item_id":"RB123456785GB","code":"EMB","occurred_at":"2026-11-10T19:00:00Z"}` + "\n"
	dec, err := NewImportDecoder(strings.NewReader(ndjson), "ndjson")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.Import(ctx, e.scopeA(), dec, 2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Parcels[StatusAccepted] != 1 || rep.Events[StatusAccepted] != 2 || rep.Events[StatusDuplicate] != 1 || rep.Events[StatusRejected] != 2 {
		t.Fatalf("report %+v", rep)
	}
	if len(rep.Rejected) != 2 || rep.Rejected[0].Line != 5 || rep.Rejected[0].Field != "code" || rep.Rejected[1].Line != 6 {
		t.Fatalf("rejected %+v", rep.Rejected)
	}

	csvEvents := "item_id,code,occurred_at,office,location,country,time_zone,reason,action,signature\n" +
		"RB123456785GB,EMH,2026-11-15T09:00:00Z,RUNVSA,Novosibirsk,RU,Asia/Novosibirsk,ABSENT,NOTICE_LEFT,\n" +
		"RB123456785GB,EMI,2026-11-16T09:00:00Z,RUNVSA,Novosibirsk,RU,Asia/Novosibirsk,,,I. Petrov\n" +
		"RB123456785GB,EMI\n"
	dec, err = NewImportDecoder(strings.NewReader(csvEvents), "csv")
	if err != nil {
		t.Fatal(err)
	}
	rep, err = e.svc.Import(ctx, e.scopeA(), dec, 1000, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events[StatusAccepted] != 2 || rep.Events[StatusRejected] != 1 || rep.Rejected[0].Line != 4 {
		t.Fatalf("csv report %+v", rep)
	}
	v, _ := e.svc.Parcel(ctx, e.scopeA(), idA)
	if v.Phase != PhaseDelivered || v.Events[len(v.Events)-1].Signature != "I. Petrov" {
		t.Fatalf("after csv: %s %+v", v.Phase, v.Events)
	}
	// Replaying both files changes nothing.
	dec, _ = NewImportDecoder(strings.NewReader(csvEvents), "csv")
	rep, _ = e.svc.Import(ctx, e.scopeA(), dec, 1000, 1, nil)
	if rep.Events[StatusDuplicate] != 2 {
		t.Fatalf("replay: %+v", rep)
	}
}

func TestImportCSVHeaderErrors(t *testing.T) {
	for _, h := range []string{"", "foo,bar\n", "item_id,code,colour\n"} {
		if _, err := NewImportDecoder(strings.NewReader(h), "csv"); err == nil {
			t.Errorf("header %q accepted", h)
		}
	}
	if _, err := NewImportDecoder(strings.NewReader(""), "xml"); err == nil {
		t.Error("format xml accepted")
	}
	csvParcels := "id,service_level,kind,weight_kg,origin_country,destination_country,recipient_name,recipient_phone,recipient_region\n" +
		"RB123456785GB,standard,packet,0.4,GB,RU,Иван Петров,+79131234567,RU-NVS\n" +
		"RB123456785GB,standard,packet,heavy,GB,RU,Иван Петров,+79131234567,RU-NVS\n"
	dec, err := NewImportDecoder(strings.NewReader(csvParcels), "csv")
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
	f.Add([]byte(mustJSON(parcel(idA))), false)
	f.Add([]byte("item_id,code,occurred_at\nRB123456785GB,EMA,2026-11-10T09:00:00Z\n"), true)
	f.Add([]byte("id,weight_kg\nRB123456785GB,0.4\n\"unterminated\n"), true)
	f.Add([]byte("{\"item_id\":1}\n{\"id\":[]}\n\xff\xfe"), false)
	f.Fuzz(func(t *testing.T, data []byte, isCSV bool) {
		format := "ndjson"
		if isCSV {
			format = "csv"
		}
		dec, err := NewImportDecoder(strings.NewReader(string(data)), format)
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
					rec.Event.Input.toEvent(e2eNow)
				}
			case rec.Parcel != nil:
				if rec.Parcel.Err == nil {
					rec.Parcel.Input.toParcel()
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
	e := newEnv(t)
	ctx := context.Background()
	var b strings.Builder
	var ids []string
	for i := range 30 {
		id := MakeS10("RR", 200000+i, "GB")
		ids = append(ids, id)
		b.WriteString(mustJSON(parcel(id)) + "\n")
		for j, code := range []string{"EMA", "EMB", "EMC", "EMD", "EDD", "EMI"} {
			sig := ""
			if code == "EMI" {
				sig = "I. Petrov"
			}
			fmt.Fprintf(&b, `{"item_id":%q,"code":%q,"occurred_at":"2026-11-%02dT09:00:00Z","office":"RUMOWA","signature":%q}`+"\n", id, code, 10+j, sig)
		}
	}
	b.WriteString(`{"item_id":"RR000000005GB","code":"NOPE","occurred_at":"2026-11-10T09:00:00Z"}` + "\n") // line 211
	dec, err := NewImportDecoder(strings.NewReader(b.String()), "ndjson")
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	rep, err := e.svc.Import(ctx, e.scopeA(), dec, 7, 4, func(n int) { done = n })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Parcels[StatusAccepted] != 30 || rep.Events[StatusAccepted] != 180 || rep.Events[StatusRejected] != 1 || done != 211 {
		t.Fatalf("report %+v, progress %d", rep, done)
	}
	if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 211 || rep.Rejected[0].Field != "code" {
		t.Fatalf("rejected %+v", rep.Rejected)
	}
	for _, id := range ids {
		v, err := e.svc.Parcel(ctx, e.scopeA(), id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Phase != PhaseDelivered || len(v.Events) != 6 {
			t.Fatalf("%s: phase %s with %d events, want delivered with 6", id, v.Phase, len(v.Events))
		}
	}
}
