// Package keyset pages SQL lists by keyset ("seek") instead of OFFSET: a page ends with a
// cursor holding the last row's sort key and id, and the next page is the rows after it in
// (key, id) order, which an index on (key, id) reads directly however deep the page.
package keyset

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadCursor is a cursor this package did not write (a mangled link).
var ErrBadCursor = errors.New("the page link is broken: start from the first page")

// Cursor is a page's end: the last row's sort key (a time, or an integer) and its id. Null
// marks a second part of a list whose key is NULL, read after every row that has one.
type Cursor struct {
	Null bool
	Time time.Time
	Int  int64
	ID   int64
}

// String encodes the cursor for a URL.
func (c Cursor) String() string {
	var s string
	switch {
	case c.Null:
		s = "n"
	case !c.Time.IsZero():
		s = "t" + c.Time.UTC().Format(time.RFC3339Nano)
	default:
		s = "i" + strconv.FormatInt(c.Int, 10)
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s + "|" + strconv.FormatInt(c.ID, 10)))
}

// Parse decodes a cursor String wrote; anything else is ErrBadCursor.
func Parse(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	key, id, ok := strings.Cut(string(b), "|")
	var c Cursor
	if err != nil || !ok || key == "" {
		return c, ErrBadCursor
	}
	if c.ID, err = strconv.ParseInt(id, 10, 64); err != nil {
		return c, ErrBadCursor
	}
	switch key[0] {
	case 'n':
		c.Null = true
	case 't':
		c.Time, err = time.Parse(time.RFC3339Nano, key[1:])
	case 'i':
		c.Int, err = strconv.ParseInt(key[1:], 10, 64)
	default:
		err = ErrBadCursor
	}
	if err != nil {
		return c, ErrBadCursor
	}
	return c, nil
}

// After is the SQL condition (" AND ...", ? placeholders) of the rows after the cursor in
// (col, id) order, descending when desc; "" for the first page (after nil). col "id" sorts
// by the id alone.
func After(col string, desc bool, after *Cursor) (string, []any) {
	if after == nil {
		return "", nil
	}
	op := ">"
	if desc {
		op = "<"
	}
	if col == "id" {
		return " AND id " + op + " ?", []any{after.ID}
	}
	var key any = after.Int
	if !after.Time.IsZero() {
		key = after.Time
	}
	return fmt.Sprintf(" AND (%s %s ? OR (%s = ? AND id %s ?))", col, op, col, op), []any{key, key, after.ID}
}
