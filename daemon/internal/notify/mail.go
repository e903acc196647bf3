package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/nicholas-fedor/shoutrrr/pkg/services/email/smtp"
)

// sendMail sends m by SMTP as the smtp:// URL says (the library reads the
// URL: host, port, user, password, from, to, encryption, starttls, auth),
// on a connection bound by ctx's deadline. The library's own sender sets
// no deadline once connected, so a server that accepts and then hangs
// would hold its goroutine for ever; this one gives up with the attempt.
func sendMail(ctx context.Context, u *url.URL, m message) error {
	svc := &mail.Service{}
	if err := svc.Initialize(u, quiet); err != nil {
		return err
	}
	cfg := svc.Config
	if len(cfg.ToAddresses) == 0 || cfg.FromAddress == "" {
		return errors.New("the smtp URL needs from= and to= addresses")
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	implicit := cfg.Encryption == mail.EncMethods.ImplicitTLS || cfg.Encryption == mail.EncMethods.Auto && cfg.Port == mail.ImplicitTLSPort
	tlsConfig := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.SkipTLSVerify} // skiptlsverify=yes in the URL is the user's choice
	var conn net.Conn
	var err error
	if implicit {
		conn, err = (&tls.Dialer{Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to the mail server: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// Closing the connection when ctx ends stops a read or write that
	// waits, even without a deadline.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		return fmt.Errorf("the mail server: %w", err)
	}
	defer c.Close()
	if err := c.Hello(cfg.ClientHost); err != nil {
		return fmt.Errorf("the mail server refused the greeting: %w", err)
	}
	if cfg.UseStartTLS && !implicit && cfg.Encryption != mail.EncMethods.None {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("start TLS with the mail server: %w", err)
			}
		} else if cfg.RequireStartTLS {
			return errors.New("the mail server does not offer STARTTLS, which the URL requires")
		}
	}
	switch cfg.Auth {
	case mail.AuthTypes.None:
	case mail.AuthTypes.Plain:
		err = c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host))
	case mail.AuthTypes.CRAMMD5:
		err = c.Auth(smtp.CRAMMD5Auth(cfg.Username, cfg.Password))
	case mail.AuthTypes.OAuth2:
		err = c.Auth(mail.OAuth2Auth(cfg.Username, cfg.Password))
	default:
		err = fmt.Errorf("unknown auth %q", cfg.Auth)
	}
	if err != nil {
		return fmt.Errorf("log in to the mail server: %w", err)
	}
	for _, to := range cfg.ToAddresses {
		if err := writeMail(c, cfg.FromName, cfg.FromAddress, to, m); err != nil {
			return err
		}
	}
	return c.Quit()
}

// writeMail sends one mail of m to one address: a plain-text UTF-8 body,
// quoted-printable, with an encoded subject.
func writeMail(c *smtp.Client, fromName, from, to string, m message) error {
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("the mail server refused the sender: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("the mail server refused the recipient: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("the mail server refused the mail: %w", err)
	}
	sender := from
	if fromName != "" {
		sender = mime.QEncoding.Encode("utf-8", fromName) + " <" + from + ">"
	}
	var h strings.Builder
	for _, kv := range [][2]string{
		{"From", sender}, {"To", to}, {"Subject", mime.QEncoding.Encode("utf-8", headerText(m.Title))},
		{"Date", time.Now().Format(time.RFC1123Z)}, {"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"}, {"Content-Transfer-Encoding", "quoted-printable"},
		{"Auto-Submitted", "auto-generated"},
	} {
		h.WriteString(kv[0] + ": " + kv[1] + "\r\n")
	}
	h.WriteString("\r\n")
	if _, err := w.Write([]byte(h.String())); err != nil {
		return fmt.Errorf("write the mail: %w", err)
	}
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Text, "\n", "\r\n"))); err != nil {
		return fmt.Errorf("write the mail: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("write the mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("the mail server refused the mail: %w", err)
	}
	return nil
}

// headerText keeps a header value on one line.
func headerText(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
