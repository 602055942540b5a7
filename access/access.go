// Package access knows who is calling and what they may see: brands (the shops, wismo's
// tenants), partner posts, users with roles (and the SIP accounts of their phones), API keys
// and login sessions. Its Scope is handed to every domain query, which filters by it in SQL,
// so one brand never reads or writes another brand's data. Its tables are written only here;
// other domains may read brands, posts, users and user_brands as reference tables.
package access

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Sentinel errors, mapped to statuses at the HTTP edge.
var (
	ErrNotFound      = errors.New("not found")
	ErrUnauthorized  = errors.New("missing or invalid credentials")
	ErrInvalid       = errors.New("invalid")
	ErrAlreadyExists = errors.New("already exists")
)

// Role is what a user does in wismo.
type Role string

// The roles.
const (
	RoleAgent        Role = "agent"
	RoleSupervisor   Role = "supervisor"
	RoleBrandManager Role = "brand_manager"
	RoleAdmin        Role = "admin"
)

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAgent, RoleSupervisor, RoleBrandManager, RoleAdmin:
		return r, nil
	}
	return "", errors.New("role must be one of agent, supervisor, brand_manager, admin")
}

// Brand is an online shop whose parcels wismo tracks.
type Brand struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Post is a partner postal operator that pushes tracking events for its country.
type Post struct {
	ID        int64
	Country   string
	Name      string
	CreatedAt time.Time
}

// User is a person who logs in.
type User struct {
	ID       int64
	Email    string
	Role     Role
	BrandIDs []int64
	// Lang and TimeZone are the user's own settings for the pages they see: a language code
	// (en, ru) and an IANA zone name; "" is not set.
	Lang, TimeZone string
}

// Scope is what a caller may read and write. The zero Scope allows nothing.
type Scope struct {
	all         bool
	brands      []int64
	postID      int64
	postCountry string
}

// Operator is the scope of wismo's own operators (CLI, admin users): every brand.
func Operator() Scope { return Scope{all: true} }

// Brands is the scope of a brand's key or a user of those brands.
func Brands(ids ...int64) Scope { return Scope{brands: slices.Clone(ids)} }

// PostScope is the scope of a partner post's key: parcels to or from its country.
func PostScope(id int64, country string) Scope { return Scope{postID: id, postCountry: country} }

// All reports whether the scope spans every brand.
func (s Scope) All() bool { return s.all }

// BrandIDs lists the brands of a brand scope (nil for operators and posts).
func (s Scope) BrandIDs() []int64 { return s.brands }

// Post returns the partner post and its country, if this is a post's scope.
func (s Scope) Post() (id int64, country string, ok bool) {
	return s.postID, s.postCountry, s.postCountry != ""
}

// AllowsBrand reports whether the scope may touch brand id's data.
func (s Scope) AllowsBrand(id int64) bool { return s.all || slices.Contains(s.brands, id) }

// AllowsLane reports whether the scope may touch a parcel of brand from origin to dest.
func (s Scope) AllowsLane(brand int64, origin, dest string) bool {
	if s.postCountry != "" {
		return origin == s.postCountry || dest == s.postCountry
	}
	return s.AllowsBrand(brand)
}

// SingleBrand returns the one brand of the scope, for writes that create brand data.
func (s Scope) SingleBrand() (int64, bool) {
	if len(s.brands) == 1 {
		return s.brands[0], true
	}
	return 0, false
}

// SQL returns a WHERE fragment (with ? placeholders) limiting rows to the scope, given the
// columns that hold a row's brand and, for post scopes, its origin and destination country.
// A scope that allows nothing yields a fragment that matches nothing.
func (s Scope) SQL(brandCol, originCol, destCol string) (string, []any) {
	switch {
	case s.all:
		return "1=1", nil
	case s.postCountry != "" && originCol != "":
		return "(" + originCol + " = ? OR " + destCol + " = ?)", []any{s.postCountry, s.postCountry}
	case len(s.brands) == 1:
		return brandCol + " = ?", []any{s.brands[0]}
	case len(s.brands) > 1:
		q := brandCol + " IN (?"
		args := []any{s.brands[0]}
		for _, b := range s.brands[1:] {
			q += ",?"
			args = append(args, b)
		}
		return q + ")", args
	}
	return "1=0", nil
}

// Errors of Scope.WriteBrand. A brand the scope may not touch is an ErrNotFound, in the
// words of a read: a caller learns nothing about another brand.
var (
	ErrBrandRequired = errors.New("this account spans several brands: name the brand")
	ErrPostNoBrand   = errors.New("a partner post's key acts for no brand")
)

// WriteBrand decides the brand a write acts for: requested when the scope may touch it (a
// brand the scope may not touch is an ErrNotFound), else the scope's only brand. A partner
// post is ErrPostNoBrand; a scope of several brands (or every brand) that names none is
// ErrBrandRequired. Handlers call the fiber helper WriteBrand, which answers these errors;
// services that take a Scope call this method. Reads of one brand's settings use it too.
func (s Scope) WriteBrand(requested int64) (int64, error) {
	if _, _, post := s.Post(); post {
		return 0, ErrPostNoBrand
	}
	if requested != 0 {
		if !s.AllowsBrand(requested) {
			return 0, fmt.Errorf("no brand %d for this account: %w", requested, ErrNotFound)
		}
		return requested, nil
	}
	if b, ok := s.SingleBrand(); ok {
		return b, nil
	}
	return 0, ErrBrandRequired
}
