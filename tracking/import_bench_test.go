package tracking_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/wismo/wismo/tracking"
)

// BenchmarkImportDecoder reads 10,000 event lines of NDJSON and of CSV (decoding only, no
// database): the bounded line reader must cost no more than bufio.Scanner did.
func BenchmarkImportDecoder(b *testing.B) {
	var nd, cs strings.Builder
	cs.WriteString(csvEventHeader)
	for i := range 10000 {
		id := tracking.MakeS10("RR", i, "GB")
		fmt.Fprintf(&nd, `{"item_id":%q,"code":"EMA","occurred_at":"2026-11-10T09:00:00Z","office":"GBLONA","location":"London"}`+"\n", id)
		cs.WriteString(csvEventLine(id, "EMA", 10, `"London, Heathrow"`))
	}
	for _, f := range []struct{ format, body string }{{"ndjson", nd.String()}, {"csv", cs.String()}} {
		b.Run(f.format, func(b *testing.B) {
			b.SetBytes(int64(len(f.body)))
			for b.Loop() {
				dec, err := tracking.NewImportDecoder(strings.NewReader(f.body), f.format)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					rec, err := dec.Next()
					if err == io.EOF {
						break
					}
					if err != nil || rec.Event == nil || rec.Event.Err != nil {
						b.Fatalf("record %d: %v %+v", n, err, rec.Event)
					}
					n++
				}
				if n != 10000 {
					b.Fatalf("%d records", n)
				}
			}
		})
	}
}
