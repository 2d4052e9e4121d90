package features_test

import (
	"context"
	"fmt"

	"intent/model/features"
)

func ExampleFit() {
	docs := []string{
		"risques poisson cru grossesse",
		"ibuprofène pendant la grossesse",
		"posologie ibuprofène enfant",
	}
	enc, err := features.Fit(context.Background(), docs, features.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	v := enc.Transform("Ibuprofène et grossesse ?")
	fmt.Printf("%d features, %d non-zero, norm %.3f\n", enc.NumFeatures(), v.Len(), v.Norm2())
	// Output:
	// 79 features, 70 non-zero, norm 1.414
}
