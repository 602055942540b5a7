package portal

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"
)

// How the live part of the dashboard is pushed to the page.
const (
	liveEvery     = 2 * time.Second
	liveStreamFor = 50 * time.Second // below the server's WriteTimeout: the browser reconnects by itself
)

// liveStream answers GET /dashboard/live: an event stream that sends a "snapshot" event at
// once, then every liveEvery when something changed (a comment line otherwise, which also
// finds out when the browser has gone), and ends after liveStreamFor; EventSource reconnects
// by itself after the retry delay.
func liveStream(d Deps) fiber.Handler {
	return func(c *fiber.Ctx) error {
		scope, _, err := dashboardScope(c, viewerLocale(c, d, pageSession(c).User))
		if err != nil {
			return err
		}
		// The handler returns before the stream is written: keep what the writer needs.
		ctx := context.WithoutCancel(c.UserContext())
		log := d.Log
		c.Set(fiber.HeaderContentType, "text/event-stream")
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set("X-Accel-Buffering", "no") // proxies must not buffer the stream
		c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
			fmt.Fprintf(w, "retry: %d\n\n", liveEvery.Milliseconds())
			var last []byte
			deadline := time.Now().Add(liveStreamFor)
			ticker := time.NewTicker(liveEvery)
			defer ticker.Stop()
			for i := 0; time.Now().Before(deadline) && i < int(liveStreamFor/liveEvery)+1; i++ {
				qctx, cancel := context.WithTimeout(ctx, liveEvery)
				snap, err := d.Dashboard.Live(qctx, scope)
				cancel()
				if err != nil {
					log.Warn("live dashboard", "err", err)
					fmt.Fprintf(w, "event: trouble\ndata: {}\n\n")
				} else {
					body, _ := json.Marshal(snap)
					// "at" changes every time: compare the rest to decide whether to send.
					key := bytes.Replace(body, []byte(snap.At), nil, 1)
					if !bytes.Equal(key, last) {
						fmt.Fprintf(w, "event: snapshot\ndata: %s\n\n", body)
						last = key
					} else {
						fmt.Fprintf(w, ": %s\n\n", snap.At)
					}
				}
				if err := w.Flush(); err != nil {
					return // the browser went away
				}
				<-ticker.C
			}
		})
		return nil
	}
}
