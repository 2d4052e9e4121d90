// Package text turns raw questions into the terms the TF-IDF encoder counts.
//
// The pipeline is: Normalize (Unicode compatibility decomposition, accent
// folding, lowercasing, French elision removal), then split into words
// (maximal runs of letters, digits and, when accents are kept, combining
// marks), then emit word n-grams and character n-grams taken inside word
// boundaries (scikit-learn's analyzer="char_wb").
//
// Contract:
//
//   - Every term starts with a two-byte namespace prefix: WordPrefix ("w:")
//     for word n-grams, CharPrefix ("c:") for character n-grams. The char
//     2-gram "le" is therefore "c:le" and never collides with the word "le",
//     "w:le". The prefix is part of the term, so a single map can hold both
//     blocks, and sorting terms groups each block together.
//   - Invalid UTF-8 never panics: each bad byte acts as a separator, so every
//     emitted term is valid UTF-8.
//   - Analyzer.Terms does not allocate per term once its Scratch has grown:
//     the term passed to emit aliases Scratch memory and is valid only during
//     the call.
//   - Output depends only on the input string and the Config, never on
//     previous calls, so training and serving see identical terms.
package text
