package store

import (
	"reflect"
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
