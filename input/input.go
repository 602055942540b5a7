// Package input is how every domain of wismo refuses bad input: a FieldError names the field
// that is wrong and why, a ValidationError lists them all and is an ErrInvalid, and the checks
// several domains share (strict JSON decoding of one item, text, country codes, a choice from
// a list) answer with those. It owns no table. The JSON shape {"field": ..., "message": ...}
// is part of the API of parcels, events, imports and cases.
package input

import (
	"errors"
	"fmt"
)

// ErrInvalid is what every ValidationError is: errors.Is(err, ErrInvalid) maps it to 422.
var ErrInvalid = errors.New("invalid")

// Limits on free text that the domains share.
const (
	MaxShort = 200  // names, labels, single-line values
	MaxLong  = 1000 // addresses, descriptions
)

// FieldError says which field of an item is wrong and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Errorf returns a FieldError for field with a formatted message.
func Errorf(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// ValidationError lists every invalid field of an input; it wraps ErrInvalid.
type ValidationError struct{ Fields []FieldError }

func (e *ValidationError) Error() string {
	if len(e.Fields) == 0 {
		return "invalid input"
	}
	return e.Fields[0].Error()
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Invalid returns a ValidationError of the non-nil fields, or nil when every one is nil.
func Invalid(fields ...*FieldError) error {
	v := &ValidationError{}
	for _, f := range fields {
		if f != nil {
			v.Fields = append(v.Fields, *f)
		}
	}
	if len(v.Fields) == 0 {
		return nil
	}
	return v
}

// FieldErrors lists the wrong fields: the HTTP edge (apierr) answers them in a 422.
func (e *ValidationError) FieldErrors() []FieldError { return e.Fields }
