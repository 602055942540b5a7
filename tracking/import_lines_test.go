package tracking

import (
	"encoding/csv"
	"io"
	"slices"
	"strings"
	"testing"
)

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
