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
// One-vs-rest classes are independent problems, trained blockSize (16) at a
// time by one solver (block.go): the weights of a block are stored
// feature-major, one cache line per feature, so one gather per non-zero
// serves 16 dot products, which is most of the training time. Each class
// keeps its own coordinate descent, shrinking and stopping rule; the block
// shares only the random order in which a pass visits the rows, drawn from
// a generator seeded with (Seed, block). Blocks are trained in parallel by
// Config.Workers goroutines and the weights are bit-identical whatever the
// number of workers. Crammer-Singer couples all classes in every update and
// runs on one goroutine; it is deterministic given Seed.
//
// # Memory
//
// The one-vs-rest solvers read the rows as a Matrix (6 bytes per non-zero:
// columns renumbered by frequency, 16-bit where they fit), keep per worker
// only its block's weights and one float32 dual variable per row and class
// of the block, and return only the non-zero dual variables (Dual). A fit
// can run on a subset of the rows without copying them (Config.Rows), and
// FitScore scores held-out rows without assembling a model. NewMatrix
// consumes its input, so a caller holding the rows once holds them once.
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
