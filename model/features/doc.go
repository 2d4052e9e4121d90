// Package features turns text into TF-IDF sparse vectors.
//
// Fit learns a vocabulary and inverse document frequencies from training
// documents; Transform only applies them. Terms unseen at Fit time are
// dropped, so training and serving features cannot drift. An Encoder is
// immutable after Fit and safe for concurrent use.
//
// Terms come from model/text: word n-grams ("w:" prefix) and character
// n-grams inside word boundaries ("c:" prefix). Features are the kept terms
// in byte order, so every char feature precedes every word feature.
//
// Weighting, for a term t in document d, with N training documents of
// which df(t) contain t (df counted by github.com/go-nlp/tfidf):
//
//	idf(t)   = ln(N / df(t)) + 1           (go-nlp's IDF plus one, as scikit-learn with smooth_idf=false)
//	tf(t, d) = count(t, d), or 1 + ln(count(t, d)) when Sublinear
//	x(t, d)  = tf(t, d) * idf(t)
//
// With BlockNorm (the default) the word block and the char block are each
// scaled to unit L2 norm, then multiplied by WordWeight and CharWeight: the
// vector scikit-learn's FeatureUnion of two TfidfVectorizers would give. The
// result is not renormalized, so its norm is sqrt(WordWeight² + CharWeight²)
// when both blocks are present. Without BlockNorm each block is multiplied
// by its weight and the whole vector is scaled to unit L2 norm.
//
// The binary form (MarshalBinary) is described in binary.go.
package features
