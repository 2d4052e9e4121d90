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
//
// The weights are held in one of two encodings (see Weights): Float32 in W,
// or Int8 in Q and Scale, where the weight of feature f for class k is
// Scale[f]·Q[f*Classes+k]. Fit returns Float32; Exported converts.
type Linear struct {
	Classes  int
	Features int
	// Encoding says which fields hold the weights.
	Encoding Weights
	// W is feature-major: the Classes weights of feature f are contiguous at
	// W[f*Classes : (f+1)*Classes]. Nil when Encoding is Int8.
	W []float32
	// Q and Scale hold the weights when Encoding is Int8: Q is
	// feature-major like W, Scale has one entry per feature.
	Q     []int8
	Scale []float32
	// B is the bias weight times Config.Bias, per class, float32 in every
	// encoding.
	B []float32
	// Export is the encoding Exported converts the model to: Fit copies
	// Config.Weights, UnmarshalBinary the stored encoding.
	Export Weights
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
	if m.Encoding == Int8 {
		for j, f := range x.Index {
			if f < 0 || int(f) >= m.Features {
				continue
			}
			axpy8(val[j]*m.Scale[f], m.Q[int(f)*k:int(f)*k+k], out)
		}
		return out
	}
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
		if m.Encoding == Int8 {
			var q int
			for _, v := range m.Q[f*k : (f+1)*k] {
				q = max(q, int(v), -int(v))
			}
			mx = m.Scale[f] * float32(q)
		} else {
			for _, v := range m.W[f*k : (f+1)*k] {
				mx = max(mx, float32(math.Abs(float64(v))))
			}
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
	out := &Linear{Classes: k, Features: len(keep), Encoding: m.Encoding, Export: m.Export, B: append([]float32(nil), m.B...)}
	if m.Encoding == Int8 {
		out.Q, out.Scale = make([]int8, len(keep)*k), make([]float32, len(keep))
	} else {
		out.W = make([]float32, len(keep)*k)
	}
	for j, f := range keep {
		if f < 0 || int(f) >= m.Features {
			panic(fmt.Sprintf("svm: SelectFeatures: feature %d out of range [0,%d)", f, m.Features))
		}
		if m.Encoding == Int8 {
			copy(out.Q[j*k:(j+1)*k], m.Q[int(f)*k:int(f)*k+k])
			out.Scale[j] = m.Scale[f]
		} else {
			copy(out.W[j*k:(j+1)*k], m.W[int(f)*k:int(f)*k+k])
		}
	}
	return out
}

// Binary layout, all integers and floats little-endian:
//
//	offset  size      field
//	0       4         magic "LSVM"
//	4       2         format version (2; version 1 is still read)
//	6       2         weight encoding (uint16): 0 float32, 1 int8
//	                  (reserved and 0 in version 1, which is float32 only)
//	8       4         Classes (uint32, >= 1)
//	12      4         Features (uint32)
//	16      4·C       B, float32
//	float32 encoding:
//	...     4·F·C     W, float32, feature-major
//	int8 encoding:
//	...     4·F       Scale, float32, one per feature, finite and >= 0
//	...     F·C       Q, int8, feature-major
//	end−4   4         CRC-32 (IEEE) of all preceding bytes
//
// Version 1 files (float32, written before the int8 encoding existed) decode
// to the same model they always did.
const (
	magic       = "LSVM"
	version     = 2
	headerSize  = 16
	maxElements = 1 << 31 // refuse absurd sizes before allocating
)

// encodedSize is the length of the encoding of a classes x features model.
func encodedSize(enc Weights, classes, features uint64) uint64 {
	if enc == Int8 {
		return headerSize + 4*classes + 4*features + classes*features + 4
	}
	return headerSize + 4*classes*(features+1) + 4
}

// MarshalBinary encodes m in the layout described above, in m's encoding.
func (m *Linear) MarshalBinary() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	size := encodedSize(m.Encoding, uint64(m.Classes), uint64(m.Features))
	buf := make([]byte, headerSize, size)
	copy(buf, magic)
	binary.LittleEndian.PutUint16(buf[4:], version)
	binary.LittleEndian.PutUint16(buf[6:], uint16(m.Encoding))
	binary.LittleEndian.PutUint32(buf[8:], uint32(m.Classes))
	binary.LittleEndian.PutUint32(buf[12:], uint32(m.Features))
	for _, v := range m.B {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
	}
	if m.Encoding == Int8 {
		for _, v := range m.Scale {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
		for _, q := range m.Q {
			buf = append(buf, byte(q))
		}
	} else {
		for _, v := range m.W {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	buf = binary.LittleEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf))
	return buf, nil
}

// UnmarshalBinary decodes data written by MarshalBinary (or by the version
// 1 writer) into m. It checks the magic, version, encoding, sizes, checksum,
// that every float is finite and every scale >= 0, and leaves m unchanged on
// error. The decoded model's Export is its Encoding.
func (m *Linear) UnmarshalBinary(data []byte) error {
	if len(data) < headerSize+4 {
		return fmt.Errorf("svm: model data too short (%d bytes)", len(data))
	}
	if string(data[:4]) != magic {
		return fmt.Errorf("svm: bad magic %q, not a linear SVM model", data[:4])
	}
	enc := Float32
	switch v := binary.LittleEndian.Uint16(data[4:]); v {
	case 1:
	case version:
		e := binary.LittleEndian.Uint16(data[6:])
		if e >= uint16(len(weightNames)) {
			return fmt.Errorf("svm: unknown weight encoding %d", e)
		}
		enc = Weights(e)
	default:
		return fmt.Errorf("svm: unsupported model format version %d (want 1 or %d)", v, version)
	}
	classes := uint64(binary.LittleEndian.Uint32(data[8:]))
	features := uint64(binary.LittleEndian.Uint32(data[12:]))
	if classes == 0 {
		return fmt.Errorf("svm: model has no classes")
	}
	if classes*(features+1) > maxElements {
		return fmt.Errorf("svm: model of %d classes x %d features is too large", classes, features)
	}
	if want := encodedSize(enc, classes, features); uint64(len(data)) != want {
		return fmt.Errorf("svm: model data is %d bytes, want %d for %d classes x %d features (%v)", len(data), want, classes, features, enc)
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if got := crc32.ChecksumIEEE(body); got != sum {
		return fmt.Errorf("svm: model checksum mismatch (stored %08x, computed %08x)", sum, got)
	}
	p := body[headerSize:]
	floats := func(n uint64, what string) ([]float32, error) {
		vals := make([]float32, n)
		for i := range vals {
			v := math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("svm: non-finite %s at position %d", what, i)
			}
			vals[i] = v
		}
		p = p[4*n:]
		return vals, nil
	}
	out := Linear{Classes: int(classes), Features: int(features), Encoding: enc, Export: enc}
	if enc == Int8 {
		var err error
		if out.B, err = floats(classes, "bias"); err != nil {
			return err
		}
		if out.Scale, err = floats(features, "scale"); err != nil {
			return err
		}
		for f, s := range out.Scale {
			if s < 0 {
				return fmt.Errorf("svm: negative scale %v for feature %d", s, f)
			}
		}
		out.Q = make([]int8, classes*features)
		for i, b := range p {
			out.Q[i] = int8(b)
		}
	} else {
		vals, err := floats(classes*(features+1), "weight")
		if err != nil {
			return err
		}
		out.B, out.W = vals[:classes:classes], vals[classes:]
	}
	*m = out
	return nil
}

func (m *Linear) check() error {
	if m == nil || m.Classes <= 0 {
		return ErrNotFitted
	}
	if m.Features < 0 {
		return fmt.Errorf("svm: inconsistent model: %d features", m.Features)
	}
	if uint64(m.Classes)*uint64(m.Features+1) > maxElements {
		return fmt.Errorf("svm: model of %d classes x %d features is too large", m.Classes, m.Features)
	}
	n := m.Features * m.Classes
	switch m.Encoding {
	case Float32:
		if len(m.B) != m.Classes || len(m.W) != n || len(m.Q) != 0 || len(m.Scale) != 0 {
			return fmt.Errorf("svm: inconsistent model: %d classes, %d features, %d biases, %d weights", m.Classes, m.Features, len(m.B), len(m.W))
		}
	case Int8:
		if len(m.B) != m.Classes || len(m.Q) != n || len(m.Scale) != m.Features || len(m.W) != 0 {
			return fmt.Errorf("svm: inconsistent int8 model: %d classes, %d features, %d biases, %d weights, %d scales", m.Classes, m.Features, len(m.B), len(m.Q), len(m.Scale))
		}
	default:
		return fmt.Errorf("svm: unknown weight encoding %d", int(m.Encoding))
	}
	return nil
}
