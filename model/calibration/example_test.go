package calibration_test

import (
	"fmt"

	"intent/model/calibration"
)

func ExampleSoftmax() {
	scores := []float32{2, 1, 0}
	probs := make([]float64, 3)
	fmt.Printf("%.3f\n", calibration.Softmax(scores, 1, probs))
	fmt.Printf("%.3f\n", calibration.Softmax(scores, 2, probs)) // softer
	// Output:
	// [0.665 0.245 0.090]
	// [0.506 0.307 0.186]
}

func ExampleFitTemperature() {
	// Three validation examples with 2 classes; the scores are right twice
	// and wrong once, with the same margin: the fitted T = 4/ln 2 gives 2/3.
	scores := []float32{
		4, 0,
		0, 4,
		4, 0,
	}
	y := []int32{0, 1, 1}
	t, err := calibration.FitTemperature(scores, 2, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := calibration.Softmax(scores[:2], t, nil)
	fmt.Printf("T = %.3f, p(correct) = %.3f\n", t, p[0])
	// Output: T = 5.771, p(correct) = 0.667
}
