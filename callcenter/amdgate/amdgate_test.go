package amdgate

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/wismo/wismo/amd"
	"github.com/wismo/wismo/media"
	"github.com/wismo/wismo/store"
	"github.com/wismo/wismo/store/storetest"
	"github.com/wismo/wismo/telephony"
)

// clip reads one of amd's committed greetings.
func clip(t *testing.T, name string) []int16 {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "amd", "testdata", "clips", name+".wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := amd.ReadWAV(f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// packets is audio arriving as 20 ms RTP packets would; read counts what was taken.
type packets struct {
	s    []int16
	read int
}

func (p *packets) Next(ctx context.Context) ([]int16, bool) {
	if p.read >= len(p.s) {
		return nil, false
	}
	end := min(p.read+160, len(p.s))
	chunk := p.s[p.read:end]
	p.read = end
	return chunk, true
}

type fixture struct {
	db    *store.DB
	gate  *Gate
	brand int64
}

func newFixture(t *testing.T) fixture {
	db := storetest.Open(t)
	f := fixture{db: db, gate: New(db, t.TempDir(), storetest.Logger(t))}
	f.brand = f.insert(t, `INSERT INTO brands (name, created_at) VALUES ('Acme', ?) RETURNING id`, time.Now().UTC())
	return f
}

func (f fixture) insert(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := f.db.SQL.QueryRowContext(context.Background(), f.db.Rebind(q), args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (f fixture) campaign(t *testing.T, name, setting string) string {
	now := time.Now().UTC()
	id := f.insert(t, `INSERT INTO campaigns (brand_id, name, mode, amd, status, created_at, updated_at)
		VALUES (?, ?, 'progressive', ?, 'running', ?, ?) RETURNING id`, f.brand, name, setting, now, now)
	return itoa(id)
}

func (f fixture) call(t *testing.T) int64 {
	return f.insert(t, `INSERT INTO calls (direction, mode, brand_id, started_at, answered_at) VALUES ('outbound', 'progressive', ?, ?, ?) RETURNING id`,
		f.brand, time.Now().UTC(), time.Now().UTC())
}

// row is the decision the call row holds.
func (f fixture) row(t *testing.T, call int64) (result, cause sql.NullString, ms sql.NullInt64) {
	t.Helper()
	err := f.db.SQL.QueryRowContext(context.Background(), f.db.Rebind(`SELECT amd_result, amd_cause, amd_ms FROM calls WHERE id = ?`), call).Scan(&result, &cause, &ms)
	if err != nil {
		t.Fatal(err)
	}
	return
}

// TestMachineIsHungUpAndRecordedPersonIsBridged: on a campaign set to hang up on machines, a
// voicemail greeting ends the call without an agent and the call row says machine and why;
// a person's "hello" goes to an agent and the row says human.
func TestMachineIsHungUpAndRecordedPersonIsBridged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	camp := f.campaign(t, "COD calls", HangupOn)

	machine := clip(t, "007-machine_beep-en")
	call := f.call(t)
	act, dec, err := f.gate.Check(ctx, call, f.brand, camp, &packets{s: machine})
	if err != nil || act != Hangup || dec.Result != amd.Machine {
		t.Fatalf("machine greeting: %s (%+v, %v), want hangup on a machine", act, dec, err)
	}
	result, cause, ms := f.row(t, call)
	if result.String != "machine" || cause.String == "" || cause.String != dec.Cause || !ms.Valid || ms.Int64 <= 0 {
		t.Errorf("call row after a machine: amd_result %v amd_cause %v amd_ms %v, want machine with its cause and time", result, cause, ms)
	}

	person := clip(t, "001-person_word-en")
	call = f.call(t)
	act, dec, err = f.gate.Check(ctx, call, f.brand, camp, &packets{s: person})
	if err != nil || act != Bridge || dec.Result != amd.Human {
		t.Fatalf("person's hello: %s (%+v, %v), want bridge on a human", act, dec, err)
	}
	if result, cause, _ := f.row(t, call); result.String != "human" || cause.String != dec.Cause {
		t.Errorf("call row after a person: amd_result %v amd_cause %v, want human", result, cause)
	}
}

// TestSettingsDecideWhatAMachineGets: connect bridges a machine but records it; voicemail
// leaves the prompt; off does not listen at all and leaves the row as it was.
func TestSettingsDecideWhatAMachineGets(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	machine := clip(t, "010-machine_beep-ru")

	call := f.call(t)
	act, _, err := f.gate.Check(ctx, call, f.brand, f.campaign(t, "Connect", Connect), &packets{s: machine})
	if result, _, _ := f.row(t, call); err != nil || act != Bridge || result.String != "machine" {
		t.Errorf("connect: %s, row %v (%v), want bridge with machine recorded", act, result, err)
	}
	act, _, err = f.gate.Check(ctx, f.call(t), f.brand, f.campaign(t, "Voicemail", Voicemail), &packets{s: machine})
	if err != nil || act != LeavePrompt {
		t.Errorf("voicemail: %s (%v), want leave_prompt", act, err)
	}
	call = f.call(t)
	src := &packets{s: machine}
	act, _, err = f.gate.Check(ctx, call, f.brand, f.campaign(t, "Off", Off), src)
	if result, _, _ := f.row(t, call); err != nil || act != Bridge || result.Valid || src.read != 0 {
		t.Errorf("off: %s, row %v, %d samples read (%v), want bridge, nothing recorded or read", act, result, src.read, err)
	}
	// A call of no campaign (a preview or hotline call) is not screened.
	if act, _, err := f.gate.Check(ctx, f.call(t), f.brand, "", src); err != nil || act != Bridge || src.read != 0 {
		t.Errorf("no campaign: %s (%v), want bridge without listening", act, err)
	}
}

// TestAnotherBrandsCampaignIsNotRead: a campaign reference of another brand is not looked up.
func TestAnotherBrandsCampaignIsNotRead(t *testing.T) {
	f := newFixture(t)
	camp := f.campaign(t, "Theirs", HangupOn)
	other := f.insert(t, `INSERT INTO brands (name, created_at) VALUES ('Other', ?) RETURNING id`, time.Now().UTC())
	src := &packets{s: clip(t, "007-machine_beep-en")}
	if act, _, _ := f.gate.Check(context.Background(), f.call(t), other, camp, src); act != Bridge || src.read != 0 {
		t.Errorf("another brand's campaign: %s, %d samples read; want bridge without listening", act, src.read)
	}
}

func TestDecide(t *testing.T) {
	m, h, u := amd.Decision{Result: amd.Machine}, amd.Decision{Result: amd.Human}, amd.Decision{Result: amd.Unsure}
	cases := []struct {
		setting string
		d       amd.Decision
		want    Action
	}{{HangupOn, m, Hangup}, {Voicemail, m, LeavePrompt}, {Connect, m, Bridge}, {Off, m, Bridge},
		{HangupOn, h, Bridge}, {HangupOn, u, Bridge}, {Voicemail, u, Bridge}}
	for _, c := range cases {
		if got := Decide(c.setting, c.d); got != c.want {
			t.Errorf("Decide(%s, %s) = %s, want %s", c.setting, c.d.Result, got, c.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// fakeStream is a leg's media as the gate reads it: the queued packets, then timeouts.
type fakeStream struct {
	telephony.MediaStream
	packets [][]byte
	reads   int
}

type timeout struct{}

func (timeout) Error() string   { return "i/o timeout" }
func (timeout) Timeout() bool   { return true }
func (timeout) Temporary() bool { return true }

func (s *fakeStream) Read(buf []byte, pkt *rtp.Packet, wait time.Duration) (int, time.Time, error) {
	s.reads++
	if len(s.packets) == 0 {
		return 0, time.Now(), timeout{}
	}
	n := copy(buf, s.packets[0])
	s.packets = s.packets[1:]
	return n, time.Now(), pkt.Unmarshal(buf[:n])
}

// rtpOf packs samples into 20 ms PCMU packets, with a telephone-event among them.
func rtpOf(t *testing.T, samples []int16) [][]byte {
	var out [][]byte
	for i := 0; i < len(samples); i += 160 {
		p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: media.PayloadPCMU, SequenceNumber: uint16(i / 160), Timestamp: uint32(i)},
			Payload: media.Encode(nil, media.PayloadPCMU, samples[i:min(i+160, len(samples))])}
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
		if i == 1600 {
			ev := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101}, Payload: []byte{1, 0x0a, 0, 160}}
			b, _ := ev.Marshal()
			out = append(out, b)
		}
	}
	return out
}

// TestScreenReadsTheCustomersRTP: Screen decodes the customer leg's inbound G.711 (skipping
// telephone-events): a machine's greeting ends the call on a hangup campaign and is recorded;
// a far end that sends nothing is decided on (unsure, so connected) instead of waited for.
func TestScreenReadsTheCustomersRTP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	camp := f.campaign(t, "COD calls", HangupOn)
	leg := func(s *fakeStream) *telephony.Leg {
		return new(telephony.Endpoint).AttachLeg(telephony.ExternalLeg{ID: "customer", Stream: s,
			Remote: telephony.Media{Codec: media.PayloadPCMU, DTMF: 101}})
	}

	call := f.call(t)
	if over := f.gate.Screen(ctx, call, f.brand, camp, leg(&fakeStream{packets: rtpOf(t, clip(t, "014-machine_beep-ru"))})); !over {
		t.Error("a machine's greeting over RTP: the call goes on to an agent, want it over")
	}
	if result, cause, _ := f.row(t, call); result.String != "machine" || cause.String == "" {
		t.Errorf("call row: amd_result %v amd_cause %v, want machine", result, cause)
	}

	call = f.call(t)
	silent := &fakeStream{}
	if over := f.gate.Screen(ctx, call, f.brand, camp, leg(silent)); over {
		t.Error("a silent far end: the call is over, want it connected (unsure)")
	}
	if result, cause, _ := f.row(t, call); result.String != "unsure" || cause.String != amd.CauseNoSpeech {
		t.Errorf("call row after silence: amd_result %v amd_cause %v, want unsure no_speech", result, cause)
	}
}

// player records what would be played to whom.
type player struct{ played [][]int16 }

func (p *player) Play(ctx context.Context, leg *telephony.Leg, samples []int16, loop bool) {
	p.played = append(p.played, samples)
}

// TestVoicemailLeavesTheBrandsPrompt: on a voicemail campaign a machine gets the brand's
// prompt, after which the call is over; a brand without a prompt has the call just ended.
func TestVoicemailLeavesTheBrandsPrompt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	camp := f.campaign(t, "Leave a message", Voicemail)
	leg := func() *telephony.Leg {
		s := &fakeStream{packets: rtpOf(t, clip(t, "007-machine_beep-en"))}
		return new(telephony.Endpoint).AttachLeg(telephony.ExternalLeg{ID: "customer", Stream: s, Remote: telephony.Media{Codec: media.PayloadPCMU}})
	}
	p := &player{}
	f.gate.Player = p
	if over := f.gate.Screen(ctx, f.call(t), f.brand, camp, leg()); !over || len(p.played) != 0 {
		t.Errorf("no prompt: over %v, %d prompts played; want over, nothing played", over, len(p.played))
	}

	dir := filepath.Join(f.gate.dir, itoa(f.brand))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	w, err := media.CreateWAV(filepath.Join(dir, "voicemail.wav"), 8000, 1)
	if err != nil {
		t.Fatal(err)
	}
	prompt := make([]int16, 8000)
	for i := range prompt {
		prompt[i] = int16(i%200) * 50
	}
	if err := w.WriteSamples(prompt); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if over := f.gate.Screen(ctx, f.call(t), f.brand, camp, leg()); !over || len(p.played) != 1 || len(p.played[0]) != len(prompt) {
		t.Errorf("with the brand's prompt: over %v, played %d; want over after the prompt played once", over, len(p.played))
	}
}
