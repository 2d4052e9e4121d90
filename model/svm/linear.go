package svm

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"

	"intent/model/sparse"
)

// Linear is a fitted multi-class linear model. The decision value of class k
// for x is Σ_f x_f·W[f*Classes+k] + B[k]; the predicted class is the argmax.
type Linear struct {
	Classes  int
	Features int
	// W is feature-major: the Classes weights of feature f are contiguous at
	// W[f*Classes : (f+1)*Classes].
	W []float32
	// B is the bias weight times Config.Bias, per class.
	B []float32
}

// Decision writes the decision values of every class into out, reusing its
// storage when cap(out) >= Classes, and returns it. Feature indices >=
// Features (unseen at training time) are ignored. It does not allocate when
// out is large enough, and is safe for concurrent use.
func (m *Linear) Decision(x sparse.Vector, out []float32) []float32 {
	k := m.Classes
	if cap(out) >= k {
		out = out[:k]
	} else {
		out = make([]float32, k)
	}
	copy(out, m.B)
	val := x.Value[:len(x.Index)]
	for j, f := range x.Index {
		if f < 0 || int(f) >= m.Features {
			continue
		}
		axpy32(val[j], m.W[int(f)*k:int(f)*k+k], out)
	}
	return out
}

// Predict returns the class with the largest decision value (the lowest
// index on ties), or -1 for a model with no classes.
func (m *Linear) Predict(x sparse.Vector) int {
	var buf [256]float32
	out := m.Decision(x, buf[:0])
	return argmax(out)
}

func argmax(v []float32) int {
	best := -1
	for k, d := range v {
		if best < 0 || d > v[best] {
			best = k
		}
	}
	return best
}

// FeatureNorms returns, for each feature, the largest absolute weight it has
// in any class: features whose norm is ~0 can be dropped with SelectFeatures
// without changing any decision value by more than that amount times x_f.
func (m *Linear) FeatureNorms() []float32 {
	norms := make([]float32, m.Features)
	k := m.Classes
	for f := range norms {
		var mx float32
		for _, v := range m.W[f*k : (f+1)*k] {
			mx = max(mx, float32(math.Abs(float64(v))))
		}
		norms[f] = mx
	}
	return norms
}

// KeepFeatures returns, in increasing order, the features whose norm (see
// FeatureNorms) exceeds threshold: the argument SelectFeatures wants.
func (m *Linear) KeepFeatures(threshold float32) []int32 {
	var keep []int32
	for f, n := range m.FeatureNorms() {
		if n > threshold {
			keep = append(keep, int32(f))
		}
	}
	return keep
}

// SelectFeatures returns a copy of m restricted to the given features:
// feature j of the result is feature keep[j] of m. The caller remaps its
// vocabulary the same way. It panics if an index is outside [0,Features).
func (m *Linear) SelectFeatures(keep []int32) *Linear {
	k := m.Classes
	out := &Linear{Classes: k, Features: len(keep), W: make([]float32, len(keep)*k), B: append([]float32(nil), m.B...)}
	for j, f := range keep {
		if f < 0 || int(f) >= m.Features {
			panic(fmt.Sprintf("svm: SelectFeatures: feature %d out of range [0,%d)", f, m.Features))
		}
		copy(out.W[j*k:(j+1)*k], m.W[int(f)*k:int(f)*k+k])
	}
	return out
}

// Binary layout, version 1, all integers and floats little-endian:
//
//	offset  size      field
//	0       4         magic "LSVM"
//	4       2         format version (1)
//	6       2         reserved, 0
//	8       4         Classes (uint32, >= 1)
//	12      4         Features (uint32)
//	16      4·C       B, float32
//	...     4·F·C     W, float32, feature-major
//	end−4   4         CRC-32 (IEEE) of all preceding bytes
const (
	magic       = "LSVM"
	version     = 1
	headerSize  = 16
	maxElements = 1 << 31 // refuse absurd sizes before allocating
)

// MarshalBinary encodes m in the layout described above.
func (m *Linear) MarshalBinary() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	buf := make([]byte, headerSize, headerSize+4*(len(m.B)+len(m.W))+4)
	copy(buf, magic)
	binary.LittleEndian.PutUint16(buf[4:], version)
	binary.LittleEndian.PutUint32(buf[8:], uint32(m.Classes))
	binary.LittleEndian.PutUint32(buf[12:], uint32(m.Features))
	for _, v := range m.B {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	for _, v := range m.W {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	buf = binary.LittleEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf))
	return buf, nil
}

// UnmarshalBinary decodes data written by MarshalBinary into m. It checks
// the magic, version, sizes, checksum and that every weight is finite, and
// leaves m unchanged on error.
func (m *Linear) UnmarshalBinary(data []byte) error {
	if len(data) < headerSize+4 {
		return fmt.Errorf("svm: model data too short (%d bytes)", len(data))
	}
	if string(data[:4]) != magic {
		return fmt.Errorf("svm: bad magic %q, not a linear SVM model", data[:4])
	}
	if v := binary.LittleEndian.Uint16(data[4:]); v != version {
		return fmt.Errorf("svm: unsupported model format version %d (want %d)", v, version)
	}
	classes := uint64(binary.LittleEndian.Uint32(data[8:]))
	features := uint64(binary.LittleEndian.Uint32(data[12:]))
	if classes == 0 {
		return fmt.Errorf("svm: model has no classes")
	}
	elems := classes * (features + 1)
	if elems > maxElements {
		return fmt.Errorf("svm: model of %d classes x %d features is too large", classes, features)
	}
	if want := uint64(headerSize) + 4*elems + 4; uint64(len(data)) != want {
		return fmt.Errorf("svm: model data is %d bytes, want %d for %d classes x %d features", len(data), want, classes, features)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.ChecksumIEEE(body); got != sum {
		return fmt.Errorf("svm: model checksum mismatch (stored %08x, computed %08x)", sum, got)
	}
	vals := make([]float32, elems)
	p := body[headerSize:]
	for i := range vals {
		v := math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("svm: non-finite weight at position %d", i)
		}
		vals[i] = v
	}
	*m = Linear{Classes: int(classes), Features: int(features), B: vals[:classes:classes], W: vals[classes:]}
	return nil
}

func (m *Linear) check() error {
	if m == nil || m.Classes <= 0 {
		return ErrNotFitted
	}
	if m.Features < 0 || len(m.B) != m.Classes || len(m.W) != m.Features*m.Classes {
		return fmt.Errorf("svm: inconsistent model: %d classes, %d features, %d biases, %d weights", m.Classes, m.Features, len(m.B), len(m.W))
	}
	if uint64(m.Classes)*uint64(m.Features+1) > maxElements {
		return fmt.Errorf("svm: model of %d classes x %d features is too large", m.Classes, m.Features)
	}
	return nil
}
