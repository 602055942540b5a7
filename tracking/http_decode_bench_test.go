package tracking_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/tracking/trackingtest"
)

// BenchmarkDecodeBatch measures the batch API's decoding of 1000 items, without HTTP or the
// database: plain events (decodeEventsFast), events with escapes (one strict encoding/json
// pass) and parcels (the same), each a valid batch as integrators send them.
func BenchmarkDecodeBatch(b *testing.B) {
	var plain, escaped, parcels strings.Builder
	for i := range 1000 {
		sep := ","
		if i == 0 {
			sep = ""
		}
		id := tracking.MakeS10("RR", i, "GB")
		fmt.Fprintf(&plain, `%s{"item_id":%q,"code":"EMA","occurred_at":"2026-11-10T09:00:00Z","office":"GBLONA","location":"London","country":"GB"}`, sep, id)
		fmt.Fprintf(&escaped, `%s{"item_id":%q,"code":"EMA","occurred_at":"2026-11-10T09:00:00Z","office":"GBLONA","location":"London \"Heathrow\" Терминал 4","country":"GB"}`, sep, id)
		parcels.WriteString(sep + trackingtest.JSON(trackingtest.Parcel(id)))
	}
	for _, tc := range []struct {
		name string
		body []byte
		fn   func([]byte) (int, error)
	}{
		{"events-plain", []byte(`{"events":[` + plain.String() + `]}`), decodedEvents},
		{"events-escaped", []byte(`{"events":[` + escaped.String() + `]}`), decodedEvents},
		{"parcels", []byte(`{"parcels":[` + parcels.String() + `]}`), decodedParcels},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				if n, err := tc.fn(tc.body); err != nil || n != 1000 {
					b.Fatalf("%d items, %v", n, err)
				}
			}
		})
		// What the UTF-8 check adds to each body the strict decoders read.
		b.Run(tc.name+"/text-check", func(b *testing.B) {
			b.SetBytes(int64(len(tc.body)))
			for b.Loop() {
				if input.SuspectText(tc.body) {
					b.Fatal("valid text taken for suspect")
				}
			}
		})
	}
}

func decodedEvents(body []byte) (int, error) {
	in, errs, err := tracking.DecodeEvents(body)
	return valid(len(in), errs), err
}

func decodedParcels(body []byte) (int, error) {
	in, errs, err := tracking.DecodeParcels(body)
	return valid(len(in), errs), err
}

func valid(n int, errs []*input.FieldError) int {
	for _, e := range errs {
		if e != nil {
			n--
		}
	}
	return n
}
