package outbox

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
)

// BenchmarkConsumePackedRows is the normal path of a consumer: packed rows of 1000 messages
// (as ingest writes them) taken whole, with a handler that does nothing, so the figure is the
// outbox's own cost per message (reading, decoding parts, moving the cursor, and recording
// each attempt before it is made).
func BenchmarkConsumePackedRows(b *testing.B) {
	db := storetest.Open(b)
	ctx := context.Background()
	const rows = 20
	es := make([]Entry, 0, maxParts)
	for i := range maxParts {
		id := "RB" + strconv.Itoa(100000000+i) + "GB"
		es = append(es, Entry{Topic: "tracking.event", BrandID: 1, ItemID: id,
			Payload: map[string]any{"status": "accepted", "event": map[string]any{"item_id": id, "code": "EMC", "office": "GBLONA"}}})
	}
	for range rows {
		if err := db.WriteTx(ctx, func(tx store.Tx) error { return Write(ctx, db, tx, es, time.Now()) }); err != nil {
			b.Fatal(err)
		}
	}
	waitVisible(b, db, rows)
	b.ResetTimer()
	total := 0
	for i := 0; i < b.N; i++ {
		consumer := "bench" + strconv.Itoa(i)
		for {
			n, err := Consume(ctx, db, consumer, 200, func(context.Context, store.Tx, []Message) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
			total += n
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "msgs/s")
}
