package svm

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"intent/model/sparse"
)

// Matrix is the form of the training rows the one-vs-rest solvers read:
// 6 bytes per non-zero instead of sparse.Matrix's 8, the matrix being most
// of training's memory (a gigabyte at a million questions).
//
// Columns are renumbered by decreasing number of non-zeros (the solvers
// gather weights by column at random rows, and packing the frequent ones
// together keeps most gathers in the first cache lines of the weights),
// so that almost every entry has a column below 65,536: those are stored
// with a 16-bit column (the short part), the others apart with a 32-bit one
// (the long part). Each row's entries keep their order within each part;
// a row's dot products add the long part after the short one.
type Matrix struct {
	rows, cols int
	// order maps the renumbered columns back: column c is original column
	// order[c]. Fits report weights in the original numbering.
	order []int32
	ptr   []int // short part: row i is idx[ptr[i]:ptr[i+1]], val[...]
	idx   []uint16
	val   []float32
	lptr  []int32 // long part: row i is lidx[lptr[i]:lptr[i+1]], lval[...]
	lidx  []int32
	lval  []float32
}

// shortCols is the number of columns the short part can address.
const shortCols = 1 << 16

// NewMatrix converts X for training and consumes it: X's values are reused
// in place and its indices dropped, so X must not be used afterwards. The
// conversion holds 10 bytes per non-zero at its peak, and the result 6.
// It checks what the solvers rely on: a well-formed CSR layout, every
// index in range and every value finite.
func NewMatrix(X *sparse.Matrix) (*Matrix, error) {
	if err := checkMatrix(X); err != nil {
		return nil, err
	}
	if X.Cols > math.MaxInt32 {
		return nil, fmt.Errorf("svm: invalid column count %d", X.Cols)
	}
	for j, v := range X.Value {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("svm: non-finite value %v at entry %d", v, j)
		}
	}
	count := make([]int32, X.Cols)
	for _, f := range X.Index {
		count[f]++
	}
	order := make([]int32, X.Cols)
	for f := range order {
		order[f] = int32(f)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(count[b], count[a]) })
	pos := Position(order)
	nLong := 0
	for _, f := range X.Index {
		if pos[f] >= shortCols {
			nLong++
		}
	}
	n := X.Rows()
	M := &Matrix{rows: n, cols: X.Cols, order: order,
		ptr: make([]int, n+1), idx: make([]uint16, 0, len(X.Index)-nLong),
		lptr: make([]int32, n+1), lidx: make([]int32, 0, nLong), lval: make([]float32, 0, nLong)}
	// Values of the short part move down in place: entry j is written at
	// a position at most j, after it was read.
	val := X.Value
	w := 0
	for i := range n {
		for j := X.Ptr[i]; j < X.Ptr[i+1]; j++ {
			c := pos[X.Index[j]]
			if c < shortCols {
				M.idx = append(M.idx, uint16(c))
				val[w] = X.Value[j]
				w++
			} else {
				M.lidx = append(M.lidx, c)
				M.lval = append(M.lval, X.Value[j])
			}
		}
		M.ptr[i+1] = w
		M.lptr[i+1] = int32(len(M.lidx))
	}
	M.val = val[:w:w]
	X.Ptr, X.Index, X.Value = nil, nil, nil
	return M, nil
}

// copyMatrix is NewMatrix on a copy, leaving X as it was.
func copyMatrix(X *sparse.Matrix) (*Matrix, error) {
	if X == nil {
		return nil, fmt.Errorf("svm: nil matrix")
	}
	return NewMatrix(&sparse.Matrix{Ptr: X.Ptr, Index: X.Index, Value: slices.Clone(X.Value), Cols: X.Cols})
}

// Rows is the number of rows.
func (m *Matrix) Rows() int { return m.rows }

// Cols is the number of columns.
func (m *Matrix) Cols() int { return m.cols }

// NNZ is the number of stored entries.
func (m *Matrix) NNZ() int { return len(m.idx) + len(m.lidx) }

// short and long return row i's entries of each part.
func (m *Matrix) short(i int32) ([]uint16, []float32) {
	lo, hi := m.ptr[i], m.ptr[i+1]
	return m.idx[lo:hi:hi], m.val[lo:hi:hi]
}

func (m *Matrix) long(i int32) ([]int32, []float32) {
	lo, hi := m.lptr[i], m.lptr[i+1]
	return m.lidx[lo:hi:hi], m.lval[lo:hi:hi]
}

// dot sets out to row i's dot products with the block weights w.
func (m *Matrix) dot(w []float32, i int32, out *[blockSize]float32) {
	idx, val := m.short(i)
	dotBlock16(w, idx, val, out)
	if lidx, lval := m.long(i); len(lidx) > 0 {
		var more [blockSize]float32
		dotBlock(w, lidx, lval, &more)
		for k := range out {
			out[k] += more[k]
		}
	}
}

// axpy adds d[k]·x_i to lane k of the block weights w.
func (m *Matrix) axpy(w []float32, i int32, d *[blockSize]float32) {
	idx, val := m.short(i)
	axpyBlock16(w, idx, val, d)
	if lidx, lval := m.long(i); len(lidx) > 0 {
		axpyBlock(w, lidx, lval, d)
	}
}

// axpyLane adds a·x_i to lane k of the block weights w.
func (m *Matrix) axpyLane(w []float32, k int, a float64, i int32) {
	idx, val := m.short(i)
	for j, c := range idx {
		w[int(c)*blockSize+k] += float32(a * float64(val[j]))
	}
	lidx, lval := m.long(i)
	for j, c := range lidx {
		w[int(c)*blockSize+k] += float32(a * float64(lval[j]))
	}
}

// norm2 is x_i·x_i.
func (m *Matrix) norm2(i int32) float64 {
	var s float64
	_, val := m.short(i)
	for _, v := range val {
		s += float64(v) * float64(v)
	}
	_, lval := m.long(i)
	for _, v := range lval {
		s += float64(v) * float64(v)
	}
	return s
}

// toSparse rebuilds the rows (or the listed ones) in the original column
// numbering, for the Crammer-Singer solver, which reads sparse.Matrix.
func (m *Matrix) toSparse(rows []int) *sparse.Matrix {
	out := sparse.NewMatrix(m.cols)
	add := func(i int32) {
		var v sparse.Vector
		idx, val := m.short(i)
		for j, c := range idx {
			v.Index = append(v.Index, m.order[c])
			v.Value = append(v.Value, val[j])
		}
		lidx, lval := m.long(i)
		for j, c := range lidx {
			v.Index = append(v.Index, m.order[c])
			v.Value = append(v.Value, lval[j])
		}
		out.Append(v)
	}
	if rows == nil {
		for i := range m.rows {
			add(int32(i))
		}
	} else {
		for _, r := range rows {
			add(int32(r))
		}
	}
	return out
}
