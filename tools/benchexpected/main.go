// Command benchexpected measures the expected dates (package eta, docs/expected-dates.md)
// against the promised dates of the transit standard on wismo's demo data, whose delays
// depend on the destination region (Kamchatka, Chukotka, Yakutia and Magadan wait for flights
// and weather). It generates the demo into a temporary SQLite database, splits the delivered
// parcels in two by a hash of their number, computes the figures (eta.Aggregate) from one half
// and predicts the other half's delivery from the moment each parcel entered a phase. It
// reports the share of parcels delivered by the predicted date and the mean error in days
// (absolute, calendar days between the predicted day and the delivery day in the recipient's
// zone), beside the same figures for the promised date, and writes them into the expected
// section of BENCHMARKS.md.
//
//	go run ./tools/benchexpected -out BENCHMARKS.md [-parcels 60000] [-seed 5]
//
// `make bench` runs it through tools/bench.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/demo"
	"github.com/wismo/wismo/eta"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchmd"
	"github.com/wismo/wismo/tracking"
)

const section = "expected"

// groups are the rows: every delivered parcel of the test half, and the remote regions.
var groups = []struct {
	name    string
	regions []string // nil: all
}{
	{"all destinations", nil},
	{"Russia, remote: Kamchatka, Chukotka, Yakutia, Magadan", []string{"RU-KAM", "RU-CHU", "RU-SA", "RU-MAG"}},
	{"Russia, Moscow", []string{"RU-MOW"}},
}

var phases = []tracking.Phase{"posted", "arrived", "at_delivery_office"}

type tally struct {
	n, byExp, byStd        int
	errExp, errStd         float64
	region, country, stdFB int
}

func main() {
	out := flag.String("out", "BENCHMARKS.md", "markdown file whose expected section is rewritten")
	parcels := flag.Int("parcels", 60000, "demo parcels to generate")
	seed := flag.Int64("seed", 5, "demo seed")
	flag.Parse()
	began := time.Now()
	if err := run(*out, *parcels, *seed, began); err != nil {
		fmt.Fprintln(os.Stderr, "benchexpected:", err)
		os.Exit(1)
	}
}

func run(out string, parcels int, seed int64, began time.Time) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "wismo-benchexpected")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, "", dir, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, log); err != nil {
		return err
	}
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	if _, err := demo.Run(ctx, demo.Options{Parcels: parcels, Seed: seed, Now: now}, access.NewService(db), tracking.NewService(db, log, nil), log); err != nil {
		return err
	}
	gen := time.Since(began)
	samples, err := eta.Samples(ctx, db, now.Add(-eta.Window), now.Add(time.Hour))
	if err != nil {
		return err
	}
	var train, test []eta.Sample
	for _, s := range samples {
		h := fnv.New32a()
		h.Write([]byte(s.ID))
		if h.Sum32()%2 == 0 {
			train = append(train, s)
		} else {
			test = append(test, s)
		}
	}
	est := eta.New(db, log)
	est.SetStats(eta.Aggregate(train))
	res := evaluate(est, test)
	// The same at other percentiles, over every destination.
	type alt struct {
		p   float64
		res map[string]map[tracking.Phase]*tally
	}
	var alts []alt
	for _, p := range []float64{0.80, 0.90} {
		e := eta.New(db, log)
		e.SetStats(eta.AggregateAt(train, p))
		alts = append(alts, alt{p, evaluate(e, test)})
	}
	m := benchmd.ThisMachine(ctx)
	var b strings.Builder
	begin, end := benchmd.Markers(section)
	fmt.Fprintf(&b, "%s\n## Expected dates from recent deliveries against the transit standard\n\n", begin)
	fmt.Fprintf(&b, "`go run ./tools/benchexpected -parcels %d -seed %d` (package `eta`, rule in docs/expected-dates.md): "+
		"%d demo parcels with region-dependent delays (remote regions wait days for flights and weather; the transit standard is "+
		"the same for the whole country), %d delivered. The delivered parcels are split in two by a hash of their number: the "+
		"figures (the %.0fth percentile of working days from entering a phase to delivery, per lane, service level and region, "+
		"falling back to the country with fewer than %d deliveries, then to the standard) come from one half (%d parcels); the "+
		"other half (%d) is predicted from the moment each parcel entered the phase. *By the date*: the share delivered on or "+
		"before the predicted day; *mean error*: the mean absolute difference in calendar days between that day and the delivery "+
		"day, in the recipient's zone.\n\n",
		parcels, seed, parcels, len(samples), eta.Percentile*100, eta.MinParcels, len(train), len(test))
	b.WriteString("| Destinations | Predicted at | Parcels | Expected: by the date | Expected: mean error (days) | Standard: by the date | Standard: mean error (days) | Expected date from region / country / standard |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, g := range groups {
		for _, ph := range phases {
			t := res[g.name][ph]
			if t.n == 0 {
				continue
			}
			n := float64(t.n)
			fmt.Fprintf(&b, "| %s | %s | %d | **%.1f%%** | **%.2f** | %.1f%% | %.2f | %.0f%% / %.0f%% / %.0f%% |\n", g.name, ph, t.n,
				100*float64(t.byExp)/n, t.errExp/n, 100*float64(t.byStd)/n, t.errStd/n,
				100*float64(t.region)/n, 100*float64(t.country)/n, 100*float64(t.stdFB)/n)
		}
	}
	b.WriteString("\nThe percentile trades the share delivered by the date against the error (all destinations; the table above is the 85th):\n\n")
	b.WriteString("| Percentile | Predicted at | Expected: by the date | Expected: mean error (days) |\n|---|---|---|---|\n")
	for _, a := range alts {
		for _, ph := range phases {
			t := a.res[groups[0].name][ph]
			if t.n > 0 {
				fmt.Fprintf(&b, "| %.0fth | %s | %.1f%% | %.2f |\n", a.p*100, ph, 100*float64(t.byExp)/float64(t.n), t.errExp/float64(t.n))
			}
		}
	}
	fmt.Fprintf(&b, "\nMeasured %s on %s CPU(s) (%s), %s, revision %s; generating the demo took %s, all %s.\n%s\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), m.NProc, m.CPU, m.GoVersion, m.Revision,
		gen.Round(time.Second), time.Since(began).Round(time.Second), end)
	fmt.Fprint(os.Stderr, b.String())
	return benchmd.WriteSection(out, section, b.String())
}

// evaluate predicts the delivery of each test parcel from each phase it entered.
func evaluate(est *eta.Estimator, test []eta.Sample) map[string]map[tracking.Phase]*tally {
	res := map[string]map[tracking.Phase]*tally{}
	for _, g := range groups {
		res[g.name] = map[tracking.Phase]*tally{}
		for _, ph := range phases {
			res[g.name][ph] = &tally{}
		}
	}
	for _, s := range test {
		promised, err := time.ParseInLocation("2006-01-02", s.PromisedDate, s.Zone)
		if err != nil {
			continue
		}
		dl := s.DeliveredAt.In(s.Zone)
		delivered := time.Date(dl.Year(), dl.Month(), dl.Day(), 0, 0, 0, 0, s.Zone)
		for _, ph := range phases {
			at, ok := s.Entered[ph]
			if !ok {
				continue
			}
			st, basis, found := est.Lookup(s.Origin, s.Destination, s.Level, s.Region, string(ph))
			expected := promised
			if found {
				d := eta.AddWorkingDays(at, st.Days, s.Zone)
				expected = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, s.Zone)
			}
			for _, g := range groups {
				if g.regions != nil && !contains(g.regions, s.Region) {
					continue
				}
				t := res[g.name][ph]
				t.n++
				if !delivered.After(expected) {
					t.byExp++
				}
				if !delivered.After(promised) {
					t.byStd++
				}
				t.errExp += math.Abs(days(delivered.Sub(expected)))
				t.errStd += math.Abs(days(delivered.Sub(promised)))
				switch basis {
				case "region":
					t.region++
				case "country":
					t.country++
				default:
					t.stdFB++
				}
			}
		}
	}
	return res
}

func days(d time.Duration) float64 { return math.Round(d.Hours() / 24) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
