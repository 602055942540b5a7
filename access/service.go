package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/wismo/wismo/geo"
	"github.com/wismo/wismo/store"
)

// keyCacheTTL bounds how long a revoked key may still work on a node that cached it.
const keyCacheTTL = 30 * time.Second

// SessionTTL is how long a login lasts without activity.
const SessionTTL = 12 * time.Hour

// Principal is an authenticated caller.
type Principal struct {
	Kind  string // "brand_key", "post_key" or "user"
	Scope Scope
	User  *User // set for users
	Label string
}

// Service manages brands, posts, users, keys and sessions.
type Service struct {
	db     *store.DB
	now    func() time.Time
	log    *slog.Logger
	logins *guard
	// checkPassword is CheckPassword (tests count the hashes through it).
	checkPassword func(hash, password string) (bool, error)

	mu       sync.Mutex
	keyCache map[string]cachedKey
}

type cachedKey struct {
	p       Principal
	expires time.Time
}

// Option configures a Service.
type Option func(*options)

type options struct {
	log    *slog.Logger
	reg    prometheus.Registerer
	limits LoginLimits
	now    func() time.Time
}

// WithLogger logs failed logins (without secrets) to log.
func WithLogger(log *slog.Logger) Option { return func(o *options) { o.log = log } }

// WithRegistry counts refused logins in reg (wismo_login_failures_total).
func WithRegistry(reg prometheus.Registerer) Option { return func(o *options) { o.reg = reg } }

// WithLoginLimits replaces DefaultLoginLimits.
func WithLoginLimits(l LoginLimits) Option { return func(o *options) { o.limits = l } }

// WithClock replaces the clock (tests move it past a backoff).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// NewService returns the access service over db.
func NewService(db *store.DB, opts ...Option) *Service {
	o := options{log: slog.New(slog.DiscardHandler), limits: DefaultLoginLimits(), now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	s := &Service{db: db, now: func() time.Time { return o.now().UTC() }, log: o.log, checkPassword: CheckPassword,
		logins: newGuard(o.limits, o.now), keyCache: map[string]cachedKey{}}
	if o.reg != nil {
		o.reg.MustRegister(s.logins.failures)
	}
	return s
}

// CreateBrand adds a brand and returns it with its first API key (shown once, stored hashed).
func (s *Service) CreateBrand(ctx context.Context, name string) (Brand, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return Brand{}, "", fmt.Errorf("%w: name must be 1 to 200 characters", ErrInvalid)
	}
	row := brandRow{Name: name, CreatedAt: s.now()}
	var key string
	err := s.db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return fmt.Errorf("brand %q: %w", name, ErrAlreadyExists)
			}
			return err
		}
		var err error
		key, err = s.insertKey(tx, &row.ID, nil)
		return err
	})
	if err != nil {
		return Brand{}, "", fmt.Errorf("create brand: %w", err)
	}
	return row.toBrand(), key, nil
}

// CreatePost adds a partner post for country and returns it with its API key.
func (s *Service) CreatePost(ctx context.Context, country, name string) (Post, string, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	if !geo.ValidCountry(country) {
		return Post{}, "", fmt.Errorf("%w: country %q is not an ISO 3166-1 alpha-2 code", ErrInvalid, country)
	}
	row := postRow{Country: country, Name: strings.TrimSpace(name), CreatedAt: s.now()}
	var key string
	err := s.db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		var err error
		key, err = s.insertKey(tx, nil, &row.ID)
		return err
	})
	if err != nil {
		return Post{}, "", fmt.Errorf("create post: %w", err)
	}
	return Post(row), key, nil
}

// NewBrandKey issues another API key for a brand (for rotation).
func (s *Service) NewBrandKey(ctx context.Context, brandID int64) (string, error) {
	if _, err := s.Brand(ctx, brandID); err != nil {
		return "", err
	}
	return s.insertKey(s.db.Gorm.WithContext(ctx), &brandID, nil)
}

func (s *Service) insertKey(tx *gorm.DB, brandID, postID *int64) (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := "wsm_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	row := apiKeyRow{KeyHash: hashToken(key), Prefix: key[:10], BrandID: brandID, PostID: postID, CreatedAt: s.now()}
	if err := tx.Create(&row).Error; err != nil {
		return "", fmt.Errorf("store api key: %w", err)
	}
	return key, nil
}

// Brand returns one brand.
func (s *Service) Brand(ctx context.Context, id int64) (Brand, error) {
	var row brandRow
	err := s.db.Gorm.WithContext(ctx).First(&row, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Brand{}, fmt.Errorf("brand %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Brand{}, fmt.Errorf("brand %d: %w", id, err)
	}
	return row.toBrand(), nil
}

// Brands lists the brands a scope may see.
func (s *Service) Brands(ctx context.Context, scope Scope) ([]Brand, error) {
	where, args := scope.SQL("id", "", "")
	var rows []brandRow
	if err := s.db.Gorm.WithContext(ctx).Where(where, args...).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list brands: %w", err)
	}
	out := make([]Brand, len(rows))
	for i, r := range rows {
		out[i] = r.toBrand()
	}
	return out, nil
}

// Authenticate resolves an API key to its principal.
func (s *Service) Authenticate(ctx context.Context, key string) (Principal, error) {
	if !strings.HasPrefix(key, "wsm_") || len(key) > 100 {
		return Principal{}, ErrUnauthorized
	}
	h := hashToken(key)
	now := s.now()
	s.mu.Lock()
	if c, ok := s.keyCache[h]; ok && now.Before(c.expires) {
		s.mu.Unlock()
		return c.p, nil
	}
	s.mu.Unlock()

	var row struct {
		BrandID *int64
		PostID  *int64
		Country *string
	}
	err := s.db.Gorm.WithContext(ctx).Raw(`SELECT k.brand_id, k.post_id, p.country FROM api_keys k
		LEFT JOIN posts p ON p.id = k.post_id WHERE k.key_hash = ? AND k.revoked_at IS NULL`, h).Scan(&row).Error
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	var p Principal
	switch {
	case row.BrandID != nil:
		p = Principal{Kind: "brand_key", Scope: Brands(*row.BrandID), Label: fmt.Sprintf("brand:%d", *row.BrandID)}
	case row.PostID != nil && row.Country != nil:
		p = Principal{Kind: "post_key", Scope: PostScope(*row.PostID, *row.Country), Label: fmt.Sprintf("post:%d:%s", *row.PostID, *row.Country)}
	default:
		return Principal{}, ErrUnauthorized
	}
	s.mu.Lock()
	if len(s.keyCache) > 10000 {
		clear(s.keyCache)
	}
	s.keyCache[h] = cachedKey{p: p, expires: now.Add(keyCacheTTL)}
	s.mu.Unlock()
	return p, nil
}

// RevokeKey revokes an API key; nodes stop accepting it within keyCacheTTL.
func (s *Service) RevokeKey(ctx context.Context, key string) error {
	h := hashToken(key)
	res := s.db.Gorm.WithContext(ctx).Model(&apiKeyRow{}).Where("key_hash = ? AND revoked_at IS NULL", h).Update("revoked_at", s.now())
	if res.Error != nil {
		return fmt.Errorf("revoke key: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("revoke key: %w", ErrNotFound)
	}
	s.mu.Lock()
	delete(s.keyCache, h)
	s.mu.Unlock()
	return nil
}

// CreateUser adds a user with a hashed password, scoped to brandIDs (admins may have none:
// they see every brand).
func (s *Service) CreateUser(ctx context.Context, email, password string, role Role, brandIDs []int64) (User, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	if err != nil || addr.Address != strings.TrimSpace(email) {
		return User{}, fmt.Errorf("%w: email %q is not an address", ErrInvalid, email)
	}
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if role != RoleAdmin && len(brandIDs) == 0 {
		return User{}, fmt.Errorf("%w: a %s needs at least one brand", ErrInvalid, role)
	}
	hash, err := HashPassword(password)
	if err != nil {
		return User{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	row := userRow{Email: strings.ToLower(addr.Address), PasswordHash: hash, Role: string(role), CreatedAt: s.now()}
	err = s.db.Gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(&row).Error; err != nil {
			if store.IsUniqueViolation(err) {
				return fmt.Errorf("user %s: %w", row.Email, ErrAlreadyExists)
			}
			return err
		}
		for _, b := range brandIDs {
			var n int64
			if err := tx.Model(&brandRow{}).Where("id = ?", b).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: brand %d does not exist", ErrInvalid, b)
			}
			if err := tx.Create(&userBrandRow{UserID: row.ID, BrandID: b}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return User{ID: row.ID, Email: row.Email, Role: role, BrandIDs: brandIDs}, nil
}

// ScopeOf returns what a user may see: admins every brand, others their brands.
func ScopeOf(u *User) Scope {
	if u.Role == RoleAdmin {
		return Operator()
	}
	return Brands(u.BrandIDs...)
}

// Session is a logged-in user's session; Token goes into the cookie, CSRF into forms.
type Session struct {
	Token string
	CSRF  string
	User  User
}

// Login checks a password and opens a session, for callers with no client address (tools,
// tests): only the account's limits apply. Web logins use LoginFrom.
func (s *Service) Login(ctx context.Context, email, password string) (Session, error) {
	return s.LoginFrom(ctx, email, password, "")
}

// LoginFrom checks a password from a client address and opens a session. A wrong email and
// a wrong password answer the same (ErrUnauthorized), after the same work: one hash. A login
// during a backoff, or while every password check is taken, is a *RetryError, whatever the
// password.
func (s *Service) LoginFrom(ctx context.Context, email, password, addr string) (Session, error) {
	email = normalEmail(email)
	a := s.newAttempt(email, addr)
	var row userRow
	// The account is read inside the limits: a refused attempt costs no query either.
	err := s.checkLogin(ctx, a, password, func() (bool, error) {
		err := s.db.Gorm.WithContext(ctx).Where("email = ? AND disabled_at IS NULL", email).First(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			s.checkPassword(dummyHash, password) //nolint:errcheck // the same work as a real check
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("login: %w", err)
		}
		ok, err := s.checkPassword(row.PasswordHash, password)
		if err != nil {
			a.log.Error("stored password hash unreadable", "user_id", row.ID, "err", err)
		}
		return ok, nil
	})
	if err != nil {
		return Session{}, err
	}
	token, csrf := randomToken(), randomToken()
	now := s.now()
	if err := s.db.Gorm.WithContext(ctx).Create(&sessionRow{TokenHash: hashToken(token), UserID: row.ID, CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}).Error; err != nil {
		return Session{}, fmt.Errorf("login: %w", err)
	}
	u, err := s.user(ctx, row)
	if err != nil {
		return Session{}, err
	}
	return Session{Token: token, CSRF: csrf, User: u}, nil
}

// SessionByToken returns the live session for a cookie token and extends it.
func (s *Service) SessionByToken(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrUnauthorized
	}
	var row sessionRow
	now := s.now()
	err := s.db.Gorm.WithContext(ctx).Where("token_hash = ? AND expires_at > ?", hashToken(token), now).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, fmt.Errorf("session: %w", err)
	}
	var ur userRow
	if err := s.db.Gorm.WithContext(ctx).Where("id = ? AND disabled_at IS NULL", row.UserID).First(&ur).Error; err != nil {
		return Session{}, ErrUnauthorized
	}
	u, err := s.user(ctx, ur)
	if err != nil {
		return Session{}, err
	}
	if row.ExpiresAt.Sub(now) < SessionTTL-time.Hour {
		s.db.Gorm.WithContext(ctx).Model(&sessionRow{}).Where("token_hash = ?", row.TokenHash).Update("expires_at", now.Add(SessionTTL))
	}
	return Session{Token: token, CSRF: row.CSRFToken, User: u}, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.db.Gorm.WithContext(ctx).Where("token_hash = ?", hashToken(token)).Delete(&sessionRow{}).Error
}

func (s *Service) user(ctx context.Context, row userRow) (User, error) {
	var brands []int64
	if err := s.db.Gorm.WithContext(ctx).Model(&userBrandRow{}).Where("user_id = ?", row.ID).Order("brand_id").Pluck("brand_id", &brands).Error; err != nil {
		return User{}, fmt.Errorf("user brands: %w", err)
	}
	return User{ID: row.ID, Email: row.Email, Role: Role(row.Role), BrandIDs: brands, Lang: row.Lang, TimeZone: row.TimeZone}, nil
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// Staff is a user who works a brand's cases and calls.
type Staff struct {
	ID    int64
	Email string
	Role  Role
}

// BrandStaff lists the enabled agents and supervisors of a brand visible to scope, by email
// (who a case may be assigned to).
func (s *Service) BrandStaff(ctx context.Context, scope Scope, brand int64) ([]Staff, error) {
	if !scope.AllowsBrand(brand) {
		return nil, nil
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.db.Rebind(`SELECT u.id, u.email, u.role FROM users u JOIN user_brands ub ON ub.user_id = u.id
		WHERE ub.brand_id = ? AND u.disabled_at IS NULL AND u.role IN ('agent', 'supervisor') ORDER BY u.email`), brand)
	if err != nil {
		return nil, fmt.Errorf("brand staff: %w", err)
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		var u Staff
		if err := rows.Scan(&u.ID, &u.Email, &u.Role); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// ErrBadSetting is a user setting wismo cannot use (a language it does not speak, a time zone
// the zone database does not know): 422.
var ErrBadSetting = errors.New("bad setting")

// SetLocale stores a user's own language ("" or a code such as "ru") and time zone ("" or an
// IANA name such as "Asia/Novosibirsk"). The caller checks lang against the languages pages
// speak; the zone is checked here against the zone database.
func (s *Service) SetLocale(ctx context.Context, userID int64, lang, zone string) error {
	if zone != "" {
		if _, err := time.LoadLocation(zone); err != nil || zone == "Local" {
			return fmt.Errorf("time zone %q: %w", zone, ErrBadSetting)
		}
	}
	res := s.db.Gorm.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).
		Updates(map[string]any{"lang": lang, "time_zone": zone})
	if res.Error != nil {
		return fmt.Errorf("set locale of user %d: %w", userID, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("set locale of user %d: %w", userID, ErrNotFound)
	}
	return nil
}
