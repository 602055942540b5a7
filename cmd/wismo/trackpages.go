package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/portal"
	"github.com/wismo/wismo/store"
)

// trackPagesJob drops this node's stored tracking pages of every parcel an outbox message
// names, as the messages commit (every node tails the outbox for itself), and every page of a
// brand whose look changed.
func trackPagesJob(db *store.DB, log *slog.Logger, pages *portal.TrackCache) job {
	return job{name: "tracking-page-cache", run: func(ctx context.Context) {
		outbox.Tail(ctx, db, log.With("job", "tracking page cache"), 250*time.Millisecond, func(msgs []outbox.Message) {
			ids := make([]string, 0, len(msgs))
			var brands []int64
			for _, m := range msgs {
				if m.Topic == branding.TopicLookChanged {
					brands = append(brands, m.BrandID)
				}
				if m.ItemID != "" {
					ids = append(ids, m.ItemID)
				}
			}
			pages.Drop(ids...)
			pages.DropBrand(brands...)
		})
	}}
}
