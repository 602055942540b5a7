package main

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wismo/wismo/branding"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/deliverydays"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/elapsed"
	"github.com/wismo/wismo/migrations"
	"github.com/wismo/wismo/scripts"
	"github.com/wismo/wismo/search"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
	"github.com/wismo/wismo/updates"
)

// The names below live outside the code: in the database (outbox topics and consumer cursors,
// migration versions, the SQL function the search triggers call), in operators' settings
// (WISMO_JOBS), in dashboards and alerts (metric names) and in a Meilisearch server (the
// index). Renaming one in the code does not rename it there: a renamed consumer would replay
// the whole outbox or skip it on upgrade, a renamed job would be refused by WISMO_JOBS, a
// renamed metric would leave its alerts silent. These tests fail on any such rename; change a
// pinned value only together with a migration or an upgrade note that moves the stored name.

func TestOutboxNamesArePinned(t *testing.T) {
	pinned := []struct{ got, want string }{
		// Consumers: their cursors are rows of outbox_cursors keyed by this name.
		{search.MeiliConsumer, "search.meilisearch"},
		{scripts.Consumer, "scripts.rules"},
		{updates.Consumer, "updates.parcel"},
		{elapsed.Consumer, "elapsed.arm"},
		// Topics: stored in every outbox row and matched by the consumers above.
		{tracking.TopicParcelCreated, "parcel.created"},
		{tracking.TopicParcelUpdated, "parcel.updated"},
		{tracking.TopicTrackingEvent, "tracking.event"},
		{cases.TopicCaseOpened, "case.opened"},
		{cases.TopicCaseStatusChanged, "case.status_changed"},
		{cases.TopicCaseSLABreached, "case.sla_breached"},
		{cases.TopicCaseUpdated, "case.updated"},
		{dialer.TopicCallOutcome, "call.outcome"},
		{deliverydays.TopicDayChosen, "delivery_day.chosen"},
		{branding.TopicLookChanged, "brand.look_changed"},
		// The Meilisearch index every node writes and reads.
		{search.MeiliIndex, "wismo"},
	}
	for _, p := range pinned {
		if p.got != p.want {
			t.Errorf("stored name %q is now %q in the code: existing databases and servers still hold %q", p.want, p.got, p.want)
		}
	}
}

func TestJobNamesArePinned(t *testing.T) {
	want := []string{"sip", "case-sla-sweep", "case-escalation-webhooks", "search-meilisearch-feed",
		"comms-rules", "dialer", "tracking-page-cache", "mail-listener", "eta-refresh", "parcel-updates", "elapsed-rules", "talk-analytics", "review-sampling",
		"recording-compact", "recording-retention", "transcripts"}
	if !slices.Equal(jobNames, want) {
		t.Errorf("jobNames = %q, want %q: WISMO_JOBS settings in the field name these", jobNames, want)
	}
	// The jobs serve wires must carry the pinned names (the wiring only builds closures here).
	var wired []string
	for _, j := range (&casesPart{meili: &search.MeiliBackend{}}).jobs(&app{}) {
		wired = append(wired, j.name)
	}
	for _, j := range (&commsPart{}).jobs() {
		wired = append(wired, j.name)
	}
	wired = append(wired, (&telephonyPart{}).job().name, trackPagesJob(nil, nil, nil).name, etaJob(nil).name, updatesJob(nil, nil).name, talkJob(nil).name, (&qualityPart{}).job().name,
		transcriptsJob(nil).name)
	for _, j := range (&recordingStorage{}).jobs() {
		wired = append(wired, j.name)
	}
	for _, j := range (&inboundPart{}).jobs(&app{}) {
		wired = append(wired, j.name)
	}
	slices.Sort(wired)
	sorted := slices.Sorted(slices.Values(want))
	if !slices.Equal(wired, sorted) {
		t.Errorf("serve wires jobs %q, want %q", wired, sorted)
	}
}

// TestMetricNamesArePinned reads every metric name the product's code registers: the string
// literals starting with wismo_ in the non-test files that import the Prometheus client.
func TestMetricNamesArePinned(t *testing.T) {
	want := []string{
		"wismo_call_attempts_total",
		"wismo_calls_active",
		"wismo_contacts_total",
		"wismo_hotline_selfservice_total",
		"wismo_http_requests_total",
		"wismo_inbound_attachments_total",
		"wismo_inbound_messages_total",
		"wismo_ingest_items_total",
		"wismo_job_restarts_total",
		"wismo_job_up",
		"wismo_listener_accept_retries_total",
		"wismo_listener_connections_open",
		"wismo_listener_connections_refused_total",
		"wismo_login_failures_total",
		"wismo_outbox_dead_letters",
		"wismo_outbox_failed_attempts_total",
		"wismo_outbox_set_aside_total",
		"wismo_sip_register_failures_total",
		"wismo_sip_register_replays_total",
		"wismo_sip_register_throttled_total",
		"wismo_sip_registrations_total",
		"wismo_sip_tcp_accept_retries_total",
		"wismo_sip_tcp_connections",
		"wismo_sip_tcp_refused_total",
		"wismo_track_page_cache_total",
		"wismo_transcript_sides_total",
	}
	got := metricNames(t, filepath.Join("..", ".."))
	if !slices.Equal(got, want) {
		t.Errorf("metric names in the code:\n%s\nwant:\n%s\n(a new metric: add it here; a renamed one breaks dashboards and alerts)",
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

var metricName = regexp.MustCompile(`^wismo_[a-z0-9_]+$`)

// metricNames parses the module's non-test Go files (tools/ aside: developer tooling) and
// returns the sorted, distinct wismo_ string literals of those that import the Prometheus
// client.
func metricNames(t *testing.T, root string) []string {
	t.Helper()
	seen := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == "tools" || n == "testdata" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(f.Imports, func(s *ast.ImportSpec) bool {
			return strings.HasPrefix(s.Path.Value, `"github.com/prometheus/client_golang/`)
		}) {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && metricName.MatchString(s) {
					seen[s] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(func(yield func(string) bool) {
		for s := range seen {
			if !yield(s) {
				return
			}
		}
	})
}

// TestMigrationFileNamesArePinned: goose records each applied migration by the number its file
// name starts with, so a landed file is never renamed nor renumbered. New files may follow.
func TestMigrationFileNamesArePinned(t *testing.T) {
	landed := []string{"00001_foundation.sql", "00002_communications.sql", "00003_cases.sql", "00004_telephony.sql",
		"00005_search_name_starts.sql", "00006_track_history.sql", "00007_rule_versions.sql", "00008_call_notes.sql",
		"00009_ingest_writes.sql", "00010_comms_changes.sql", "00011_outbox_parts.sql", "00012_outbox_lz4.sql",
		"00013_outbox_dead_letters.sql", "00014_user_locale.sql", "00015_case_workspace.sql", "00016_call_cases.sql",
		"00017_callbacks.sql", "00018_campaign_amd.sql", "00019_case_view_mine.sql", "00020_ivr.sql",
		"00021_parcel_choices.sql", "00022_predictive_pacing.sql", "00023_inbound.sql", "00024_elapsed.sql",
		"00025_brand_looks.sql", "00026_csat_eta.sql", "00028_customs_duties.sql", "00030_call_talk.sql",
		"00031_call_transfers.sql", "00032_recording_audit.sql", "00033_monitor_sessions.sql",
		"00034_transfer_external.sql", "00035_routing.sql", "00036_hotline_self_service.sql",
		"00037_contact_center_metrics.sql", "00038_quality_reviews.sql", "00039_call_transcripts.sql",
		"00040_recording_storage.sql", "00041_parcels_serial.sql", "00042_call_queue_hold.sql"}
	for _, dialect := range []string{"sqlite", "postgres"} {
		entries, err := fs.ReadDir(migrations.FS, dialect)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		for _, want := range landed {
			if !slices.Contains(names, want) {
				t.Errorf("migrations/%s/%s is gone: databases in the field recorded it as applied (files: %q)", dialect, want, names)
			}
		}
	}
}

// TestSearchKeyFunctionIsPinned: the search triggers of migrations 00003 and 00005 call
// wismo_search_key by name, on SQLite as a function the Go driver registers and on PostgreSQL
// as one the migration defines.
func TestSearchKeyFunctionIsPinned(t *testing.T) {
	db := storetest.Open(t)
	var key string
	if err := db.SQL.QueryRowContext(context.Background(), db.Rebind(`SELECT wismo_search_key(?)`), "Ёлка").Scan(&key); err != nil {
		t.Fatalf("wismo_search_key, which the search triggers call: %v", err)
	}
	if key == "" {
		t.Error("wismo_search_key returned nothing")
	}
}
