package dialer

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/telephony/sipuser"
)

// Campaign groups call contacts: whose they are, the script agents follow, how calls go out
// (preview: the agent asks for the call; progressive: a call per free agent — both through
// the telephony engine; predictive: as progressive until live pacing lands, docs/pacing.md),
// what an answered call does with an answering machine (AMD), the caller id shown, and
// optionally its own attempt algorithm and windows (nil: the brand's). Rules feed it by naming
// it in a "call" action.
type Campaign struct {
	ID        int64      `json:"id"`
	BrandID   int64      `json:"brand_id"`
	Name      string     `json:"name"`
	ScriptID  int64      `json:"script_id,omitempty"`
	Mode      string     `json:"mode"`
	AMD       string     `json:"amd"` // off (default), hangup, voicemail, connect
	CallerID  string     `json:"caller_id"`
	Algorithm *Algorithm `json:"algorithm,omitempty"`
	Windows   *Week      `json:"windows,omitempty"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	Progress  *Progress  `json:"progress,omitempty"`
}

// Progress counts a campaign's contacts by status; Due are planned ones whose time has come
// (waiting in the queue for the telephony engine or the next claim).
type Progress struct {
	Total    int            `json:"total"`
	Due      int            `json:"due"`
	ByStatus map[string]int `json:"by_status"`
}

const campaignCols = `id, brand_id, name, COALESCE(script_id, 0), mode, amd, caller_id, algorithm, windows, status, created_at, updated_at`

func scanCampaign(row interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var alg, win string
	if err := row.Scan(&c.ID, &c.BrandID, &c.Name, &c.ScriptID, &c.Mode, &c.AMD, &c.CallerID, &alg, &win, &c.Status, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	if alg != "" {
		a, err := parseAlgorithm(alg)
		if err != nil {
			return c, err
		}
		c.Algorithm = &a
	}
	if win != "" {
		var w Week
		if err := json.Unmarshal([]byte(win), &w); err != nil {
			return c, fmt.Errorf("campaign %d windows: %w", c.ID, err)
		}
		c.Windows = &w
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

// AMDSettings are what a campaign's answered calls do when the detector hears a machine
// (docs/amd.md, "In live calls"): no detection, end the call, leave the voicemail, connect anyway.
var AMDSettings = []string{"off", "hangup", "voicemail", "connect"}

func (c *Campaign) validate() error {
	c.Name = strings.TrimSpace(c.Name)
	c.AMD = cmp.Or(c.AMD, "off")
	switch {
	case c.Name == "" || len(c.Name) > 200:
		return fmt.Errorf("%w: name must be 1 to 200 characters", ErrInvalid)
	case c.Mode != "preview" && c.Mode != "progressive" && c.Mode != "predictive" && c.Mode != "robocall":
		return fmt.Errorf("%w: mode must be preview, progressive, predictive or robocall", ErrInvalid)
	case !slices.Contains(AMDSettings, c.AMD):
		return fmt.Errorf("%w: amd must be off, hangup, voicemail or connect", ErrInvalid)
	case c.CallerID != "" && sipuser.CheckCallerID(c.CallerID) != nil:
		// It becomes the From of the campaign's calls: a line break would forge SIP headers.
		return fmt.Errorf("%w: caller_id: %v", ErrInvalid, sipuser.CheckCallerID(c.CallerID))
	case c.Windows != nil && c.Windows.empty():
		return fmt.Errorf("%w: windows: %v", ErrInvalid, ErrNoWindow)
	}
	if c.Algorithm != nil {
		return c.Algorithm.Validate()
	}
	return nil
}

func optionalJSON(v any, isNil bool) string {
	if isNil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// SaveCampaign creates (ID 0) or updates a campaign of brand. A new campaign starts as a draft.
func (s *Service) SaveCampaign(ctx context.Context, brand int64, c Campaign) (Campaign, error) {
	if err := c.validate(); err != nil {
		return Campaign{}, err
	}
	now := s.now()
	alg, win := optionalJSON(c.Algorithm, c.Algorithm == nil), optionalJSON(c.Windows, c.Windows == nil)
	var err error
	if c.ID == 0 {
		err = s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO campaigns (brand_id, name, script_id, mode, amd, caller_id, algorithm,
			windows, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id`),
			brand, c.Name, nullID(c.ScriptID), c.Mode, c.AMD, c.CallerID, alg, win, now, now).Scan(&c.ID)
	} else {
		var res sql.Result
		res, err = s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE campaigns SET name = ?, script_id = ?, mode = ?, amd = ?, caller_id = ?,
			algorithm = ?, windows = ?, updated_at = ? WHERE id = ? AND brand_id = ?`),
			c.Name, nullID(c.ScriptID), c.Mode, c.AMD, c.CallerID, alg, win, now, c.ID, brand)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return Campaign{}, fmt.Errorf("campaign %d: %w", c.ID, ErrNotFound)
			}
		}
	}
	if store.IsUniqueViolation(err) {
		return Campaign{}, fmt.Errorf("%w: a campaign named %q exists", ErrConflict, c.Name)
	}
	if err != nil {
		return Campaign{}, fmt.Errorf("save campaign: %w", err)
	}
	return s.Campaign(ctx, brand, c.ID)
}

// CreateCampaign adds a campaign inside tx (the standard flow installs one with the rules
// that feed it), in the given status.
func (s *Service) CreateCampaign(ctx context.Context, tx store.Tx, brand int64, c Campaign) (int64, error) {
	if err := c.validate(); err != nil {
		return 0, err
	}
	if c.Status == "" {
		c.Status = "draft"
	}
	now := s.now()
	err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO campaigns (brand_id, name, script_id, mode, amd, caller_id, algorithm,
		windows, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		brand, c.Name, nullID(c.ScriptID), c.Mode, c.AMD, c.CallerID, optionalJSON(c.Algorithm, c.Algorithm == nil),
		optionalJSON(c.Windows, c.Windows == nil), c.Status, now, now).Scan(&c.ID)
	if err != nil {
		return 0, fmt.Errorf("create campaign: %w", err)
	}
	return c.ID, nil
}

// Campaign returns one of brand's campaigns with its progress.
func (s *Service) Campaign(ctx context.Context, brand, id int64) (Campaign, error) {
	c, err := scanCampaign(s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT `+campaignCols+` FROM campaigns WHERE id = ? AND brand_id = ?`), id, brand))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, fmt.Errorf("campaign %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Campaign{}, fmt.Errorf("campaign %d: %w", id, err)
	}
	p, err := s.progress(ctx, id)
	c.Progress = &p
	return c, err
}

// Campaigns lists brand's campaigns.
func (s *Service) Campaigns(ctx context.Context, brand int64) ([]Campaign, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT `+campaignCols+` FROM campaigns WHERE brand_id = ? ORDER BY id`), brand)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	defer rows.Close()
	out := []Campaign{}
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *Service) progress(ctx context.Context, id int64) (Progress, error) {
	p := Progress{ByStatus: map[string]int{}}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT status, COUNT(*), SUM(CASE WHEN status = 'planned' AND due_at <= ? THEN 1 ELSE 0 END)
		FROM contacts WHERE campaign_id = ? GROUP BY status`), s.now(), id)
	if err != nil {
		return p, fmt.Errorf("campaign progress: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n, due int
		if err := rows.Scan(&st, &n, &due); err != nil {
			return p, err
		}
		p.ByStatus[st], p.Total, p.Due = n, p.Total+n, p.Due+due
	}
	return p, rows.Err()
}

// SetCampaignStatus starts (running), pauses or stops a campaign. Only running campaigns'
// calls are claimed; stopping cancels the calls still planned.
func (s *Service) SetCampaignStatus(ctx context.Context, brand, id int64, status string) (Campaign, error) {
	if status != "running" && status != "paused" && status != "stopped" {
		return Campaign{}, fmt.Errorf("%w: status must be running, paused or stopped", ErrInvalid)
	}
	now := s.now()
	err := s.writeTx(ctx, func(tx store.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE campaigns SET status = ?, updated_at = ? WHERE id = ? AND brand_id = ? AND status <> 'stopped'`),
			status, now, id, brand)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("campaign %d (missing, or stopped for good): %w", id, ErrNotFound)
		}
		if status == "stopped" {
			_, err = tx.ExecContext(ctx, s.db.Rebind(`UPDATE contacts SET status = 'cancelled', detail = 'campaign stopped', done_at = ?, updated_at = ?
				WHERE campaign_id = ? AND status = 'planned'`), now, now, id)
		}
		return err
	})
	if err != nil {
		return Campaign{}, fmt.Errorf("set campaign status: %w", err)
	}
	return s.Campaign(ctx, brand, id)
}

// campaignInfo is what planning needs to know of a call's campaign.
type campaignInfo struct {
	windows Windows // nil: the brand's
	status  string  // "" when the campaign does not exist
}

// campaignWindows returns the campaigns of call requests: their own windows and status.
func (s *Service) campaignWindows(ctx context.Context, q store.Tx, reqs []Request) (map[int64]campaignInfo, error) {
	out := map[int64]campaignInfo{}
	for _, r := range reqs {
		if r.Channel != Call || r.CampaignID == 0 {
			continue
		}
		if _, done := out[r.CampaignID]; done {
			continue
		}
		var info campaignInfo
		var win string
		err := q.QueryRowContext(ctx, s.db.Rebind(`SELECT windows, status FROM campaigns WHERE id = ? AND brand_id = ?`),
			r.CampaignID, r.BrandID).Scan(&win, &info.status)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("campaign windows: %w", err)
		}
		if win != "" {
			var w Week
			if err := json.Unmarshal([]byte(win), &w); err == nil {
				info.windows = Windows{Call: w}
			}
		}
		out[r.CampaignID] = info
	}
	return out, nil
}
