// Package tune searches hyperparameters on a fixed validation set: C (log
// scale), the solver, class weights, min-df and the word and character
// n-gram ranges, by grid or random search within a budget, optionally with
// successive halving so that a large space stays affordable. Features are
// computed once per encoder setting and shared by every solver setting;
// configurations are trained in parallel. The pipeline (model/pipeline)
// runs a search between its split and its final fit, so `trainer tune` and
// POST /train's "search" option share it.
package tune
