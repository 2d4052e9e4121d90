// Package pipeline is the one training pipeline: load -> check -> split ->
// fit (featurize, fit, calibrate) -> evaluate. `trainer train`, the
// server's training tasks, and later tuning and cross-validation all call
// Run, so every decision about data (what is usable, what to do with
// intents too small to measure, the defaults) is made here once.
// Publishing the result is the caller's (see package modelrepo).
package pipeline
