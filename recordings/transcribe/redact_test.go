package transcribe

import "testing"

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"card in digits", "my card is 4111 1111 1111 1111 thanks", "my card is [card] thanks"},
		{"card with dashes", "4111-1111-1111-1111", "[card]"},
		{"card 13 digits", "card 4222222222222 ok", "card [card] ok"},
		{"card 19 digits", "card 6011 0009 9013 9424 009 end", "card [card] end"},
		{"19 digits not luhn is kept", "6011 0009 9013 9424 003", "6011 0009 9013 9424 003"},
		{"card spelled", "it is four one one one one one one one one one one one one one one one right", "it is [card] right"},
		{"card spelled with commas", "Four, one, one, one, one, one, one, one, one, one, one, one, one, one, one, one.", "[card]."},
		{"card mixed", "4111 one one one one one one one one one one one one", "[card]"},
		{"card in russian words", "номер четыре один один один один один один один один один один один один один один один", "номер [card]"},
		{"phone international", "call me on +7 916 123-45-67 please", "call me on [phone] please"},
		{"phone brackets", "звоните (495) 123 45 67", "звоните ([phone]"},
		{"phone spelled", "my number is five five five one two three four", "my number is [phone]"},
		{"16 digits not luhn is kept", "parcel 4111 1111 1111 1112", "parcel 4111 1111 1111 1112"},
		{"short numbers stay", "two parcels at 10 30 for 250 roubles", "two parcels at 10 30 for 250 roubles"},
		{"one two three stays", "one two three", "one two three"},
		{"words between break a number", "one two three and four five six seven", "one two three and four five six seven"},
		{"no numbers", "the courier was rude", "the courier was rude"},
		{"s10 id kept", "parcel RA123456785CN", "parcel RA123456785CN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Redact(tc.in); got != tc.want {
				t.Errorf("Redact(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestLuhn(t *testing.T) {
	for d, want := range map[string]bool{"4111111111111111": true, "4111111111111112": false, "79927398713": true, "6011000990139424": true} {
		if luhn(d) != want {
			t.Errorf("luhn(%s) = %v", d, !want)
		}
	}
}

// A card read out over two of the engine's segments is hidden in both.
func TestRedactResultAcrossSegments(t *testing.T) {
	r := RedactResult(Result{Text: "my card is 4111 1111 1111 1111 thanks", Segments: []Segment{
		{Text: "my card is 4111 1111"}, {Text: "1111 1111 thanks"}, {Text: "call 10 30"}}})
	want := []string{"my card is [card]", "thanks", "call 10 30"}
	for i, sg := range r.Segments {
		if sg.Text != want[i] {
			t.Errorf("segment %d: %q, want %q", i, sg.Text, want[i])
		}
	}
	if r.Text != "my card is [card] thanks" {
		t.Errorf("text %q", r.Text)
	}
}
