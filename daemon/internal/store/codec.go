package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"

	"github.com/klauspost/compress/zstd"

	"redline/daemon/internal/article"
)

// How a version's content is kept.
const (
	encZstd = "z"   // zstd of the content on its own (a keyframe)
	encDict = "zd"  // zstd with the content of version Base as dictionary
	encRef  = "ref" // no content: it repeats version Base exactly
)

// maxChain bounds how many dictionary steps a read may need: every
// maxChain-th version is stored whole.
const maxChain = 64

// codec compresses article contents. A later version is compressed with the
// previous one as a raw dictionary, so it costs about the size of what
// changed; measured in BenchmarkVersionBytes. Encoders and decoders are
// reused from fixed pools, one per CPU: a dictionary encoder costs ~3 MB
// to build, so making one per capture would cost memory and time under
// load, and the pools bound both.
type codec struct {
	plain *zstd.Encoder // keyframes; EncodeAll is safe for concurrent use
	encs  chan *zstd.Encoder
	decs  chan *zstd.Decoder
}

// pooledWindow is the window of pooled coders: a dictionary and its
// content up to this size use them; larger ones get a coder of their own.
const pooledWindow = 4 << 20

func newCodec() *codec {
	n := runtime.GOMAXPROCS(0)
	plain, err := newEncoder(pooledWindow)
	if err != nil {
		panic(fmt.Sprintf("zstd encoder: %v", err)) // only fails on bad options
	}
	c := &codec{plain: plain, encs: make(chan *zstd.Encoder, n), decs: make(chan *zstd.Decoder, n)}
	for range n {
		c.encs <- nil // built on first use
		c.decs <- nil
	}
	return c
}

func newEncoder(window int) (*zstd.Encoder, error) {
	// The default level already finds the long matches against the
	// dictionary that make an edit cost little more than itself; the best
	// level saves ~30 bytes an edit for 6x the time and 25x the memory.
	// Badger checksums its values, so frames need no CRC of their own.
	return zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true),
		zstd.WithEncoderCRC(false), zstd.WithWindowSize(window))
}

func newDecoder() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderMaxWindow(1<<30))
}

func (c *codec) close() {
	for range cap(c.decs) {
		if d := <-c.decs; d != nil {
			d.Close()
		}
	}
}

// compress encodes data, with dict as raw dictionary when it is not nil.
// A frame made with a dictionary names it (id 1), so one decoder reads
// frames with and without.
func (c *codec) compress(data, dict []byte) ([]byte, error) {
	if dict == nil {
		return c.plain.EncodeAll(data, nil), nil
	}
	if len(dict)+len(data) > pooledWindow {
		enc, err := newEncoder(windowFor(len(dict) + len(data)))
		if err != nil {
			return nil, fmt.Errorf("zstd encoder: %w", err)
		}
		defer enc.Close()
		return encodeWith(enc, data, dict)
	}
	enc := <-c.encs
	defer func() { c.encs <- enc }()
	if enc == nil {
		var err error
		if enc, err = newEncoder(pooledWindow); err != nil {
			return nil, fmt.Errorf("zstd encoder: %w", err)
		}
	}
	return encodeWith(enc, data, dict)
}

func encodeWith(enc *zstd.Encoder, data, dict []byte) ([]byte, error) {
	if err := enc.ResetWithOptions(nil, zstd.WithEncoderDictRaw(1, dict)); err != nil {
		return nil, fmt.Errorf("zstd dictionary: %w", err)
	}
	return enc.EncodeAll(data, nil), nil
}

// decompress decodes data, with dict as raw dictionary when it is not nil.
func (c *codec) decompress(data, dict []byte) ([]byte, error) {
	dec := <-c.decs
	defer func() { c.decs <- dec }()
	if dec == nil {
		var err error
		if dec, err = newDecoder(); err != nil {
			return nil, fmt.Errorf("zstd decoder: %w", err)
		}
	}
	if dict != nil {
		if err := dec.ResetWithOptions(nil, zstd.WithDecoderDictRaw(1, dict)); err != nil {
			return nil, fmt.Errorf("zstd dictionary: %w", err)
		}
	}
	out, err := dec.DecodeAll(data, nil)
	if err != nil {
		return nil, fmt.Errorf("zstd decode: %w", err)
	}
	return out, nil
}

// windowFor returns a power-of-two window large enough to reach back over
// the whole dictionary.
func windowFor(n int) int {
	w := zstd.MinWindowSize
	for w < n && w < zstd.MaxWindowSize {
		w <<= 1
	}
	return w
}

// contentBytes is the canonical serialisation of a content: the input of
// its hash and of compression.
func contentBytes(c article.Content) []byte {
	if c.Blocks == nil {
		c.Blocks = []article.Block{}
	}
	b, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("marshal content: %v", err)) // plain strings cannot fail
	}
	return b
}

// hashOf identifies a content: the first 128 bits of the sha256 of
// its canonical serialisation, in hex. Only versions of one article are
// compared, so 128 bits leave no room for an accidental collision.
func hashOf(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16])
}

// versionRecord is what a v: key holds: compact binary metadata, then the
// encoded content (see marshal).
type versionRecord struct {
	Number     int
	CapturedAt int64 // Unix milliseconds
	Source     article.Source
	Extractor  string
	Hash       string // 32 hex digits
	RevertOf   int
	Title      string
	Enc        string
	Base       int
	Depth      int
	// Layout: this version is a page layout change (article.Summary.Layout),
	// not an edit.
	Layout bool
	data   []byte
}

// recordFormat is the first byte of a version record; recordFlagged, of
// one with a flags byte after its depth (a layout change). Only a record
// with a flag set is written in the second format.
const (
	recordFormat  = 1
	recordFlagged = 2
	flagLayout    = 1
)

var (
	sourceCodes = []article.Source{article.SourceBrowser, article.SourceFetch}
	encCodes    = []string{encZstd, encDict, encRef}
)

// marshal writes: format byte, number, time, source, extractor, 16-byte
// hash, revert_of, title, encoding, base, depth (integers as varints,
// strings length-prefixed), then the content. Metadata costs ~30 bytes
// plus the title and extractor.
func (r *versionRecord) marshal() ([]byte, error) {
	hash, err := hex.DecodeString(r.Hash)
	if err != nil || len(hash) != 16 {
		return nil, fmt.Errorf("encode version: bad hash %q", r.Hash)
	}
	src := slices.Index(sourceCodes, r.Source)
	enc := slices.Index(encCodes, r.Enc)
	if src < 0 || enc < 0 {
		return nil, fmt.Errorf("encode version: unknown source %q or encoding %q", r.Source, r.Enc)
	}
	out := make([]byte, 0, 48+len(r.Extractor)+len(r.Title)+len(r.data))
	format := byte(recordFormat)
	if r.Layout {
		format = recordFlagged
	}
	out = append(out, format)
	out = binary.AppendUvarint(out, uint64(r.Number))
	out = binary.AppendVarint(out, r.CapturedAt)
	out = append(out, byte(src))
	out = appendString(out, r.Extractor)
	out = append(out, hash...)
	out = binary.AppendUvarint(out, uint64(r.RevertOf))
	out = appendString(out, r.Title)
	out = append(out, byte(enc))
	out = binary.AppendUvarint(out, uint64(r.Base))
	out = binary.AppendUvarint(out, uint64(r.Depth))
	if format == recordFlagged {
		out = append(out, flagLayout)
	}
	return append(out, r.data...), nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// recordReader reads the fields marshal wrote, remembering the first
// error.
type recordReader struct {
	b   []byte
	err error
}

func (rr *recordReader) uvarint() int {
	v, n := binary.Uvarint(rr.b)
	if n <= 0 {
		rr.err = errDamaged
		return 0
	}
	rr.b = rr.b[n:]
	return int(v)
}

func (rr *recordReader) varint() int64 {
	v, n := binary.Varint(rr.b)
	if n <= 0 {
		rr.err = errDamaged
		return 0
	}
	rr.b = rr.b[n:]
	return v
}

func (rr *recordReader) bytes(n int) []byte {
	if n < 0 || n > len(rr.b) {
		rr.err = errDamaged
		return nil
	}
	out := rr.b[:n]
	rr.b = rr.b[n:]
	return out
}

func (rr *recordReader) code(codes int) int {
	b := rr.bytes(1)
	if len(b) == 0 || int(b[0]) >= codes {
		rr.err = errDamaged
		return 0
	}
	return int(b[0])
}

var errDamaged = errors.New("version record is damaged")

func (r *versionRecord) unmarshal(b []byte) error {
	rr := &recordReader{b: b}
	f := rr.bytes(1)
	if len(f) == 0 || f[0] != recordFormat && f[0] != recordFlagged {
		return errDamaged
	}
	r.Number = rr.uvarint()
	r.CapturedAt = rr.varint()
	r.Source = sourceCodes[rr.code(len(sourceCodes))]
	r.Extractor = string(rr.bytes(rr.uvarint()))
	r.Hash = hex.EncodeToString(rr.bytes(16))
	r.RevertOf = rr.uvarint()
	r.Title = string(rr.bytes(rr.uvarint()))
	r.Enc = encCodes[rr.code(len(encCodes))]
	r.Base = rr.uvarint()
	r.Depth = rr.uvarint()
	if f[0] == recordFlagged {
		// The second format is only written with a flag set, and only
		// flagLayout exists.
		if flags := rr.bytes(1); len(flags) == 1 && flags[0] != flagLayout {
			return errDamaged
		}
		r.Layout = true
	}
	if rr.err != nil {
		return rr.err
	}
	r.data = append([]byte(nil), rr.b...)
	return nil
}
