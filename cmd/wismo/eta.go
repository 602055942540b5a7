package main

import (
	"github.com/wismo/wismo/eta"
)

// etaJob rebuilds the expected dates' figures (eta_lane_stats) every eta.RefreshEvery; every
// node reads them (docs/expected-dates.md).
func etaJob(e *eta.Estimator) job { return job{name: "eta-refresh", run: e.Run} }
