package sparse

import (
	"fmt"
	"math"
)

// Vector is a sparse vector: Index[i] is the column of Value[i]. Indices are
// strictly increasing; a Vector built by hand that breaks this is rejected by
// Validate.
type Vector struct {
	Index []int32
	Value []float32
}

// Len is the number of stored (non-zero) entries.
func (v Vector) Len() int { return len(v.Index) }

// Validate reports whether v is well formed for a space of dim columns.
func (v Vector) Validate(dim int) error {
	if len(v.Index) != len(v.Value) {
		return fmt.Errorf("sparse: %d indices but %d values", len(v.Index), len(v.Value))
	}
	prev := int32(-1)
	for i, c := range v.Index {
		if c <= prev {
			return fmt.Errorf("sparse: index %d at position %d is not increasing", c, i)
		}
		if int(c) >= dim {
			return fmt.Errorf("sparse: index %d out of range [0,%d)", c, dim)
		}
		prev = c
	}
	return nil
}

// Dot returns the inner product of v with the dense vector w.
func (v Vector) Dot(w []float64) float64 {
	var s float64
	for i, c := range v.Index {
		s += float64(v.Value[i]) * w[c]
	}
	return s
}

// Norm2 returns the Euclidean norm of v.
func (v Vector) Norm2() float64 {
	var s float64
	for _, x := range v.Value {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

// Matrix is a set of rows in CSR layout: row i is
// Index[Ptr[i]:Ptr[i+1]], Value[Ptr[i]:Ptr[i+1]]. Cols is the number of
// columns (features).
type Matrix struct {
	Ptr   []int
	Index []int32
	Value []float32
	Cols  int
}

// NewMatrix returns an empty matrix with cols columns, ready for Append.
func NewMatrix(cols int) *Matrix {
	return &Matrix{Ptr: []int{0}, Cols: cols}
}

// Rows is the number of rows.
func (m *Matrix) Rows() int { return len(m.Ptr) - 1 }

// NNZ is the number of stored entries.
func (m *Matrix) NNZ() int { return len(m.Index) }

// Row returns row i as a Vector sharing the matrix's memory.
func (m *Matrix) Row(i int) Vector {
	a, b := m.Ptr[i], m.Ptr[i+1]
	return Vector{Index: m.Index[a:b:b], Value: m.Value[a:b:b]}
}

// Append copies v as a new last row.
func (m *Matrix) Append(v Vector) {
	m.Index = append(m.Index, v.Index...)
	m.Value = append(m.Value, v.Value...)
	m.Ptr = append(m.Ptr, len(m.Index))
}

// Subset returns a new matrix made of the given rows, in that order.
func (m *Matrix) Subset(rows []int) *Matrix {
	n := 0
	for _, r := range rows {
		n += m.Ptr[r+1] - m.Ptr[r]
	}
	out := &Matrix{Ptr: make([]int, 1, len(rows)+1), Index: make([]int32, 0, n), Value: make([]float32, 0, n), Cols: m.Cols}
	for _, r := range rows {
		out.Append(m.Row(r))
	}
	return out
}

// Validate checks the CSR invariants and every row.
func (m *Matrix) Validate() error {
	if len(m.Ptr) == 0 || m.Ptr[0] != 0 {
		return fmt.Errorf("sparse: matrix Ptr must start with 0")
	}
	if m.Ptr[len(m.Ptr)-1] != len(m.Index) || len(m.Index) != len(m.Value) {
		return fmt.Errorf("sparse: matrix Ptr end %d, %d indices, %d values disagree", m.Ptr[len(m.Ptr)-1], len(m.Index), len(m.Value))
	}
	for i := 0; i < m.Rows(); i++ {
		if m.Ptr[i+1] < m.Ptr[i] {
			return fmt.Errorf("sparse: row %d has negative length", i)
		}
		if err := m.Row(i).Validate(m.Cols); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
	}
	return nil
}
