package features

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"testing"

	"intent/model/text"
)

// TestBinaryLayout pins the documented layout byte by byte.
func TestBinaryLayout(t *testing.T) {
	e := mustFit(t, []string{"a"}, wordsOnly(1, true))
	got, err := e.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := "54464945" + "0100" + // magic, version
		"1f" + "01010000" + // flags, word 1-1, char 0-0
		"01000000" + // MinDF
		"0000000000000000" + "000000000000f03f" + "000000000000f03f" + // MaxDFRatio, WordWeight, CharWeight
		"01000000" + "01000000" + // N, F
		"03" + hex.EncodeToString([]byte("w:a")) +
		"000000000000f03f" // idf = ln(1/1)+1
	if hex.EncodeToString(got) != want {
		t.Fatalf("layout\n got %x\nwant %s", got, want)
	}
}

func TestBinaryRoundTrip(t *testing.T) {
	docs := corpus(600)
	cfg := DefaultConfig()
	cfg.MaxDFRatio = 0.9
	cfg.WordWeight = 0.7
	e := mustFit(t, docs, cfg)
	blob, err := e.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var d Encoder
	if err := d.UnmarshalBinary(blob); err != nil {
		t.Fatal(err)
	}
	if d.Config() != e.Config() || d.NumDocs() != e.NumDocs() || !slices.Equal(d.terms, e.terms) || !slices.Equal(d.idf, e.idf) {
		t.Fatal("decoded encoder differs")
	}
	want, _ := e.TransformAll(context.Background(), docs, 2)
	got, _ := d.TransformAll(context.Background(), docs, 2)
	if !slices.Equal(want.Index, got.Index) || !slices.Equal(want.Value, got.Value) {
		t.Fatal("decoded encoder transforms differently")
	}
	again, _ := d.MarshalBinary()
	if !bytes.Equal(blob, again) {
		t.Fatal("re-encoding is not byte-identical")
	}
	var zero Encoder
	if _, err := zero.MarshalBinary(); err != ErrNotFitted {
		t.Fatalf("marshal of unfitted encoder: %v", err)
	}
}

// build encodes an encoder made by hand, bypassing Fit's guarantees, so
// tests can produce inconsistent blobs.
func build(t *testing.T, cfg Config, docs int, terms []string, idf []float64) []byte {
	t.Helper()
	a, err := text.NewAnalyzer(cfg.Text)
	if err != nil {
		t.Fatal(err)
	}
	e := &Encoder{cfg: cfg, analyzer: a, terms: terms, idf: idf, docs: docs}
	b, err := e.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUnmarshalRejects(t *testing.T) {
	cfg := wordsOnly(1, true)
	good := build(t, cfg, 4, []string{"w:aa", "w:bb"}, []float64{1, 2})
	var probe Encoder
	if err := probe.UnmarshalBinary(good); err != nil {
		t.Fatalf("valid blob rejected: %v", err)
	}
	patch := func(off int, b ...byte) []byte {
		c := slices.Clone(good)
		copy(c[off:], b)
		return c
	}
	charOnly := cfg
	charOnly.Text = text.Config{CharMin: 2, CharMax: 3}
	cases := []struct {
		name string
		blob []byte
		want string
	}{
		{"empty", nil, "shorter than"},
		{"magic", patch(0, 'X'), "bad magic"},
		{"version", patch(4, 2), "version 2"},
		{"flags", patch(6, 0x80), "unknown flags"},
		{"bad ngram range", patch(7, 3), "config"},
		{"nan weight", patch(23, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f), "weight"},
		{"zero docs", patch(39, 0), "0 documents"},
		{"huge count", patch(43, 0xff, 0xff, 0xff, 0x7f), "impossible"},
		{"zero count", patch(43, 0), "impossible"},
		{"term past end", patch(47, 0x7f), "past the end"},
		{"trailing byte", append(slices.Clone(good), 0), "idf values"},
		{"truncated idf", good[:len(good)-1], "idf values"},
		{"duplicate", build(t, cfg, 4, []string{"w:a", "w:a"}, []float64{1, 1}), "duplicate"},
		{"unsorted", build(t, cfg, 4, []string{"w:b", "w:a"}, []float64{1, 1}), "duplicate or unsorted"},
		{"no prefix", build(t, cfg, 4, []string{"xyz"}, []float64{1}), "malformed"},
		{"empty body", build(t, cfg, 4, []string{"w:", "w:abc"}, []float64{1, 1}), "malformed"},
		{"bad utf8", build(t, cfg, 4, []string{"w:\xff"}, []float64{1}), "UTF-8"},
		{"disabled block", build(t, charOnly, 4, []string{"w:ab"}, []float64{1}), "disabled"},
		{"idf below 1", build(t, cfg, 4, []string{"w:a"}, []float64{0.5}), "idf"},
		{"idf above ln N + 1", build(t, cfg, 4, []string{"w:a"}, []float64{math.Log(4) + 1.01}), "idf"},
		{"idf nan", build(t, cfg, 4, []string{"w:a"}, []float64{math.NaN()}), "idf"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := mustFit(t, []string{"keep me"}, wordsOnly(1, true))
			before := e.terms
			err := e.UnmarshalBinary(tc.blob)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "features: decode: ") {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			if !slices.Equal(e.terms, before) {
				t.Fatal("failed decode modified the encoder")
			}
		})
	}
	// Every strict prefix of a valid blob is an error.
	for n := range len(good) {
		if err := probe.UnmarshalBinary(good[:n]); err == nil {
			t.Fatalf("truncation to %d bytes accepted", n)
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	small, _ := mustFit(f, []string{"le chat", "la chatte", "l'été"}, func() Config { c := DefaultConfig(); c.MinDF = 1; return c }()).MarshalBinary()
	words, _ := mustFit(f, []string{"a b", "a c"}, wordsOnly(1, false)).MarshalBinary()
	f.Add(small)
	f.Add(words)
	f.Add(small[:headerSize])
	f.Add(words[:len(words)-3])
	f.Add([]byte("TFIE"))
	f.Add(binary.LittleEndian.AppendUint32(slices.Clone(words[:43]), 1<<30))
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Encoder
		if err := e.UnmarshalBinary(data); err != nil {
			return
		}
		// Whatever was accepted must be a usable, self-consistent encoder.
		v := e.Transform("le chat l'été a b c")
		if err := v.Validate(e.NumFeatures()); err != nil {
			t.Fatal(err)
		}
		again, err := e.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var d Encoder
		if err := d.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded blob rejected: %v", err)
		}
		if !slices.Equal(d.terms, e.terms) || !slices.Equal(d.idf, e.idf) || d.Config() != e.Config() {
			t.Fatal("round trip of an accepted blob changed it")
		}
	})
}
