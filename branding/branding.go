// Package branding is the shop's brand on the public tracking page (issue 18): the name comes
// from the brand; here live the logo the brand manager uploads, the colours, the link back to
// the shop, the hotline number and its hours, a footer, and the brand's overrides of the
// track catalog's customer words. It owns the table brand_looks. Everything a manager sends
// is checked here (check.go, logo.go); the tracking page serves the colours as a stylesheet
// per brand (Stylesheet), so the page's Content-Security-Policy needs no inline style.
//
// A change publishes TopicLookChanged on the outbox: every node drops the brand's stored
// tracking pages.
package branding

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/wismo/wismo/outbox"
	"github.com/wismo/wismo/store"
)

// TopicLookChanged is published when a brand's look changes (ItemID empty, BrandID the brand).
const TopicLookChanged = "brand.look_changed"

// Look is a brand's tracking-page look. The zero Look is the neutral default.
type Look struct {
	BrandID  int64
	ShopURL  string            // https://… the "back to the shop" link
	Hotline  string            // as the manager wrote it: "+7 495 123-45-67"
	Hours    map[string]string // lang -> "Mon-Fri 9:00-21:00"
	Footer   map[string]string // lang -> plain text
	Bar      string            // the header's background, #rrggbb ("" = neutral)
	Accent   string            // links and buttons, #rrggbb ("" = neutral)
	Words    Words             // overrides of the track catalog's customer words
	Logo     []byte            // nil when none (Get leaves it out; LogoImage reads it)
	LogoType string            // image/png, image/jpeg, image/webp, image/svg+xml
	LogoW    int
	LogoH    int
	Version  int // grows at every change: in the stylesheet's and logo's URLs and ETags
	Updated  time.Time
}

// Words are a brand's overrides: lang -> catalog key under track. (without the prefix) -> text.
type Words map[string]map[string]string

// HasLogo tells whether the brand uploaded a logo.
func (l Look) HasLogo() bool { return l.LogoType != "" }

// Text is a per-language text (hours, footer) in lang, "" when the brand wrote none.
func (l Look) Text(m map[string]string, lang string) string { return m[lang] }

// Service reads and writes brands' looks.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// Get reads a brand's look without the logo's bytes; a brand that set nothing has the zero
// look (with BrandID set).
func (s *Service) Get(ctx context.Context, brand int64) (Look, error) {
	l := Look{BrandID: brand}
	var hoursEN, hoursRU, footEN, footRU, words string
	var upd store.NullTime
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT shop_url, hotline, hours_en, hours_ru, footer_en, footer_ru,
		bar_color, accent_color, words, logo_type, logo_width, logo_height, version, updated_at
		FROM brand_looks WHERE brand_id = ?`), brand).Scan(&l.ShopURL, &l.Hotline, &hoursEN, &hoursRU, &footEN, &footRU,
		&l.Bar, &l.Accent, &words, &l.LogoType, &l.LogoW, &l.LogoH, &l.Version, &upd)
	l.Updated = upd.Time
	if errors.Is(err, sql.ErrNoRows) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("brand look: %w", err)
	}
	l.Hours = map[string]string{"en": hoursEN, "ru": hoursRU}
	l.Footer = map[string]string{"en": footEN, "ru": footRU}
	if err := json.Unmarshal([]byte(words), &l.Words); err != nil {
		return l, fmt.Errorf("brand look: words: %w", err)
	}
	return l, nil
}

// LogoImage reads the logo's bytes and type; ok is false when the brand has none.
func (s *Service) LogoImage(ctx context.Context, brand int64) (data []byte, typ string, version int, ok bool, err error) {
	err = s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT logo, logo_type, version FROM brand_looks WHERE brand_id = ? AND logo_type <> ''`),
		brand).Scan(&data, &typ, &version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", 0, false, nil
	}
	if err != nil {
		return nil, "", 0, false, fmt.Errorf("brand logo: %w", err)
	}
	return data, typ, version, true, nil
}

// Change is what a manager saves: every field of the look but the logo, plus what to do with
// the logo (a new image's bytes, or RemoveLogo).
type Change struct {
	Look
	NewLogo    []byte // nil: keep the logo
	RemoveLogo bool
}

// Save checks and saves a brand's look (the brand must be the caller's: the editor's guard
// checked it). A problem comes back as Problems, field by field, and nothing is saved.
func (s *Service) Save(ctx context.Context, brand int64, ch Change, author string) (Look, error) {
	l, probs := Check(ch.Look)
	var logo *Image
	if ch.NewLogo != nil && !ch.RemoveLogo {
		img, p := CheckLogo(ch.NewLogo)
		if p != nil {
			probs = append(probs, *p)
		} else {
			logo = &img
		}
	}
	if len(probs) > 0 {
		return l, probs
	}
	words, err := json.Marshal(l.Words)
	if err != nil {
		return l, err
	}
	now := s.now().UTC()
	err = s.db.WriteTx(ctx, func(tx store.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO brand_looks (brand_id, version, updated_at) VALUES (?, 0, ?) ON CONFLICT DO NOTHING`), brand, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE brand_looks SET shop_url = ?, hotline = ?, hours_en = ?, hours_ru = ?,
			footer_en = ?, footer_ru = ?, bar_color = ?, accent_color = ?, words = ?, version = version + 1, updated_by = ?, updated_at = ?
			WHERE brand_id = ?`), l.ShopURL, l.Hotline, l.Hours["en"], l.Hours["ru"], l.Footer["en"], l.Footer["ru"], l.Bar, l.Accent,
			string(words), author, now, brand); err != nil {
			return err
		}
		switch {
		case ch.RemoveLogo:
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE brand_looks SET logo = NULL, logo_type = '', logo_width = 0, logo_height = 0 WHERE brand_id = ?`), brand); err != nil {
				return err
			}
		case logo != nil:
			if _, err := tx.ExecContext(ctx, s.db.Rebind(`UPDATE brand_looks SET logo = ?, logo_type = ?, logo_width = ?, logo_height = ? WHERE brand_id = ?`),
				logo.Data, logo.Type, logo.Width, logo.Height, brand); err != nil {
				return err
			}
		}
		return outbox.Write(ctx, s.db, tx, []outbox.Entry{{Topic: TopicLookChanged, BrandID: brand, Payload: struct{}{}}}, now)
	})
	if err != nil {
		return l, fmt.Errorf("save brand look: %w", err)
	}
	return s.Get(ctx, brand)
}

// ETag names a version of a brand's stylesheet or logo.
func ETag(kind string, brand int64, version int) string {
	sum := sha256.Sum256([]byte(kind + "/" + strconv.FormatInt(brand, 10) + "/" + strconv.Itoa(version)))
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}
