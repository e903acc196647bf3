package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"

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
// changed; measured in BenchmarkVersionBytes.
type codec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

func newCodec() *codec {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true),
		zstd.WithEncoderLevel(zstd.SpeedBetterCompression), zstd.WithEncoderCRC(false))
	if err != nil {
		panic(fmt.Sprintf("zstd encoder: %v", err)) // only fails on bad options
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
	if err != nil {
		panic(fmt.Sprintf("zstd decoder: %v", err))
	}
	return &codec{enc: enc, dec: dec}
}

func (c *codec) close() { c.dec.Close() }

func (c *codec) compress(data, dict []byte) ([]byte, error) {
	if dict == nil {
		return c.enc.EncodeAll(data, nil), nil
	}
	// The default level already finds the long matches against the
	// dictionary that make an edit cost little more than itself; the best
	// level saves ~30 bytes an edit for 6x the time and 25x the memory.
	// Badger checksums its values, so the frame needs no CRC of its own.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true),
		zstd.WithEncoderCRC(false),
		zstd.WithEncoderDictRaw(1, dict), zstd.WithWindowSize(windowFor(len(dict)+len(data))))
	if err != nil {
		return nil, fmt.Errorf("zstd dictionary encoder: %w", err)
	}
	out := enc.EncodeAll(data, nil)
	return out, enc.Close()
}

func (c *codec) decompress(data, dict []byte) ([]byte, error) {
	if dict == nil {
		out, err := c.dec.DecodeAll(data, nil)
		if err != nil {
			return nil, fmt.Errorf("zstd decode: %w", err)
		}
		return out, nil
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
		zstd.WithDecoderDictRaw(1, dict), zstd.WithDecoderMaxWindow(1<<30))
	if err != nil {
		return nil, fmt.Errorf("zstd dictionary decoder: %w", err)
	}
	defer dec.Close()
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

// ContentHash identifies a content: the first 128 bits of the sha256 of
// its canonical serialisation, in hex. Only versions of one article are
// compared, so 128 bits leave no room for an accidental collision.
func ContentHash(c article.Content) string {
	sum := sha256.Sum256(contentBytes(c))
	return hex.EncodeToString(sum[:16])
}

// versionRecord is what a v: key holds: metadata, then the encoded
// content.
type versionRecord struct {
	Number     int            `json:"n"`
	CapturedAt int64          `json:"t"`
	Source     article.Source `json:"s"`
	Extractor  string         `json:"x"`
	Hash       string         `json:"h"`
	RevertOf   int            `json:"r,omitempty"`
	Title      string         `json:"ti"`
	Enc        string         `json:"e"`
	Base       int            `json:"b,omitempty"`
	Depth      int            `json:"d,omitempty"`
	data       []byte
}

func (r *versionRecord) marshal() ([]byte, error) {
	meta, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode version: %w", err)
	}
	out := binary.AppendUvarint(make([]byte, 0, len(meta)+len(r.data)+4), uint64(len(meta)))
	out = append(out, meta...)
	return append(out, r.data...), nil
}

func (r *versionRecord) unmarshal(b []byte) error {
	n, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < n {
		return fmt.Errorf("version record is damaged")
	}
	if err := json.Unmarshal(b[k:k+int(n)], r); err != nil {
		return fmt.Errorf("version record is damaged: %w", err)
	}
	r.data = append([]byte(nil), b[k+int(n):]...)
	return nil
}
