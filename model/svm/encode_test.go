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
	want = binary.LittleEndian.AppendUint16(want, 2)
	want = binary.LittleEndian.AppendUint16(want, 0) // float32
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

// TestMarshalLayoutInt8 pins the int8 layout: biases, scales, then bytes.
func TestMarshalLayoutInt8(t *testing.T) {
	m := &Linear{Classes: 2, Features: 2, Encoding: Int8, Q: []int8{127, -64, 0, 1}, Scale: []float32{0.5, 0}, B: []float32{0.25, -0.25}}
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte("LSVM")
	want = binary.LittleEndian.AppendUint16(want, 2)
	want = binary.LittleEndian.AppendUint16(want, 1) // int8
	want = binary.LittleEndian.AppendUint32(want, 2)
	want = binary.LittleEndian.AppendUint32(want, 2)
	for _, v := range []float32{0.25, -0.25, 0.5, 0} {
		want = binary.LittleEndian.AppendUint32(want, math.Float32bits(v))
	}
	want = append(want, 0x7f, 0xc0, 0x00, 0x01)
	want = binary.LittleEndian.AppendUint32(want, crc32.ChecksumIEEE(want))
	if !bytes.Equal(data, want) {
		t.Fatalf("layout\n got % x\nwant % x", data, want)
	}
	var got Linear
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if got.Encoding != Int8 || got.Export != Int8 || !slices.Equal(got.Q, m.Q) || !slices.Equal(got.Scale, m.Scale) || !slices.Equal(got.B, m.B) || got.W != nil {
		t.Fatalf("round trip changed the model: %+v", got)
	}
}

// marshalV1 is the version 1 writer (float32 only), kept to check that such
// data still decodes.
func marshalV1(m *Linear) []byte {
	buf := []byte("LSVM")
	buf = binary.LittleEndian.AppendUint16(buf, 1)
	buf = binary.LittleEndian.AppendUint16(buf, 0)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(m.Classes))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(m.Features))
	for _, v := range append(slices.Clone(m.B), m.W...) {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	return binary.LittleEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf))
}

func TestUnmarshalVersion1(t *testing.T) {
	X, y := synthetic(200, 4, 300, 20, 11)
	m, err := Fit(context.Background(), X, y, 4, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got Linear
	if err := got.UnmarshalBinary(marshalV1(m)); err != nil {
		t.Fatal(err)
	}
	if got.Encoding != Float32 || got.Export != Float32 || !slices.Equal(got.W, m.W) || !slices.Equal(got.B, m.B) {
		t.Fatal("version 1 data decoded to another model")
	}
	if got.Exported() != &got {
		t.Fatal("a version 1 model was converted on export")
	}
	// Bytes 6-7 were reserved in version 1: whatever they hold, it is float32.
	odd := marshalV1(m)
	odd[6] = 1
	if err := got.UnmarshalBinary(reseal(odd)); err != nil || got.Encoding != Float32 {
		t.Fatalf("version 1 with a nonzero reserved field: %v, %v", err, got.Encoding)
	}
}

func TestMarshalNotFitted(t *testing.T) {
	var m Linear
	if _, err := m.MarshalBinary(); !errors.Is(err, ErrNotFitted) {
		t.Errorf("MarshalBinary of a zero model: %v", err)
	}
	for _, bad := range []*Linear{
		{Classes: 2, Features: 3, W: make([]float32, 5), B: make([]float32, 2)},
		{Classes: 2, Features: 3, Encoding: Int8, Q: make([]int8, 6), Scale: make([]float32, 2), B: make([]float32, 2)},
		{Classes: 2, Features: 3, Encoding: Int8, W: make([]float32, 6), B: make([]float32, 2)},
		{Classes: 2, Features: 3, Encoding: 7, W: make([]float32, 6), B: make([]float32, 2)},
		{Classes: 2, Features: -1, B: make([]float32, 2)},
	} {
		if _, err := bad.MarshalBinary(); err == nil {
			t.Errorf("MarshalBinary accepted an inconsistent model %+v", bad)
		}
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
	q := &Linear{Classes: 3, Features: 2, Encoding: Int8, Q: []int8{1, 2, 3, 4, 5, 6}, Scale: []float32{0.5, 2}, B: []float32{7, 8, 9}}
	good8, _ := q.MarshalBinary()
	mod8 := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good8)) }
	tests = append(tests, []struct {
		name string
		data []byte
		want string
	}{
		{"encoding", mod8(func(b []byte) []byte { b[6] = 2; return reseal(b) }), "unknown weight encoding 2"},
		{"int8 truncated", good8[:len(good8)-5], "want"},
		{"int8 as float32", mod8(func(b []byte) []byte { b[6] = 0; return reseal(b) }), "bytes"},
		{"negative scale", mod8(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[16+12:], math.Float32bits(-1))
			return reseal(b)
		}), "negative scale"},
		{"NaN scale", mod8(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[16+16:], math.Float32bits(float32(math.NaN())))
			return reseal(b)
		}), "non-finite scale"},
		{"Inf bias", mod8(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[16:], math.Float32bits(float32(math.Inf(-1))))
			return reseal(b)
		}), "non-finite bias"},
	}...)
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
	f.Add(marshalV1(m))
	q, _ := m.QuantizeInt8().MarshalBinary()
	f.Add(q)
	f.Add([]byte("LSVM\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Linear
		if err := m.UnmarshalBinary(data); err != nil {
			return
		}
		if err := m.check(); err != nil {
			t.Fatalf("accepted inconsistent model: %v", err)
		}
		again, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("accepted data does not re-encode: %v", err)
		}
		if binary.LittleEndian.Uint16(data[4:]) == 1 {
			// Version 1 data re-encodes with the version 1 writer, up to
			// the reserved bytes 6-7 and so the checksum.
			again = marshalV1(&m)
			if !bytes.Equal(again[:6], data[:6]) || !bytes.Equal(again[8:len(again)-4], data[8:len(data)-4]) {
				t.Fatal("accepted version 1 data does not re-encode to itself")
			}
		} else if !bytes.Equal(again, data) {
			t.Fatal("accepted data does not re-encode to itself")
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
