package dataset

import "testing"

func TestHash(t *testing.T) {
	a := []Example{{ID: "1", Text: "ab", Label: "c"}, {ID: "2", Text: "d", Label: "e"}}
	h := Hash(a)
	if len(h) != 64 {
		t.Fatalf("Hash = %q", h)
	}
	if h != hashGolden {
		t.Errorf("Hash = %s, want %s (the encoding changed)", h, hashGolden)
	}
	sameData := []Example{{ID: "x", Text: "ab", Label: "c", Source: "other", Line: 9}, {ID: "y", Text: "d", Label: "e"}}
	if Hash(sameData) != h {
		t.Error("hash depends on ids or sources")
	}
	for name, other := range map[string][]Example{
		"order":    {a[1], a[0]},
		"boundary": {{Text: "a", Label: "bc"}, a[1]},
		"label":    {{Text: "ab", Label: "x"}, a[1]},
		"shorter":  a[:1],
	} {
		if Hash(other) == h {
			t.Errorf("%s change kept the hash", name)
		}
	}
	if Hash(nil) != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("Hash(nil) = %s", Hash(nil))
	}
}

const hashGolden = "1de376a0012200ef0bfa2cc4925f0ef50a55d634f2ba8d75c6cad04be3cf46c1"
