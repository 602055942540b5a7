package recordings

import (
	"testing"

	"github.com/wismo/wismo/store/storetest"
)

func TestByteRange(t *testing.T) {
	storetest.OnePass(t) // no database: one pass is enough
	for _, tc := range []struct {
		h        string
		start, n int64
		ok, bad  bool
	}{
		{"", 0, 100, false, false},
		{"bytes=0-9", 0, 10, true, false},
		{"bytes=90-", 90, 10, true, false},
		{"bytes=90-500", 90, 10, true, false}, // clipped to the end (RFC 9110 §14.1.2)
		{"bytes=-30", 70, 30, true, false},
		{"bytes=-300", 0, 100, true, false},
		{"bytes=100-", 0, 0, false, true}, // past the end: 416
		{"bytes=9-3", 0, 0, false, true},
		{"bytes=0-1,5-6", 0, 100, false, false}, // several ranges: the whole body
		{"items=0-1", 0, 100, false, false},
	} {
		start, n, ok, bad := byteRange(tc.h, 100)
		if start != tc.start || n != tc.n || ok != tc.ok || bad != tc.bad {
			t.Errorf("byteRange(%q, 100) = %d %d %v %v, want %d %d %v %v", tc.h, start, n, ok, bad, tc.start, tc.n, tc.ok, tc.bad)
		}
	}
}
