"""The scikit-learn side of the scale benchmark (scripts/bench-scale.sh): the
trainer's recipe (word 1-2-grams and char_wb 2-5-grams, sublinear TF-IDF,
min_df 2, LinearSVC C=1) fitted once on a JSONL file of {"text","intent"};
prints the fit time. Run with Debian's python3-sklearn:

    /usr/bin/python3 bench/sklearn_scale.py train.jsonl
"""
import json, sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline, make_union
from sklearn.svm import LinearSVC
X, y = [], []
for line in open(sys.argv[1]):
    r = json.loads(line)
    X.append(r["text"]); y.append(r["intent"])
t0 = time.time()
make_pipeline(make_union(
    TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)), LinearSVC(C=1)).fit(X, y)
print("fit %.2f s" % (time.time() - t0))
