# Intent classifier: train, serve, test.  `make help` lists the targets.
#
#   make api                 # train on data/sample if no model yet, then serve on :4002
#   make train; make api     # the same in two steps
#   make test                # every test question through the API -> predictions.csv
#   make check               # what CI runs
#
# RUNNER=auto (default) uses Docker when an engine answers and runs natively
# (Go) otherwise; RUNNER=docker or RUNNER=native (or local) forces one.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
GO     ?= go
RUNNER ?= auto
DATA   ?= data/sample
MODELS ?= models
BIN    ?= bin
PORT   ?= 4002
# Follows PORT (recursively expanded): make test PORT=4003 asks :4003.
API_URL ?= http://localhost:$(PORT)
# The real set once `make data` has decrypted it, else the sample.
TEST_DATA ?= $(if $(wildcard data/input_test.csv),data/input_test.csv,data/sample/input_test.csv)
PREDICTIONS ?= predictions.csv
# Extra flags for `trainer train`, e.g. TRAIN_ARGS="--C 0.5 --seed 7".
TRAIN_ARGS ?=
# make data: the encrypted real set and where it is extracted. The
# passphrase comes from the environment (DATA_PASSPHRASE) or a file
# (DATA_PASSPHRASE_FILE), never from a command line.
DATA_DIR ?= data
DATA_ARCHIVE ?= $(DATA_DIR)/data.tgz.gpg
# make bench
BENCH ?= .
BENCH_PKGS ?= ./...
BENCH_COUNT ?= 3
# Images built by the docker runner.
TRAINER_IMAGE ?= intent-trainer
API_IMAGE ?= intent-api
# The api container's name, so that `docker stop $(API_CONTAINER)` ends it.
API_CONTAINER ?= intent-api-$(PORT)
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
GO_LDFLAGS := -X intent/model.Version=$(VERSION)

.DEFAULT_GOAL := help

# In the docker runner DATA is seen under /data when it lies in data/, else
# it is mounted on its own under /input.
data_root := $(abspath data)
data_abs = $(abspath $(DATA))
data_in_root = $(filter $(data_root) $(data_root)/%,$(data_abs))
docker_data = $(if $(data_in_root),/data$(patsubst $(data_root)%,%,$(data_abs)),/input/$(notdir $(data_abs)))
docker_data_mounts = -v $(data_root):/data:ro $(if $(data_in_root),,-v $(data_abs):/input/$(notdir $(data_abs)):ro)
# Files written in the models volume belong to the caller, not to root.
docker_user = --user $$(id -u):$$(id -g)
# A model exists when MODELS holds a version folder <n>/model.bin.
has_model = find "$(MODELS)" -mindepth 2 -maxdepth 2 -name model.bin 2>/dev/null | grep -Eq '/[1-9][0-9]*/model\.bin$$'
# echo a command, then run it.
run = echo "+ $(1)"; $(1)

.PHONY: help
help: ## list the targets and variables
	@echo "Targets:"
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "Variables (current values):"
	@printf '  %-13s %s\n' \
	  RUNNER "$(RUNNER)  (auto: docker when an engine answers, else native; docker; native|local)" \
	  DATA "$(DATA)  (training data: a Posos folder or a CSV/TSV/JSONL file)" \
	  MODELS "$(MODELS)  (model versions <n>/model.bin)" \
	  PORT "$(PORT)" API_URL "$(API_URL)" TEST_DATA "$(TEST_DATA)" \
	  TRAIN_ARGS "$(TRAIN_ARGS)  (extra flags for trainer train)" \
	  DATA_ARCHIVE "$(DATA_ARCHIVE)  (make data; DATA_PASSPHRASE or DATA_PASSPHRASE_FILE)" \
	  DATA_DIR "$(DATA_DIR)" BENCH "$(BENCH)" BENCH_PKGS "$(BENCH_PKGS)" BENCH_COUNT "$(BENCH_COUNT)"

# Native binaries: go build decides what is stale (its cache makes this fast).
.PHONY: build $(BIN)/trainer $(BIN)/api
build: $(BIN)/trainer $(BIN)/api ## build bin/trainer and bin/api natively

$(BIN)/trainer $(BIN)/api:
	$(GO) build -trimpath -ldflags '$(GO_LDFLAGS)' -o $@ ./$(notdir $@)

.PHONY: train
train: ## train on DATA (default data/sample) into MODELS/<n>/ (docker or native)
	@runner=$$(RUNNER='$(RUNNER)' scripts/runner.sh train); \
	if [ "$$runner" = docker ]; then \
	  scripts/docker-base.sh; \
	  $(call run,docker build -q -f trainer.Dockerfile --build-arg VERSION=$(VERSION) -t $(TRAINER_IMAGE) .); \
	  mkdir -p $(MODELS); \
	  $(call run,docker run --rm $(docker_user) -v $(abspath $(MODELS)):/models $(docker_data_mounts) \
	    $(TRAINER_IMAGE) train --data $(docker_data) --out /models $(TRAIN_ARGS)); \
	else \
	  $(MAKE) --no-print-directory $(BIN)/trainer; \
	  $(call run,$(BIN)/trainer train --data $(DATA) --out $(MODELS) $(TRAIN_ARGS)); \
	fi

.PHONY: api
api: ## serve MODELS on PORT (trains on data/sample first when MODELS has no model)
	@runner=$$(RUNNER='$(RUNNER)' scripts/runner.sh api); \
	if ! $(has_model); then \
	  echo "make api: no model version in $(MODELS)/: training on data/sample first"; \
	  $(MAKE) --no-print-directory train RUNNER=$$runner DATA=data/sample TRAIN_ARGS=; \
	fi; \
	if [ "$$runner" = docker ]; then \
	  scripts/docker-base.sh; \
	  $(call run,docker build -q -f api.Dockerfile --build-arg VERSION=$(VERSION) -t $(API_IMAGE) .); \
	  tty=; [ -t 0 ] && tty=-it; \
	  $(call run,docker run --rm $$tty --name $(API_CONTAINER) $(docker_user) -p $(PORT):4002 -v $(abspath $(MODELS)):/models $(API_IMAGE)); \
	else \
	  $(MAKE) --no-print-directory $(BIN)/api; \
	  echo "+ $(BIN)/api --models $(MODELS) --addr :$(PORT)"; \
	  exec $(BIN)/api --models $(MODELS) --addr :$(PORT); \
	fi

.PHONY: test
test: ## send every TEST_DATA question to the API at API_URL -> predictions.csv (starts an API if none answers)
	@GO='$(GO)' BIN='$(BIN)' MODELS='$(MODELS)' PORT='$(PORT)' API_URL='$(API_URL)' TEST_DATA='$(TEST_DATA)' \
	  PREDICTIONS='$(PREDICTIONS)' GO_LDFLAGS='$(GO_LDFLAGS)' scripts/make-test.sh

# staticcheck is pinned: a new release must not turn a green CI red by itself.
STATICCHECK_VERSION ?= v0.8.2

.PHONY: check
check: ## vet, gofmt check, staticcheck and the race-enabled test suite (what CI runs)
	$(GO) vet ./...
	@fmt=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$fmt" ]; then echo "gofmt needed on:"; echo "$$fmt"; exit 1; fi
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	$(GO) test -race -shuffle=on ./...

.PHONY: bench bench-go bench-train bench-oos bench-scale bench-load
bench: bench-go bench-train bench-oos bench-scale bench-load ## Go benchmarks, the CLINC150 training process, out-of-scope answers, training at scale, then the HTTP load test

bench-go: ## Go benchmarks (BENCH, BENCH_PKGS, BENCH_COUNT); CLINC150 parts skip when ../shared is absent
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCH_COUNT) $(BENCH_PKGS)

bench-train: ## whole `trainer train` process on CLINC150: median wall time, peak RSS, size, accuracy (skips without ../shared)
	@scripts/bench-train.sh

bench-oos: ## CLINC150 out-of-scope answers: in-scope accuracy, out-of-scope recall and precision per --oos-max-loss (skips without ../shared)
	@scripts/bench-oos.sh

bench-scale: ## trainer train on CLINC150 and synthetic CLINC150-based sets of SIZES questions (100k, 400k): time, peak RSS, bytes per question beside scikit-learn (skips without ../shared)
	@SIZES='$(SIZES)' scripts/bench-scale.sh

bench-load: ## load test: wrk against bin/api (CLINC150 model) beside a bare net/http handler, then while training tasks run (skips without ../shared)
	@scripts/loadtest.sh
	@scripts/loadtest-training.sh

.PHONY: data
data: ## decrypt DATA_ARCHIVE (data/data.tgz.gpg) into DATA_DIR (data/); passphrase from DATA_PASSPHRASE or DATA_PASSPHRASE_FILE
	@DATA_DIR='$(DATA_DIR)' DATA_ARCHIVE='$(DATA_ARCHIVE)' scripts/data.sh

.PHONY: docker-check
docker-check: ## build both images (buildah where no Docker engine runs) and run them once, checking /intent
	@RUNNER='$(RUNNER)' scripts/docker-check.sh

.PHONY: docker-e2e
docker-e2e: ## the Docker path for real: make train, make api, hot reload, make test, docker stop (needs a Docker engine)
	@scripts/docker-e2e.sh

.PHONY: compose-e2e
compose-e2e: ## examples/compose.yaml for real: trainer once, then the api, healthy, answering (needs Docker and docker-compose)
	@scripts/compose-e2e.sh

.PHONY: replicas-e2e
replicas-e2e: ## three api replicas sharing a models folder and PostgreSQL behind nginx: shared examples, one training, kill, rolling restart under load
	@scripts/replicas-e2e.sh

.PHONY: clean
clean: ## remove built binaries and predictions (keeps models/)
	rm -rf $(BIN) $(PREDICTIONS)
