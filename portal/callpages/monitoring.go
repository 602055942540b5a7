package callpages

import (
	"context"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/i18n"
)

// Watch is a supervisor's monitoring session on a call (callcenter/monitor's log).
type Watch struct {
	UserID    int64
	Modes     []WatchMode // every mode the session was in, in order
	StartedAt time.Time
	EndedAt   *time.Time
}

// WatchMode is a mode (listen, whisper, barge) a session entered, and when.
type WatchMode struct {
	Mode string
	At   time.Time
}

// Watches lists a call's monitoring sessions within scope (serve adapts monitor.Service);
// the page shows them to supervisors and admins, as the monitoring log's API does.
type Watches func(ctx context.Context, scope access.Scope, callID int64) ([]Watch, error)

// watch is a monitoring session as the page shows it.
type watch struct {
	Watch
	Who string
}

// disposition is the call's disposition in the viewer's language: the desk's words for the
// standard ones and the self-service's, the brand's own word as it is.
func disposition(L i18n.Locale, d string) string {
	for _, key := range []string{"js.desk.disposition." + d, "callpage.disposition." + d} {
		if i18n.Default().Has(key) {
			return L.T(key)
		}
	}
	return d
}
