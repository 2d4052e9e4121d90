// Package calibration turns the raw decision values of a linear classifier
// into probabilities by temperature scaling (Guo et al., 2017): one scalar
// T > 0 shared by all classes,
//
//	p_j = softmax(s / T)_j = exp(s_j / T) / Σ_l exp(s_l / T)
//
// computed as exp((s_j − max s) / T) / Σ_l exp((s_l − max s) / T) so that it
// never overflows. T > 1 softens overconfident scores, T < 1 sharpens them;
// dividing by T never changes the ranking, so accuracy is unaffected.
//
// FitTemperature chooses T on held-out data by minimising the mean negative
// log-likelihood
//
//	NLL(T) = (1/n) Σ_i [ logsumexp_j(s_ij / T) − s_i,y_i / T ].
//
// With b = 1/T, dNLL/db = (1/n) Σ_i (E_p[s_i] − s_i,y_i) and
// d²NLL/db² = (1/n) Σ_i Var_p[s_i] ≥ 0: NLL is convex in b, so its minimum is
// the unique root of a monotone function, found by safeguarded Newton steps
// within T ∈ [MinTemperature, MaxTemperature] = [1e-3, 1e3]. The result is
// deterministic: no randomness, and sums in a fixed order (on large inputs,
// over eight fixed row ranges summed in parallel, then added in order), so
// the same on every machine.
//
// A log-loss fit on little evidence can claim certainty: when every held-out
// row is right by a margin, NLL keeps falling as T shrinks and the fit ends
// at MinTemperature, where every probability is 1. CapConfidence is the
// safeguard: it raises T until the mean top probability MeanConfidence is
// at most a target, such as LaplaceAccuracy(correct, n) = (correct+1)/(n+2),
// the posterior mean accuracy under a uniform prior (31/32 for 30 rows all
// right), so the probabilities never claim more accuracy than the rows
// support.
//
// Scores are a flat row-major n × k []float32 (row i = the k decision values
// of example i), classes are int32 indices. Only the standard library is
// used.
package calibration
