package access

import "time"

// Database rows; converters join them to the domain types.

type brandRow struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	CreatedAt time.Time
}

func (brandRow) TableName() string { return "brands" }

func (r brandRow) toBrand() Brand { return Brand(r) }

type postRow struct {
	ID        int64 `gorm:"primaryKey"`
	Country   string
	Name      string
	CreatedAt time.Time
}

func (postRow) TableName() string { return "posts" }

type apiKeyRow struct {
	ID        int64 `gorm:"primaryKey"`
	KeyHash   string
	Prefix    string
	BrandID   *int64
	PostID    *int64
	CreatedAt time.Time
	RevokedAt *time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

type userRow struct {
	ID           int64 `gorm:"primaryKey"`
	Email        string
	PasswordHash string
	Role         string
	Lang         string // "" (not set), en, ru
	TimeZone     string // "" (not set) or an IANA zone name
	CreatedAt    time.Time
	DisabledAt   *time.Time
}

func (userRow) TableName() string { return "users" }

type userBrandRow struct {
	UserID  int64 `gorm:"primaryKey"`
	BrandID int64 `gorm:"primaryKey"`
}

func (userBrandRow) TableName() string { return "user_brands" }

type sessionRow struct {
	TokenHash string `gorm:"primaryKey"`
	UserID    int64
	CSRFToken string `gorm:"column:csrf_token"`
	CreatedAt time.Time
	ExpiresAt time.Time
}

func (sessionRow) TableName() string { return "sessions" }
