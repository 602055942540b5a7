package talk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// JobName is the background job that analyses finished recordings (WISMO_JOBS).
const JobName = "talk-analytics"

// The job's pace: every Every it analyses up to Batch recordings not yet analysed.
const (
	Every = 10 * time.Second
	Batch = 20
)

// ErrNotFound reports a call without talk analytics the caller may see.
var ErrNotFound = errors.New("talk analytics not found")

// Stored is the talk analytics of one recording as stored in call_talk.
type Stored struct {
	RecordingID int64     `json:"recording_id"`
	CallID      int64     `json:"call_id"`
	Metrics     Metrics   `json:"metrics"`
	Segments    Segments  `json:"segments"`
	Error       string    `json:"error,omitempty"`
	AnalyzedAt  time.Time `json:"analyzed_at"`
	// Thresholds are the brand's, against which Flags were read.
	Thresholds Thresholds `json:"-"`
}

// Service analyses recordings and keeps the results in call_talk.
type Service struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time
}

// NewService returns the talk analytics of db.
func NewService(db *store.DB, log *slog.Logger) *Service {
	return &Service{db: db, log: log.With("component", "talk"), now: time.Now}
}

// Run analyses new recordings every Every until ctx ends (the talk-analytics job).
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(Every)
	defer t.Stop()
	for {
		for {
			n, err := s.AnalyzePending(ctx, Batch)
			if err != nil && ctx.Err() == nil {
				s.log.Error("talk analytics pass failed", "err", err)
			}
			if n < Batch || err != nil {
				break // caught up; a full batch means more are waiting
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// AnalyzePending analyses up to limit finished recordings that have no call_talk row, oldest
// first, and returns how many it stored. A recording that cannot be read is stored with its
// error, so it is not tried again.
func (s *Service) AnalyzePending(ctx context.Context, limit int) (int, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT r.id, r.call_id, r.brand_id, r.path FROM recordings r
		WHERE r.finished_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM call_talk t WHERE t.recording_id = r.id)
		ORDER BY r.id LIMIT ?`), limit)
	if err != nil {
		return 0, fmt.Errorf("recordings to analyse: %w", err)
	}
	type pending struct {
		id, call int64
		brand    sql.NullInt64
		path     string
	}
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.call, &p.brand, &p.path); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, p := range todo {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		m, segs, aerr := AnalyzeFile(p.path)
		if aerr == nil && p.brand.Valid {
			th, _, err := s.BrandThresholds(ctx, p.brand.Int64)
			if err != nil {
				return n, err
			}
			m.Flags = FlagsOf(m, th)
		}
		msg := ""
		if aerr != nil {
			msg = aerr.Error()
			m = Metrics{AgentFirstWordMS: -1}
			s.log.Warn("recording cannot be analysed", "recording", p.id, "err", aerr)
		}
		js, err := json.Marshal(segs)
		if err != nil {
			return n, err
		}
		// ON CONFLICT: another node may have analysed it meanwhile; its row stands.
		_, err = s.db.SQL.ExecContext(ctx, s.db.Rebind(`INSERT INTO call_talk (recording_id, call_id, brand_id,
			duration_ms, customer_talk_ms, agent_talk_ms, agent_talk_share, overtalk_ms, silence_ms, longest_silence_ms,
			customer_interruptions, agent_interruptions, longest_monologue_ms, monologue_side, agent_first_word_ms,
			flags, segments, error, analyzed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (recording_id) DO NOTHING`),
			p.id, p.call, p.brand, m.DurationMS, m.CustomerTalkMS, m.AgentTalkMS, m.AgentShare, m.OvertalkMS, m.SilenceMS,
			m.LongestSilenceMS, m.CustomerInterruptions, m.AgentInterruptions, m.LongestMonologueMS, m.MonologueSide,
			m.AgentFirstWordMS, strings.Join(m.Flags, ","), string(js), msg, s.now().UTC())
		if err != nil {
			return n, fmt.Errorf("store talk analytics of recording %d: %w", p.id, err)
		}
		n++
	}
	return n, nil
}

// ForCall returns the talk analytics of call's recordings if scope may see the call's brand,
// ErrNotFound when there are none it may see.
func (s *Service) ForCall(ctx context.Context, scope access.Scope, callID int64) ([]Stored, error) {
	where, args := scope.SQL("brand_id", "", "")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT recording_id, call_id, duration_ms, customer_talk_ms,
		agent_talk_ms, agent_talk_share, overtalk_ms, silence_ms, longest_silence_ms, customer_interruptions,
		agent_interruptions, longest_monologue_ms, monologue_side, agent_first_word_ms, flags, segments, error, analyzed_at, brand_id
		FROM call_talk WHERE `+where+` AND call_id = ? ORDER BY recording_id`), append(args, callID)...)
	if err != nil {
		return nil, fmt.Errorf("talk analytics of call %d: %w", callID, err)
	}
	defer rows.Close()
	var out []Stored
	var brands []int64
	for rows.Next() {
		var st Stored
		var brand sql.NullInt64
		var flags, segs string
		var at store.NullTime
		m := &st.Metrics
		if err := rows.Scan(&st.RecordingID, &st.CallID, &m.DurationMS, &m.CustomerTalkMS, &m.AgentTalkMS, &m.AgentShare,
			&m.OvertalkMS, &m.SilenceMS, &m.LongestSilenceMS, &m.CustomerInterruptions, &m.AgentInterruptions,
			&m.LongestMonologueMS, &m.MonologueSide, &m.AgentFirstWordMS, &flags, &segs, &st.Error, &at, &brand); err != nil {
			return nil, err
		}
		st.AnalyzedAt = at.Time
		m.Flags = []string{}
		if flags != "" {
			m.Flags = strings.Split(flags, ",")
		}
		if segs != "" {
			if err := json.Unmarshal([]byte(segs), &st.Segments); err != nil {
				return nil, fmt.Errorf("segments of recording %d: %w", st.RecordingID, err)
			}
		}
		out = append(out, st)
		brands = append(brands, brand.Int64)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	// Flags are read against the brand's thresholds as they are now (a change of thresholds
	// changes the flags of calls analysed before it).
	for i := range out {
		if out[i].Error != "" || brands[i] == 0 {
			continue
		}
		th, _, err := s.BrandThresholds(ctx, brands[i])
		if err != nil {
			return nil, err
		}
		out[i].Thresholds = th
		out[i].Metrics.Flags = FlagsOf(out[i].Metrics, th)
	}
	return out, nil
}

// recorded reports whether call has a recording scope may see.
func (s *Service) recorded(ctx context.Context, scope access.Scope, callID int64) (bool, error) {
	where, args := scope.SQL("brand_id", "", "")
	var one int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT 1 FROM recordings WHERE `+where+` AND call_id = ? LIMIT 1`), append(args, callID)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
