package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/wismo/wismo/search"
)

// reindexCmd rebuilds a search index from the database: Meilisearch (WISMO_SEARCH_URL) by
// default, the embedded index with --embedded. It prints the count and rate as JSON.
func reindexCmd(ctx context.Context, args []string, stdout io.Writer) error {
	var embedded bool
	cfg, _, err := parseFlags("reindex", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&embedded, "embedded", false, "rebuild the embedded index (SQLite FTS5 / PostgreSQL) instead of Meilisearch")
	})
	if err != nil {
		return err
	}
	if !embedded && cfg.SearchURL == "" {
		return errors.New("reindex: WISMO_SEARCH_URL is not set; set it to rebuild Meilisearch, or pass --embedded")
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.db.Close()
	start := time.Now()
	var n int
	if embedded {
		a.log.Info("rebuilding the embedded search index", "database", a.db.Location)
		n, err = search.RebuildEmbeddedIndex(ctx, a.db)
	} else {
		var total int
		if total, err = search.IndexSize(ctx, a.db); err != nil {
			return err
		}
		bar := progressbar.NewOptions(total, progressbar.OptionSetDescription("reindex"), progressbar.OptionSetWriter(progressWriter()),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond))
		n, err = search.NewMeiliBackend(cfg.SearchURL, cfg.SearchKey, a.db).Reindex(ctx, func(done int) { bar.Set(done) })
		bar.Finish()
	}
	if err != nil {
		return err
	}
	took := time.Since(start)
	return printJSON(stdout, map[string]any{"documents": n, "seconds": took.Seconds(),
		"documents_per_second": float64(n) / took.Seconds(), "backend": map[bool]string{true: "embedded", false: "meilisearch"}[embedded]})
}
