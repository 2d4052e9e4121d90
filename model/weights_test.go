package model

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"intent/model/svm"
)

// format1Fixture is a model written by the format version 1 writer (the
// last release before int8 weights), trained on tinyExamples with
// tinyConfig, and the decision values it gave for a few questions.
var format1Fixture = filepath.Join("testdata", "format1-tiny.bin")

func TestLoadFormat1File(t *testing.T) {
	m, err := LoadFile(format1Fixture)
	if err != nil {
		t.Fatal(err)
	}
	if meta := m.Meta(); meta.FormatVersion != 1 || meta.Weights != "float32" || m.Classifier().Encoding != svm.Float32 {
		t.Fatalf("format 1 file loaded as format %d, weights %q, classifier %v", meta.FormatVersion, meta.Weights, m.Classifier().Encoding)
	}
	b, err := os.ReadFile(strings.TrimSuffix(format1Fixture, ".bin") + ".scores.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden map[string][]float32
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	check := func(m *Model, what string) {
		t.Helper()
		for q, want := range golden {
			got := m.Scores(q, nil)
			for k := range want {
				if math.Abs(float64(got[k]-want[k])) > 1e-6 {
					t.Fatalf("%s: scores of %q = %v, the version 1 program gave %v", what, q, got, want)
				}
			}
		}
	}
	check(m, "format 1 file")

	// Saved again, it is a format 2 file that still holds float32 weights
	// (a loaded model is never re-quantized) and gives the same scores.
	blob, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint32(blob[8:]); v != FormatVersion {
		t.Fatalf("re-saved as format %d", v)
	}
	m2, err := Decode(blob)
	if err != nil {
		t.Fatal(err)
	}
	if meta := m2.Meta(); meta.FormatVersion != FormatVersion || meta.Weights != "float32" {
		t.Fatalf("re-saved metadata: format %d, weights %q", meta.FormatVersion, meta.Weights)
	}
	check(m2, "re-saved file")
}

func TestNewModelsAreInt8(t *testing.T) {
	m := trainTiny(t)
	if m.Meta().Weights != "int8" || m.Classifier().Encoding != svm.Int8 {
		t.Fatalf("a default model has %q weights", m.Meta().Weights)
	}
	blob, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if v := binary.LittleEndian.Uint32(blob[8:]); v != 2 {
		t.Fatalf("format version %d", v)
	}
	meta, _, _ := splitFile(t, blob)
	if !bytes.Contains(meta, []byte(`"weights":"int8"`)) || !bytes.Contains(meta, []byte(`"format_version":2`)) {
		t.Fatalf("the metadata does not say the encoding: %s", meta)
	}

	// The same training exported as float32: same biases, weights within
	// half a quantization step, the same answers on the training questions.
	cfg := tinyConfig()
	cfg.SVM.Weights = svm.Float32
	f, _, err := Train(context.Background(), tinyExamples(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Meta().Weights != "float32" || f.Classifier().Encoding != svm.Float32 {
		t.Fatalf("--weights float32 gave %q", f.Meta().Weights)
	}
	fb, _ := f.MarshalBinary()
	if len(blob) >= len(fb) {
		t.Fatalf("int8 file %d bytes, float32 %d", len(blob), len(fb))
	}
	for _, e := range tinyExamples() {
		if a, b := m.Predict(e.Text), f.Predict(e.Text); a.Class != b.Class || math.Abs(a.Probability-b.Probability) > 0.01 {
			t.Errorf("%q: int8 %+v, float32 %+v", e.Text, a, b)
		}
	}
}

// splitFile returns the three sections of a model file.
func splitFile(t testing.TB, b []byte) (meta, enc, clf []byte) {
	t.Helper()
	rest := b[12 : len(b)-sha256.Size]
	var secs [3][]byte
	for i := range secs {
		n := binary.LittleEndian.Uint64(rest)
		secs[i], rest = rest[8:8+n], rest[8+n:]
	}
	return secs[0], secs[1], secs[2]
}

// buildFile writes a well-formed container (right lengths, right checksum)
// around arbitrary sections, to reach the checks after the checksum.
func buildFile(version uint32, secs ...[]byte) []byte {
	b := []byte(magic)
	b = binary.LittleEndian.AppendUint32(b, version)
	for _, s := range secs {
		b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
		b = append(b, s...)
	}
	sum := sha256.Sum256(b)
	return append(b, sum[:]...)
}

func TestDecodeWeightsMetadata(t *testing.T) {
	good, err := trainTiny(t).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	meta, enc, clf := splitFile(t, good)
	if _, err := Decode(buildFile(2, meta, enc, clf)); err != nil {
		t.Fatalf("rebuilt file: %v", err)
	}
	old, _ := os.ReadFile(format1Fixture)
	_, oldEnc, oldClf := splitFile(t, old)
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"says float32, holds int8": {buildFile(2, bytes.Replace(meta, []byte(`"int8"`), []byte(`"float32"`), 1), enc, clf), `says "float32" weights but the classifier holds int8`},
		"says nothing":             {buildFile(2, bytes.Replace(meta, []byte(`,"weights":"int8"`), nil, 1), enc, clf), `says "" weights`},
		"unknown encoding":         {buildFile(2, bytes.Replace(meta, []byte(`"int8"`), []byte(`"int4"`), 1), enc, clf), `says "int4" weights`},
		"version 1 with int8":      {buildFile(1, meta, enc, clf), "holds int8"},
		"version 3":                {buildFile(3, meta, enc, clf), "format version 3, this program reads versions 1 to 2"},
		"version 0":                {buildFile(0, meta, oldEnc, oldClf), "format version 0"},
	} {
		t.Run(name, func(t *testing.T) {
			m, err := Decode(tc.data)
			if err == nil || m != nil {
				t.Fatal("Decode accepted the file")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestReadsFormatVersion(t *testing.T) {
	for v, want := range map[uint32]bool{0: false, 1: true, 2: true, 3: false} {
		if ReadsFormatVersion(v) != want {
			t.Errorf("ReadsFormatVersion(%d) = %v", v, !want)
		}
	}
}

// TestInt8CLINC150 trains CLINC150 once and compares the float32 model with
// its int8 export on the 4,500 in-scope test questions: file size, accuracy,
// macro-F1 and calibration. It skips when the data set is absent and under
// -short (it trains for a few seconds).
func TestInt8CLINC150(t *testing.T) {
	if testing.Short() {
		t.Skip("trains CLINC150")
	}
	train, test := loadCLINC150(t)
	cfg := DefaultConfig()
	cfg.SVM.Weights = svm.Float32
	f, _, err := Train(context.Background(), train, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	q, err := newModel(f.meta, f.enc, f.clf.QuantizeInt8())
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		rep  *Report
		size int
	}
	var res [2]result
	for i, m := range []*Model{f, q} {
		blob, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := Decode(blob)
		if err != nil {
			t.Fatal(err)
		}
		rep, _, err := loaded.Evaluate(context.Background(), test)
		if err != nil {
			t.Fatal(err)
		}
		res[i] = result{rep, len(blob)}
		t.Logf("%-7s %8d bytes (%.2f MiB), weights %6.2f MiB in memory: accuracy %.4f %%, macro-F1 %.4f %%, ECE %.4f (before temperature %.4f)",
			m.Meta().Weights, len(blob), float64(len(blob))/(1<<20), float64(m.clf.WeightBytes())/(1<<20),
			100*rep.Accuracy, 100*rep.MacroF1, rep.ECEAfter, rep.ECEBefore)
	}
	fr, qr := res[0].rep, res[1].rep
	if res[1].size > 10_000_000 {
		t.Errorf("int8 model file is %d bytes, over 10 MB", res[1].size)
	}
	if d := 100 * math.Abs(fr.Accuracy-qr.Accuracy); d > 0.05 {
		t.Errorf("accuracy moved by %.3f points (float32 %.4f, int8 %.4f)", d, fr.Accuracy, qr.Accuracy)
	}
	if d := 100 * math.Abs(fr.MacroF1-qr.MacroF1); d > 0.05 {
		t.Errorf("macro-F1 moved by %.3f points", d)
	}
	if qr.ECEAfter > fr.ECEAfter+0.002 {
		t.Errorf("ECE %.4f int8, %.4f float32", qr.ECEAfter, fr.ECEAfter)
	}
}

var (
	byWeightsOnce   sync.Once
	byWeightsModels []*Model
)

// BenchmarkCLINC150PredictByWeights is BenchmarkPredictCLINC150 on one
// trained model served with float32 weights and with its int8 export, in
// the same binary, so the difference is the weights alone. cpu-ns/op is the
// benchmark thread's CPU time per question, steadier than ns/op when other
// processes share the cores.
//
// The model is trained once per binary run, so -count repeats are cheap and
// each repeat measures both encodings back to back.
func BenchmarkCLINC150PredictByWeights(b *testing.B) {
	byWeightsOnce.Do(func() {
		train, _ := loadCLINC150(b)
		cfg := DefaultConfig()
		cfg.SVM.Weights = svm.Float32
		f, _, err := Train(context.Background(), train, cfg, nil)
		if err != nil {
			b.Fatal(err)
		}
		q, err := newModel(f.meta, f.enc, f.clf.QuantizeInt8())
		if err != nil {
			b.Fatal(err)
		}
		byWeightsModels = []*Model{f, q}
	})
	if byWeightsModels == nil {
		b.Skip("no model (see the first run)")
	}
	five := []string{"how do i transfer money to my savings account", "what's the weather like in paris tomorrow",
		"set an alarm for 7 am", "i need to book a flight to boston", "can you tell me a joke"}
	_, test := loadCLINC150(b)
	all := make([]string, len(test))
	for i, e := range test {
		all[i] = e.Text
	}
	for _, set := range []struct {
		name string
		qs   []string
	}{{"", five}, {"-test4500", all}} {
		for _, m := range byWeightsModels {
			benchPredict(b, m.Meta().Weights+set.name, m, set.qs)
		}
	}
}

// benchPredict runs the questions qs in turn through m.Predict. The five
// questions of BenchmarkPredictCLINC150 keep their weight rows in cache;
// the 4,500 test questions do not, as on a server.
func benchPredict(b *testing.B, name string, m *Model, qs []string) {
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		c0 := threadCPU()
		i := 0
		for b.Loop() {
			m.Predict(qs[i%len(qs)])
			i++
		}
		b.ReportMetric(float64(threadCPU()-c0)/float64(b.N), "cpu-ns/op")
	})
}

// FuzzDecodeSections fuzzes what lies behind the checksum, which FuzzDecode
// rarely gets past: arbitrary metadata, encoder and classifier sections in a
// well-formed container of either format version must load or fail with an
// error, never panic, and a model that loads must predict.
func FuzzDecodeSections(f *testing.F) {
	good, err := trainTiny(f).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	meta, enc, clf := splitFile(f, good)
	f.Add(uint32(2), meta, enc, clf)
	old, err := os.ReadFile(format1Fixture)
	if err != nil {
		f.Fatal(err)
	}
	meta1, enc1, clf1 := splitFile(f, old)
	f.Add(uint32(1), meta1, enc1, clf1)
	f.Add(uint32(2), meta1, enc1, clf1)
	f.Add(uint32(2), meta, enc, clf[:len(clf)/2])
	f.Fuzz(func(t *testing.T, version uint32, meta, enc, clf []byte) {
		m, err := Decode(buildFile(version, meta, enc, clf))
		if err != nil {
			if m != nil {
				t.Fatal("Decode returned a model with an error")
			}
			return
		}
		m.Predict("dose de doliprane enceinte")
		m.Scores("", nil)
	})
}
