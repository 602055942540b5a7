package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/demo"
)

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func adminCmd(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout io.Writer) error {
	var name, country, email, role, brands string
	var id int64
	cfg, _, err := parseFlags(cmd, args, func(fs *flag.FlagSet) {
		switch cmd {
		case "brand add":
			fs.StringVar(&name, "name", "", "the brand's name (required)")
		case "brand key":
			fs.Int64Var(&id, "id", 0, "the brand's id (required)")
		case "post add":
			fs.StringVar(&country, "country", "", "the post's ISO country code (required)")
			fs.StringVar(&name, "name", "", "the post's name")
		case "user add":
			fs.StringVar(&email, "email", "", "login email (required)")
			fs.StringVar(&role, "role", "", "agent, supervisor, brand_manager or admin (required)")
			fs.StringVar(&brands, "brand", "", "brand id(s), comma-separated (required except for admins)")
		}
	})
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.db.Close()
	switch cmd {
	case "brand add":
		if name == "" {
			return fmt.Errorf("brand add: --name is required")
		}
		b, key, err := a.access.CreateBrand(ctx, name)
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"id": b.ID, "name": b.Name, "api_key": key})
	case "brand key":
		key, err := a.access.NewBrandKey(ctx, id)
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"id": id, "api_key": key})
	case "post add":
		if country == "" {
			return fmt.Errorf("post add: --country is required")
		}
		p, key, err := a.access.CreatePost(ctx, country, name)
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"id": p.ID, "country": p.Country, "api_key": key})
	case "user add":
		r, err := access.ParseRole(role)
		if err != nil {
			return fmt.Errorf("user add: --role: %w", err)
		}
		var ids []int64
		for _, s := range splitList(brands) {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("user add: --brand: %q is not a brand id", s)
			}
			ids = append(ids, v)
		}
		pw, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("user add: read password from stdin: %w", err)
		}
		u, err := a.access.CreateUser(ctx, email, strings.TrimRight(pw, "\r\n"), r, ids)
		if err != nil {
			return err
		}
		return printJSON(stdout, map[string]any{"id": u.ID, "email": u.Email, "role": u.Role, "brand_ids": u.BrandIDs})
	}
	return fmt.Errorf("unknown command %q", cmd)
}

func demoCmd(ctx context.Context, args []string, stdout io.Writer) error {
	var parcels, caseCount int
	var seed int64
	cfg, _, err := parseFlags("demo", args, func(fs *flag.FlagSet) {
		fs.IntVar(&parcels, "parcels", 2000, "how many parcels to generate")
		fs.IntVar(&caseCount, "cases", -1, "how many cases to open about them (default: a tenth of --parcels)")
		fs.Int64Var(&seed, "seed", 0, "random seed (0 = time-based)")
	})
	if err != nil {
		return err
	}
	if parcels < 1 || parcels > 5_000_000 {
		return fmt.Errorf("demo: --parcels must be between 1 and 5000000")
	}
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	a, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.db.Close()
	bar := progressbar.NewOptions(parcels, progressbar.OptionSetDescription("demo parcels"),
		progressbar.OptionSetWriter(progressWriter()), progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond))
	if caseCount < 0 {
		caseCount = parcels / 10
	}
	cbar := progressbar.NewOptions(caseCount, progressbar.OptionSetDescription("demo cases"),
		progressbar.OptionSetWriter(progressWriter()), progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond))
	// The same data `wismo serve --demo` loads into an empty database (loadDemoData).
	sum, n, err := a.loadDemoData(ctx, demoLoad{Parcels: parcels, Cases: caseCount, Seed: seed, Now: time.Now().UTC(),
		ParcelProgress: func(done, total int) { bar.Set(done) },
		CaseProgress: func(done, total int) {
			if !bar.IsFinished() {
				bar.Finish() // the parcels are done when the cases begin
			}
			cbar.Set(done)
		}})
	bar.Finish()
	cbar.Finish()
	if err != nil {
		return err
	}
	return printJSON(stdout, struct {
		demo.Summary
		Cases int `json:"cases"`
	}{sum, n})
}
