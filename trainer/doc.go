// Command trainer trains, evaluates and applies intent classifiers.
//
//	trainer train    --data data/sample --out models/
//	trainer evaluate --model models/ --data labeled.csv
//	trainer predict  --model models/ --data data/sample/input_test.csv --out predictions.csv
//
// Commands only parse flags into the model library's configuration, call
// it, and format its results; all the work lives in package intent/model.
// Exit codes: 0 success, 1 failure, 2 bad usage.
package main
