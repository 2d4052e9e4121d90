package features

import (
	"encoding/binary"
	"fmt"
	"math"
	"unicode/utf8"

	"intent/model/text"
)

// Binary layout, version 1. All integers little-endian, floats IEEE 754.
//
//	offset  size  field
//	0       4     magic "TFIE"
//	4       2     format version (1)
//	6       1     flags: bit0 Lowercase, bit1 FoldAccents, bit2 Elisions,
//	              bit3 Sublinear, bit4 BlockNorm; other bits zero
//	7       4     WordMin, WordMax, CharMin, CharMax (one byte each)
//	11      4     MinDF (uint32)
//	15      8     MaxDFRatio (float64)
//	23      8     WordWeight (float64)
//	31      8     CharWeight (float64)
//	39      4     N, documents seen by Fit (uint32)
//	43      4     F, number of features (uint32)
//	47      ...   F terms: uvarint byte length, then UTF-8 bytes with prefix;
//	              strictly increasing in byte order
//	...     8*F   F idf values (float64), in feature order
//
// Nothing follows. No checksum: the model file that embeds this blob has
// one. UnmarshalBinary checks every field and every term.
const (
	magic         = "TFIE"
	formatVersion = 1
	headerSize    = 47
	knownFlags    = 1<<5 - 1
)

// MarshalBinary encodes the encoder in the layout above.
func (e *Encoder) MarshalBinary() ([]byte, error) {
	if e == nil || e.analyzer == nil {
		return nil, ErrNotFitted
	}
	c := e.cfg
	size := headerSize + 8*len(e.terms)
	for _, t := range e.terms {
		size += binary.MaxVarintLen32 + len(t)
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint16(b, formatVersion)
	var flags byte
	for i, on := range []bool{c.Text.Lowercase, c.Text.FoldAccents, c.Text.Elisions, c.Sublinear, c.BlockNorm} {
		if on {
			flags |= 1 << i
		}
	}
	b = append(b, flags, byte(c.Text.WordMin), byte(c.Text.WordMax), byte(c.Text.CharMin), byte(c.Text.CharMax))
	b = binary.LittleEndian.AppendUint32(b, uint32(c.MinDF))
	for _, f := range []float64{c.MaxDFRatio, c.WordWeight, c.CharWeight} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(e.docs))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(e.terms)))
	for _, t := range e.terms {
		b = binary.AppendUvarint(b, uint64(len(t)))
		b = append(b, t...)
	}
	for _, v := range e.idf {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b, nil
}

// UnmarshalBinary replaces e with the encoder encoded in data. On any
// error e is left unchanged. Call it on a new Encoder before sharing it:
// like Fit, it is not safe to run while other goroutines use e.
func (e *Encoder) UnmarshalBinary(data []byte) error {
	n, err := decode(data)
	if err != nil {
		return err
	}
	*e = *n
	return nil
}

func decode(data []byte) (*Encoder, error) {
	if len(data) < headerSize {
		return nil, fmt.Errorf("features: decode: %d bytes, shorter than the %d-byte header", len(data), headerSize)
	}
	if string(data[:4]) != magic {
		return nil, fmt.Errorf("features: decode: bad magic %q, not an encoder", data[:4])
	}
	if v := binary.LittleEndian.Uint16(data[4:]); v != formatVersion {
		return nil, fmt.Errorf("features: decode: unsupported format version %d (want %d)", v, formatVersion)
	}
	flags := data[6]
	if flags&^knownFlags != 0 {
		return nil, fmt.Errorf("features: decode: unknown flags %#x", flags)
	}
	f64 := func(off int) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(data[off:])) }
	cfg := Config{
		Text: text.Config{
			Lowercase:   flags&1 != 0,
			FoldAccents: flags&2 != 0,
			Elisions:    flags&4 != 0,
			WordMin:     int(data[7]),
			WordMax:     int(data[8]),
			CharMin:     int(data[9]),
			CharMax:     int(data[10]),
		},
		Sublinear:  flags&8 != 0,
		BlockNorm:  flags&16 != 0,
		MinDF:      int(binary.LittleEndian.Uint32(data[11:])),
		MaxDFRatio: f64(15),
		WordWeight: f64(23),
		CharWeight: f64(31),
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("features: decode: config: %w", err)
	}
	analyzer, err := text.NewAnalyzer(cfg.Text)
	if err != nil {
		return nil, fmt.Errorf("features: decode: %w", err)
	}
	docs := int(binary.LittleEndian.Uint32(data[39:]))
	count := int(binary.LittleEndian.Uint32(data[43:]))
	rest := data[headerSize:]
	if docs == 0 {
		return nil, fmt.Errorf("features: decode: fitted on 0 documents")
	}
	// Each feature takes at least 1 length byte, a 3-byte term and 8 idf
	// bytes; checking this first keeps garbage counts from allocating.
	if count == 0 || count > len(rest)/12 {
		return nil, fmt.Errorf("features: decode: feature count %d impossible in %d bytes", count, len(rest))
	}
	terms := make([]string, count)
	for i := range terms {
		l, n := binary.Uvarint(rest)
		if n <= 0 || l > uint64(len(rest)-n) {
			return nil, fmt.Errorf("features: decode: term %d: length truncated or past the end", i)
		}
		t := string(rest[n : n+int(l)])
		rest = rest[n+int(l):]
		if err := checkTerm(t, cfg.Text); err != nil {
			return nil, fmt.Errorf("features: decode: term %d: %w", i, err)
		}
		if i > 0 && t <= terms[i-1] {
			return nil, fmt.Errorf("features: decode: term %d %q not after %q (duplicate or unsorted)", i, t, terms[i-1])
		}
		terms[i] = t
	}
	if len(rest) != 8*count {
		return nil, fmt.Errorf("features: decode: %d bytes for %d idf values, want %d", len(rest), count, 8*count)
	}
	idf := make([]float64, count)
	maxIDF := math.Log(float64(docs)) + 1
	for i := range idf {
		v := math.Float64frombits(binary.LittleEndian.Uint64(rest[8*i:]))
		// df is between 1 and N, so idf is between 1 and ln(N)+1.
		if !(v >= 1 && v <= maxIDF*(1+1e-12)) {
			return nil, fmt.Errorf("features: decode: idf %v of term %q outside [1, ln(%d)+1]", v, terms[i], docs)
		}
		idf[i] = v
	}
	return newEncoder(cfg, analyzer, terms, idf, docs), nil
}

// checkTerm rejects terms an analyzer with cfg could never emit.
func checkTerm(t string, cfg text.Config) error {
	if !utf8.ValidString(t) {
		return fmt.Errorf("invalid UTF-8 %q", t)
	}
	b, ok := text.BlockOf(t)
	if !ok || len(t) == 2 {
		return fmt.Errorf("malformed term %q", t)
	}
	if b == text.Word && cfg.WordMax == 0 || b == text.Char && cfg.CharMax == 0 {
		return fmt.Errorf("%v term %q but %v n-grams are disabled", b, t, b)
	}
	return nil
}
