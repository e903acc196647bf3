package store

import (
	"reflect"
	"slices"
	"testing"

	"redline/daemon/internal/article"
)

func TestVersionRecordRoundTrip(t *testing.T) {
	r := versionRecord{Number: 300, CapturedAt: 1764230400123, Source: article.SourceFetch, Extractor: "readability@2",
		Hash: "00112233445566778899aabbccddeeff", RevertOf: 7, Title: "Budget vote délayed", Enc: encDict, Base: 299, Depth: 12,
		data: []byte{1, 2, 3}}
	b, err := r.marshal()
	if err != nil {
		t.Fatal(err)
	}
	var got versionRecord
	if err := got.unmarshal(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, r)
	}
	for i := range b[:len(b)-len(r.data)] {
		var x versionRecord
		if err := x.unmarshal(b[:i]); err == nil {
			t.Errorf("record cut at %d bytes was accepted", i)
		}
	}
}

// A layout change's record keeps its flag; a record in the flagged format
// with a flag that does not exist is refused.
func TestVersionRecordLayoutFlag(t *testing.T) {
	r := versionRecord{Number: 3, CapturedAt: 1764230400123, Source: article.SourceFetch, Extractor: "x",
		Hash: "00112233445566778899aabbccddeeff", Title: "T", Enc: encZstd, Layout: true, data: []byte{9}}
	b, err := r.marshal()
	if err != nil {
		t.Fatal(err)
	}
	var got versionRecord
	if err := got.unmarshal(b); err != nil || !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, r)
	}
	if b[0] != recordFlagged {
		t.Errorf("a layout record is written in format %d, want %d", b[0], recordFlagged)
	}
	r.Layout = false
	if plain, _ := r.marshal(); plain[0] != recordFormat {
		t.Errorf("a record without flags is written in format %d, want %d (what older code reads)", plain[0], recordFormat)
	}
	bad := slices.Clone(b)
	bad[len(bad)-len(r.data)-1] = 0x80
	if err := got.unmarshal(bad); err == nil {
		t.Error("a record with an unknown flag was accepted")
	}
}

// FuzzVersionRecord: any bytes either decode to a record that encodes back
// to them, or are refused; never a panic.
func FuzzVersionRecord(f *testing.F) {
	r := versionRecord{Number: 1, Source: article.SourceBrowser, Hash: "00112233445566778899aabbccddeeff", Enc: encZstd, data: []byte("x")}
	b, _ := r.marshal()
	f.Add(b)
	f.Add([]byte{1, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r versionRecord
		if r.unmarshal(b) != nil {
			return
		}
		again, err := r.marshal()
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		var r2 versionRecord
		if err := r2.unmarshal(again); err != nil || !reflect.DeepEqual(r, r2) {
			t.Fatalf("re-encoded record differs: %+v vs %+v (%v)", r, r2, err)
		}
	})
}
