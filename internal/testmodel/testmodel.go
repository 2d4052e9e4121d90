package testmodel

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"intent/model"
	"intent/model/dataset"
)

// Sets are the tiny training sets by kind.
var Sets = map[string]map[string][]string{
	"numeric": {
		"3": {"quelle dose de paracétamol pour un enfant", "posologie du doliprane enfant", "combien de doliprane par jour",
			"dose maximale de paracétamol", "paracétamol dose adulte", "quelle posologie pour le doliprane",
			"doliprane combien de fois par jour", "dose de paracétamol pour un bébé"},
		"26": {"risques poisson cru pendant la grossesse", "peut on manger des sushis enceinte", "grossesse et fromage au lait cru",
			"enceinte puis je boire du café", "alimentation pendant la grossesse", "grossesse interdits alimentaires",
			"femme enceinte poisson cru", "sushis et grossesse risques"},
		"41": {"effets secondaires du vaccin", "vaccin grippe effets indésirables", "fièvre après le vaccin",
			"réaction au vaccin bras douloureux", "vaccin effets secondaires enfant", "vaccination et fièvre",
			"douleur après vaccination", "effets indésirables de la vaccination"},
	},
	"string": {
		"book_flight": {"book a flight to paris", "i need a plane ticket", "fly me to rome tomorrow", "reserve a flight to berlin",
			"get me a flight ticket", "book plane tickets to madrid", "flight to london please", "i want to fly to lisbon"},
		"cancel \"order\"": {"cancel my order", "i want to cancel the order", "stop my order please", "cancel order number five",
			"please cancel what i ordered", "cancel the purchase", "undo my order", "cancel my last order"},
		"weather": {"what is the weather today", "will it rain tomorrow", "weather forecast for paris", "is it sunny outside",
			"how cold is it today", "temperature this afternoon", "do i need an umbrella", "weather this weekend"},
	},
}

// Examples returns a set as examples with IDs "<label>-<i>".
func Examples(intents map[string][]string) []dataset.Example {
	var out []dataset.Example
	for label, texts := range intents {
		for i, t := range texts {
			out = append(out, dataset.Example{ID: fmt.Sprintf("%s-%d", label, i), Text: t, Label: label})
		}
	}
	return out
}

var trained struct {
	sync.Mutex
	m map[string]*model.Model
}

// Tiny trains (once per test binary and kind) a model on Sets[kind].
func Tiny(tb testing.TB, kind string) *model.Model {
	tb.Helper()
	trained.Lock()
	defer trained.Unlock()
	if m := trained.m[kind]; m != nil {
		return m
	}
	set, ok := Sets[kind]
	if !ok {
		tb.Fatalf("testmodel: unknown kind %q", kind)
	}
	m, _, err := model.Train(context.Background(), Examples(set), model.DefaultConfig(), nil)
	if err != nil {
		tb.Fatalf("train the %s model: %v", kind, err)
	}
	if trained.m == nil {
		trained.m = map[string]*model.Model{}
	}
	trained.m[kind] = m
	return m
}
