package svm

import (
	"fmt"
	"math"
	"strings"
)

// Weights is how a Linear stores its weights, in memory and in its binary
// form. Training always works in float32; a model is converted once, at
// export (see Exported), and never back.
type Weights uint8

const (
	// Float32 keeps every weight as a float32 in W: 4 bytes a weight.
	Float32 Weights = iota
	// Int8 stores feature f's row of class weights as signed bytes in
	// Q[f*Classes : (f+1)*Classes] with one float32 scale, Scale[f]: the
	// weight of class k is Scale[f]·Q[f*Classes+k]. The scale is the row's
	// largest absolute weight over 127, so each weight is off by at most
	// half a step, 1/254 of its row's largest weight: 1 byte a weight.
	Int8
)

var weightNames = [...]string{Float32: "float32", Int8: "int8"}

// String returns the name accepted by ParseWeights: "float32" or "int8".
func (w Weights) String() string {
	if int(w) < len(weightNames) {
		return weightNames[w]
	}
	return fmt.Sprintf("Weights(%d)", int(w))
}

// ParseWeights accepts "float32" (or "f32") and "int8" (or "i8", "q8"),
// case-insensitively.
func ParseWeights(name string) (Weights, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "float32", "f32":
		return Float32, nil
	case "int8", "i8", "q8":
		return Int8, nil
	}
	return 0, fmt.Errorf("svm: unknown weight encoding %q (want float32 or int8)", name)
}

// MarshalText implements encoding.TextMarshaler with the String name.
func (w Weights) MarshalText() ([]byte, error) {
	if !w.valid() {
		return nil, fmt.Errorf("svm: unknown weight encoding %d", int(w))
	}
	return []byte(w.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseWeights.
func (w *Weights) UnmarshalText(b []byte) error {
	v, err := ParseWeights(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

func (w Weights) valid() bool { return int(w) < len(weightNames) }

// Exported returns m in the encoding it is to be exported in (m.Export): m
// itself when it is already stored that way or when Export is Float32 (an
// int8 model is never widened back), otherwise a quantized copy. Fit sets
// Export from Config.Weights; a model read by UnmarshalBinary has Export
// equal to its Encoding.
func (m *Linear) Exported() *Linear {
	if m.Export == Int8 && m.Encoding == Float32 {
		return m.QuantizeInt8()
	}
	return m
}

// QuantizeInt8 returns an Int8 copy of a Float32 model (m itself when it is
// Int8 already): per feature row, Scale is the largest absolute weight over
// 127 and Q the weights over Scale rounded to the nearest integer. The
// biases stay float32.
func (m *Linear) QuantizeInt8() *Linear {
	if m.Encoding == Int8 {
		return m
	}
	k := m.Classes
	out := &Linear{
		Classes: k, Features: m.Features, Encoding: Int8, Export: Int8,
		Q: make([]int8, len(m.W)), Scale: make([]float32, m.Features),
		B: append([]float32(nil), m.B...),
	}
	for f := range out.Scale {
		row := m.W[f*k : (f+1)*k]
		var mx float64
		for _, w := range row {
			mx = max(mx, math.Abs(float64(w)))
		}
		if mx == 0 {
			continue
		}
		scale := float32(mx / 127)
		out.Scale[f] = scale
		q := out.Q[f*k : (f+1)*k]
		for i, w := range row {
			v := math.Round(float64(w) / float64(scale))
			q[i] = int8(max(-127, min(127, v)))
		}
	}
	return out
}

// WeightBytes is the memory the weights take: W, or Q and Scale, plus B.
func (m *Linear) WeightBytes() int {
	return 4*(len(m.W)+len(m.Scale)+len(m.B)) + len(m.Q)
}
