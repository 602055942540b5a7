package scripts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wismo/wismo/scripts/elapsedrules"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/tracking"
)

// RuleVersion is one saved state of a trigger rule. The rules table holds a rule's current
// state, which the engine reads; rule_versions keeps every state saved through the editor
// so managers can see the history, compare two states and roll back.
type RuleVersion struct {
	Version   int       `json:"version"`
	Rule      Rule      `json:"rule"`
	Author    string    `json:"author,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// SaveRuleVersion saves a rule like SaveRule and records the saved state as a new version.
// A rule that has no versions yet (made by the API or the standard flow) first gets its
// state before the change recorded as version 1, so the history starts where it stood.
func (s *Service) SaveRuleVersion(ctx context.Context, brand, id int64, r Rule, author string) (Rule, error) {
	if id != 0 {
		cur, err := s.Rule(ctx, brand, id)
		if err != nil {
			return Rule{}, err
		}
		if n, err := s.ruleVersionCount(ctx, id); err != nil {
			return Rule{}, err
		} else if n == 0 {
			if err := s.recordRuleVersion(ctx, cur, ""); err != nil {
				return Rule{}, err
			}
		}
	}
	saved, err := s.SaveRule(ctx, brand, id, r)
	if err != nil {
		return Rule{}, err
	}
	if err := s.recordRuleVersion(ctx, saved, author); err != nil {
		return Rule{}, err
	}
	return saved, nil
}

func (s *Service) ruleVersionCount(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM rule_versions WHERE rule_id = ?`), id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count versions of rule %d: %w", id, err)
	}
	return n, nil
}

// recordRuleVersion appends r's state as the rule's next version.
func (s *Service) recordRuleVersion(ctx context.Context, r Rule, author string) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	err = s.db.WriteTx(ctx, func(tx store.Tx) error {
		var v int
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COALESCE(MAX(version), 0) FROM rule_versions WHERE rule_id = ?`), r.ID).Scan(&v); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO rule_versions (rule_id, version, body, author, created_at) VALUES (?, ?, ?, ?, ?)`),
			r.ID, v+1, string(body), author, s.now())
		return err
	})
	if err != nil {
		return fmt.Errorf("record version of rule %d: %w", r.ID, err)
	}
	return nil
}

// RuleVersions lists a rule's versions, newest first. A rule never saved through the
// editor has one: its current state.
func (s *Service) RuleVersions(ctx context.Context, brand, id int64) ([]RuleVersion, error) {
	cur, err := s.Rule(ctx, brand, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT version, body, author, created_at FROM rule_versions
		WHERE rule_id = ? ORDER BY version DESC`), id)
	if err != nil {
		return nil, fmt.Errorf("versions of rule %d: %w", id, err)
	}
	defer rows.Close()
	var out []RuleVersion
	for rows.Next() {
		v, err := scanRuleVersion(rows, cur)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		out = []RuleVersion{{Version: 1, Rule: cur, CreatedAt: cur.UpdatedAt}}
	}
	return out, nil
}

// RuleVersionOf returns one version of one of brand's rules.
func (s *Service) RuleVersionOf(ctx context.Context, brand, id int64, version int) (RuleVersion, error) {
	cur, err := s.Rule(ctx, brand, id)
	if err != nil {
		return RuleVersion{}, err
	}
	v, err := scanRuleVersion(s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT version, body, author, created_at FROM rule_versions
		WHERE rule_id = ? AND version = ?`), id, version), cur)
	if errors.Is(err, sql.ErrNoRows) {
		if version == 1 {
			return RuleVersion{Version: 1, Rule: cur, CreatedAt: cur.UpdatedAt}, nil
		}
		return RuleVersion{}, fmt.Errorf("rule %d version %d: %w", id, version, ErrNotFound)
	}
	return v, err
}

func scanRuleVersion(row interface{ Scan(...any) error }, cur Rule) (RuleVersion, error) {
	var v RuleVersion
	var body string
	if err := row.Scan(&v.Version, &body, &v.Author, &v.CreatedAt); err != nil {
		return v, err
	}
	v.CreatedAt = v.CreatedAt.UTC()
	if err := json.Unmarshal([]byte(body), &v.Rule); err != nil {
		return v, fmt.Errorf("rule %d version %d: %w", cur.ID, v.Version, err)
	}
	v.Rule.ID, v.Rule.BrandID = cur.ID, cur.BrandID // a version belongs to the rule it is stored under
	return v, nil
}

// RecentParcels lists up to limit of a brand's newest parcel ids, for the editor's preview.
func (s *Service) RecentParcels(ctx context.Context, brand int64, limit int) ([]string, error) {
	return tracking.RecentIDs(ctx, s.db, brand, limit)
}

// CheckRule validates a rule without saving it: the editor checks the condition as the
// manager types. What the rule refers to (template, campaign) is checked when it is saved;
// the condition runs on the sample parcel within its budget.
func CheckRule(ctx context.Context, r Rule) Problems {
	r.Codes = append([]string(nil), r.Codes...)
	return r.validate(ctx)
}

// Triggers are the news a rule can fire on.
func Triggers() []string {
	return append([]string{"event", "phase", "call_outcome", "case_opened", "case_status", "case_sla_breached"}, elapsedrules.Kinds()...)
}

// Actions are what a rule can do.
func Actions() []string { return []string{"sms", "email", "call", "open_case"} }

// CaseTypes are the case types an "open a case" action may open.
func CaseTypes() []string { return caseTypes() }
