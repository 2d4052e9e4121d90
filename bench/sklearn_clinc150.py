"""The scikit-learn baseline of the README's CLINC150 table: the same recipe as
trainer's defaults (word 1-2-grams and char_wb 2-5-grams, sublinear TF-IDF,
each block L2-normalized, LinearSVC C=1), whole fit including vectorizing,
three runs. Run with Debian's python3-sklearn from the repository root:

    /usr/bin/python3 bench/sklearn_clinc150.py [path/to/data_full.json]
"""
import json, time, sys
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC
from sklearn.metrics import accuracy_score, f1_score
d = json.load(open(sys.argv[1] if len(sys.argv) > 1 else "../shared/datasets/clinc150/data_full.json"))
Xtr = [t for t, _ in d["train"]]; ytr = [l for _, l in d["train"]]
Xte = [t for t, _ in d["test"]]; yte = [l for _, l in d["test"]]
times = []
for i in range(3):
    t0 = time.time()
    pipe = make_pipeline(make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)), LinearSVC(C=1))
    pipe.fit(Xtr, ytr)
    times.append(time.time() - t0)
p = pipe.predict(Xte)
print("sklearn fit times", [round(t, 2) for t in times], "median", sorted(times)[1])
print("accuracy %.4f macro-F1 %.4f features %d" % (accuracy_score(yte, p), f1_score(yte, p, average="macro"),
      sum(len(v.vocabulary_) for _, v in pipe.steps[0][1].transformer_list)))
