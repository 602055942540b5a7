// Package demo fills a wismo database with realistic demo data: three shops, partner posts,
// users for every role, and parcels on cross-border lanes (most of them to Russia, spread over
// all its federal subjects and time zones) with UPU tracking histories at every stage:
// delivered, out for delivery with cash on delivery, held by customs, failed attempts,
// returns, cancellations and barely tracked economy items. Everything goes through the cases
// service, so validation, phases and the outbox run exactly as for real data.
//
// Output is deterministic: a seed always gives the same parcels, ids and histories (relative
// to Options.Now), whatever the batch size.
package demo

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/tracking"
)

// Password is every demo user's password.
const Password = "demo-password-1"

// Options control a demo run.
type Options struct {
	Parcels   int                   // how many parcels to generate (e.g. 2000 for `make run`, 1_000_000 for benchmarks)
	Seed      int64                 // deterministic output for a given seed
	Now       time.Time             // "now" for the histories: events lie in the 45 days before Now, none after it (zero: the current time)
	BatchSize int                   // items per UpsertParcels / IngestEvents call; 0 means 1000
	Progress  func(done, total int) // optional, called after each batch of parcels
}

// Summary says what was created; the CLI prints it as JSON.
type Summary struct {
	Brands  []BrandInfo `json:"brands"`
	Posts   []PostInfo  `json:"posts"`
	Users   []UserInfo  `json:"users"`
	Parcels int         `json:"parcels"`
	Events  int         `json:"events"`
	Sample  []string    `json:"sample_parcels"` // one parcel per notable story (delivered, COD out for delivery, customs hold, failed attempt, returned, economy)
}

// BrandInfo is a created brand and its API key.
type BrandInfo struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	APIKey string `json:"api_key"`
}

// PostInfo is a created partner post and its API key.
type PostInfo struct {
	ID      int64  `json:"id"`
	Country string `json:"country"`
	APIKey  string `json:"api_key"`
}

// UserInfo is a created user and the password to log in with.
type UserInfo struct {
	Email    string `json:"email"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// demoPosts are the partner posts the demo creates.
var demoPosts = [][2]string{
	{"GB", "Royal Mail"}, {"DE", "Deutsche Post"}, {"CN", "China Post"}, {"RU", "Russian Post"},
	{"KZ", "Kazpost"}, {"US", "USPS"},
}

// Run creates the demo brands, partner posts and users, then the parcels and their tracking
// events through the cases service, in batches grouped by brand. Call it on an empty database
// (brand names are unique). A rejected item is a bug in the generator: Run stops and names it.
// Now must not run ahead of the cases service's clock by more than a day.
func Run(ctx context.Context, opts Options, acc *access.Service, cs *tracking.Service, log *slog.Logger) (Summary, error) {
	if opts.Parcels < 0 {
		return Summary{}, fmt.Errorf("demo: parcels must not be negative, got %d", opts.Parcels)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	batch := opts.BatchSize
	if batch <= 0 {
		batch = 1000
	}
	batch = min(batch, tracking.MaxBatch)

	sum, brandIDs, err := seed(ctx, acc)
	if err != nil {
		return sum, err
	}
	start := time.Now()
	g := newGen(opts.Seed, now)
	parcels := make([][]tracking.ParcelItem, len(brands))
	events := make([][]tracking.EventItem, len(brands))
	for from := 0; from < opts.Parcels; from += batch {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		to := min(from+batch, opts.Parcels)
		for i := from; i < to; i++ {
			p := g.parcel(i)
			parcels[p.brand] = append(parcels[p.brand], tracking.ParcelItem{Input: p.parcel})
			for _, e := range p.events {
				events[p.brand] = append(events[p.brand], tracking.EventItem{Input: e})
			}
			if sampleStories[p.story] {
				sum.Sample = append(sum.Sample, p.parcel.ID)
			}
		}
		for b := range brands {
			n, err := upsert(ctx, cs, brandIDs[b], parcels[b])
			sum.Parcels += n
			if err != nil {
				return sum, err
			}
		}
		for b := range brands {
			for k := 0; k < len(events[b]); k += batch {
				n, err := ingest(ctx, cs, brandIDs[b], events[b][k:min(k+batch, len(events[b]))])
				sum.Events += n
				if err != nil {
					return sum, err
				}
			}
		}
		for b := range brands {
			clear(parcels[b])
			clear(events[b])
			parcels[b], events[b] = parcels[b][:0], events[b][:0]
		}
		if opts.Progress != nil {
			opts.Progress(to, opts.Parcels)
		}
	}
	log.Info("demo data created", "parcels", sum.Parcels, "events", sum.Events, "seed", opts.Seed,
		"took", time.Since(start).Round(time.Millisecond))
	return sum, nil
}

// seed creates the brands, posts and users.
func seed(ctx context.Context, acc *access.Service) (Summary, []int64, error) {
	var sum Summary
	var ids []int64
	for _, b := range brands {
		br, key, err := acc.CreateBrand(ctx, b.name)
		if err != nil {
			return sum, nil, fmt.Errorf("demo: %w", err)
		}
		ids = append(ids, br.ID)
		sum.Brands = append(sum.Brands, BrandInfo{ID: br.ID, Name: br.Name, APIKey: key})
	}
	for _, p := range demoPosts {
		post, key, err := acc.CreatePost(ctx, p[0], p[1])
		if err != nil {
			return sum, nil, fmt.Errorf("demo: %w", err)
		}
		sum.Posts = append(sum.Posts, PostInfo{ID: post.ID, Country: post.Country, APIKey: key})
	}
	users := []struct {
		email  string
		role   access.Role
		brands []int64
	}{
		{"agent@demo.wismo", access.RoleAgent, ids},
		{"supervisor@demo.wismo", access.RoleSupervisor, ids},
		{"manager@demo.wismo", access.RoleBrandManager, ids[:1]},
		{"admin@demo.wismo", access.RoleAdmin, nil},
	}
	for _, u := range users {
		if _, err := acc.CreateUser(ctx, u.email, Password, u.role, u.brands); err != nil {
			return sum, nil, fmt.Errorf("demo: %w", err)
		}
		sum.Users = append(sum.Users, UserInfo{Email: u.email, Role: string(u.role), Password: Password})
	}
	return sum, ids, nil
}

func upsert(ctx context.Context, cs *tracking.Service, brand int64, items []tracking.ParcelItem) (int, error) {
	if len(items) == 0 {
		return 0, nil
	}
	res, err := cs.UpsertParcels(ctx, access.Brands(brand), items)
	if err != nil {
		return 0, fmt.Errorf("demo: upsert parcels: %w", err)
	}
	n := 0
	for _, r := range res {
		if r.Status == tracking.StatusRejected {
			return n, fmt.Errorf("demo: generator bug: parcel %s (item %d) rejected: %s: %s",
				r.ID, r.Index, r.Error.Field, r.Error.Message)
		}
		if r.Status == tracking.StatusAccepted {
			n++
		}
	}
	return n, nil
}

func ingest(ctx context.Context, cs *tracking.Service, brand int64, items []tracking.EventItem) (int, error) {
	res, err := cs.IngestEvents(ctx, access.Brands(brand), items)
	if err != nil {
		return 0, fmt.Errorf("demo: ingest events: %w", err)
	}
	n := 0
	for _, r := range res {
		if r.Status == tracking.StatusRejected {
			in := items[r.Index].Input
			return n, fmt.Errorf("demo: generator bug: event %s %s at %s rejected: %s: %s",
				in.ItemID, in.Code, in.OccurredAt, r.Error.Field, r.Error.Message)
		}
		if r.Status == tracking.StatusAccepted {
			n++
		}
	}
	return n, nil
}
