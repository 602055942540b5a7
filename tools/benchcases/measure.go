package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tools/benchcorpus"
	"github.com/wismo/wismo/tools/benchproc"
)

// views are the case views measured, as /cases?view= names them, with the label the report uses.
var views = []struct{ name, label string }{
	{"mine", "My open"}, {"unassigned", "Unassigned"}, {"due_soon", "Due soon"}, {"breached", "Breached"},
	{"waiting_post", "Waiting for partner post"}, {"open", "All open"}, {"closed", "Closed"},
}

// kindResult is one kind of request's timings by client count.
type kindResult struct {
	kind     string
	requests int
	server   map[int][]time.Duration // Server-Timing, by clients (wismo only)
	trip     map[int][]time.Duration // round trip on loopback (or the SELECT's own time)
	errors   map[int]int
	cut      map[int]bool
	firstErr string
}

// dbResult is every kind on one database.
type dbResult struct {
	name     string
	kinds    []kindResult
	baseline kindResult
}

// sampleCases draws the case numbers the case page is asked for: spread over the corpus by a
// hash of the seed, the same every run.
func sampleCases(ctx context.Context, db *store.DB, o options) ([]string, error) {
	rows, err := db.SQL.QueryContext(ctx, db.Rebind(`SELECT number FROM cases ORDER BY md5(number || ?) LIMIT ?`),
		strconv.FormatInt(o.seed, 10), o.requests)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("the corpus has no cases")
	}
	return out, rows.Err()
}

// measureDB starts wismo on one database of the corpus and measures the case page and the
// views there, then the raw SELECT on the same database.
func measureDB(ctx context.Context, o options, name, dbURL string, lite bool, c *benchcorpus.Corpus, sample []string) (dbResult, error) {
	res := dbResult{name: name}
	dataDir, err := os.MkdirTemp(o.workDir, "cases-serve-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dataDir)
	db := c.PG
	if lite {
		db = c.Lite
	}
	if err := benchAgent(ctx, db); err != nil {
		return res, fmt.Errorf("the benchmark's agent: %w", err)
	}
	srv, err := startWismo(ctx, o, dataDir, dbURL)
	if err != nil {
		return res, err
	}
	defer srv.Stop()
	client, err := login(ctx, srv.Addr)
	if err != nil {
		return res, err
	}
	base := "http://" + srv.Addr
	pages := make([]string, len(sample))
	for i, n := range sample {
		pages[i] = base + "/cases/" + n
	}
	step("%s: the case page", name)
	res.kinds = append(res.kinds, measureHTTP(ctx, o, client, "Case page", pages))
	for _, v := range views {
		first := base + "/cases?view=" + v.name
		step("%s: view %s", name, v.label)
		res.kinds = append(res.kinds, measureHTTP(ctx, o, client, v.label+", first page", repeat(first, o.requests)))
		if next, err := nextPage(ctx, client, first); err != nil {
			return res, fmt.Errorf("view %s: %w", v.name, err)
		} else if next != "" {
			res.kinds = append(res.kinds, measureHTTP(ctx, o, client, v.label+", next page", repeat(base+next, o.requests)))
		}
	}
	if err := srv.Check(); err != nil {
		return res, err
	}
	step("%s: raw SELECT of a case row", name)
	res.baseline = measureSelect(ctx, o, db, sample)
	return res, nil
}

func repeat(u string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = u
	}
	return out
}

// nextPageLink finds the view's link to its next page (keyset cursor).
var nextPageLink = regexp.MustCompile(`<a[^>]*rel="next"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*rel="next"`)

func nextPage(ctx context.Context, client *http.Client, u string) (string, error) {
	body, _, status, err := get(ctx, client, u)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("GET %s: %d %s", u, status, firstLine(body))
	}
	m := nextPageLink.FindStringSubmatch(body)
	if m == nil {
		return "", nil
	}
	link := m[1] + m[2]
	return strings.ReplaceAll(link, "&amp;", "&"), nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// get fetches u and returns the body, the server time from Server-Timing and the status.
func get(ctx context.Context, client *http.Client, u string) (string, time.Duration, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", 0, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	var server time.Duration
	if v, ok := strings.CutPrefix(resp.Header.Get("Server-Timing"), "app;dur="); ok {
		if f, perr := strconv.ParseFloat(v, 64); perr == nil {
			server = time.Duration(f * float64(time.Millisecond))
		}
	}
	return string(b), server, resp.StatusCode, err
}

// measureHTTP asks for urls once with one client (after a short warm-up), then once more
// spread over 8 clients; each pass stops at o.limit.
func measureHTTP(ctx context.Context, o options, client *http.Client, kind string, urls []string) kindResult {
	kr := newKind(kind, len(urls))
	for _, u := range urls[:min(5, len(urls))] {
		get(ctx, client, u)
	}
	var mu sync.Mutex
	for _, clients := range o.clients {
		kr.cut[clients] = runPool(ctx, o, clients, len(urls), func(i int) {
			t0 := time.Now()
			body, server, status, err := get(ctx, client, urls[i])
			trip := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || status != http.StatusOK {
				kr.errors[clients]++
				if kr.firstErr == "" {
					kr.firstErr = fmt.Sprintf("%s: %d %v %s", urls[i], status, err, firstLine(body))
				}
				return
			}
			kr.server[clients] = append(kr.server[clients], server)
			kr.trip[clients] = append(kr.trip[clients], trip)
		})
	}
	return kr
}

// measureSelect is the baseline: the case row by its number, through database/sql.
func measureSelect(ctx context.Context, o options, db *store.DB, sample []string) kindResult {
	kr := newKind("Raw SELECT of a case row by number", len(sample))
	q := db.Rebind(`SELECT id, brand_id, number, parcel_id, type, priority, status, source, subject, contact_name,
		contact_phone, assignee_id, created_at, updated_at, resolution_due FROM cases WHERE number = ?`)
	var mu sync.Mutex
	for _, clients := range o.clients {
		kr.cut[clients] = runPool(ctx, o, clients, len(sample), func(i int) {
			t0 := time.Now()
			var (
				id, brand                                          int64
				number, typ, prio, status, src                     string
				parcel, subject, name, phone, assignee, created, u sql.NullString
				due                                                sql.NullString
			)
			err := db.SQL.QueryRowContext(ctx, q, sample[i]).Scan(&id, &brand, &number, &parcel, &typ, &prio, &status, &src,
				&subject, &name, &phone, &assignee, &created, &u, &due)
			took := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				kr.errors[clients]++
				if kr.firstErr == "" {
					kr.firstErr = err.Error()
				}
				return
			}
			kr.server[clients] = append(kr.server[clients], took)
			kr.trip[clients] = append(kr.trip[clients], took)
		})
	}
	return kr
}

func newKind(kind string, n int) kindResult {
	return kindResult{kind: kind, requests: n, server: map[int][]time.Duration{}, trip: map[int][]time.Duration{},
		errors: map[int]int{}, cut: map[int]bool{}}
}

// runPool runs do(0..n-1) over clients goroutines; it reports whether the time limit cut it.
func runPool(ctx context.Context, o options, clients, n int, do func(i int)) bool {
	var next atomic.Int64
	var cut atomic.Bool
	deadline := time.Now().Add(o.limit)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				if time.Now().After(deadline) {
					cut.Store(true)
					return
				}
				do(i)
			}
		}()
	}
	wg.Wait()
	return cut.Load()
}

// pct is the p-th percentile of d (nearest rank).
func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// The benchmark's agent: every brand of the corpus, and one open case in a hundred assigned (the
// corpus's own users are not in its SQLite copy, and its demo agent has none of the cases).
const (
	benchEmail    = "bench-agent@wismo.bench"
	benchPassword = "bench-password-1"
)

// benchAgent makes the benchmark's agent on db once, with its share of open cases.
func benchAgent(ctx context.Context, db *store.DB) error {
	var ids []int64
	rows, err := db.SQL.QueryContext(ctx, `SELECT id FROM brands ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	u, err := access.NewService(db).CreateUser(ctx, benchEmail, benchPassword, access.RoleAgent, ids)
	if errors.Is(err, access.ErrAlreadyExists) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = db.SQL.ExecContext(ctx, db.Rebind(`UPDATE cases SET assignee_id = ? WHERE id % 100 = 7 AND status IN ('new', 'open', 'waiting_customer')`), u.ID)
	return err
}

// login signs in as the benchmark's agent and keeps the session cookie.
func login(ctx context.Context, addr string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	body, _ := json.Marshal(map[string]string{"email": benchEmail, "password": benchPassword})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/api/v1/session", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("log in as %s: %d %s", benchEmail, resp.StatusCode, firstLine(string(b)))
	}
	return client, nil
}

// startWismo runs `wismo serve` on dbURL with no background jobs (the pages alone are
// measured), HTTP and SIP on free loopback ports.
func startWismo(ctx context.Context, o options, dataDir, dbURL string) (*benchproc.Server, error) {
	logPath := filepath.Join(o.workDir, "cases-serve.log")
	step("starting wismo serve (log: %s)", logPath)
	return benchproc.StartWismo(ctx, o.bin, dataDir, logPath, "WISMO_DATABASE_URL="+dbURL, "WISMO_JOBS=none")
}
