package cases

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// importFile imports body as brand A in batches of 3, so that a bad record shares its batch
// with good ones.
func (e *env) importFile(t *testing.T, body, format string) ImportReport {
	t.Helper()
	dec, err := NewImportDecoder(strings.NewReader(body), format)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.Import(context.Background(), e.scopeA(), dec, 3, 1, nil)
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
		e := newEnv(t)
		var b strings.Builder
		var ids []string
		for i := range 6 {
			id := MakeS10("RR", 300000+i, "GB")
			ids = append(ids, id)
			if i == 3 { // line 4
				p := parcel(MakeS10("RR", 399999, "GB"))
				p.Recipient.Name = huge
				b.WriteString(mustJSON(p) + "\n")
			}
			b.WriteString(mustJSON(parcel(id)) + "\n")
		}
		for _, id := range ids { // lines 8-13
			b.WriteString(mustJSON(event(id, "EMA", "2026-11-10T09:00:00Z")) + "\n")
		}
		rep := e.importFile(t, b.String(), "ndjson")
		if n := e.count(`SELECT COUNT(*) FROM parcels`); n != 6 {
			t.Errorf("%d parcels stored, want the 6 valid ones", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM events`); n != 6 {
			t.Errorf("%d events stored, want 6 (all after the long line)", n)
		}
		if rep.Records() != 13 || rep.Parcels[StatusAccepted] != 6 || rep.Parcels[StatusRejected] != 1 || rep.Events[StatusAccepted] != 6 {
			t.Errorf("summary %+v, want 13 records: 6+1 rejected parcels, 6 events", rep)
		}
		if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 4 || !strings.Contains(rep.Rejected[0].Message, "1 MiB") {
			t.Errorf("rejected %+v, want line 4 with the line limit in words", rep.Rejected)
		}
	})

	t.Run("csv", func(t *testing.T) {
		e := newEnv(t)
		e.upsert(e.scopeA(), parcel(idA))
		body := csvEventHeader + csvEventLine(idA, "EMA", 10, "London") + csvEventLine(idA, "EMB", 11, "London") +
			csvEventLine(idA, "EMC", 12, huge) + // line 4
			csvEventLine(idA, "EMD", 13, "Moscow") + csvEventLine(idA, "EDD", 14, "Novosibirsk")
		rep := e.importFile(t, body, "csv")
		if n := e.count(`SELECT COUNT(*) FROM events`); n != 4 {
			t.Errorf("%d events stored, want the 4 valid ones", n)
		}
		if rep.Records() != 5 || rep.Events[StatusAccepted] != 4 || rep.Events[StatusRejected] != 1 {
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
	e := newEnv(t)
	e.upsert(e.scopeA(), parcel(idA))
	body := csvEventHeader +
		csvEventLine(idA, "EMA", 10, "London") + // 2
		csvEventLine(idA, "EMB", 11, `"Heathrow, ""World Cargo""`+"\n"+`Centre"`) + // 3-4: one record
		csvEventLine(idA, "EMC", 12, `"Moscow`) + // 5: never closed
		csvEventLine(idA, "EMD", 13, "Moscow") + // 6
		csvEventLine(idA, "EDD", 14, `"Novosibirsk, Tolmachevo"`) + // 7
		csvEventLine(idA, "EMF", 15, "Novosibirsk") + // 8
		csvEventLine(idA, "EMG", 16, "Novosibirsk") // 9
	rep := e.importFile(t, body, "csv")
	if n := e.count(`SELECT COUNT(*) FROM events`); n != 6 {
		t.Errorf("%d events stored, want the 6 valid ones", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM events WHERE location = ?`, "Heathrow, \"World Cargo\"\nCentre"); n != 1 {
		t.Errorf("the two-line quoted location was not stored as one field")
	}
	if rep.Records() != 7 || rep.Events[StatusAccepted] != 6 || rep.Events[StatusRejected] != 1 {
		t.Errorf("summary %+v, want 7 records, 6 stored, 1 rejected", rep)
	}
	if len(rep.Rejected) != 1 || rep.Rejected[0].Line != 5 || !strings.Contains(rep.Rejected[0].Message, "quote") {
		t.Fatalf("rejected %+v, want line 5 with the open quote named", rep.Rejected)
	}
	t.Logf("line 5: %s", rep.Rejected[0].Message)
}

// FuzzCSVRecords holds the line-bounded CSV reader to encoding/csv: on any file that
// encoding/csv reads without an error (short lines, short quoted spans), both give the same
// records.
func FuzzCSVRecords(f *testing.F) {
	f.Add("a,b\n1,2\n")
	f.Add("a,\"b\nc\",d\r\n\r\n\"x\"\"y\",z")
	f.Add("\"a\",\"b,c\"\n\r\r\n,,\n")
	f.Add("a,\"b\"\"\nc\",\"d\ne\"\n")
	f.Fuzz(func(t *testing.T, body string) {
		r := csv.NewReader(strings.NewReader(body))
		r.FieldsPerRecord = -1
		want, err := r.ReadAll()
		if err != nil {
			return
		}
		c := newCSVRecords(strings.NewReader(body))
		for i := 0; ; i++ {
			rec, err := c.next()
			if err == io.EOF {
				if i != len(want) {
					t.Fatalf("%q: %d records, encoding/csv reads %d", body, i, len(want))
				}
				return
			}
			if err != nil || rec.err != nil || i >= len(want) || !slices.Equal(rec.fields, want[i]) {
				t.Fatalf("%q: record %d: %q %v %+v, encoding/csv reads %q", body, i, rec.fields, err, rec.err, want)
			}
		}
	})
}
