package demo

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/callcenter"
	"github.com/wismo/wismo/cases"
	"github.com/wismo/wismo/demo/carrier"
	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/recordings"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/tracking"
)

// TestWorkspace: the demo gives the demo agent something on every page: a running outbound
// campaign, a call history whose answered calls have real stereo WAV recordings, and cases
// assigned to the agent that are due soon, past their SLA, waiting for a partner post and
// closed.
func TestWorkspace(t *testing.T) {
	ctx := context.Background()
	db, _ := runDemo(t, 400, 11)
	log := storetest.Logger(t)
	cs := cases.NewCaseService(db, log, "http://127.0.0.1:8080")
	if _, err := Cases(ctx, CaseOptions{Cases: 150, Seed: 11, Now: testNow}, db, cs, log); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.SweepSLA(ctx); err != nil { // what the SLA job does at start
		t.Fatal(err)
	}
	dl, err := dialer.New(db, log, dialer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	recs := recordings.NewService(db, t.TempDir(), log)
	sum, err := Workspace(ctx, WorkspaceDeps{DB: db, Parcels: tracking.NewService(db, log, nil), Cases: cs,
		Calls: callcenter.NewCallLog(db), Recordings: recs, Dialer: dl, Log: log, Voice: carrier.Clip}, 11, testNow)
	if err != nil {
		t.Fatal(err)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(q), args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM campaigns WHERE status = 'running'`); n == 0 {
		t.Error("no running campaign")
	}
	for _, mode := range []string{callcenter.ModeHotline, callcenter.ModePreview, callcenter.ModeProgressive} {
		if n := count(`SELECT COUNT(*) FROM calls WHERE mode = ? AND outcome = 'answered' AND recording_id IS NOT NULL AND disposition <> ''`, mode); n == 0 {
			t.Errorf("no answered, recorded and disposed %s call", mode)
		}
	}
	if n := count(`SELECT COUNT(*) FROM calls WHERE outcome <> 'answered'`); n == 0 {
		t.Error("no unanswered call in the history")
	}
	// The recordings are real stereo WAVs of speech on both channels.
	rows, err := db.SQL.QueryContext(ctx, `SELECT path, duration_ms, size_bytes FROM recordings`)
	if err != nil {
		t.Fatal(err)
	}
	var files int
	for rows.Next() {
		var path string
		var ms, size int64
		if err := rows.Scan(&path, &ms, &size); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || int64(len(b)) != size || string(b[:4]) != "RIFF" || b[22] != 2 || ms < 2000 {
			t.Errorf("recording %s: %d bytes (row says %d), %d ms: %v", path, len(b), size, ms, err)
		}
		if l, r := loud(b[44:], 0), loud(b[44:], 1); l < 100 || r < 100 {
			t.Errorf("recording %s: a channel is silent (%d, %d)", path, l, r)
		}
		files++
	}
	rows.Close()
	if files == 0 || files != sum.Recordings {
		t.Errorf("%d recording files, summary says %d", files, sum.Recordings)
	}
	// The agent's cases.
	agent := `(SELECT id FROM users WHERE email = 'agent@demo.wismo')`
	now := time.Now().UTC()
	for what, q := range map[string]string{
		"due soon":                 `status IN ('new','open') AND resolution_breached_at IS NULL AND resolution_due > ?`,
		"breached":                 `status IN ('new','open','waiting_customer','waiting_partner_post') AND resolution_breached_at IS NOT NULL`,
		"waiting for partner post": `status = 'waiting_partner_post'`,
		"closed":                   `status = 'closed'`,
	} {
		var args []any
		if strings.Contains(q, "?") {
			args = append(args, now)
		}
		if n := count(`SELECT COUNT(*) FROM cases WHERE assignee_id = `+agent+` AND `+q, args...); n == 0 {
			t.Errorf("no case of the demo agent %s", what)
		}
	}
}

// loud is the mean absolute sample of one channel of interleaved 16-bit stereo data.
func loud(data []byte, ch int) int64 {
	var sum, n int64
	for i := ch * 2; i+1 < len(data); i += 4 {
		s := int64(int16(uint16(data[i]) | uint16(data[i+1])<<8))
		if s < 0 {
			s = -s
		}
		sum += s
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / n
}
