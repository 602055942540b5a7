package main

import (
	"context"
	"strings"
	"time"

	"github.com/wismo/wismo/eta"
	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/updates"
)

// etaJob rebuilds the expected dates' figures (eta_lane_stats) every eta.RefreshEvery; every
// node reads them (docs/expected-dates.md).
func etaJob(e *eta.Estimator) job { return job{name: "eta-refresh", run: e.Run} }

// updatesJob plans the updates customers asked for on the tracking page: one message per
// tracking event of a parcel with active requests, through the dialer (package updates).
func updatesJob(a *app, u *updates.Service) job {
	return job{name: "parcel-updates", run: func(ctx context.Context) {
		link := func(id string) string { return strings.TrimRight(a.cfg.PublicURL, "/") + "/track/" + id }
		outbox.Run(ctx, a.db, a.log, updates.Consumer, 500*time.Millisecond, 200, a.outbox, u.Handle(link))
	}}
}
