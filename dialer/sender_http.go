package dialer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wismo/wismo/dialer/gsm"
)

// httpSender sends SMS through a provider's HTTP API: a JSON POST of
//
//	{"to": "+79131234567", "text": "...", "reference": "wismo-contact-42"}
//
// to the configured URL (credentials in the URL's user info go as basic auth), with the
// same reference as an Idempotency-Key header for providers that honour one. A 2xx answer
// carries the provider's id as "id" or "message_id".
type httpSender struct {
	url    string
	user   *url.Userinfo
	client *http.Client
}

func newHTTPSender(raw string) (*httpSender, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: the SMS provider URL must be http(s)://host/path", ErrInvalid)
	}
	h := &httpSender{user: u.User, client: &http.Client{Timeout: sendTimeout}}
	u.User = nil
	h.url = u.String()
	return h, nil
}

// Send POSTs the message. A connection that never opened, 429 and 503 mean not sent; other
// 4xx mean refused; anything else after the request went out (a timeout, a 500) is unknown.
func (h *httpSender) Send(ctx context.Context, m Message) (Sent, error) {
	ref := "wismo-contact-" + strconv.FormatInt(m.ContactID, 10)
	body, _ := json.Marshal(map[string]string{"to": m.To, "text": m.Text, "reference": ref})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return Sent{}, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", ref)
	if h.user != nil {
		pw, _ := h.user.Password()
		req.SetBasicAuth(h.user.Username(), pw)
	}
	info := gsm.Analyze(m.Text)
	sent := Sent{Provider: "http", Encoding: string(info.Encoding), Parts: info.Segments}
	resp, err := h.client.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return sent, fmt.Errorf("%w: %v", ErrNotSent, err)
		}
		return sent, fmt.Errorf("SMS provider: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		return sent, fmt.Errorf("%w: SMS provider answered %s", ErrNotSent, resp.Status)
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		return sent, fmt.Errorf("%w: SMS provider answered %s: %.200s", ErrRefused, resp.Status, raw)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return sent, fmt.Errorf("SMS provider answered %s", resp.Status)
	}
	var out struct {
		ID        any `json:"id"`
		MessageID any `json:"message_id"`
	}
	json.Unmarshal(raw, &out)
	id := fmt.Sprint(out.ID)
	if out.ID == nil {
		id = fmt.Sprint(out.MessageID)
	}
	if out.ID == nil && out.MessageID == nil {
		id = ref + "@" + strconv.FormatInt(time.Now().Unix(), 10)
	}
	sent.IDs = []string{id}
	return sent, nil
}
