// Package model is the intent classifier as a whole: a TF-IDF encoder
// (model/features), a linear SVM (model/svm), a softmax temperature fitted on
// held-out decision values (model/calibration) and the label set.
//
// Train fits all of it from labeled examples; a Model predicts, saves itself
// to one self-describing file and loads back. The file layout (see file.go)
// is magic, format version, JSON metadata, the encoder and classifier blobs,
// then a SHA-256 of everything before it: a damaged or foreign file is a clear
// error at Load, never a panic or a half-loaded model.
//
// Exported models live in versioned folders models/<n>/ (see version.go),
// each written to a temporary folder and renamed into place, so a crash
// mid-write never leaves a version folder a server would load.
//
// A Model is immutable once built and safe for concurrent use; its predict
// path reuses pooled buffers so a server does not allocate per request.
//
// Nothing here depends on cobra or net/http: the trainer CLI and the API
// server are thin layers over this package.
package model
