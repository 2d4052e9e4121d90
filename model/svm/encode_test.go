package svm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"slices"
	"strings"
	"testing"

	"intent/model/sparse"
)

func TestMarshalRoundTrip(t *testing.T) {
	X, y := synthetic(200, 4, 300, 20, 11)
	m, err := Fit(context.Background(), X, y, 4, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := 16 + 4*(4+4*300) + 4; len(data) != want {
		t.Errorf("encoded %d bytes, want %d", len(data), want)
	}
	var got Linear
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if got.Classes != m.Classes || got.Features != m.Features || !slices.Equal(got.W, m.W) || !slices.Equal(got.B, m.B) {
		t.Fatal("round trip changed the model")
	}
}

// TestMarshalLayout pins the documented byte layout.
func TestMarshalLayout(t *testing.T) {
	m := &Linear{Classes: 2, Features: 1, W: []float32{1.5, -2}, B: []float32{0.25, -0.25}}
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("LSVM")
	want = binary.LittleEndian.AppendUint16(want, 1)
	want = binary.LittleEndian.AppendUint16(want, 0)
	want = binary.LittleEndian.AppendUint32(want, 2)
	want = binary.LittleEndian.AppendUint32(want, 1)
	for _, v := range []float32{0.25, -0.25, 1.5, -2} {
		want = binary.LittleEndian.AppendUint32(want, math.Float32bits(v))
	}
	want = binary.LittleEndian.AppendUint32(want, crc32.ChecksumIEEE(want))
	if !bytes.Equal(data, want) {
		t.Fatalf("layout\n got % x\nwant % x", data, want)
	}
}

func TestMarshalNotFitted(t *testing.T) {
	var m Linear
	if _, err := m.MarshalBinary(); !errors.Is(err, ErrNotFitted) {
		t.Errorf("MarshalBinary of a zero model: %v", err)
	}
	bad := &Linear{Classes: 2, Features: 3, W: make([]float32, 5), B: make([]float32, 2)}
	if _, err := bad.MarshalBinary(); err == nil {
		t.Error("MarshalBinary accepted inconsistent sizes")
	}
}

// reseal fixes the checksum of a corrupted encoding so the later checks run.
func reseal(b []byte) []byte {
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
	return b
}

func TestUnmarshalErrors(t *testing.T) {
	m := &Linear{Classes: 3, Features: 2, W: []float32{1, 2, 3, 4, 5, 6}, B: []float32{7, 8, 9}}
	good, _ := m.MarshalBinary()
	mod := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"magic", mod(func(b []byte) []byte { b[0] = 'X'; return b }), "magic"},
		{"version", mod(func(b []byte) []byte { b[4] = 9; return reseal(b) }), "version"},
		{"truncated", good[:len(good)-5], "bytes"},
		{"trailing", append(slices.Clone(good), 0), "bytes"},
		{"checksum", mod(func(b []byte) []byte { b[20] ^= 1; return b }), "checksum"},
		{"no classes", mod(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 0); return reseal(b) }), "no classes"},
		{"huge", mod(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[8:], math.MaxUint32)
			binary.LittleEndian.PutUint32(b[12:], math.MaxUint32)
			return reseal(b)
		}), "too large"},
		{"NaN", mod(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[20:], math.Float32bits(float32(math.NaN())))
			return reseal(b)
		}), "non-finite"},
		{"Inf", mod(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[24:], math.Float32bits(float32(math.Inf(1))))
			return reseal(b)
		}), "non-finite"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Linear{Classes: 42}
			err := got.UnmarshalBinary(tc.data)
			if err == nil || !strings.HasPrefix(err.Error(), "svm: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			if got.Classes != 42 {
				t.Error("failed UnmarshalBinary modified the model")
			}
		})
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	m := &Linear{Classes: 3, Features: 2, W: []float32{1, 2, 3, 4, 5, 6}, B: []float32{7, 8, 9}}
	good, _ := m.MarshalBinary()
	f.Add(good)
	f.Add(good[:20])
	f.Add([]byte("LSVM\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Linear
		if err := m.UnmarshalBinary(data); err != nil {
			return
		}
		if len(m.B) != m.Classes || len(m.W) != m.Classes*m.Features {
			t.Fatalf("accepted inconsistent model: %d classes %d features %d/%d", m.Classes, m.Features, len(m.B), len(m.W))
		}
		again, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted data does not re-encode to itself: %v", err)
		}
		m.Predict(sparseRow(m.Features))
	})
}

func sparseRow(features int) (v sparse.Vector) {
	for f := 0; f < features && f < 4; f++ {
		v.Index = append(v.Index, int32(f))
		v.Value = append(v.Value, 1)
	}
	return v
}
