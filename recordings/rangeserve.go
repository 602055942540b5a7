package recordings

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// byteRange parses a Range header (RFC 9110 §14.2) for a body of size bytes: one range of
// "bytes=first-last", "bytes=first-" or "bytes=-suffix". ok false means serve the whole body
// (no header, several ranges, or a unit we do not know: §14.2 lets a server ignore Range);
// bad true means the range cannot be satisfied (416).
func byteRange(h string, size int64) (start, n int64, ok, bad bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, size, false, false
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return 0, 0, false, true
	}
	if first == "" { // the last `last` bytes
		k, err := strconv.ParseInt(last, 10, 64)
		if err != nil || k <= 0 {
			return 0, 0, false, true
		}
		k = min(k, size)
		return size - k, k, true, false
	}
	a, err := strconv.ParseInt(first, 10, 64)
	if err != nil || a < 0 || a >= size {
		return 0, 0, false, true
	}
	b := size - 1
	if last != "" {
		if b, err = strconv.ParseInt(last, 10, 64); err != nil || b < a {
			return 0, 0, false, true
		}
		b = min(b, size-1)
	}
	return a, b - a + 1, true, false
}

// serveRange streams r (size bytes) as the response, honouring one byte range: 206 with
// Content-Range, 416 for a range past the end, else 200 with the whole body. fasthttp closes
// r once the body is sent.
func serveRange(c *fiber.Ctx, r io.ReadSeekCloser, size int64) error {
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	start, n, ok, bad := byteRange(c.Get(fiber.HeaderRange), size)
	if bad {
		r.Close()
		c.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes */%d", size))
		return c.SendStatus(fiber.StatusRequestedRangeNotSatisfiable)
	}
	if !ok {
		return c.SendStream(r, int(size))
	}
	if _, err := r.Seek(start, io.SeekStart); err != nil {
		r.Close()
		return fmt.Errorf("seek recording: %w", err)
	}
	c.Status(fiber.StatusPartialContent)
	c.Set(fiber.HeaderContentRange, fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, size))
	return c.SendStream(struct {
		io.Reader
		io.Closer
	}{io.LimitReader(r, n), r}, int(n))
}
