package watch

import (
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/andybalholm/brotli"

	"redline/daemon/internal/canonical"
)

// FetcherOptions set up a Fetcher. Zero values take the defaults.
type FetcherOptions struct {
	// Version goes into the User-Agent: "Redline/VERSION (+local change
	// tracker)".
	Version string
	// AllowPrivate lets the fetcher reach loopback and private-network
	// hosts (`redline serve --allow-private`), but only at the origins a
	// Request's Private allows, redirects included. Off, they are refused
	// at the moment of dialling, whatever name led to them.
	AllowPrivate bool
	// Timeout bounds a whole fetch, body included (default 30 s).
	Timeout time.Duration
	// MaxBody bounds the decoded body (default 5 MiB).
	MaxBody int64
	// MaxRedirects is how many redirects are followed (default 5).
	MaxRedirects int
	// Resolve looks up a host's addresses; nil uses the system resolver.
	// Tests map their names to 127.0.0.1 with it.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

// Defaults of FetcherOptions.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBody      = 5 << 20
	DefaultMaxRedirects = 5
)

// Fetcher fetches pages politely and safely: an honest User-Agent,
// conditional requests, compressed transfers, a time limit, a size limit,
// few redirects, no cookies, no proxies, and no private addresses unless
// allowed. It does not pace requests: the Watcher does.
type Fetcher struct {
	client    *http.Client
	userAgent string
	opts      FetcherOptions
}

// NewFetcher returns a Fetcher for o.
func NewFetcher(o FetcherOptions) *Fetcher {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	f := &Fetcher{opts: o, userAgent: "Redline/" + o.Version + " (+local change tracker)"}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, ControlContext: f.control}
	transport := &http.Transport{
		Proxy: nil, // a proxy would dial for us, past the address check
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return f.dial(ctx, dialer, network, addr)
		},
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true, // we ask for gzip and brotli and decode them ourselves
		// A connection kept open would be used again without the address
		// check of a dial: with private addresses allowed for some
		// origins, every request opens its own.
		DisableKeepAlives:      o.AllowPrivate,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    1,
		IdleConnTimeout:        30 * time.Second,
		MaxResponseHeaderBytes: 256 << 10,
	}
	f.client = &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > o.MaxRedirects {
				return &FetchError{Kind: FailRedirects, Err: fmt.Errorf("more than %d redirects", o.MaxRedirects)}
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return &FetchError{Kind: FailRedirects, Err: fmt.Errorf("a redirect to a %s: URL", req.URL.Scheme)}
			}
			if sc, ok := req.Context().Value(scopeKey{}).(*scope); ok {
				sc.at(req.URL.String())
			}
			// The page the reader read is nobody else's business: the
			// redirect's target is not told where it came from.
			req.Header.Del("Referer")
			return nil
		},
	}
	return f
}

// UserAgent is the User-Agent the fetcher sends.
func (f *Fetcher) UserAgent() string { return f.userAgent }

// Kinds of FetchError.
const (
	FailRefused   = "refused"   // a private or local address, not allowed
	FailTimeout   = "timeout"   // the fetch took longer than allowed
	FailTooLarge  = "too_large" // the body is over the limit
	FailTruncated = "truncated" // the connection ended before the body did
	FailRedirects = "redirects" // too many redirects, or to another scheme
	FailEncoding  = "encoding"  // a content encoding that cannot be decoded
	FailNetwork   = "network"   // DNS, connection refused or reset, TLS
)

// FetchError says why a fetch failed, in words for the user.
type FetchError struct {
	Kind string
	Err  error
}

func (e *FetchError) Error() string { return e.Err.Error() }
func (e *FetchError) Unwrap() error { return e.Err }

// Request is one page to fetch, with the validators of the copy we have.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	// Private reports whether an origin (as canonical.Origin writes it)
	// may be reached at an address on this computer or a private network:
	// with AllowPrivate, one where the user read a page or that the user
	// named. It is asked about the origin of the request being sent (the
	// URL's, then each redirect's), only when its address is not public.
	// nil allows none.
	Private func(origin string) bool
}

// scope is what the dials of one fetch may reach: the origin of the
// request being sent, and who decides whether it may be private.
type scope struct {
	private func(origin string) bool
	origin  atomic.Pointer[string]
}

type scopeKey struct{}

// permitKey marks the context of a dial to an address that is not public
// but allowed, for the last check of the socket's address.
type permitKey struct{}

// at records that the request being sent is for rawURL.
func (sc *scope) at(rawURL string) {
	o := canonical.Origin(rawURL)
	sc.origin.Store(&o)
}

// permits reports whether a dial of host and port, made for the request
// being sent in ctx, may reach an address that is not public.
func (f *Fetcher) permits(ctx context.Context, host, port string) bool {
	sc, ok := ctx.Value(scopeKey{}).(*scope)
	if !f.opts.AllowPrivate || !ok || sc.private == nil {
		return false
	}
	origin := *sc.origin.Load()
	u, err := url.Parse(origin)
	if origin == "" || err != nil {
		return false
	}
	p := u.Port()
	if p == "" {
		p = "80"
		if u.Scheme == "https" {
			p = "443"
		}
	}
	// The dial is for the origin's own host and port: the check of a
	// redirect's origin never lends its permission to another address.
	if !sameHost(u.Hostname(), host) || p != port {
		return false
	}
	return sc.private(origin)
}

// Response is what a fetch brought back.
type Response struct {
	Status int
	// URL is the page's address after redirects.
	URL         *url.URL
	ContentType string
	// Body is the decoded body of HTML answers and of error pages (for
	// the signs of a bot check); nil for anything else.
	Body         []byte
	ETag         string
	LastModified string
	// RetryAfter is how long the site asked to wait (429, 503), 0 if it
	// did not say.
	RetryAfter time.Duration
}

// HTML reports whether the response is an HTML page.
func (r *Response) HTML() bool { return isHTML(r.ContentType) }

func isHTML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		// A missing or broken Content-Type: browsers sniff, and so do we
		// (the body is parsed as HTML and judged by its text).
		return strings.TrimSpace(contentType) == ""
	}
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// Fetch GETs a page. Errors are *FetchError; HTTP error statuses are not
// errors but Responses.
func (f *Fetcher) Fetch(ctx context.Context, r Request) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()
	sc := &scope{private: r.Private}
	sc.at(r.URL)
	ctx = context.WithValue(ctx, scopeKey{}, sc)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, &FetchError{Kind: FailNetwork, Err: fmt.Errorf("the URL cannot be fetched: %w", err)}
	}
	h := req.Header
	h.Set("User-Agent", f.userAgent)
	h.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
	h.Set("Accept-Encoding", "gzip, br, deflate")
	if r.ETag != "" {
		h.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		h.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.failure(ctx, err)
	}
	defer resp.Body.Close()
	out := &Response{
		Status: resp.StatusCode, URL: resp.Request.URL, ContentType: resp.Header.Get("Content-Type"),
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		RetryAfter: retryAfter(resp.Header, time.Now()),
	}
	readBody := resp.StatusCode >= 400 || resp.StatusCode/100 == 2 && isHTML(out.ContentType)
	if !readBody || resp.StatusCode == http.StatusNoContent {
		return out, nil
	}
	body, err := decode(resp)
	if err != nil {
		return nil, err
	}
	if out.Body, err = io.ReadAll(io.LimitReader(body, f.opts.MaxBody+1)); err != nil {
		return nil, f.failure(ctx, err)
	}
	if int64(len(out.Body)) > f.opts.MaxBody {
		return nil, &FetchError{Kind: FailTooLarge, Err: fmt.Errorf("the page is larger than %d MiB", f.opts.MaxBody>>20)}
	}
	return out, nil
}

// decode undoes the response's Content-Encoding.
func decode(resp *http.Response) (io.Reader, error) {
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return resp.Body, nil
	case "gzip", "x-gzip":
		r, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, &FetchError{Kind: FailEncoding, Err: fmt.Errorf("the page's gzip encoding is broken: %w", err)}
		}
		return r, nil
	case "br":
		return brotli.NewReader(resp.Body), nil
	case "deflate":
		r, err := zlib.NewReader(resp.Body)
		if err != nil {
			return nil, &FetchError{Kind: FailEncoding, Err: fmt.Errorf("the page's deflate encoding is broken: %w", err)}
		}
		return r, nil
	default:
		return nil, &FetchError{Kind: FailEncoding, Err: fmt.Errorf("the page uses the %q content encoding, which Redline does not read", enc)}
	}
}

// failure turns a transport error into a FetchError with words for it.
func (f *Fetcher) failure(ctx context.Context, err error) error {
	var fe *FetchError
	if errors.As(err, &fe) {
		return fe
	}
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &FetchError{Kind: FailTimeout, Err: fmt.Errorf("the site did not send the page within %s", f.opts.Timeout)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &FetchError{Kind: FailTruncated, Err: errors.New("the connection ended before the page did")}
	case errors.Is(err, syscall.ECONNRESET):
		return &FetchError{Kind: FailNetwork, Err: errors.New("the site reset the connection")}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &FetchError{Kind: FailNetwork, Err: errors.New("the site refused the connection")}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &FetchError{Kind: FailNetwork, Err: fmt.Errorf("the site's name does not resolve: %s", dnsErr.Name)}
	}
	if brokenCompression(err) {
		return &FetchError{Kind: FailEncoding, Err: errors.New("the page's compression is broken")}
	}
	if tlsErr := tlsFailure(err); tlsErr != nil {
		return &FetchError{Kind: FailNetwork, Err: tlsErr}
	}
	// A server that speaks first (a mail or SSH banner) meets Go's
	// transport on an idle connection: readLoopPeekFailLocked.
	if strings.Contains(err.Error(), "malformed HTTP") || strings.Contains(err.Error(), "readLoopPeekFailLocked") {
		return &FetchError{Kind: FailNetwork, Err: errors.New("the site's answer is not HTTP")}
	}
	return &FetchError{Kind: FailNetwork, Err: fmt.Errorf("the fetch failed: %w", unwrapURLError(err))}
}

// brokenCompression reports an error of a decompressor: the body is not
// what its Content-Encoding says.
func brokenCompression(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, zlib.ErrChecksum) ||
		errors.Is(err, zlib.ErrHeader) || errors.As(err, &corrupt) || strings.HasPrefix(unwrapURLError(err).Error(), "brotli: ")
}

// tlsFailure says in words why a TLS connection could not be trusted or
// made (nil if err is something else).
func tlsFailure(err error) error {
	var unknown x509.UnknownAuthorityError
	var name x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &unknown):
		return errors.New("the site's certificate is not trusted: no authority this computer trusts signed it")
	case errors.As(err, &name):
		return fmt.Errorf("the site's certificate is for another name (%v)", strings.TrimPrefix(name.Error(), "x509: "))
	case errors.As(err, &invalid):
		return fmt.Errorf("the site's certificate is not valid (%v)", strings.TrimPrefix(invalid.Error(), "x509: "))
	case errors.As(err, &verify):
		return fmt.Errorf("the site's certificate is not trusted (%v)", verify.Err)
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return errors.New("the site answered in plain HTTP where TLS was expected")
	case errors.As(err, &record):
		return errors.New("the site did not answer in TLS")
	}
	return nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// dial resolves addr itself and dials only addresses the policy allows,
// so that a public name that resolves to a private address is refused
// too. An address that is not public is dialled only with AllowPrivate,
// for the origin of the request being sent, when its Private allows it.
func (f *Fetcher) dial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	permit := sync.OnceValue(func() bool { return f.permits(ctx, host, port) })
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		if ReservedName(host) {
			return nil, &FetchError{Kind: FailRefused, Err: fmt.Errorf("%s is a name reserved for examples and tests: no site answers to it", host)}
		}
		if LocalName(host) && !permit() {
			return nil, f.refused(host, netip.Addr{})
		}
		if ips, err = f.resolve(ctx, host); err != nil {
			return nil, err
		}
	}
	var errs []error
	for _, ip := range ips {
		dctx := ctx
		if !Public(ip) {
			if !permit() {
				errs = append(errs, f.refused(host, ip))
				continue
			}
			dctx = context.WithValue(ctx, permitKey{}, true)
		}
		conn, err := d.DialContext(dctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	return nil, errors.Join(errs...)
}

func (f *Fetcher) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if f.opts.Resolve != nil {
		return f.opts.Resolve(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// sameHost reports whether two spellings of a host name or address are
// the same host.
func sameHost(a, b string) bool {
	if x, err := netip.ParseAddr(a); err == nil {
		y, err := netip.ParseAddr(b)
		return err == nil && x.Unmap() == y.Unmap()
	}
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// control checks, once more, the address a socket is about to connect
// to: a public one, or one dial allowed.
func (f *Fetcher) control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &FetchError{Kind: FailRefused, Err: fmt.Errorf("refusing to connect to %s", address)}
	}
	if permitted, _ := ctx.Value(permitKey{}).(bool); !Public(ap.Addr()) && !permitted {
		return f.refused(ap.Addr().String(), ap.Addr())
	}
	return nil
}

func (f *Fetcher) refused(host string, ip netip.Addr) error {
	where := host
	if ip.IsValid() && ip.String() != host {
		where = host + " (" + ip.String() + ")"
	}
	if f.opts.AllowPrivate {
		return &FetchError{Kind: FailRefused, Err: fmt.Errorf("%s is on this computer or a private network, which Redline fetches (--allow-private) only at an address and port where you read a page or that you named with redline track", where)}
	}
	return &FetchError{Kind: FailRefused, Err: fmt.Errorf("%s is on this computer or a private network, which Redline does not fetch unless started with --allow-private", where)}
}

// retryAfter reads Retry-After: seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	// Measure against the site's own clock when it sent one.
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		now = d
	}
	return min(max(t.Sub(now), 0), maxRetryAfter)
}

// maxRetryAfter caps how long a site may ask us to wait: a day.
const maxRetryAfter = 24 * time.Hour
