package tplshape

import "reflect"

// Measure returns an upper bound of the bytes fmt's %v writes for v (32 per number or other
// scalar, plus separators; limit+1 as soon as it passes limit) and the number of scalars in v
// (texts, numbers...), which fmt pads one by one when a verb has a width.
func Measure(v any, limit int64) (size, scalars int64) {
	var walk func(r reflect.Value, depth int)
	walk = func(r reflect.Value, depth int) {
		if size > limit {
			return
		}
		if depth > 32 {
			size = limit + 1 // fmt would go deeper than any data of a parcel
			return
		}
		switch r.Kind() {
		case reflect.Interface, reflect.Pointer:
			if r.IsNil() {
				size, scalars = size+5, scalars+1
			} else {
				walk(r.Elem(), depth+1)
			}
		case reflect.Slice, reflect.Array:
			size += 2
			for i := 0; i < r.Len() && size <= limit; i++ {
				walk(r.Index(i), depth+1)
				size++
			}
		case reflect.Map:
			size += 5
			for it := r.MapRange(); it.Next() && size <= limit; {
				walk(it.Key(), depth+1)
				walk(it.Value(), depth+1)
				size += 2
			}
		case reflect.Struct:
			size += 2
			for i := 0; i < r.NumField() && size <= limit; i++ {
				walk(r.Field(i), depth+1)
				size++
			}
		case reflect.String:
			size, scalars = size+int64(r.Len()), scalars+1
		case reflect.Invalid:
			size, scalars = size+5, scalars+1
		default:
			size, scalars = size+32, scalars+1
		}
	}
	walk(reflect.ValueOf(v), 0)
	return min(size, limit+1), scalars
}
