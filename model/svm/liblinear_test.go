package svm

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"intent/model/sparse"
)

// The fixture under testdata/liblinear was made by `go test -run Liblinear
// -update-liblinear` with liblinear 2.3.0's train (Debian liblinear-tools):
// see testdata/liblinear/COMMANDS.
var updateLiblinear = flag.Bool("update-liblinear", false, "regenerate testdata/liblinear with liblinear's train")

// liblinearProblem is a small sparse 4-class problem with overlap.
func liblinearProblem() (*sparse.Matrix, []int32) {
	r := rand.New(rand.NewPCG(12, 34))
	const rows, classes, features = 240, 4, 60
	X := sparse.NewMatrix(features)
	y := make([]int32, rows)
	for i := range rows {
		c := int32(r.IntN(classes))
		y[i] = c
		set := map[int32]float32{}
		for len(set) < 4 {
			set[c*15+int32(r.IntN(15))] = r.Float32() + 0.2
		}
		for len(set) < 10 {
			set[int32(r.IntN(features))] = r.Float32()
		}
		var v sparse.Vector
		for j := range set {
			v.Index = append(v.Index, j)
		}
		slices.Sort(v.Index)
		for _, j := range v.Index {
			v.Value = append(v.Value, set[j])
		}
		X.Append(v)
	}
	return X, y
}

func writeSVMLight(path string, X *sparse.Matrix, y []int32) error {
	var b strings.Builder
	for i := range X.Rows() {
		b.WriteString(strconv.Itoa(int(y[i])))
		x := X.Row(i)
		for j, f := range x.Index {
			fmt.Fprintf(&b, " %d:%s", f+1, strconv.FormatFloat(float64(x.Value[j]), 'g', -1, 32))
		}
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func readSVMLight(path string, cols int) (*sparse.Matrix, []int32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	X := sparse.NewMatrix(cols)
	var y []int32
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		l, err := strconv.Atoi(fields[0])
		if err != nil {
			return nil, nil, err
		}
		y = append(y, int32(l))
		var v sparse.Vector
		for _, p := range fields[1:] {
			a, b, _ := strings.Cut(p, ":")
			j, err1 := strconv.Atoi(a)
			x, err2 := strconv.ParseFloat(b, 32)
			if err1 != nil || err2 != nil {
				return nil, nil, fmt.Errorf("bad pair %q", p)
			}
			v.Index = append(v.Index, int32(j-1))
			v.Value = append(v.Value, float32(x))
		}
		X.Append(v)
	}
	return X, y, sc.Err()
}

// readLiblinearModel parses a model file written by liblinear's train into a
// Linear whose class k is label k, for a problem with the given columns.
func readLiblinearModel(path string, cols int) (*Linear, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var labels []int
	nf, bias, start := 0, -1.0, -1
	for i, line := range lines {
		f := strings.Fields(line)
		switch f[0] {
		case "label":
			for _, s := range f[1:] {
				l, _ := strconv.Atoi(s)
				labels = append(labels, l)
			}
		case "nr_feature":
			nf, _ = strconv.Atoi(f[1])
		case "bias":
			bias, _ = strconv.ParseFloat(f[1], 64)
		case "w":
			start = i + 1
		}
		if start >= 0 {
			break
		}
	}
	k := len(labels)
	if start < 0 || k < 3 || nf > cols {
		return nil, fmt.Errorf("%s: unexpected header (labels %v, nr_feature %d)", path, labels, nf)
	}
	rows := nf
	if bias > 0 {
		rows++
	}
	if len(lines)-start != rows {
		return nil, fmt.Errorf("%s: %d weight rows, want %d", path, len(lines)-start, rows)
	}
	m := &Linear{Classes: k, Features: cols, W: make([]float32, cols*k), B: make([]float32, k)}
	for r := range rows {
		f := strings.Fields(lines[start+r])
		if len(f) != k {
			return nil, fmt.Errorf("%s: row %d has %d weights", path, r, len(f))
		}
		for c, s := range f {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, err
			}
			if r == nf {
				m.B[labels[c]] = float32(v * bias)
			} else {
				m.W[r*k+labels[c]] = float32(v)
			}
		}
	}
	return m, nil
}

// liblinearTrain returns the path of liblinear's train, or "".
func liblinearTrain() string {
	for _, name := range []string{"liblinear-train", "train"} {
		p, err := exec.LookPath(name)
		if err != nil {
			continue
		}
		out, _ := exec.Command(p).CombinedOutput()
		if strings.Contains(string(out), "training_set_file") {
			return p
		}
	}
	return ""
}

func runLiblinear(t *testing.T, train, data, model string, args ...string) {
	t.Helper()
	cmd := exec.Command(train, append(append(slices.Clone(args), "-q"), data, model)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
}

func agreement(a, b *Linear, X *sparse.Matrix) float64 {
	same := 0
	for i := range X.Rows() {
		if a.Predict(X.Row(i)) == b.Predict(X.Row(i)) {
			same++
		}
	}
	return float64(same) / float64(X.Rows())
}

func objective(m *Linear, X *sparse.Matrix, y []int32, s Solver) float64 {
	if s == CrammerSinger {
		return primalCS(m, X, y, 1, 1)
	}
	var obj float64
	for k := range m.Classes {
		obj += primalOvR(m, X, y, k, 1, 1, s == L1LossDual)
	}
	return obj
}

var liblinearFixtures = []struct {
	solver Solver
	file   string
	args   []string
}{
	{L2LossDual, "l2.model", []string{"-s", "1", "-c", "1", "-B", "1", "-e", "0.0001"}},
	{L1LossDual, "l1.model", []string{"-s", "3", "-c", "1", "-B", "1", "-e", "0.0001"}},
	{CrammerSinger, "cs.model", []string{"-s", "4", "-c", "1", "-B", "1", "-e", "0.0001"}},
}

// TestLiblinearFixture compares our solutions at a tight tolerance with the
// ones liblinear recorded in testdata: same objective, same weights to a few
// decimals, same predictions.
func TestLiblinearFixture(t *testing.T) {
	dir := filepath.Join("testdata", "liblinear")
	X, y := liblinearProblem()
	if *updateLiblinear {
		train := liblinearTrain()
		if train == "" {
			t.Fatal("-update-liblinear needs liblinear's train on PATH")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		data := filepath.Join(dir, "problem.svm")
		if err := writeSVMLight(data, X, y); err != nil {
			t.Fatal(err)
		}
		var cmds strings.Builder
		cmds.WriteString("# liblinear 2.3.0 (Debian liblinear-tools), regenerated by go test -run LiblinearFixture -update-liblinear\n")
		for _, f := range liblinearFixtures {
			runLiblinear(t, train, data, filepath.Join(dir, f.file), f.args...)
			fmt.Fprintf(&cmds, "train %s -q problem.svm %s\n", strings.Join(f.args, " "), f.file)
		}
		if err := os.WriteFile(filepath.Join(dir, "COMMANDS"), []byte(cmds.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	Xf, yf, err := readSVMLight(filepath.Join(dir, "problem.svm"), X.Cols)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(Xf.Value, X.Value) || !slices.Equal(Xf.Index, X.Index) || !slices.Equal(yf, y) {
		t.Fatal("testdata/liblinear/problem.svm no longer matches liblinearProblem; rerun with -update-liblinear")
	}
	for _, f := range liblinearFixtures {
		t.Run(f.solver.String(), func(t *testing.T) {
			ref, err := readLiblinearModel(filepath.Join(dir, f.file), X.Cols)
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Solver, cfg.Eps, cfg.MaxIter = f.solver, 1e-4, 100000
			m, err := Fit(context.Background(), X, y, 4, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, b := objective(m, X, y, f.solver), objective(ref, X, y, f.solver)
			if math.Abs(a-b) > 1e-3*b {
				t.Errorf("objective %.6f, liblinear %.6f", a, b)
			}
			var maxDiff float64
			for j := range m.W {
				maxDiff = max(maxDiff, math.Abs(float64(m.W[j]-ref.W[j])))
			}
			for j := range m.B {
				maxDiff = max(maxDiff, math.Abs(float64(m.B[j]-ref.B[j])))
			}
			if maxDiff > 0.02 {
				t.Errorf("weights differ from liblinear's by up to %.4f", maxDiff)
			}
			if ag := agreement(m, ref, X); ag < 0.99 {
				t.Errorf("predictions agree with liblinear on %.1f%% of rows", 100*ag)
			}
			t.Logf("objective %.6f (liblinear %.6f), max weight difference %.5f", a, b, maxDiff)
		})
	}
}

// TestLiblinearLive runs liblinear's train, when installed, with its default
// tolerance on a larger generated problem and checks that both solutions are
// equally good and predict alike.
func TestLiblinearLive(t *testing.T) {
	train := liblinearTrain()
	if train == "" {
		t.Skip("liblinear's train (liblinear-tools) not on PATH")
	}
	X, y := synthetic(3000, 12, 3000, 40, 13)
	dir := t.TempDir()
	data := filepath.Join(dir, "problem.svm")
	if err := writeSVMLight(data, X, y); err != nil {
		t.Fatal(err)
	}
	for _, s := range []Solver{L2LossDual, CrammerSinger} {
		t.Run(s.String(), func(t *testing.T) {
			model := filepath.Join(dir, s.String()+".model")
			num := map[Solver]string{L2LossDual: "1", CrammerSinger: "4"}[s]
			runLiblinear(t, train, data, model, "-s", num, "-c", "1", "-B", "1")
			ref, err := readLiblinearModel(model, X.Cols)
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Solver = s
			m, err := Fit(context.Background(), X, y, 12, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			a, b := objective(m, X, y, s), objective(ref, X, y, s)
			if math.Abs(a-b) > 0.02*b {
				t.Errorf("objective %.4f, liblinear %.4f", a, b)
			}
			if ag := agreement(m, ref, X); ag < 0.99 {
				t.Errorf("predictions agree with liblinear on %.2f%% of rows", 100*ag)
			}
			t.Logf("objective %.4f (liblinear %.4f), agreement %.2f%%", a, b, 100*agreement(m, ref, X))
		})
	}
}
