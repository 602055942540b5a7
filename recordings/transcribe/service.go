package transcribe

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/textkey"
)

// JobName is the background job that transcribes finished recordings (WISMO_JOBS).
const JobName = "transcripts"

// The job's pace: every Every it transcribes up to Batch recordings not yet transcribed.
// Speech engines are slow (pocketsphinx: about a second of CPU per few seconds of audio), so
// batches are small and a pass stops at the first sign of an unavailable engine.
const (
	Every = 30 * time.Second
	Batch = 5
)

// ErrUnavailable wraps an engine error that says nothing about the recording (the speech
// server unreachable, overloaded, answering 5xx): the job stops its pass and tries the same
// recording again on the next one, instead of storing the error for good.
var ErrUnavailable = errors.New("speech engine unavailable")

// Transcript is one side of one recording as stored in call_transcripts.
type Transcript struct {
	RecordingID   int64     `json:"recording_id"`
	CallID        int64     `json:"call_id"`
	Side          string    `json:"side"` // customer or agent
	Language      string    `json:"language"`
	Engine        string    `json:"engine"`
	Text          string    `json:"text"` // redacted
	Segments      []Segment `json:"segments"`
	Error         string    `json:"error,omitempty"`
	AudioMS       int64     `json:"audio_ms"`
	TranscribedAt time.Time `json:"transcribed_at"`
}

// Service transcribes recordings with an engine and keeps the transcripts.
type Service struct {
	db     *store.DB
	engine Engine // nil: reading only, the job does nothing
	log    *slog.Logger
	now    func() time.Time
	sides  *prometheus.CounterVec // nil: not counted
}

// NewService returns the transcripts of db, made by engine (nil: none are made).
func NewService(db *store.DB, engine Engine, log *slog.Logger) *Service {
	return &Service{db: db, engine: engine, log: log.With("component", "transcribe"), now: time.Now}
}

// Enabled reports whether a speech engine transcribes recordings (nil engine: none is).
func (s *Service) Enabled() bool { return s.engine != nil }

// Run transcribes new recordings every Every until ctx ends (the transcripts job).
func (s *Service) Run(ctx context.Context) {
	if s.engine == nil {
		s.log.Warn("no speech engine (install pocketsphinx and pocketsphinx-en-us, or set WISMO_SPEECH_URL): calls are not transcribed")
		<-ctx.Done()
		return
	}
	for ctx.Err() == nil {
		n, err := s.TranscribePending(ctx, Batch)
		if err != nil && ctx.Err() == nil {
			s.log.Error("transcription pass failed", "err", err)
		}
		if n == Batch && err == nil {
			continue // a full batch: more are waiting
		}
		select {
		case <-ctx.Done():
		case <-time.After(Every):
		}
	}
}

type pending struct {
	id, call int64
	brand    sql.NullInt64
	path     string
	lang     string
}

// TranscribePending transcribes up to limit finished recordings that have no transcript,
// oldest first, and returns how many it stored. Both sides of a recording are stored in one
// transaction, so a crash leaves the recording to the next pass, never half or twice stored;
// an engine's error on a side is stored as that side's error (not tried again) unless it is
// ErrUnavailable or the job's own end, which stop the pass.
func (s *Service) TranscribePending(ctx context.Context, limit int) (int, error) {
	if s.engine == nil {
		return 0, nil
	}
	todo, err := s.pending(ctx, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range todo {
		rows, err := s.transcribe(ctx, p)
		if err != nil {
			return n, err
		}
		if err := s.store(ctx, p, rows); err != nil {
			return n, err
		}
		s.counted(rows)
		n++
	}
	return n, nil
}

func (s *Service) pending(ctx context.Context, limit int) ([]pending, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT r.id, r.call_id, r.brand_id, r.path, COALESCE(p.recipient_language, '')
		FROM recordings r JOIN calls c ON c.id = r.call_id LEFT JOIN parcels p ON p.id = c.parcel_id AND c.parcel_id <> ''
		WHERE r.finished_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM call_transcripts t WHERE t.recording_id = r.id)
		ORDER BY r.id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("recordings to transcribe: %w", err)
	}
	defer rows.Close()
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.call, &p.brand, &p.path, &p.lang); err != nil {
			return nil, err
		}
		todo = append(todo, p)
	}
	return todo, rows.Err()
}

// transcribe runs the engine on both channels of p's recording.
func (s *Service) transcribe(ctx context.Context, p pending) ([]Transcript, error) {
	log := s.log.With("recording", p.id, "call", p.call)
	out := []Transcript{{Side: Customer}, {Side: Agent}}
	for i := range out {
		out[i].RecordingID, out[i].CallID, out[i].Engine, out[i].Language = p.id, p.call, s.engine.Name(), baseLang(p.lang)
		out[i].Segments = []Segment{}
	}
	rate, chans, err := media.ReadWAV(p.path)
	if err == nil && len(chans) != 2 {
		err = fmt.Errorf("%d channels, not the stereo recording of a call", len(chans))
	}
	if err != nil {
		log.Warn("recording cannot be transcribed", "err", err)
		for i := range out {
			out[i].Error = "recording: " + err.Error()
		}
		return out, nil
	}
	for i := range out {
		out[i].AudioMS = int64(len(chans[i])) * 1000 / int64(rate)
		res, err := s.engine.Transcribe(ctx, chans[i], rate, p.lang)
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case errors.Is(err, ErrUnavailable):
			return nil, fmt.Errorf("recording %d: %w", p.id, err)
		case err != nil:
			log.Warn("side not transcribed", "side", out[i].Side, "err", err)
			out[i].Error = err.Error()
			continue
		}
		res = RedactResult(res)
		out[i].Text, out[i].Segments = res.Text, res.Segments
		if res.Language != "" {
			out[i].Language = baseLang(res.Language)
		}
	}
	return out, nil
}

// store writes both sides of a recording in one transaction. ON CONFLICT: another node may
// have transcribed it meanwhile; its rows stand.
func (s *Service) store(ctx context.Context, p pending, rows []Transcript) error {
	at := s.now().UTC()
	return s.db.WriteTx(ctx, func(tx store.Tx) error {
		for _, t := range rows {
			segs, err := json.Marshal(t.Segments)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO call_transcripts (recording_id, call_id, brand_id, side, language,
				engine, text, segments, search_key, error, audio_ms, transcribed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
				ON CONFLICT (recording_id, side) DO NOTHING`),
				p.id, p.call, p.brand, t.Side, t.Language, t.Engine, t.Text, string(segs), textkey.Fold(t.Text), t.Error, t.AudioMS, at)
			if err != nil {
				return fmt.Errorf("store transcript of recording %d (%s): %w", p.id, t.Side, err)
			}
		}
		return nil
	})
}

// ForCall returns the transcripts of call's recordings, customer side first, if scope may
// see the call's brand; ErrNotFound when there are none it may see.
func (s *Service) ForCall(ctx context.Context, scope access.Scope, callID int64) ([]Transcript, error) {
	where, args := scope.SQL("brand_id", "", "")
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT recording_id, call_id, side, language, engine, text, segments,
		error, audio_ms, transcribed_at FROM call_transcripts WHERE `+where+` AND call_id = ?
		ORDER BY recording_id, CASE side WHEN 'customer' THEN 0 ELSE 1 END`), append(args, callID)...)
	if err != nil {
		return nil, fmt.Errorf("transcripts of call %d: %w", callID, err)
	}
	defer rows.Close()
	var out []Transcript
	for rows.Next() {
		var t Transcript
		var segs string
		var at store.NullTime
		if err := rows.Scan(&t.RecordingID, &t.CallID, &t.Side, &t.Language, &t.Engine, &t.Text, &segs, &t.Error, &t.AudioMS, &at); err != nil {
			return nil, err
		}
		t.TranscribedAt = at.Time.UTC()
		t.Segments = []Segment{}
		if segs != "" {
			if err := json.Unmarshal([]byte(segs), &t.Segments); err != nil {
				return nil, fmt.Errorf("segments of recording %d: %w", t.RecordingID, err)
			}
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}
