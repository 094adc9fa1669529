# Roster: the two commands are `make run` and `make test` (see README.md).
.PHONY: run test bench soak release dist dist-test seed tools fmt

run:
	@scripts/run.sh

test:
	@scripts/test.sh

# Benchmarks: seeding 100,000 users, the user table, sign-ins, WASM size.
bench:
	@scripts/bench.sh

# The slow proofs: the fault tests several times, then a long load against
# the release binary (SOAK_ROUNDS, SOAK_SECONDS).
soak:
	@scripts/soak.sh

# The production build: target/release/roster and target/site (see README.md).
release:
	@scripts/release.sh

# The installable tarball (target/dist/roster-<version>-linux-<arch>.tar.gz),
# and its test: unpacked elsewhere, started as installed, signed up through.
dist:
	@scripts/dist.sh

dist-test:
	@scripts/dist-test.sh

tools:
	@scripts/tools.sh build test

fmt:
	cargo fmt
