package scripts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/wismo/wismo/dialer"
	"github.com/wismo/wismo/store"
)

// ruleKey identifies a rule's text: a compiled condition is reused until the rule changes.
type ruleKey struct {
	id      int64
	updated int64
}

type compiledRule struct {
	Rule
	prog *vm.Program
}

// SaveRule validates a rule — its condition compiled and type-checked, its template or
// campaign existing — and creates it (id 0) or replaces it.
func (s *Service) SaveRule(ctx context.Context, brand, id int64, r Rule) (Rule, error) {
	probs := r.validate(ctx)
	if len(probs) == 0 {
		probs = s.checkRefs(ctx, s.db.SQL, brand, &r)
	}
	if len(probs) > 0 {
		return Rule{}, probs
	}
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		var err error
		id, err = s.writeRule(ctx, tx, brand, id, r)
		return err
	})
	if store.IsUniqueViolation(err) {
		return Rule{}, fmt.Errorf("%w: a rule named %q exists", ErrConflict, r.Name)
	}
	if err != nil {
		return Rule{}, err
	}
	return s.Rule(ctx, brand, id)
}

// checkRefs checks that what a rule's action names exists for the brand.
func (s *Service) checkRefs(ctx context.Context, q store.Tx, brand int64, r *Rule) Problems {
	var n int
	switch r.Action {
	case "sms", "email":
		q.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM templates WHERE brand_id = ? AND name = ? AND channel = ?`), brand, r.Template, r.Action).Scan(&n)
		if n == 0 {
			return Problems{{Field: "template", Message: fmt.Sprintf("the brand has no %s template %q", r.Action, r.Template)}}
		}
	case "call":
		if _, err := s.opts.Planner.CampaignScript(ctx, q, brand, r.CampaignID); err != nil {
			return Problems{{Field: "campaign_id", Message: fmt.Sprintf("the brand has no campaign %d", r.CampaignID)}}
		}
	}
	return nil
}

func (s *Service) writeRule(ctx context.Context, tx store.Tx, brand, id int64, r Rule) (int64, error) {
	now := s.now()
	args := []any{r.Name, r.Enabled, r.Position, r.Trigger, strings.Join(r.Codes, ","), r.Condition, r.Action, r.Template,
		nullID(r.CampaignID), r.CaseType, r.Note, int64(time.Duration(r.Delay) / time.Second), r.N, now}
	if id == 0 {
		err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO rules (name, enabled, position, trigger_kind, codes, condition, action,
			template, campaign_id, case_type, note, delay_s, trigger_n, updated_at, brand_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), append(args, brand, now)...).Scan(&id)
		return id, err
	}
	res, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE rules SET name = ?, enabled = ?, position = ?, trigger_kind = ?, codes = ?,
		condition = ?, action = ?, template = ?, campaign_id = ?, case_type = ?, note = ?, delay_s = ?, trigger_n = ?, updated_at = ?
		WHERE brand_id = ? AND id = ?`), append(args, brand, id)...)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, fmt.Errorf("rule %d: %w", id, ErrNotFound)
	}
	return id, nil
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

const ruleCols = `id, brand_id, name, enabled, position, trigger_kind, codes, condition, action, template,
	COALESCE(campaign_id, 0), case_type, note, delay_s, created_at, updated_at, trigger_n`

func scanRule(row interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	var codes string
	var delay int64
	err := row.Scan(&r.ID, &r.BrandID, &r.Name, &r.Enabled, &r.Position, &r.Trigger, &codes, &r.Condition, &r.Action,
		&r.Template, &r.CampaignID, &r.CaseType, &r.Note, &delay, &r.CreatedAt, &r.UpdatedAt, &r.N)
	r.Codes = []string{}
	if codes != "" {
		r.Codes = strings.Split(codes, ",")
	}
	r.Delay = dialer.Duration(time.Duration(delay) * time.Second)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

// Rule returns one of brand's rules.
func (s *Service) Rule(ctx context.Context, brand, id int64) (Rule, error) {
	r, err := scanRule(s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT `+ruleCols+` FROM rules WHERE brand_id = ? AND id = ?`), brand, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Rule{}, fmt.Errorf("rule %d: %w", id, ErrNotFound)
	}
	return r, err
}

// Rules lists brand's rules in the order they are evaluated.
func (s *Service) Rules(ctx context.Context, brand int64) ([]Rule, error) {
	list, err := s.loadRules(ctx, s.db.SQL, []int64{brand})
	out := []Rule{}
	for _, c := range list[brand] {
		out = append(out, c.Rule)
	}
	return out, err
}

// loadRules reads the rules of brands with their compiled conditions (compiled once per
// version of a rule).
func (s *Service) loadRules(ctx context.Context, q store.Tx, brands []int64) (map[int64][]*compiledRule, error) {
	out := map[int64][]*compiledRule{}
	if len(brands) == 0 {
		return out, nil
	}
	args := make([]any, len(brands))
	for i, b := range brands {
		args[i] = b
	}
	rows, err := q.QueryContext(ctx, s.db.Rebind(`SELECT `+ruleCols+` FROM rules WHERE brand_id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(brands)), ",")+`) ORDER BY brand_id, position, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("load rules: %w", err)
		}
		k := ruleKey{r.ID, r.UpdatedAt.UnixNano()}
		s.mu.Lock()
		c, ok := s.compiled[k]
		s.mu.Unlock()
		if !ok {
			prog, prob := compileCondition(r.Condition)
			if prob != nil {
				s.log.Warn("stored rule does not compile; skipped", "rule", r.ID, "err", prob.Message)
				continue
			}
			c = &compiledRule{Rule: r, prog: prog}
			s.mu.Lock()
			if len(s.compiled) > 10000 {
				clear(s.compiled)
			}
			s.compiled[k] = c
			s.mu.Unlock()
		}
		out[r.BrandID] = append(out[r.BrandID], c)
	}
	return out, rows.Err()
}
