package svm

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"intent/model/sparse"
)

// The AVX2 kernels and the portable ones compute the same sums (up to the
// rounding of fused multiply-adds), for every row length.
func TestBlockKernels(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this machine: only the portable kernels run")
	}
	r := rand.New(rand.NewPCG(3, 4))
	const nf = 97
	w := make([]float32, nf*blockSize)
	for i := range w {
		w[i] = r.Float32()*2 - 1
	}
	for n := 1; n <= 9; n++ {
		idx := make([]int32, n)
		val := make([]float32, n)
		for j := range idx {
			idx[j] = int32(r.IntN(nf))
			val[j] = r.Float32()
		}
		var got, want [blockSize]float32
		dotBlockAVX2(&w[0], &idx[0], &val[0], n, &got)
		dotBlockGo(w, idx, val, &want)
		for m := range got {
			if math.Abs(float64(got[m]-want[m])) > 1e-5 {
				t.Fatalf("n=%d: dot lane %d = %v, portable %v", n, m, got[m], want[m])
			}
		}
		var d [blockSize]float32
		for m := range d {
			d[m] = r.Float32() - 0.5
		}
		a, b := slices.Clone(w), slices.Clone(w)
		axpyBlockAVX2(&a[0], &idx[0], &val[0], n, &d)
		axpyBlockGo(b, idx, val, &d)
		for i := range a {
			if math.Abs(float64(a[i]-b[i])) > 1e-5 {
				t.Fatalf("n=%d: axpy entry %d = %v, portable %v", n, i, a[i], b[i])
			}
		}
		if slices.Equal(a, w) {
			t.Fatalf("n=%d: axpy changed nothing", n)
		}
		// The 16-bit kernels on the same entries.
		idx16 := make([]uint16, n)
		for j, f := range idx {
			idx16[j] = uint16(f)
		}
		var got16 [blockSize]float32
		dotBlock16AVX2(&w[0], &idx16[0], &val[0], n, &got16)
		if got16 != got {
			t.Fatalf("n=%d: 16-bit dot %v, 32-bit %v", n, got16, got)
		}
		c := slices.Clone(w)
		axpyBlock16AVX2(&c[0], &idx16[0], &val[0], n, &d)
		if !slices.Equal(c, a) {
			t.Fatalf("n=%d: 16-bit axpy differs from the 32-bit one", n)
		}
		var g16 [blockSize]float32
		dotBlockGo(w, idx16, val, &g16)
		if g16 != want {
			t.Fatalf("n=%d: portable 16-bit dot %v, 32-bit %v", n, g16, want)
		}
	}
}

// Fitting on Config.Rows is fitting on the copied subset: the same weights,
// bit for bit, and the same dual variables.
func TestFitRowsIsSubset(t *testing.T) {
	X, y := synthetic(900, 20, 800, 20, 11)
	r := rand.New(rand.NewPCG(5, 6))
	var rows []int
	for i := range X.Rows() {
		if r.IntN(4) != 0 {
			rows = append(rows, i)
		}
	}
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	ys := pick32(y, rows)
	for _, s := range []Solver{L2LossDual, L1LossDual, CrammerSinger} {
		t.Run(s.String(), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Solver = s
			want, wd, err := FitDual(context.Background(), X.Subset(rows), ys, 20, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Rows = rows
			got, gd, err := FitDual(context.Background(), X, ys, 20, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.W, want.W) || !slices.Equal(got.B, want.B) {
				t.Error("weights differ from the fit on the copied rows")
			}
			if !slices.Equal(gd.Row, wd.Row) || !slices.Equal(gd.Alpha, wd.Alpha) || !slices.Equal(gd.Ptr, wd.Ptr) {
				t.Error("dual variables differ from the fit on the copied rows")
			}
		})
	}
	cfg := DefaultConfig()
	cfg.Rows = []int{0, X.Rows()}
	if _, err := Fit(context.Background(), X, y[:2], 20, cfg, nil); err == nil {
		t.Error("a row out of range was accepted")
	}
}

func pick32(y []int32, rows []int) []int32 {
	out := make([]int32, len(rows))
	for i, r := range rows {
		out[i] = y[r]
	}
	return out
}

// A Matrix holds the rows with renumbered columns, in a short part (16-bit
// columns) and a long one; its dot products and updates are those of the
// rows in the original numbering, and NewMatrix consumes X.
func TestMatrixShortAndLong(t *testing.T) {
	// 70,000 columns, each used by a few rows: some get numbers above
	// 65,535 whatever the order, so the long part is not empty.
	r := rand.New(rand.NewPCG(8, 9))
	const cols, rows = 70000, 5000
	X := sparse.NewMatrix(cols)
	for range rows {
		set := map[int32]bool{}
		for len(set) < 60 {
			set[int32(r.IntN(cols))] = true
		}
		var v sparse.Vector
		for c := range set {
			v.Index = append(v.Index, c)
		}
		slices.Sort(v.Index)
		for range v.Index {
			v.Value = append(v.Value, r.Float32())
		}
		X.Append(v)
	}
	orig := &sparse.Matrix{Ptr: slices.Clone(X.Ptr), Index: slices.Clone(X.Index), Value: slices.Clone(X.Value), Cols: cols}
	M, err := NewMatrix(X)
	if err != nil {
		t.Fatal(err)
	}
	if X.Index != nil || X.Value != nil {
		t.Error("NewMatrix left X's entries in place")
	}
	if len(M.lidx) == 0 || len(M.idx) == 0 || M.NNZ() != orig.NNZ() {
		t.Fatalf("%d short and %d long entries of %d", len(M.idx), len(M.lidx), orig.NNZ())
	}
	// Weights in the original numbering, and the same in M's.
	w := make([]float32, cols*blockSize)
	wm := make([]float32, cols*blockSize)
	for c := range cols {
		for k := range blockSize {
			w[c*blockSize+k] = r.Float32() - 0.5
		}
	}
	pos := Position(M.order)
	for c := range cols {
		copy(wm[int(pos[c])*blockSize:int(pos[c])*blockSize+blockSize], w[c*blockSize:c*blockSize+blockSize])
	}
	for _, i := range []int32{0, 17, rows - 1} {
		var got, want [blockSize]float32
		M.dot(wm, i, &got)
		x := orig.Row(int(i))
		dotBlockGo(w, x.Index, x.Value, &want)
		for k := range got {
			if math.Abs(float64(got[k]-want[k])) > 1e-4 {
				t.Fatalf("row %d lane %d: dot %v, want %v", i, k, got[k], want[k])
			}
		}
		if math.Abs(M.norm2(i)-float64(x.Dot(vec64(x)))) > 1e-4 {
			t.Errorf("row %d: norm %v, want %v", i, M.norm2(i), x.Dot(vec64(x)))
		}
	}
	back := M.toSparse(nil)
	for i := range rows {
		a, b := back.Row(i), orig.Row(i)
		got := map[int32]float32{}
		for j, c := range a.Index {
			got[c] = a.Value[j]
		}
		if len(got) != len(b.Index) {
			t.Fatalf("row %d: %d entries back, want %d", i, len(got), len(b.Index))
		}
		for j, c := range b.Index {
			if got[c] != b.Value[j] {
				t.Fatalf("row %d column %d: %v back, want %v", i, c, got[c], b.Value[j])
			}
		}
	}
	bad := &sparse.Matrix{Ptr: []int{0, 1}, Index: []int32{0}, Value: []float32{float32(math.NaN())}, Cols: 1}
	if _, err := NewMatrix(bad); err == nil {
		t.Error("a NaN value was accepted")
	}
	bad = &sparse.Matrix{Ptr: []int{0, 1}, Index: []int32{3}, Value: []float32{1}, Cols: 2}
	if _, err := NewMatrix(bad); err == nil {
		t.Error("a column out of range was accepted")
	}
}

// vec64 is x's values as a dense float64 vector over its columns, for Dot.
func vec64(x sparse.Vector) []float64 {
	mx := int32(0)
	for _, c := range x.Index {
		mx = max(mx, c)
	}
	d := make([]float64, mx+1)
	for j, c := range x.Index {
		d[c] = float64(x.Value[j])
	}
	return d
}

// Fitting on a Matrix is fitting on the rows it was made from.
func TestFitOnMatrix(t *testing.T) {
	X, y := synthetic(700, 20, 600, 20, 16)
	for _, s := range []Solver{L2LossDual, CrammerSinger} {
		cfg := DefaultConfig()
		cfg.Solver = s
		want, err := Fit(context.Background(), X, y, 20, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		M, err := copyMatrix(X)
		if err != nil {
			t.Fatal(err)
		}
		got, err := M.Fit(context.Background(), y, 20, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s == L2LossDual && (!slices.Equal(got.W, want.W) || !slices.Equal(got.B, want.B)) {
			t.Errorf("%v: the fit on the Matrix differs", s)
		}
		if acc, ref := accuracy(got, X, y), accuracy(want, X, y); math.Abs(acc-ref) > 0.01 {
			t.Errorf("%v: training accuracy %.3f on the Matrix, %.3f on the rows", s, acc, ref)
		}
	}
}

// The dual variables are kept sparse, and Select and Expand move them
// between a set and its subsets.
func TestDualSparseSelectExpand(t *testing.T) {
	X, y := synthetic(1200, 30, 800, 20, 13)
	_, d, err := FitDual(context.Background(), X, y, 30, DefaultConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.validate(); err != nil {
		t.Fatal(err)
	}
	if d.Len() == 0 || d.Len() > X.Rows()*30/2 {
		t.Errorf("%d non-zero variables of %d: expected a sparse minority", d.Len(), X.Rows()*30)
	}
	dense := d.dense()
	keep := []int{5, 3, 700, 1199, 0}
	s, err := d.Select(keep)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.validate(); err != nil {
		t.Fatal(err)
	}
	sd := s.dense()
	for i, r := range keep {
		if !slices.Equal(sd[i*30:(i+1)*30], dense[r*30:(r+1)*30]) {
			t.Errorf("selected row %d is not row %d", i, r)
		}
	}
	e, err := s.Expand(keep, X.Rows())
	if err != nil {
		t.Fatal(err)
	}
	ed := e.dense()
	for i := range X.Rows() {
		want := make([]float64, 30)
		if slices.Contains(keep, i) {
			want = dense[i*30 : (i+1)*30]
		}
		if !slices.Equal(ed[i*30:(i+1)*30], want) {
			t.Fatalf("expanded row %d differs", i)
		}
	}
	if _, err := d.Select([]int{X.Rows()}); err == nil {
		t.Error("Select accepted a row out of range")
	}
	bad := *d
	bad.Row = slices.Clone(d.Row)
	bad.Row[0], bad.Row[1] = bad.Row[1], bad.Row[0]
	cfg := DefaultConfig()
	cfg.Init = &bad
	if _, err := Fit(context.Background(), X, y, 30, cfg, nil); err == nil {
		t.Error("a warm start with rows out of order was accepted")
	}
}

// FitScore gives the decision values of the model Fit returns.
func TestFitScoreIsDecision(t *testing.T) {
	for _, classes := range []int{2, 20} {
		X, y := synthetic(700, classes, 600, 20, 14)
		for _, s := range []Solver{L2LossDual, CrammerSinger} {
			cfg := DefaultConfig()
			cfg.Solver = s
			cfg.Rows = make([]int, 0, 600)
			for i := range 600 {
				cfg.Rows = append(cfg.Rows, i)
			}
			ys := y[:600]
			m, err := Fit(context.Background(), X, ys, classes, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			score := []int{650, 3, 699, 600}
			got, err := FitScore(context.Background(), X, ys, classes, cfg, score, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(score)*classes {
				t.Fatalf("%d scores for %d rows x %d classes", len(got), len(score), classes)
			}
			for j, r := range score {
				want := m.Decision(X.Row(r), nil)
				for c := range classes {
					if d := math.Abs(float64(got[j*classes+c] - want[c])); d > 1e-4 {
						t.Errorf("%v, %d classes: row %d class %d: %v, the model says %v", s, classes, r, c, got[j*classes+c], want[c])
					}
				}
			}
			if _, err := FitScore(context.Background(), X, ys, classes, cfg, []int{X.Rows()}, nil); err == nil {
				t.Error("a row to score out of range was accepted")
			}
		}
	}
}
