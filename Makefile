# leadimport — the commands of the quick start are `make run`, `make demo` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# make fuzz: seconds each fuzz target runs; make test runs each for
# FUZZ_TEST_SECONDS (ctest's fuzz/<target> in $(FUZZ_BUILD)).
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 6
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# The normal build's tests wait much of their time on a server, a worker or
# PostgreSQL: one more than the cores keeps the machine busy (make test).
TEST_JOBS  ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
DB         ?= sqlite:leadimport.db
# make run: the server's database, address and first admin.
RUN_DB     ?= sqlite:var/leadimport.db
LISTEN     ?= 127.0.0.1:8080
DEMO_ADMIN ?= admin@exemple.fr


.PHONY: all deps build asan fuzz-build fuzz run demo test test-pg e2e unit lint bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLI_SANITIZE=ON >/dev/null

asan: $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# The libFuzzer targets (tests/fuzz): clang, ASan and UBSan, a build of its own.
$(FUZZ_BUILD)/Makefile: CMakeLists.txt
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLI_FUZZ=ON >/dev/null

fuzz-build: $(FUZZ_BUILD)/Makefile
	cmake -S . -B $(FUZZ_BUILD) -DLI_FUZZ_SECONDS=$(FUZZ_TEST_SECONDS) >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Every target for FUZZ_SECONDS, one after the other (make fuzz FUZZ_SECONDS=600).
fuzz: deps fuzz-build
	bash scripts/fuzz.sh $(FUZZ_BUILD) all $(FUZZ_SECONDS)

# The server on SQLite: var/leadimport.db, its files in var/. The first start
# creates the database and a demo admin whose random password is printed once,
# with the URL. Ctrl+C stops it cleanly.
run: deps build
	@mkdir -p var
	$(BUILD)/leadimport serve --db $(RUN_DB) --data-dir var --listen $(LISTEN) \
	  --first-admin $(DEMO_ADMIN)

# The command-line demo: import a generated sample file into the embedded
# database and print the French summary.
demo: deps build
	@mkdir -p var
	python3 tools/gen_sample.py --rows 20000 --seed 7 --out var/exemple-leads.csv
	$(BUILD)/leadimport import var/exemple-leads.csv --db $(DB) --force --report var/exemple-leads.erreurs.csv
	@echo
	@echo "Base : $(DB) — exportez les leads avec : $(BUILD)/leadimport export --db $(DB) -o leads.csv"

lint:
	@bash scripts/lint.sh

# The PostgreSQL tests of the normal build run on a throw-away cluster that
# CTest's fixture removes; the trap removes it too when ctest is interrupted.
PG_STATE = $(BUILD)/pg-test-cluster.state
test: deps build asan fuzz-build lint
	trap 'bash scripts/pg-test-cluster.sh stop $(PG_STATE)' EXIT INT TERM; \
	  (cd $(BUILD) && ctest --output-on-failure -j $(TEST_JOBS))
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS)
	cd $(FUZZ_BUILD) && ctest --output-on-failure -j $(JOBS)

# The browser tests of the web page alone (tests/e2e): screenshots of each
# step at 1280 and 390 px in $(BUILD)/e2e-output/.
e2e: deps build
	cd $(BUILD) && ctest --output-on-failure -R '^e2e/'

# The conformance suite on PostgreSQL alone (make test runs it with the rest):
# every integration test that touches the store, on a throw-away cluster.
test-pg: deps build
	trap 'bash scripts/pg-test-cluster.sh stop $(PG_STATE)' EXIT INT TERM; \
	  (cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L postgresql)

bench: deps build
	bash bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
