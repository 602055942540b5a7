package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wismo/wismo/geo"
)

// Decode decodes one batch item strictly (unknown fields are an error, text must be
// valid UTF-8) and turns JSON errors into a FieldError naming the field.
func Decode(raw []byte, v any) *FieldError {
	if SuspectText(raw) {
		if fe := badText(raw); fe != nil {
			return fe
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			return Errorf("", "trailing data after the object")
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return Errorf(te.Field, "must be a %s, not a JSON %s", jsonKind(te.Type.Kind().String()), te.Value)
	case errors.As(err, &se):
		return Errorf("", "malformed JSON at byte %d: %v", se.Offset, se)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Errorf(name, "is not a known field")
	}
	return Errorf("", "%v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "float64", "int", "int64":
		return "number"
	case "slice":
		return "list"
	case "struct", "ptr":
		return "object"
	}
	return goKind
}

// Text checks free text of at most max characters: valid UTF-8, no NUL.
func Text(field, s string, max int) *FieldError {
	if !utf8.ValidString(s) {
		return Errorf(field, "is not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > max {
		return Errorf(field, "is longer than %d characters", max)
	}
	if strings.ContainsAny(s, "\x00") {
		return Errorf(field, "contains a NUL character")
	}
	return nil
}

// Country normalises an ISO 3166-1 alpha-2 code (" ru" is RU); empty is an error when required.
func Country(field, cc string, required bool) (string, *FieldError) {
	cc = strings.ToUpper(strings.TrimSpace(cc))
	if cc == "" {
		if required {
			return "", Errorf(field, "is required (an ISO 3166-1 alpha-2 code such as RU)")
		}
		return "", nil
	}
	if !geo.ValidCountry(cc) {
		return "", Errorf(field, "%q is not an ISO 3166-1 alpha-2 country code", cc)
	}
	return cc, nil
}

// OneOf returns v as a T when it is one of allowed, else a FieldError listing them.
func OneOf[T ~string](field, v string, allowed []T) (T, *FieldError) {
	if slices.Contains(allowed, T(v)) {
		return T(v), nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return "", Errorf(field, "must be one of %s, got %q", strings.Join(names, ", "), v)
}
