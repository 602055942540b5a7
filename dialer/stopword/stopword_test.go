package stopword

import "testing"

func TestStopWords(t *testing.T) {
	for text, want := range map[string]bool{"STOP": true, " stop ": true, "Stop!": true, "СТОП": true, "стоп.": true,
		"stop all": true, "please stop sending": false, "": false, "OK": false} {
		if Is(text) != want {
			t.Errorf("Is(%q) = %v", text, !want)
		}
	}
}
