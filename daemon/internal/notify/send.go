package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/nicholas-fedor/shoutrrr/pkg/services/chat/matrix"
	"github.com/nicholas-fedor/shoutrrr/pkg/services/chat/telegram"
	"github.com/nicholas-fedor/shoutrrr/pkg/services/email/smtp"
	"github.com/nicholas-fedor/shoutrrr/pkg/services/push/gotify"
	"github.com/nicholas-fedor/shoutrrr/pkg/services/push/ntfy"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"
)

// checkService checks a service URL without reaching the service: the
// service's own reading of its URL (topic, token, chats, addresses).
func checkService(scheme string, u *url.URL) error {
	var cfg interface{ SetURL(*url.URL) error }
	switch scheme {
	case "ntfy":
		cfg = &ntfy.Config{}
	case "gotify":
		cfg = &gotify.Config{}
	case "matrix":
		cfg = &matrix.Config{}
	case "telegram":
		cfg = &telegram.Config{}
	case "smtp":
		cfg = &smtp.Config{}
	default:
		return fmt.Errorf("unknown service %q", scheme)
	}
	if err := cfg.SetURL(u); err != nil {
		return err
	}
	if g, ok := cfg.(*gotify.Config); ok && !(&gotify.DefaultValidator{}).ValidateToken(g.Token) {
		return errors.New("the application token must be the 15 characters Gotify shows, starting with A (gotify://host/TOKEN)")
	}
	if scheme == "ntfy" && strings.Trim(u.Path, "/") == "" {
		return errors.New("the topic is missing (ntfy://host/topic)")
	}
	return nil
}

// quiet is the services' logger: they log nothing of ours, since their
// lines could hold a URL with its secrets.
var quiet = log.New(io.Discard, "", 0)

// sender delivers messages to one kind of target.
type sender struct {
	client *http.Client // the webhook's and ntfy's; the attempt's context bounds it
	// inflight counts the service sends still running after their
	// attempt gave up on them (a service without a context); Wait waits
	// for them, each bounded by its service's own timeout.
	inflight sync.WaitGroup
}

func newSender() *sender {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &sender{client: &http.Client{
		Transport: tr,
		// A webhook that redirects is refused: a POST must not turn into
		// a GET somewhere else, with the change in the air.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("the receiver redirected; give the final URL")
		},
	}}
}

// send delivers m to the target URL raw within ctx.
func (s *sender) send(ctx context.Context, raw string, m message) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("the target URL no longer parses")
	}
	switch scheme := strings.ToLower(u.Scheme); scheme {
	case "http", "https":
		return s.webhook(ctx, raw, m)
	case "smtp":
		return sendMail(ctx, u, m)
	default:
		return s.service(ctx, scheme, u, m)
	}
}

// webhook POSTs m as JSON; any 2xx answer is delivery.
func (s *sender) webhook(ctx context.Context, raw string, m message) error {
	body, err := json.Marshal(m.payload())
	if err != nil {
		return fmt.Errorf("encode the message: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, raw, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("make the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Redline")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return nil
}

// service sends m through the notification service the URL names. A new
// service value is made for each attempt: the services keep per-send
// state.
func (s *sender) service(ctx context.Context, scheme string, u *url.URL, m message) error {
	params := types.Params{"title": m.Title}
	var svc types.Service
	switch scheme {
	case "ntfy":
		svc = &ntfy.Service{}
		// ntfy takes the title in a header: one line, RFC 2047 when it
		// is not ASCII.
		params["title"] = mime.QEncoding.Encode("utf-8", strings.Join(strings.Fields(m.Title), " "))
		if m.Link != "" {
			params["click"] = m.Link
		}
	case "gotify":
		svc = &gotify.Service{}
	case "matrix":
		svc = &matrix.Service{}
	case "telegram":
		svc = &telegram.Service{}
	default:
		return fmt.Errorf("unknown service %q", scheme)
	}
	done := make(chan error, 1)
	s.inflight.Add(1)
	go func() {
		defer s.inflight.Done()
		if err := svc.Initialize(u, quiet); err != nil {
			done <- err
			return
		}
		if n, ok := svc.(*ntfy.Service); ok {
			// ntfy speaks HTTP: bound it by the attempt, as the webhook.
			n.SetHTTPClient(&http.Client{Transport: ctxTransport{ctx, s.client.Transport}, CheckRedirect: s.client.CheckRedirect})
		}
		done <- svc.Send(m.Text, &params)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ctxTransport ties every request to ctx (a service that makes its
// requests without one).
type ctxTransport struct {
	ctx  context.Context
	next http.RoundTripper
}

func (t ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.next.RoundTrip(r.WithContext(t.ctx))
}

// wait waits for the service sends still running.
func (s *sender) wait() {
	s.inflight.Wait()
	s.client.CloseIdleConnections()
}
