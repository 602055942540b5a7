package portal

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// csvCell makes a cell safe to open in a spreadsheet: a cell that starts with = + - @ (or a
// tab or carriage return, which some spreadsheets skip before reading a formula) would be run
// as a formula (CSV injection, OWASP), so it gets a leading apostrophe and stays text.
// Quoting of commas, quotes and line breaks is encoding/csv's job (RFC 4180).
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeCSV writes t's header and rows as RFC 4180 CSV (CRLF line ends, as spreadsheets expect).
func writeCSV(t table) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	rec := make([]string, len(t.Head))
	for i, h := range t.Head {
		rec[i] = csvCell(h)
	}
	if err := w.Write(rec); err != nil {
		return nil, err
	}
	for _, row := range t.Rows {
		rec = rec[:0]
		for _, cell := range row {
			rec = append(rec, csvCell(cell))
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func sendCSV(c *fiber.Ctx, t table, filename string) error {
	body, err := writeCSV(t)
	if err != nil {
		return fmt.Errorf("export %s: %w", t.Name, err)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf("attachment; filename=%q", filename))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}
