package model

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"intent/internal/atomicfile"
	"io"
	"os"

	"intent/model/features"
	"intent/model/svm"
)

// File layout, all integers little-endian:
//
//	offset  size  field
//	0       8     magic "INTENTCL"
//	8       4     format version (uint32), currently 2
//	12      8     metadata length m (uint64)
//	20      m     metadata, JSON (see Metadata)
//	        8     encoder length e (uint64)
//	        e     encoder blob (features.Encoder.MarshalBinary)
//	        8     classifier length c (uint64)
//	        c     classifier blob (svm.Linear.MarshalBinary)
//	        32    SHA-256 of every byte before it
//
// The checksum is verified before anything is decoded, so a truncated or
// bit-flipped file is refused as a whole.
//
// Version 2 added the int8 weight encoding: the metadata's "weights" says
// how the classifier blob stores its weights ("float32" or "int8") and must
// agree with the blob. Version 1 files (float32 weights, no "weights" key)
// still load, unchanged; saving such a model writes version 2.
const (
	magic         = "INTENTCL"
	FormatVersion = 2
	// OldestFormatVersion is the oldest format version Decode reads.
	OldestFormatVersion = 1
	// MaxFileSize bounds what Load reads, so a wrong path (a disk image, a
	// dataset) fails fast instead of exhausting memory.
	MaxFileSize = 2 << 30
)

// ErrNotModel is returned (wrapped) when a file is not a model file at all.
var ErrNotModel = errors.New("model: not an intent model file")

// Save writes m to w in the format above.
func (m *Model) Save(w io.Writer) error {
	md := m.meta
	md.FormatVersion = FormatVersion
	meta, err := json.Marshal(md)
	if err != nil {
		return fmt.Errorf("model: encode metadata: %w", err)
	}
	enc, err := m.enc.MarshalBinary()
	if err != nil {
		return fmt.Errorf("model: encode encoder: %w", err)
	}
	clf, err := m.clf.MarshalBinary()
	if err != nil {
		return fmt.Errorf("model: encode classifier: %w", err)
	}
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, h), 1<<20)
	var hdr [12]byte
	copy(hdr[:8], magic)
	binary.LittleEndian.PutUint32(hdr[8:], FormatVersion)
	bw.Write(hdr[:])
	for _, sec := range [][]byte{meta, enc, clf} {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(sec)))
		bw.Write(n[:])
		bw.Write(sec)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("model: write: %w", err)
	}
	if _, err := w.Write(h.Sum(nil)); err != nil {
		return fmt.Errorf("model: write checksum: %w", err)
	}
	return nil
}

// MarshalBinary returns the model file as bytes.
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	if err := m.Save(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// SaveFile writes the model file atomically (temp file, fsync, rename).
func (m *Model) SaveFile(path string) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, b, 0o644)
}

// Load reads a model written by Save. It verifies magic, version and checksum
// before decoding and never returns a partially loaded model.
func Load(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("model: read: %w", err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("model: file larger than %d bytes", MaxFileSize)
	}
	return Decode(b)
}

// LoadFile loads the model file at path.
func LoadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	m, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Decode parses a whole model file held in memory.
func Decode(b []byte) (*Model, error) {
	if len(b) < 12 || string(b[:8]) != magic {
		return nil, fmt.Errorf("%w (bad magic: expected a file written by 'trainer train')", ErrNotModel)
	}
	v := binary.LittleEndian.Uint32(b[8:12])
	if !ReadsFormatVersion(v) {
		return nil, fmt.Errorf("model: file format version %d, this program reads versions %d to %d: retrain or use a matching release", v, OldestFormatVersion, FormatVersion)
	}
	if len(b) < 12+3*8+sha256.Size {
		return nil, fmt.Errorf("model: file truncated (%d bytes)", len(b))
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("model: checksum mismatch: the file is damaged or truncated")
	}
	rest := body[12:]
	var secs [3][]byte
	for i := range secs {
		if len(rest) < 8 {
			return nil, fmt.Errorf("model: section %d header truncated", i)
		}
		n := binary.LittleEndian.Uint64(rest)
		rest = rest[8:]
		if n > uint64(len(rest)) {
			return nil, fmt.Errorf("model: section %d claims %d bytes, %d left", i, n, len(rest))
		}
		secs[i], rest = rest[:n], rest[n:]
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("model: %d unexpected bytes after the last section", len(rest))
	}
	var meta Metadata
	if err := json.Unmarshal(secs[0], &meta); err != nil {
		return nil, fmt.Errorf("model: metadata: %w", err)
	}
	enc := new(features.Encoder)
	if err := enc.UnmarshalBinary(secs[1]); err != nil {
		return nil, fmt.Errorf("model: encoder: %w", err)
	}
	clf := new(svm.Linear)
	if err := clf.UnmarshalBinary(secs[2]); err != nil {
		return nil, fmt.Errorf("model: classifier: %w", err)
	}
	// The metadata names the weight encoding from version 2 on; version 1
	// files hold float32 weights only.
	want := meta.Weights
	if v == 1 {
		want = svm.Float32.String()
	}
	if got := clf.Encoding.String(); want != got {
		return nil, fmt.Errorf("model: the metadata says %q weights but the classifier holds %s weights", meta.Weights, got)
	}
	return newModel(meta, enc, clf)
}

// ReadsFormatVersion reports whether Decode reads files of format version v
// (OldestFormatVersion to FormatVersion). A reader of the header alone
// should accept the same versions.
func ReadsFormatVersion(v uint32) bool {
	return v >= OldestFormatVersion && v <= FormatVersion
}
