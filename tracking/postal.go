package tracking

import (
	"embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"sync"
)

//go:embed postal/*.csv
var postalFS embed.FS

// EventCode describes one UPU tracking event code.
type EventCode struct {
	Code    string
	Stage   string // origin, transit, destination, domestic, final
	Phase   Phase
	Meaning string
}

// Reason is a non-delivery (EMH) or customs-hold (EME) reason.
type Reason struct {
	Code, Kind, Meaning, SuggestedAction string
}

// reference is the postal reference data shipped in postal/, parsed once on first use.
type reference struct {
	codes      map[string]EventCode
	codeOrder  []string
	reasons    map[string]Reason
	actions    map[string]string
	transit    map[ServiceLevel]int
	phaseOrder map[Phase]int
}

var postalReference = sync.OnceValue(func() *reference {
	r, err := loadReference()
	if err != nil {
		// The files are embedded at build time; a parse failure is a build defect caught by
		// every test in this package.
		panic(err)
	}
	return r
})

func loadReference() (*reference, error) {
	r := &reference{codes: map[string]EventCode{}, reasons: map[string]Reason{}, actions: map[string]string{},
		transit: map[ServiceLevel]int{}, phaseOrder: map[Phase]int{}}
	rows, err := readCSV("postal/upu-events.csv")
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		c := EventCode{Code: row[0], Stage: row[1], Phase: Phase(row[2]), Meaning: row[3]}
		r.codes[c.Code] = c
		r.codeOrder = append(r.codeOrder, c.Code)
		if _, ok := r.phaseOrder[c.Phase]; !ok {
			r.phaseOrder[c.Phase] = len(r.phaseOrder)
		}
	}
	r.phaseOrder[PhaseReturning] = len(r.phaseOrder)
	r.phaseOrder[PhaseReturned] = len(r.phaseOrder)
	if rows, err = readCSV("postal/nondelivery-reasons.csv"); err != nil {
		return nil, err
	}
	for _, row := range rows {
		r.reasons[row[0]] = Reason{Code: row[0], Kind: row[1], Meaning: row[2], SuggestedAction: row[3]}
	}
	if rows, err = readCSV("postal/actions.csv"); err != nil {
		return nil, err
	}
	for _, row := range rows {
		r.actions[row[0]] = row[1]
	}
	if rows, err = readCSV("postal/transit-standards.csv"); err != nil {
		return nil, err
	}
	for _, row := range rows {
		days, err := strconv.Atoi(row[2])
		if err != nil {
			return nil, fmt.Errorf("transit-standards.csv: %w", err)
		}
		r.transit[ServiceLevel(row[0])] = days
	}
	return r, nil
}

func readCSV(name string) ([][]string, error) {
	f, err := postalFS.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return rows[1:], nil
}

// EventCodes lists the known UPU event codes in the order of the reference file.
func EventCodes() []EventCode {
	ref := postalReference()
	out := make([]EventCode, len(ref.codeOrder))
	for i, c := range ref.codeOrder {
		out[i] = ref.codes[c]
	}
	return out
}

// LookupEventCode returns the description of a UPU event code.
func LookupEventCode(code string) (EventCode, bool) {
	c, ok := postalReference().codes[code]
	return c, ok
}

// LookupReason returns a non-delivery or customs reason by code.
func LookupReason(code string) (Reason, bool) {
	r, ok := postalReference().reasons[code]
	return r, ok
}

// Phases lists every phase a parcel can be in, in delivery order.
func Phases() []Phase {
	ref := postalReference()
	out := make([]Phase, len(ref.phaseOrder))
	for p, i := range ref.phaseOrder {
		out[i] = p
	}
	return out
}
