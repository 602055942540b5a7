package tracking

import (
	"testing"
	"time"
)

func TestFold(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 1, h, 0, 0, 0, time.UTC) }
	ev := func(id int64, code string, h int, mut ...func(*Event)) *Event {
		e := &Event{ID: id, Code: code, OccurredAt: at(h)}
		for _, m := range mut {
			m(e)
		}
		return e
	}
	rts := func(e *Event) { e.Action = ActionReturnToSender }
	in := func(cc string) func(*Event) { return func(e *Event) { e.Country = cc } }
	tests := []struct {
		name   string
		events []*Event
		want   Phase
	}{
		{"no events", nil, PhaseRegistered},
		{"posted", []*Event{ev(1, "EMA", 1)}, "posted"},
		{"arrival order does not matter", []*Event{ev(2, "EDD", 5), ev(1, "EMA", 1), ev(3, "EMD", 4)}, "at_sorting_center"},
		{"customs hold", []*Event{ev(1, "EMA", 1), ev(2, "EME", 3)}, "customs"},
		{"failed attempt", []*Event{ev(1, "EDG", 1), ev(2, "EMH", 2)}, "delivery_attempted"},
		{"redelivered", []*Event{ev(1, "EMH", 1), ev(2, "EDG", 2), ev(3, "EMI", 3)}, PhaseDelivered},
		{"return starts", []*Event{ev(1, "EMH", 1, rts)}, PhaseReturning},
		{"returning hides later phases", []*Event{ev(1, "EMH", 1, rts), ev(2, "EMD", 2, in("GB"))}, PhaseReturning},
		{"returned in origin", []*Event{ev(1, "EMH", 1, rts), ev(2, "EMI", 5, in("GB"))}, PhaseReturned},
		{"EMI abroad while returning is not returned", []*Event{ev(1, "EMH", 1, rts), ev(2, "EMI", 5, in("RU"))}, PhaseReturning},
		{"same instant: arrival order", []*Event{ev(2, "EMI", 3), ev(1, "EDG", 3)}, PhaseDelivered},
		{"cancelled export", []*Event{ev(1, "EMA", 1), ev(2, "EXX", 2)}, "cancelled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fold(tt.events, "GB").Phase; got != tt.want {
				t.Errorf("phase = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestEveryCodeHasAPhase(t *testing.T) {
	phases := map[Phase]bool{}
	for _, p := range Phases() {
		phases[p] = true
	}
	for _, c := range EventCodes() {
		if c.Phase == "" || !phases[c.Phase] {
			t.Errorf("%s has phase %q", c.Code, c.Phase)
		}
	}
	if len(EventCodes()) != 25 || !phases[PhaseReturned] || !phases[PhaseReturning] {
		t.Errorf("%d codes, phases %v", len(EventCodes()), phases)
	}
}

func TestPromisedDateSkipsWeekends(t *testing.T) {
	fri := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	if got := promisedDate(fri, 1, "Europe/Moscow"); got != "2026-11-23" {
		t.Errorf("Friday + 1 working day = %s, want Monday 2026-11-23", got)
	}
	// 23:30 UTC on Friday is already Saturday in Vladivostok.
	late := time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC)
	if got := promisedDate(late, 1, "Asia/Vladivostok"); got != "2026-11-23" {
		t.Errorf("Saturday local + 1 = %s", got)
	}
	if got := promisedDate(fri, 4, "UTC"); got != "2026-11-26" {
		t.Errorf("premium from Friday = %s", got)
	}
}

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		amt, cur, back string
		ok             bool
	}{
		{"1200.00", "RUB", "1200.00", true}, {"1200", "rub", "1200.00", true}, {"0.5", "EUR", "0.50", true},
		{"1500", "JPY", "1500", true}, {"1.5", "JPY", "", false}, {"1.234", "KWD", "1.234", true},
		{"-5", "RUB", "", false}, {"12,00", "RUB", "", false}, {"1e3", "RUB", "", false}, {"1", "RUBL", "", false},
	} {
		m, fe := parseMoney("cod", &MoneyInput{Amount: tc.amt, Currency: tc.cur})
		if (fe == nil) != tc.ok {
			t.Errorf("%s %s: error %v", tc.amt, tc.cur, fe)
			continue
		}
		if tc.ok && FormatMoney(*m) != tc.back {
			t.Errorf("%s %s -> %s, want %s", tc.amt, tc.cur, FormatMoney(*m), tc.back)
		}
	}
}
