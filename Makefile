# The README's two commands. Both install LLVM/MLIR 22 first if it is missing.
.PHONY: demo test deps

deps:
	@scripts/install-deps.sh

# The main job: compile the Llama-3-8B-shaped example for 8 devices.
demo: deps
	cargo run --release -q -p seqc -- compile examples/llama3-8b.mlir --devices 8 -o out/llama3-8b

# Every test in the workspace (one integration-test binary per crate).
test: deps
	cargo test --workspace --no-fail-fast
