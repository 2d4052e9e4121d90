package metrics_test

import (
	"fmt"
	"os"

	"intent/model/metrics"
)

func ExampleEvaluate() {
	labels := metrics.SortLabels([]string{"26", "10", "2"}) // numeric: 2, 10, 26
	yTrue := []int32{0, 0, 1, 1, 2, 2}
	yPred := []int32{0, 0, 1, 0, 1, 1} // "26" is never predicted
	r, err := metrics.Evaluate(labels, yTrue, yPred)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("labels %v accuracy %.3f macro P %.3f macro F1 %.3f\n", r.Labels, r.Accuracy, r.MacroPrecision, r.MacroF1)
	fmt.Println(r.TopConfusions(1))
	// Output:
	// labels [2 10 26] accuracy 0.500 macro P 0.333 macro F1 0.400
	// [{26 10 2}]
}

func ExampleReport_WriteConfusionCSV() {
	r, _ := metrics.Evaluate([]string{"no", "yes"}, []int32{0, 1, 1}, []int32{0, 0, 1})
	r.WriteConfusionCSV(os.Stdout)
	// Output:
	// true\predicted,no,yes
	// no,1,0
	// yes,1,1
}

func ExampleECE() {
	// Always 90% sure, right half of the time: ECE = |0.5 - 0.9| = 0.4.
	e, _ := metrics.ECE([]float64{0.9, 0.9, 0.9, 0.9}, []bool{true, false, true, false}, metrics.DefaultBins)
	fmt.Printf("%.2f\n", e)
	// Output: 0.40
}
