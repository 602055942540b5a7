package access

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/wismo/wismo/store/storetest"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash %q is not an argon2id PHC string", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := CheckPassword(h, pw); ok != want || err != nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
}

func TestScopeSQL(t *testing.T) {
	tests := []struct {
		name  string
		s     Scope
		where string
		args  int
	}{
		{"zero scope allows nothing", Scope{}, "1=0", 0},
		{"operator", Operator(), "1=1", 0},
		{"one brand", Brands(3), "brand_id = ?", 1},
		{"several brands", Brands(3, 4), "brand_id IN (?,?)", 2},
		{"post", PostScope(1, "GB"), "(o = ? OR d = ?)", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, a := tt.s.SQL("brand_id", "o", "d")
			if w != tt.where || len(a) != tt.args {
				t.Errorf("SQL() = %q %v, want %q with %d args", w, a, tt.where, tt.args)
			}
		})
	}
	if (Scope{}).AllowsBrand(1) || !Brands(1).AllowsBrand(1) || Brands(1).AllowsBrand(2) || !Operator().AllowsBrand(9) {
		t.Error("AllowsBrand is wrong")
	}
	if !PostScope(1, "GB").AllowsLane(5, "GB", "RU") || PostScope(1, "GB").AllowsLane(5, "DE", "RU") {
		t.Error("AllowsLane is wrong for posts")
	}
}

func TestUsersAndKeys(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	s := NewService(db)
	b, key, err := s.CreateBrand(ctx, "Shop")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, "wsm_") || len(key) < 30 {
		t.Fatalf("api key %q", key)
	}
	var stored string
	db.SQL.QueryRow(`SELECT key_hash FROM api_keys`).Scan(&stored)
	if stored == key || strings.Contains(stored, key[4:]) {
		t.Fatal("the API key is stored in clear")
	}
	if _, _, err := s.CreateBrand(ctx, "Shop"); !errors.Is(err, ErrAlreadyExists) {
		t.Errorf("duplicate brand: %v", err)
	}
	p, err := s.Authenticate(ctx, key)
	if err != nil || p.Kind != "brand_key" || !p.Scope.AllowsBrand(b.ID) || p.Scope.AllowsBrand(b.ID+1) {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	if _, _, err := s.CreatePost(ctx, "XX", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("post for country XX: %v", err)
	}
	for _, tc := range []struct {
		email, pw string
		role      Role
		brands    []int64
	}{
		{"not-an-email", "long enough pw", RoleAgent, []int64{b.ID}},
		{"a@example.com", "short", RoleAgent, []int64{b.ID}},
		{"a@example.com", "long enough pw", "boss", []int64{b.ID}},
		{"a@example.com", "long enough pw", RoleAgent, nil},
		{"a@example.com", "long enough pw", RoleAgent, []int64{999}},
	} {
		if _, err := s.CreateUser(ctx, tc.email, tc.pw, tc.role, tc.brands); err == nil {
			t.Errorf("CreateUser(%+v) succeeded", tc)
		}
	}
	u, err := s.CreateUser(ctx, "Admin@Example.com", "long enough pw", RoleAdmin, nil)
	if err != nil || u.Email != "admin@example.com" {
		t.Fatalf("admin: %+v %v", u, err)
	}
	var hash string
	db.SQL.QueryRow(`SELECT password_hash FROM users`).Scan(&hash)
	if !strings.HasPrefix(hash, "$argon2id$") {
		t.Fatalf("password stored as %q", hash)
	}
	sess, err := s.Login(ctx, "admin@example.com", "long enough pw")
	if err != nil || !ScopeOf(&sess.User).All() {
		t.Fatalf("login: %+v %v", sess, err)
	}
	if _, err := s.Login(ctx, "nobody@example.com", "long enough pw"); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("unknown user login: %v", err)
	}
}
