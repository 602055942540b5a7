// Command benchpredictive runs a campaign through wismo end to end on loopback
// (callcenter/predictive/liverun): the dialer places the calls through wismo's SIP engine to
// SIPp customers who answer with a given probability after ringing a while and talk a few
// seconds, and the agents are SIP phones (a SIPp UAS each, registered with wismo). Predictive
// pacing (with the agents' persistent media sessions) runs beside progressive pacing, the
// baseline, with the same peers and settings in the same run. It writes the figures into the
// predictive-live section of BENCHMARKS.md.
//
//	go run ./tools/benchpredictive -out BENCHMARKS.md [-agents 5] [-calls 200]
//
// `make bench` runs it through tools/bench.sh. It needs sipp (Debian sip-tester) and no
// PostgreSQL (each run has its own SQLite database).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/wismo/wismo/callcenter/predictive/liverun"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchmd"
)

const section = "predictive-live"

func main() {
	out := flag.String("out", "BENCHMARKS.md", "markdown file whose predictive-live section is rewritten")
	agents := flag.Int("agents", 5, "agents (SIP phones)")
	calls := flag.Int("calls", 200, "contacts called per run")
	answer := flag.Float64("answer-rate", 0.3, "probability a customer answers")
	flag.Parse()
	began := time.Now()
	opts := liverun.Options{Agents: *agents, Calls: *calls, AnswerRate: *answer, RingMin: time.Second, RingMax: 6 * time.Second,
		Talk: [3]time.Duration{4 * time.Second, 6 * time.Second, 8 * time.Second}, Wrap: time.Second, WarmUp: 30, Limit: 15 * time.Minute}
	var rows []liverun.Result
	for _, mode := range []string{"progressive", "predictive"} {
		res, err := run(mode, opts)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchpredictive:", mode+":", err)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "benchpredictive: %s: %+v\n", mode, res)
		rows = append(rows, res)
	}
	m := benchmd.ThisMachine(context.Background())
	if err := benchmd.WriteSection(*out, section, render(rows, opts, m, time.Since(began))); err != nil {
		fmt.Fprintln(os.Stderr, "benchpredictive:", err)
		os.Exit(1)
	}
}

// run is one live run of mode on a new SQLite database.
func run(mode string, opts liverun.Options) (liverun.Result, error) {
	dir, err := os.MkdirTemp("", "wismo-benchpredictive-")
	if err != nil {
		return liverun.Result{}, err
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "wismo.db"), "", log)
	if err != nil {
		return liverun.Result{}, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, log); err != nil {
		return liverun.Result{}, err
	}
	opts.Mode, opts.Dir, opts.Log = mode, dir, log
	return liverun.Run(ctx, db, opts)
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

func render(rows []liverun.Result, o liverun.Options, m benchmd.Machine, took time.Duration) string {
	begin, end := benchmd.Markers(section)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n## Predictive dialing through wismo with SIPp\n\n", begin)
	fmt.Fprintf(&b, "`tools/benchpredictive` (package `callcenter/predictive/liverun`): the dialer places %d calls of a running campaign "+
		"through wismo's SIP engine to a SIPp UAS behind the trunk; a customer's phone rings %v-%v, answers with probability %.0f%% "+
		"(else 480), talks %v, %v or %v and hangs up. %d agents are SIP phones, a SIPp UAS each, registered with wismo by digest; "+
		"each wrap-up takes %v. Predictive pacing measures %d calls before it dials ahead (the pacer's warm-up; production uses 60) "+
		"and keeps one media session per agent; progressive pacing, with the same peers in the same run, is the baseline. "+
		"Talk share: agents' connected time over agents x the run's wall time (ringing and warm-up included, so it is low for "+
		"short talks). No AMD (every answer is a person).\n\n",
		o.Calls, o.RingMin, o.RingMax, 100*o.AnswerRate, o.Talk[0], o.Talk[1], o.Talk[2], o.Agents, o.Wrap, o.WarmUp)
	b.WriteString("| Pacing | Calls placed | Answered | Connected | Abandoned | Abandon rate | No answer | Failed | Calls to agents' phones | Run time | Talk share |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %d | **%d** | %d | %.0f s | **%s** |\n", r.Mode, r.Placed, r.Answered, r.Connected,
			r.Abandoned, pct(r.AbandonRate), r.NoAnswer, r.Failed, r.AgentLegs, r.Wall, pct(r.TalkShare))
	}
	fmt.Fprintf(&b, "\nMeasured %s on %s CPU(s) (%s), %s, revision %s; took %s.\n%s\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), m.NProc, m.CPU, m.GoVersion, m.Revision, took.Round(time.Second), end)
	return b.String()
}
