package access

import (
	"context"
	"errors"
	"testing"

	"github.com/wismo/wismo/store/storetest"
)

// A user's SIP account is written and read through access, which owns the users table: a
// username is one user's, a disabled user's phone no longer registers.
func TestSIPCredentials(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	s := NewService(db)
	b, _, err := s.CreateBrand(ctx, "SIP Shop")
	if err != nil {
		t.Fatal(err)
	}
	ann, err := s.CreateUser(ctx, "ann@example.com", "a login password 1", RoleAgent, []int64{b.ID})
	if err != nil {
		t.Fatal(err)
	}
	bob, err := s.CreateUser(ctx, "bob@example.com", "a login password 2", RoleAgent, []int64{b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SIPHA1(ctx, "ann"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no account yet: %v, want ErrNotFound", err)
	}
	if err := s.SetSIPCredentials(ctx, ann.ID, "ann", "ha1-one"); err != nil {
		t.Fatal(err)
	}
	if ha1, err := s.SIPHA1(ctx, "ann"); err != nil || ha1 != "ha1-one" {
		t.Fatalf("SIPHA1 = %q, %v", ha1, err)
	}
	if err := s.SetSIPCredentials(ctx, ann.ID, "ann", "ha1-two"); err != nil { // a new secret
		t.Fatal(err)
	}
	if ha1, _ := s.SIPHA1(ctx, "ann"); ha1 != "ha1-two" {
		t.Fatalf("after a new secret SIPHA1 = %q", ha1)
	}
	for _, tc := range []struct {
		name           string
		user           int64
		username, ha1  string
		want           error
		stillAnnsHA1Is string
	}{
		{"another user's username", bob.ID, "ann", "ha1-bob", ErrAlreadyExists, "ha1-two"},
		{"no such user", bob.ID + 100, "carl", "ha1-carl", ErrNotFound, "ha1-two"},
		{"no username", bob.ID, " ", "ha1-bob", ErrInvalid, "ha1-two"},
		{"no HA1", bob.ID, "bob", "", ErrInvalid, "ha1-two"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.SetSIPCredentials(ctx, tc.user, tc.username, tc.ha1); !errors.Is(err, tc.want) {
				t.Fatalf("SetSIPCredentials: %v, want %v", err, tc.want)
			}
			if ha1, _ := s.SIPHA1(ctx, "ann"); ha1 != tc.stillAnnsHA1Is {
				t.Fatalf("ann's HA1 is now %q", ha1)
			}
		})
	}
	if _, err := db.SQL.ExecContext(ctx, db.Rebind(`UPDATE users SET disabled_at = ? WHERE id = ?`), s.now(), ann.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SIPHA1(ctx, "ann"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a disabled user's account: %v, want ErrNotFound", err)
	}
}
