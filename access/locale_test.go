package access

import (
	"context"
	"errors"
	"testing"

	"github.com/wismo/wismo/store/storetest"
)

// A user's language and zone are stored on them and come back with their session; a zone
// the zone database does not know (or the server's own "Local") is refused.
func TestUserLocale(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	s := NewService(db)
	b, _, err := s.CreateBrand(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, "anna@example.com", "correct horse battery", RoleAgent, []int64{b.ID})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.Login(ctx, "anna@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if sess.User.Lang != "" || sess.User.TimeZone != "" {
		t.Fatalf("a new user has settings: %+v", sess.User)
	}
	for _, bad := range []string{"Mars/Olympus", "Local", "../etc/passwd"} {
		if err := s.SetLocale(ctx, u.ID, "ru", bad); !errors.Is(err, ErrBadSetting) {
			t.Errorf("zone %q: %v", bad, err)
		}
	}
	if err := s.SetLocale(ctx, u.ID+100, "ru", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("no such user: %v", err)
	}
	if err := s.SetLocale(ctx, u.ID, "ru", "Asia/Vladivostok"); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionByToken(ctx, sess.Token)
	if err != nil || got.User.Lang != "ru" || got.User.TimeZone != "Asia/Vladivostok" {
		t.Fatalf("after saving: %+v %v", got.User, err)
	}
	if err := s.SetLocale(ctx, u.ID, "", ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SessionByToken(ctx, sess.Token); got.User.Lang != "" || got.User.TimeZone != "" {
		t.Fatalf("cleared: %+v", got.User)
	}
}
