// Command scale writes N synthetic labeled questions built from CLINC150's
// training questions, for the scale benchmark (scripts/bench-scale.sh):
// each is a training question with one edit (a word dropped, two adjacent
// words swapped, a word of the vocabulary inserted, or a typo: two letters
// swapped), so the vocabulary grows as real data's does. Seeded: the same
// N and seed give the same file.
//
//	go run ./bench/scale -n 100000 -clinc ../shared/datasets/clinc150/data_full.json > train.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

func main() {
	n := flag.Int("n", 100000, "questions to write")
	clinc := flag.String("clinc", "../shared/datasets/clinc150/data_full.json", "CLINC150's data_full.json")
	seed := flag.Uint64("seed", 1, "seed")
	flag.Parse()
	if err := run(*n, *clinc, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

func run(n int, path string, seed uint64) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var d struct {
		Train [][2]string `json:"train"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(d.Train) == 0 {
		return fmt.Errorf("%s: no training questions", path)
	}
	var vocab []string
	seen := map[string]bool{}
	for _, q := range d.Train {
		for _, w := range strings.Fields(q[0]) {
			if !seen[w] {
				seen[w] = true
				vocab = append(vocab, w)
			}
		}
	}
	r := rand.New(rand.NewPCG(seed, 0x7363616c65))
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	enc := json.NewEncoder(out)
	for i := 0; i < n; i++ {
		q := d.Train[r.IntN(len(d.Train))]
		words := strings.Fields(q[0])
		switch k := r.IntN(4); {
		case k == 0 && len(words) > 2:
			j := r.IntN(len(words))
			words = append(words[:j], words[j+1:]...)
		case k == 1 && len(words) > 1:
			j := r.IntN(len(words) - 1)
			words[j], words[j+1] = words[j+1], words[j]
		case k == 2:
			j := r.IntN(len(words) + 1)
			words = append(words[:j], append([]string{vocab[r.IntN(len(vocab))]}, words[j:]...)...)
		default:
			j := r.IntN(len(words))
			if w := []byte(words[j]); len(w) > 2 {
				a := r.IntN(len(w) - 1)
				w[a], w[a+1] = w[a+1], w[a]
				words[j] = string(w)
			}
		}
		if err := enc.Encode(map[string]string{"text": strings.Join(words, " "), "intent": q[1]}); err != nil {
			return err
		}
	}
	return out.Flush()
}
