// Package svm trains and applies sparse linear support vector machines, the
// algorithms of LIBLINEAR (Fan et al., 2008, "LIBLINEAR: A Library for Large
// Linear Classification", JMLR 9) reimplemented in pure Go.
//
// # Solvers
//
//   - L2LossDual ("l2", liblinear -s 1, the default): L2-regularized L2-loss
//     SVC solved in the dual by coordinate descent with shrinking (Hsieh et
//     al., 2008, "A Dual Coordinate Descent Method for Large-scale Linear
//     SVM", ICML). Multi-class problems are one-vs-rest.
//   - L1LossDual ("l1", liblinear -s 3): the same with the hinge loss.
//   - CrammerSinger ("cs", liblinear -s 4): the multi-class SVM of Crammer
//     and Singer (2001) solved by the sequential dual method of Keerthi et
//     al. (2008, "A Sequential Dual Method for Large Scale Multi-Class Linear
//     SVMs", KDD), with liblinear's shrinking.
//
// The stopping rule, the shrinking heuristics, the per-class C and the bias
// are liblinear's, so Config.Eps, Config.C, Config.ClassWeights and
// Config.Bias mean what -e, -c, -wi and -B mean there. The primal problem of
// class k for the one-vs-rest solvers is
//
//	min_w  ½‖w‖² + Σ_i C_i ξ(y_i (w·x_i + w_b·Bias))
//
// with ξ(m) = max(0, 1-m)² (l2) or max(0, 1-m) (l1), y_i = +1 for rows of
// class k, −1 otherwise, C_i = C·ClassWeights[k] for the positives and C for
// the negatives (liblinear's -wi semantics). The bias weight w_b is
// regularized like any other weight, exactly as liblinear's -B.
//
// # Determinism and parallelism
//
// One-vs-rest classes are independent problems and are trained in parallel
// by Config.Workers goroutines. Class k draws its coordinate order from its
// own generator seeded with (Seed, k), so the fitted weights are bit-identical
// whatever the number of workers. Crammer-Singer couples all classes in every
// update and runs on one goroutine; it is deterministic given Seed.
//
// Two-class problems are solved once, as liblinear does: the weights of the
// second class are the negation of the first's.
//
// # Model
//
// A Linear model stores its weights feature-major (W[f*Classes+k]) so a
// prediction adds one contiguous run of Classes weights per non-zero feature,
// and its per-class bias terms in B. Decision values are Σ_f x_f W[f,k] + B[k].
// Training is float32 throughout; for export a model can be quantized to one
// signed byte a weight with a float32 scale per feature row (Weights, Int8,
// Linear.Exported), a quarter of the size, and Decision then reads the bytes
// directly. MarshalBinary writes a small versioned layout documented on that
// method.
package svm
