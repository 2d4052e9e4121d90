package dataset

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// Hash returns the SHA-256, in lower-case hex, of the texts and labels of
// examples in order: for each example, uvarint(len(Text)), Text,
// uvarint(len(Label)), Label. IDs, sources and lines do not enter it, so the
// same data read from another file or format hashes the same, while any
// change of a text, a label or the order changes the hash. It identifies the
// training data in a model's metadata.
func Hash(examples []Example) string {
	h := sha256.New()
	var buf []byte
	for _, e := range examples {
		buf = binary.AppendUvarint(buf[:0], uint64(len(e.Text)))
		buf = append(buf, e.Text...)
		buf = binary.AppendUvarint(buf, uint64(len(e.Label)))
		buf = append(buf, e.Label...)
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil))
}
