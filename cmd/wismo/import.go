package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

func importCmd(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	var brand int64
	var format string
	var batch, writers int
	cfg, fs, err := parseFlags("import", args, func(fs *flag.FlagSet) {
		fs.Int64Var(&brand, "brand", 0, "import as this brand (like its API key); 0 = as an operator, parcels then carry brand_id")
		fs.StringVar(&format, "format", "", "ndjson or csv (default: from the file name)")
		fs.IntVar(&batch, "batch", 1000, "records per transaction")
		fs.IntVar(&writers, "writers", 0, "transactions in flight at once: 0 = 4 on PostgreSQL, 1 on SQLite (one writer at a time anyway); 1 = in file order")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("import: give one FILE (or - for stdin)")
	}
	name := fs.Arg(0)
	if format == "" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			format = "csv"
		case ".ndjson", ".jsonl", ".json":
			format = "ndjson"
		default:
			return fmt.Errorf("import: cannot tell the format of %q: pass --format ndjson or --format csv", name)
		}
	}
	in, size := stdin, int64(-1)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		in = f
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.db.Close()
	scope := access.Operator()
	if brand != 0 {
		if _, err := a.access.Brand(ctx, brand); err != nil {
			return fmt.Errorf("import: --brand: %w", err)
		}
		scope = access.Brands(brand)
	}
	bar := progressbar.NewOptions64(size, progressbar.OptionSetDescription("import"), progressbar.OptionShowBytes(true),
		progressbar.OptionSetWriter(progressWriter()), progressbar.OptionThrottle(200*time.Millisecond))
	reader := progressbar.NewReader(in, bar)
	dec, err := tracking.NewImportDecoder(&reader, format)
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	start := time.Now()
	if writers < 0 || writers > 64 {
		return fmt.Errorf("import: --writers %d: want 1 to 64 (0: the database's default)", writers)
	}
	if writers == 0 {
		writers = 4
		if a.db.Dialect == store.SQLite {
			writers = 1
		}
	}
	rep, err := a.cases.Import(ctx, scope, dec, batch, writers, nil)
	bar.Finish()
	if err != nil {
		return fmt.Errorf("import %s: %w", name, err)
	}
	a.log.Info("import done", "file", name, "took", time.Since(start).Round(time.Millisecond))
	if err := printJSON(stdout, rep); err != nil {
		return err
	}
	if rejected := rep.Parcels[tracking.StatusRejected] + rep.Events[tracking.StatusRejected]; rejected > 0 {
		listed := "listed above with their lines"
		if len(rep.Rejected) < rejected {
			listed = fmt.Sprintf("the first %d listed above with their lines", len(rep.Rejected))
		}
		fmt.Fprintf(os.Stderr, "wismo import: %d of %d records rejected (%s); the others were stored\n", rejected, rep.Records(), listed)
		return exitError(1)
	}
	return nil
}

// progressWriter is where progress bars go: stderr on a terminal, nowhere otherwise.
func progressWriter() io.Writer {
	if st, err := os.Stderr.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		return os.Stderr
	}
	return io.Discard
}
