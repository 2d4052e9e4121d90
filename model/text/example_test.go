package text_test

import (
	"fmt"

	"intent/model/text"
)

func ExampleNormalize() {
	cfg := text.DefaultConfig()
	fmt.Println(text.Normalize("Risques poisson cru pendant la GROSSESSE ?", cfg))
	fmt.Println(text.Normalize("Peut-on prendre de l’ibuprofène ?", cfg))
	// Output:
	// risques poisson cru pendant la grossesse
	// peut on prendre de ibuprofene
}

func ExampleAnalyzer_Analyze() {
	a, _ := text.NewAnalyzer(text.Config{WordMin: 1, WordMax: 2, CharMin: 3, CharMax: 3})
	fmt.Printf("%q\n", a.Analyze("le lit"))
	// Output:
	// ["w:le" "w:lit" "w:le lit" "c: le" "c:le " "c: li" "c:lit" "c:it "]
}
