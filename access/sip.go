package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/wismo/wismo/store"
)

// Users' SIP accounts: the sip_username and sip_ha1 columns of users (migration 00004), with
// which agents' phones register. The users table is access's, so access alone writes them;
// callcenter decides what a valid account is and computes the digest HA1 (RFC 2617 §3.2.2.2),
// so the SIP secret itself never reaches the database.

// SetSIPCredentials gives user userID the SIP account username, whose digest HA1 is ha1.
// ErrAlreadyExists when another user has that username, ErrNotFound when there is no such
// user, ErrInvalid for an empty username or HA1.
func (s *Service) SetSIPCredentials(ctx context.Context, userID int64, username, ha1 string) error {
	if strings.TrimSpace(username) == "" || ha1 == "" {
		return fmt.Errorf("%w: a SIP account needs a username and an HA1", ErrInvalid)
	}
	res := s.db.Gorm.WithContext(ctx).Model(&userRow{}).Where("id = ?", userID).
		Updates(map[string]any{"sip_username": username, "sip_ha1": ha1})
	switch {
	case store.IsUniqueViolation(res.Error):
		return fmt.Errorf("SIP username %q: %w", username, ErrAlreadyExists)
	case res.Error != nil:
		return fmt.Errorf("set SIP account of user %d: %w", userID, res.Error)
	case res.RowsAffected == 0:
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// SIPHA1 returns the digest HA1 of the SIP account username of an enabled user; ErrNotFound
// when no enabled user has that account (or its secret was never set).
func (s *Service) SIPHA1(ctx context.Context, username string) (string, error) {
	var ha1 string
	err := s.db.Gorm.WithContext(ctx).Model(&userRow{}).Select("sip_ha1").
		Where("sip_username = ? AND disabled_at IS NULL", username).Row().Scan(&ha1)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && ha1 == "":
		return "", fmt.Errorf("SIP account %q: %w", username, ErrNotFound)
	case err != nil:
		return "", fmt.Errorf("SIP account %q: %w", username, err)
	}
	return ha1, nil
}
