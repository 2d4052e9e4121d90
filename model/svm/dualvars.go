package svm

import (
	"fmt"
	"slices"
)

// Dual holds the dual variables of a fit, so that a later fit on the same
// rows (or a subset, or a superset) can start close to its optimum. For
// one-vs-rest, the variable of row i for class c is liblinear's α_i of the
// problem "class c versus the rest"; for Crammer-Singer it is α_i^c of
// Keerthi et al.
//
// Only the non-zero variables are kept, class by class: those of class c
// are the rows Row[Ptr[c]:Ptr[c+1]], increasing, with the values
// Alpha[Ptr[c]:Ptr[c+1]]. Most variables are zero (one-vs-rest: only the
// rows inside the margin of a class hold one), and keeping all of them,
// rows × classes float64, was the largest allocation of training at scale:
// 1.2 GB for a million questions and 150 intents.
type Dual struct {
	Solver  Solver
	Classes int
	Rows    int
	Ptr     []int
	Row     []int32
	Alpha   []float64
}

// Len is the number of non-zero variables kept.
func (d *Dual) Len() int { return len(d.Row) }

// validate checks the layout invariants.
func (d *Dual) validate() error {
	if d.Classes < 1 || d.Rows < 0 || len(d.Ptr) != d.Classes+1 || d.Ptr[0] != 0 ||
		d.Ptr[d.Classes] != len(d.Row) || len(d.Row) != len(d.Alpha) {
		return fmt.Errorf("svm: malformed dual variables (%d classes, %d rows, %d pointers, %d rows and %d values listed)",
			d.Classes, d.Rows, len(d.Ptr), len(d.Row), len(d.Alpha))
	}
	for c := range d.Classes {
		if d.Ptr[c+1] < d.Ptr[c] {
			return fmt.Errorf("svm: malformed dual variables: class %d has a negative length", c)
		}
		prev := int32(-1)
		for _, r := range d.Row[d.Ptr[c]:d.Ptr[c+1]] {
			if r <= prev || int(r) >= d.Rows {
				return fmt.Errorf("svm: malformed dual variables: class %d lists row %d after %d (rows [0,%d))", c, r, prev, d.Rows)
			}
			prev = r
		}
	}
	return nil
}

// class returns the rows and values of class c.
func (d *Dual) class(c int) ([]int32, []float64) {
	return d.Row[d.Ptr[c]:d.Ptr[c+1]], d.Alpha[d.Ptr[c]:d.Ptr[c+1]]
}

// dualBuilder collects the non-zero variables of each class as the classes
// finish, in any order.
type dualBuilder struct {
	solver  Solver
	rows    int
	classes [][]int32
	values  [][]float64
}

func newDualBuilder(s Solver, rows, classes int) *dualBuilder {
	return &dualBuilder{solver: s, rows: rows, classes: make([][]int32, classes), values: make([][]float64, classes)}
}

// set records the variables of class c from the dense alpha (one per row).
func (b *dualBuilder) set(c int, alpha []float64) {
	var rows []int32
	var vals []float64
	for i, a := range alpha {
		if a != 0 {
			rows = append(rows, int32(i))
			vals = append(vals, a)
		}
	}
	b.classes[c], b.values[c] = rows, vals
}

// setLane records the variables of class c from lane m of a block
// solver's alpha (blockSize per row).
func (b *dualBuilder) setLane(c int, alpha []float32, m int) {
	var rows []int32
	var vals []float64
	for i := 0; i*blockSize < len(alpha); i++ {
		if a := alpha[i*blockSize+m]; a != 0 {
			rows = append(rows, int32(i))
			vals = append(vals, float64(a))
		}
	}
	b.classes[c], b.values[c] = rows, vals
}

func (b *dualBuilder) dual() *Dual {
	nz := 0
	for _, r := range b.classes {
		nz += len(r)
	}
	d := &Dual{Solver: b.solver, Classes: len(b.classes), Rows: b.rows,
		Ptr: make([]int, 1, len(b.classes)+1), Row: make([]int32, 0, nz), Alpha: make([]float64, 0, nz)}
	for c := range b.classes {
		d.Row = append(d.Row, b.classes[c]...)
		d.Alpha = append(d.Alpha, b.values[c]...)
		d.Ptr = append(d.Ptr, len(d.Row))
		b.classes[c], b.values[c] = nil, nil
	}
	return d
}

// denseDual keeps the variables of a dense rows × classes matrix
// (row-major, as the Crammer-Singer solver holds them).
func denseDual(s Solver, rows, classes int, alpha []float64) *Dual {
	b := newDualBuilder(s, rows, classes)
	col := make([]float64, rows)
	for c := range classes {
		for i := range rows {
			col[i] = alpha[i*classes+c]
		}
		b.set(c, col)
	}
	return b.dual()
}

// dense returns the variables as a row-major rows × classes matrix.
func (d *Dual) dense() []float64 {
	out := make([]float64, d.Rows*d.Classes)
	for c := range d.Classes {
		rows, vals := d.class(c)
		for j, r := range rows {
			out[int(r)*d.Classes+c] = vals[j]
		}
	}
	return out
}

// Expand returns the dual variables of an n-row problem whose row rows[i] is
// row i of d; the other rows start at zero. It is how a fit on a subset
// seeds a fit on the whole set.
func (d *Dual) Expand(rows []int, n int) (*Dual, error) {
	if len(rows) != d.Rows {
		return nil, fmt.Errorf("svm: expand: %d row positions for %d rows", len(rows), d.Rows)
	}
	for _, r := range rows {
		if r < 0 || r >= n {
			return nil, fmt.Errorf("svm: expand: row position %d out of range [0,%d)", r, n)
		}
	}
	return d.remap(n, func(i int32) int32 { return int32(rows[i]) }), nil
}

// Select returns the dual variables of the problem made of the rows keep of
// d's (row i of the result is row keep[i] of d), as a warm start for a fit
// on that subset: a cross-validation fold starts from the fit on all rows.
func (d *Dual) Select(keep []int) (*Dual, error) {
	pos := make([]int32, d.Rows)
	for i := range pos {
		pos[i] = -1
	}
	for i, r := range keep {
		if r < 0 || r >= d.Rows {
			return nil, fmt.Errorf("svm: select: row %d out of range [0,%d)", r, d.Rows)
		}
		pos[r] = int32(i)
	}
	return d.remap(len(keep), func(i int32) int32 { return pos[i] }), nil
}

// remap moves every variable of row i to row to(i), dropping those mapped
// to -1, into an n-row Dual.
func (d *Dual) remap(n int, to func(int32) int32) *Dual {
	out := &Dual{Solver: d.Solver, Classes: d.Classes, Rows: n, Ptr: make([]int, 1, d.Classes+1)}
	type entry struct {
		row int32
		a   float64
	}
	var buf []entry
	for c := range d.Classes {
		rows, vals := d.class(c)
		buf = buf[:0]
		for j, r := range rows {
			if t := to(r); t >= 0 {
				buf = append(buf, entry{t, vals[j]})
			}
		}
		slices.SortFunc(buf, func(a, b entry) int { return int(a.row) - int(b.row) })
		for _, e := range buf {
			out.Row = append(out.Row, e.row)
			out.Alpha = append(out.Alpha, e.a)
		}
		out.Ptr = append(out.Ptr, len(out.Row))
	}
	return out
}
