package transcribe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wismo/wismo/media"
)

// fakeWhisper is an OpenAI-compatible transcription server that holds the request to the
// contract exactly: POST /v1/audio/transcriptions, the bearer key, a multipart form of
// exactly file, model, language and response_format, the file the WAV of the channel.
func fakeWhisper(t *testing.T, wantWAV []byte, wantLang string, answer func(w http.ResponseWriter)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if got := r.Header.Get("Authorization"); got != "Bearer sk-test" {
			t.Errorf("Authorization %q", got)
		}
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			t.Fatalf("Content-Type %q: %v", r.Header.Get("Content-Type"), err)
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		fields := map[string]string{}
		var order []string
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(p)
			order = append(order, p.FormName())
			if p.FormName() == "file" {
				if p.FileName() == "" || !strings.HasSuffix(p.FileName(), ".wav") {
					t.Errorf("file name %q", p.FileName())
				}
				if !bytes.Equal(b, wantWAV) {
					t.Errorf("file: %d bytes, not the channel's WAV (%d bytes)", len(b), len(wantWAV))
				}
				continue
			}
			fields[p.FormName()] = string(b)
		}
		want := "file,model,language,response_format"
		if wantLang == "" {
			want = "file,model,response_format"
		}
		if got := strings.Join(order, ","); got != want {
			t.Errorf("form parts %s, want %s", got, want)
		}
		if fields["model"] != "large-v3" || fields["language"] != wantLang || fields["response_format"] != "verbose_json" {
			t.Errorf("fields %v", fields)
		}
		answer(w)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestServerContract(t *testing.T) {
	pcm := make([]int16, 8000) // one second of 8 kHz
	for i := range pcm {
		pcm[i] = int16(i % 300)
	}
	wav := media.EncodeWAV(8000, 1, pcm)
	srv := fakeWhisper(t, wav, "ru", func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"task":"transcribe","language":"russian","duration":1.0,"text":" Курьер грубил, номер 4111 1111 1111 1111.",
			"segments":[{"id":0,"start":0.0,"end":0.62,"text":" Курьер грубил,"},{"id":1,"start":0.7,"end":1.0,"text":" номер 4111 1111 1111 1111."}]}`)
	})
	s, err := NewServer(ServerConfig{URL: srv.URL + "/", Key: "sk-test", Model: "large-v3"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Transcribe(context.Background(), pcm, 8000, "ru-RU")
	if err != nil {
		t.Fatal(err)
	}
	if res.Text != "Курьер грубил, номер 4111 1111 1111 1111." || len(res.Segments) != 2 || res.Segments[1].StartMS != 700 || res.Segments[1].EndMS != 1000 {
		t.Fatalf("%+v", res)
	}
	if got := RedactResult(res); got.Text != "Курьер грубил, номер [card]." || got.Segments[1].Text != "номер [card]." {
		t.Errorf("redacted %+v", got)
	}
	if s.Name() != "server:large-v3" {
		t.Errorf("name %q", s.Name())
	}
}

// TestServerPlainJSON: a server answering response_format json (text only, no segments)
// still gives the text; no language sent when none is known.
func TestServerPlainJSON(t *testing.T) {
	pcm := make([]int16, 800)
	srv := fakeWhisper(t, media.EncodeWAV(8000, 1, pcm), "", func(w http.ResponseWriter) {
		io.WriteString(w, `{"text":"hello"}`)
	})
	s, _ := NewServer(ServerConfig{URL: srv.URL + TranscriptionsPath, Key: "sk-test", Model: "large-v3"})
	res, err := s.Transcribe(context.Background(), pcm, 8000, "")
	if err != nil || res.Text != "hello" || len(res.Segments) != 0 {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestServerErrors(t *testing.T) {
	pcm := make([]int16, 800)
	answer := func(status int, body string) func(w http.ResponseWriter) {
		return func(w http.ResponseWriter) { w.WriteHeader(status); io.WriteString(w, body) }
	}
	for _, tc := range []struct {
		name        string
		answer      func(w http.ResponseWriter)
		unavailable bool
		says        string
	}{
		{"server error is unavailable", answer(503, "loading model"), true, "503"},
		{"rate limit is unavailable", answer(429, "slow down"), true, "429"},
		{"bad request is the recording's", answer(400, `{"error":"unsupported language"}`), false, "unsupported language"},
		{"not JSON", answer(200, "<html>"), false, "not transcription JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeWhisper(t, media.EncodeWAV(8000, 1, pcm), "en", tc.answer)
			s, _ := NewServer(ServerConfig{URL: srv.URL, Key: "sk-test", Model: "large-v3"})
			_, err := s.Transcribe(context.Background(), pcm, 8000, "en")
			if err == nil || errors.Is(err, ErrUnavailable) != tc.unavailable || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("err = %v", err)
			}
		})
	}
	t.Run("too big is never sent", func(t *testing.T) {
		s, _ := NewServer(ServerConfig{URL: "http://127.0.0.1:1", MaxBytes: 1000})
		if _, err := s.Transcribe(context.Background(), pcm, 8000, "en"); !errors.Is(err, ErrTooLong) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("unreachable is unavailable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		s, _ := NewServer(ServerConfig{URL: url})
		if _, err := s.Transcribe(context.Background(), pcm, 8000, "en"); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		block := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
		defer srv.Close()
		defer close(block)
		s, _ := NewServer(ServerConfig{URL: srv.URL, Timeout: 50 * time.Millisecond})
		if _, err := s.Transcribe(context.Background(), pcm, 8000, "en"); err == nil || errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "no answer within 50ms") {
			t.Fatalf("err = %v", err)
		}
	})
	for _, bad := range []string{"", "ftp://x", "whisper:8000", "http://"} {
		if _, err := NewServer(ServerConfig{URL: bad}); err == nil {
			t.Errorf("URL %q accepted", bad)
		}
	}
}
