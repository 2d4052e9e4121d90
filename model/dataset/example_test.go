package dataset_test

import (
	"fmt"
	"log"
	"path/filepath"

	"intent/model/dataset"
)

func ExampleLoad() {
	ds, err := dataset.Load(dataset.Fixture("posos_bad"), dataset.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ds.Format, len(ds.Examples), "examples,", len(ds.Rejected), "rejected")
	for _, r := range ds.Rejected[:2] {
		fmt.Printf("%s:%d id %q: %s\n", filepath.Base(r.Source), r.Line, r.ID, r.Reason)
	}
	// Output:
	// posos 2 examples, 7 rejected
	// output_train.csv:5 id "3": duplicate id
	// input_train.csv:3 id "2": empty text
}

func ExampleSplit() {
	ds, err := dataset.Load(dataset.Fixture("posos"), dataset.Options{})
	if err != nil {
		log.Fatal(err)
	}
	train, valid, rep, err := dataset.Split(ds.Examples, 0.5, 42)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(train), "train,", len(valid), "valid; too small:", rep.TooSmall)
	// Output: 4 train, 2 valid; too small: [31 44]
}
