package tracking

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/wismo/wismo/input"
)

// Bounds on one record of an import file. A parcel or event line is well under 10 KB; the
// bounds keep one broken or hostile record from costing memory or the records after it.
const (
	// maxLine bounds one physical line (without its line break). A longer line is skipped to
	// its end and rejected as one record.
	maxLine = 1 << 20
	// maxQuotedLines bounds a CSV record whose quoted field spans lines (RFC 4180 §2.6): an
	// address with line breaks takes a few. A quote still open after this many lines is taken
	// for a broken one.
	maxQuotedLines = 100
)

// physLine is one line of an import file: its number (from 1), its bytes with the line
// break, and its length. A line over maxLine has size > maxLine and only its first maxLine
// bytes in b.
type physLine struct {
	n    int
	b    []byte
	size int
}

func (l physLine) tooLong() bool { return l.size > maxLine }

// lineReader reads an import file line by line without an error at long lines:
// bufio.Scanner stops the whole file at the first line over its buffer (ErrTooLong), which
// lost every record after it.
type lineReader struct {
	r   *bufio.Reader
	n   int
	buf []byte // a line that did not fit bufio's buffer
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line; its bytes are valid until the following call. io.EOF at the
// end of the file; other errors are the reader's.
func (l *lineReader) next() (physLine, error) {
	chunk, err := l.r.ReadSlice('\n')
	if err == nil || (err == io.EOF && len(chunk) > 0) {
		// The common case: the whole line sat in bufio's buffer.
		l.n++
		return physLine{n: l.n, b: chunk, size: contentLen(chunk)}, nil
	}
	if err != bufio.ErrBufferFull {
		return physLine{}, err
	}
	l.buf = append(l.buf[:0], chunk...)
	size := len(chunk)
	for err == bufio.ErrBufferFull {
		chunk, err = l.r.ReadSlice('\n')
		size += len(chunk)
		if len(l.buf) < maxLine+1 { // keep the start of an overlong line, drop the rest
			l.buf = append(l.buf, chunk[:min(len(chunk), maxLine+1-len(l.buf))]...)
		}
	}
	if err != nil && err != io.EOF {
		return physLine{}, err
	}
	l.n++
	if err == nil {
		size-- // the line break is not part of the line (a last line may lack one)
	}
	return physLine{n: l.n, b: l.buf, size: size}, nil
}

// contentLen is the length of line without its line break.
func contentLen(line []byte) int {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		return n - 1
	}
	return len(line)
}

func tooLongErr(l physLine) *input.FieldError {
	return input.Errorf("", "this line is %d bytes long: a line of an import file holds at most %d bytes (1 MiB); it was skipped and the import went on with the next line", l.size, maxLine)
}

// csvRecords reads CSV records line by line. A record ends at the end of its line unless a
// quoted field is still open there (an odd count of '"' so far: RFC 4180 doubles a quote
// inside a quoted field); it then takes the following lines until the quote closes, for
// at most maxQuotedLines lines and maxLine bytes, and only when they read as one
// well-formed record of the header's width. Otherwise the line that opened the quote is
// rejected alone and reading goes on with the line after it, so a quote that never closes
// costs one record, not the rest of the file.
type csvRecords struct {
	lines *lineReader
	ahead []physLine // lines read while looking for a closing quote, not yet taken (copies)
	rec   []byte     // the record being assembled from several lines
	one   *csv.Reader
	src   lineSource // what one reads: a single line at a time
	width int        // the header's field count; 0 while reading the header
}

// csvRecord is one record: its fields, or the error that rejects it; line is where it
// starts. utf8 reports that the record's bytes are valid UTF-8 (checked once per record,
// not per field).
type csvRecord struct {
	line   int
	fields []string
	err    *input.FieldError
	utf8   bool
}

func newCSVRecords(r io.Reader) *csvRecords {
	c := &csvRecords{lines: newLineReader(r)}
	c.one = csv.NewReader(&c.src)
	c.one.FieldsPerRecord = -1
	return c
}

// lineSource hands one line to the shared csv.Reader and then reports io.EOF, so that the
// reader never reads ahead into the next record (bufio clears an EOF once reported).
type lineSource struct{ b []byte }

func (s *lineSource) Read(p []byte) (int, error) {
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.b)
	s.b = s.b[n:]
	return n, nil
}

// next returns the next record, or io.EOF.
func (c *csvRecords) next() (csvRecord, error) {
	for {
		first, err := c.take()
		if err != nil {
			return csvRecord{}, err
		}
		if first.tooLong() {
			return csvRecord{line: first.n, err: tooLongErr(first)}, nil
		}
		if len(lineContent(first.b)) == 0 {
			continue // encoding/csv skips empty lines too
		}
		quotes := bytes.Count(first.b, quote)
		switch {
		case quotes == 0: // the common line: encoding/csv would split it at commas, and nothing else
			return csvRecord{line: first.n, fields: strings.Split(string(lineContent(first.b)), ","), utf8: utf8.Valid(first.b)}, nil
		case quotes%2 == 1:
			return c.spanning(first)
		}
		c.src.b = first.b
		fields, err := c.one.Read()
		return csvRecord{line: first.n, fields: fields, err: csvErr(err), utf8: utf8.Valid(first.b)}, nil
	}
}

// lineContent is line without its line break ("\n" or "\r\n"; encoding/csv drops a last
// line's trailing "\r" too).
func lineContent(line []byte) []byte {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	return bytes.TrimSuffix(line, []byte{'\r'})
}

var quote = []byte{'"'}

// spanning reads a record whose first line leaves a quoted field open.
func (c *csvRecords) spanning(first physLine) (csvRecord, error) {
	c.rec = append(c.rec[:0], first.b...) // first.b is the line reader's: copy it before reading on
	quotes := bytes.Count(first.b, quote)
	for i := 0; i < maxQuotedLines-1; i++ {
		ln, err := c.peek(i)
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvRecord{}, err
		}
		if ln.tooLong() || len(c.rec)+len(ln.b) > maxLine {
			break
		}
		c.rec = append(c.rec, ln.b...)
		if quotes += bytes.Count(ln.b, quote); quotes%2 == 1 {
			continue
		}
		r := csv.NewReader(bytes.NewReader(c.rec))
		r.FieldsPerRecord = -1
		fields, err := r.Read()
		if _, end := r.Read(); err == nil && end == io.EOF && (c.width == 0 || len(fields) == c.width) {
			c.ahead = c.ahead[i+1:]
			return csvRecord{line: first.n, fields: fields, utf8: utf8.Valid(c.rec)}, nil
		}
		break
	}
	return csvRecord{line: first.n, err: input.Errorf("", `a quote (") opened on this line is not closed: a quoted field may run over at most %d lines and must end in one well-formed record; this line was rejected alone and the import went on with line %d`,
		maxQuotedLines, first.n+1)}, nil
}

// take returns the next line: one read ahead earlier, or a new one.
func (c *csvRecords) take() (physLine, error) {
	if len(c.ahead) > 0 {
		l := c.ahead[0]
		c.ahead = c.ahead[1:]
		return l, nil
	}
	return c.lines.next()
}

// peek returns the line i places after the last one taken, reading (and copying) it.
func (c *csvRecords) peek(i int) (physLine, error) {
	for len(c.ahead) <= i {
		l, err := c.lines.next()
		if err != nil {
			return physLine{}, err
		}
		l.b = bytes.Clone(l.b)
		c.ahead = append(c.ahead, l)
	}
	return c.ahead[i], nil
}

// csvErr turns the csv reader's error on one line into words.
func csvErr(err error) *input.FieldError {
	if err == nil {
		return nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return input.Errorf("", "byte %d of the line: %v", pe.Column, pe.Err)
	}
	return input.Errorf("", "%v", err)
}
