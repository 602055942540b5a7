package scripts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/store"
)

// TemplateInput is a template as a brand manager saves it.
type TemplateInput struct {
	Name     string  `json:"name"`
	Channel  string  `json:"channel"`
	Language string  `json:"language"`
	Content  Content `json:"content"`
}

// SaveTemplate validates a template against the sample parcel and publishes it as a new
// version: of a new template (id 0) or of template id. Versions never change once
// published; contacts planned earlier keep the version they were rendered from.
func (s *Service) SaveTemplate(ctx context.Context, brand, id int64, in TemplateInput, author string) (Template, error) {
	in.Name, in.Language = strings.TrimSpace(in.Name), strings.ToLower(strings.TrimSpace(in.Language))
	if id != 0 {
		cur, err := s.Template(ctx, brand, id, 0)
		if err != nil {
			return Template{}, err
		}
		in.Name, in.Channel, in.Language = cur.Name, cur.Channel, cur.Language // fixed once created
	}
	probs := checkHeader(in.Name, in.Channel, in.Language)
	if len(probs) == 0 {
		run, cancel := context.WithTimeout(ctx, budgetRequest) // all the fields' runs together
		_, probs = compileContent(run, in.Channel, in.Content, SampleData(s.opts.PublicURL))
		cancel()
	}
	if len(probs) > 0 {
		return Template{}, probs
	}
	err := s.db.WriteTx(ctx, func(tx store.Tx) error {
		var err error
		id, err = s.publishTemplate(ctx, tx, brand, id, in, author)
		return err
	})
	if store.IsUniqueViolation(err) {
		return Template{}, fmt.Errorf("%w: a %s template %q in %q exists: publish a new version of it", ErrConflict, in.Channel, in.Name, in.Language)
	}
	if err != nil {
		return Template{}, fmt.Errorf("save template: %w", err)
	}
	return s.Template(ctx, brand, id, 0)
}

// publishTemplate writes a new version inside tx (no validation: callers validated).
func (s *Service) publishTemplate(ctx context.Context, tx store.Tx, brand, id int64, in TemplateInput, author string) (int64, error) {
	now := s.now()
	if id == 0 {
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`INSERT INTO templates (brand_id, name, channel, language, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING id`), brand, in.Name, in.Channel, in.Language, now, now).Scan(&id); err != nil {
			return 0, err
		}
	}
	var v int
	q := `SELECT version FROM templates WHERE id = ? AND brand_id = ?`
	if s.db.Dialect == store.Postgres {
		q += ` FOR UPDATE`
	}
	if err := tx.QueryRowContext(ctx, s.db.Rebind(q), id, brand).Scan(&v); err != nil {
		return 0, err
	}
	v++
	c := in.Content
	if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO template_versions (template_id, version, sms_text, subject, text_body, html_body, author, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), id, v, c.SMS, c.Subject, c.Text, c.HTML, author, now); err != nil {
		return 0, err
	}
	_, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE templates SET version = ?, updated_at = ? WHERE id = ?`), v, now, id)
	return id, err
}

const templateCols = `t.id, t.brand_id, t.name, t.channel, t.language, t.version, t.created_at, t.updated_at,
	v.sms_text, v.subject, v.text_body, v.html_body`

func scanTemplate(row interface{ Scan(...any) error }) (Template, error) {
	var t Template
	err := row.Scan(&t.ID, &t.BrandID, &t.Name, &t.Channel, &t.Language, &t.Version, &t.CreatedAt, &t.UpdatedAt,
		&t.Content.SMS, &t.Content.Subject, &t.Content.Text, &t.Content.HTML)
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, err
}

// Template returns one of brand's templates at a version (0: the published one), with the
// encoding and segments of its sample rendering for SMS.
func (s *Service) Template(ctx context.Context, brand, id int64, version int) (Template, error) {
	q := `SELECT ` + templateCols + ` FROM templates t JOIN template_versions v ON v.template_id = t.id
		AND v.version = CASE WHEN ? > 0 THEN ? ELSE t.version END WHERE t.id = ? AND t.brand_id = ?`
	t, err := scanTemplate(s.db.SQL.QueryRowContext(ctx, s.db.Rebind(q), version, version, id, brand))
	if errors.Is(err, sql.ErrNoRows) {
		return Template{}, fmt.Errorf("template %d version %d: %w", id, version, ErrNotFound)
	}
	if err != nil {
		return Template{}, fmt.Errorf("template %d: %w", id, err)
	}
	if version > 0 {
		t.Version = version
	}
	if r, err := Render(ctx, t.Channel, t.Content, SampleData(s.opts.PublicURL), SampleData(s.opts.PublicURL)); err == nil {
		t.SMSInfo = r.SMSInfo
	}
	return t, nil
}

// Templates lists brand's templates with their published versions.
func (s *Service) Templates(ctx context.Context, brand int64) ([]Template, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT `+templateCols+` FROM templates t JOIN template_versions v
		ON v.template_id = t.id AND v.version = t.version WHERE t.brand_id = ? ORDER BY t.name, t.channel, t.language`), brand)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	defer rows.Close()
	out := []Template{}
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TemplateVersions lists every version of a template, newest first.
func (s *Service) TemplateVersions(ctx context.Context, brand, id int64) ([]Version, error) {
	if _, err := s.Template(ctx, brand, id, 0); err != nil {
		return nil, err
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT version, sms_text, subject, text_body, html_body, author, created_at
		FROM template_versions WHERE template_id = ? ORDER BY version DESC`), id)
	if err != nil {
		return nil, fmt.Errorf("template versions: %w", err)
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		if err := rows.Scan(&v.Version, &v.Content.SMS, &v.Content.Subject, &v.Content.Text, &v.Content.HTML, &v.Author, &v.CreatedAt); err != nil {
			return nil, err
		}
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// templateFor picks the published template a rule names for a recipient: in the recipient's
// language, else the brand's default language, else English, else any.
func (s *Service) templateFor(ctx context.Context, q store.Tx, brand int64, name, channel, lang, fallback string) (Template, error) {
	rows, err := q.QueryContext(ctx, s.db.Rebind(`SELECT `+templateCols+` FROM templates t JOIN template_versions v
		ON v.template_id = t.id AND v.version = t.version WHERE t.brand_id = ? AND t.name = ? AND t.channel = ?`), brand, name, channel)
	if err != nil {
		return Template{}, fmt.Errorf("template %s: %w", name, err)
	}
	defer rows.Close()
	var all []Template
	for rows.Next() {
		t, err := scanTemplate(rows)
		if err != nil {
			return Template{}, err
		}
		all = append(all, t)
	}
	if err := rows.Err(); err != nil {
		return Template{}, err
	}
	for _, want := range []string{strings.ToLower(lang), fallback, "en"} {
		for _, t := range all {
			if t.Language == want {
				return t, nil
			}
		}
	}
	if len(all) > 0 {
		return all[0], nil
	}
	return Template{}, fmt.Errorf("no %s template %q: %w", channel, name, ErrNotFound)
}

// Preview renders unsaved content with a parcel visible to scope (its latest event), or
// with the sample parcel when parcelID is empty. Its runs together have budgetRequest: the
// work stops then, whether or not the client still waits.
func (s *Service) Preview(ctx context.Context, scope access.Scope, brand int64, channel string, c Content, parcelID string) (Rendered, error) {
	if channel != "sms" && channel != "email" {
		return Rendered{}, Problems{{Field: "channel", Message: "must be sms or email"}}
	}
	sample := SampleData(s.opts.PublicURL)
	d := sample
	if parcelID != "" {
		var err error
		if d, err = s.parcelData(ctx, scope, parcelID); err != nil {
			return Rendered{}, err
		}
	} else {
		sample["brand"] = map[string]any{"name": s.brandName(ctx, brand)}
	}
	run, cancel := context.WithTimeout(ctx, budgetRequest)
	defer cancel()
	return Render(run, channel, c, d, SampleData(s.opts.PublicURL))
}
