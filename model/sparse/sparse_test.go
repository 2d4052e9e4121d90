package sparse

import "testing"

func TestMatrixAppendRowSubset(t *testing.T) {
	m := NewMatrix(5)
	m.Append(Vector{Index: []int32{0, 3}, Value: []float32{1, 2}})
	m.Append(Vector{})
	m.Append(Vector{Index: []int32{4}, Value: []float32{5}})
	if m.Rows() != 3 || m.NNZ() != 3 {
		t.Fatalf("rows=%d nnz=%d, want 3 3", m.Rows(), m.NNZ())
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := m.Row(2).Dot([]float64{0, 0, 0, 0, 2}); got != 10 {
		t.Fatalf("dot = %v, want 10", got)
	}
	s := m.Subset([]int{2, 0})
	if s.Rows() != 2 || s.Row(0).Index[0] != 4 || s.Row(1).Value[1] != 2 {
		t.Fatalf("subset wrong: %+v", s)
	}
	// Appending to a row view must not clobber the next row.
	r := m.Row(0)
	_ = append(r.Index, 9)
	if m.Index[2] != 4 {
		t.Fatal("Row view is not capacity-limited")
	}
}

func TestValidateRejects(t *testing.T) {
	cases := map[string]Vector{
		"unsorted":     {Index: []int32{3, 1}, Value: []float32{1, 1}},
		"duplicate":    {Index: []int32{1, 1}, Value: []float32{1, 1}},
		"out of range": {Index: []int32{7}, Value: []float32{1}},
		"length":       {Index: []int32{1}, Value: nil},
	}
	for name, v := range cases {
		if v.Validate(5) == nil {
			t.Errorf("%s: Validate accepted %+v", name, v)
		}
	}
}
