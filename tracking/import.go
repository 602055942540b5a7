package tracking

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/wismo/wismo/access"
	"github.com/wismo/wismo/input"
	"github.com/wismo/wismo/jsonw"
)

// ImportRecord is one record of an import file: a parcel or an event (or a line that could
// not be read, with Err set on the item).
type ImportRecord struct {
	Line   int
	Parcel *ParcelItem
	Event  *EventItem
}

// ImportDecoder reads NDJSON or CSV import files record by record. NDJSON lines are events
// when they carry "item_id" and parcels when they carry "id"; a CSV file holds events when its
// header has item_id, parcels when it has id. A record it cannot read (a line over 1 MiB, a
// CSV quote that never closes, malformed JSON) comes back rejected with its line, and the
// next record is read as usual: one bad record never costs the others.
type ImportDecoder struct {
	format string
	lines  *lineReader
	csv    *csvRecords
	header []string
	isEvt  bool
}

// NewImportDecoder returns a decoder for format "ndjson" or "csv".
func NewImportDecoder(r io.Reader, format string) (*ImportDecoder, error) {
	d := &ImportDecoder{format: format}
	switch format {
	case "ndjson":
		d.lines = newLineReader(r)
	case "csv":
		if err := d.readCSVHeader(r); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown import format %q (ndjson or csv)", format)
	}
	return d, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Next returns the next record, or io.EOF. An error other than io.EOF is the reader's (the
// file could not be read); records that cannot be decoded come back with Err set.
func (d *ImportDecoder) Next() (ImportRecord, error) {
	if d.format == "csv" {
		return d.nextCSV()
	}
	for {
		ln, err := d.lines.next()
		if err == io.EOF {
			return ImportRecord{}, io.EOF
		}
		if err != nil {
			return ImportRecord{}, fmt.Errorf("line %d: %w", d.lines.n+1, err)
		}
		if ln.tooLong() {
			return unreadable(ln.n, looksLikeEvent(ln.b), tooLongErr(ln)), nil
		}
		b := bytes.TrimSpace(ln.b)
		if len(b) == 0 {
			continue
		}
		// An event has "item_id", a parcel "id": found by walking the line's keys, or, when
		// the walk gives up (an escaped key, not an object), by decoding it.
		isEvent := false
		plain := jsonw.EachField(b, func(k, _ []byte) bool {
			isEvent = isEvent || string(k) == "item_id"
			return true
		})
		if !plain {
			var probe map[string]json.RawMessage
			if err := json.Unmarshal(b, &probe); err != nil {
				return unreadable(ln.n, looksLikeEvent(b), input.Errorf("", "this line is not a JSON object: %v", err)), nil
			}
			_, isEvent = probe["item_id"]
		}
		rec := ImportRecord{Line: ln.n}
		if isEvent {
			rec.Event = &EventItem{}
			rec.Event.Err = input.Decode(b, &rec.Event.Input)
		} else {
			rec.Parcel = &ParcelItem{}
			rec.Parcel.Err = input.Decode(b, &rec.Parcel.Input)
		}
		return rec, nil
	}
}

// looksLikeEvent guesses what a line that cannot be decoded was meant to be, to count it
// with its kind: a parcel when it names "id" and not "item_id", else an event.
func looksLikeEvent(line []byte) bool {
	return bytes.Contains(line, []byte(`"item_id"`)) || !bytes.Contains(line, []byte(`"id"`))
}

// unreadable is a record rejected before decoding, counted as an event or a parcel.
func unreadable(line int, isEvent bool, fe *input.FieldError) ImportRecord {
	if isEvent {
		return ImportRecord{Line: line, Event: &EventItem{Err: fe}}
	}
	return ImportRecord{Line: line, Parcel: &ParcelItem{Err: fe}}
}

// ImportReport sums up an import.
type ImportReport struct {
	Parcels  map[Status]int `json:"parcels"`
	Events   map[Status]int `json:"events"`
	Rejected []ImportReject `json:"rejected,omitempty"`
}

// ImportReject is one rejected record with its line.
type ImportReject struct {
	Line    int    `json:"line"`
	ID      string `json:"id,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// maxRejectsKept bounds the report's list; the counts stay exact.
const maxRejectsKept = 1000

// Import reads every record of dec and stores it in batches of batch items, parcels of a
// batch before its events, with up to writers batches in flight at once (each its own
// transaction). Batches commit in any order: an event whose parcel is in a batch that commits
// later is stored as an early event and attached when the parcel arrives, as the ingest API
// does, so the result is the same as in file order. progress, when set, gets the number of
// records done. On an error the batches already committed stay; importing the file again
// reports them as duplicates.
func (s *Service) Import(ctx context.Context, scope access.Scope, dec *ImportDecoder, batch, writers int, progress func(int)) (ImportReport, error) {
	if batch <= 0 {
		batch = 1000
	}
	writers = max(writers, 1)
	rep := ImportReport{Parcels: map[Status]int{}, Events: map[Status]int{}}
	type chunk struct {
		parcels        []ParcelItem
		events         []EventItem
		pLines, eLines []int
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	done := 0
	store := func(c chunk) error {
		var pres, eres []Result
		var err error
		if len(c.parcels) > 0 {
			if pres, err = s.UpsertParcels(ctx, scope, c.parcels); err != nil {
				return err
			}
		}
		if len(c.events) > 0 {
			if eres, err = s.IngestEvents(ctx, scope, c.events); err != nil {
				return err
			}
		}
		mu.Lock()
		defer mu.Unlock()
		rep.add(rep.Parcels, pres, c.pLines)
		rep.add(rep.Events, eres, c.eLines)
		done += len(c.parcels) + len(c.events)
		if progress != nil {
			progress(done)
		}
		return nil
	}
	chunks := make(chan chunk)
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				if err := store(c); err != nil {
					cancel(err)
				}
			}
		}()
	}
	var cur chunk
	send := func() bool {
		if len(cur.parcels)+len(cur.events) == 0 {
			return true
		}
		select {
		case chunks <- cur:
			cur = chunk{}
			return true
		case <-ctx.Done():
			return false
		}
	}
	var readErr error
	for ctx.Err() == nil {
		rec, err := dec.Next()
		if err == io.EOF {
			send()
			break
		}
		if err != nil {
			readErr = err
			break
		}
		if rec.Parcel != nil {
			cur.parcels, cur.pLines = append(cur.parcels, *rec.Parcel), append(cur.pLines, rec.Line)
		} else {
			cur.events, cur.eLines = append(cur.events, *rec.Event), append(cur.eLines, rec.Line)
		}
		if len(cur.parcels)+len(cur.events) >= batch && !send() {
			break
		}
	}
	close(chunks)
	wg.Wait()
	slices.SortStableFunc(rep.Rejected, func(a, b ImportReject) int { return a.Line - b.Line })
	if readErr != nil {
		return rep, readErr
	}
	if err := context.Cause(ctx); err != nil {
		return rep, err
	}
	return rep, nil
}

// Records is how many records the import read: every line with content (a CSV record
// whose quoted field spans lines counts once), stored or rejected.
func (r ImportReport) Records() int {
	n := 0
	for _, c := range r.Parcels {
		n += c
	}
	for _, c := range r.Events {
		n += c
	}
	return n
}

func (r *ImportReport) add(counts map[Status]int, res []Result, lines []int) {
	for i, x := range res {
		counts[x.Status]++
		if x.Status == StatusRejected && len(r.Rejected) < maxRejectsKept {
			r.Rejected = append(r.Rejected, ImportReject{Line: lines[i], ID: x.ID, Field: x.Error.Field, Message: x.Error.Message})
		}
	}
}
