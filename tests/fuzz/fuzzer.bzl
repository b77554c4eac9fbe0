"""archive_fuzzer: a libFuzzer target and the test that replays its corpus.

The fuzzer binary needs clang's -fsanitize=fuzzer, which only the `fuzz`
configuration of .bazelrc gives (tests/fuzz/run_fuzzers.sh builds it there, in
an output base of its own), so it is tagged manual and `bazel build //...`
leaves it alone. The corpus replay test is a plain test of the normal build:
it feeds every file under corpus/<name>/ to the same LLVMFuzzerTestOneInput.
"""

def archive_fuzzer(name, src, deps):
    """A fuzz target `<name>` and its corpus replay test `<name>_corpus_test`.

    Args:
      name: the fuzzer's name, "<unit>_fuzzer"; its corpus is corpus/<name>/.
      src: the source defining LLVMFuzzerTestOneInput.
      deps: what the source uses.
    """
    corpus = "corpus/" + name

    # alwayslink: only libFuzzer's or the replay test's main calls the entry
    # point, and the linker may meet them after this library.
    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = [src],
        deps = deps + [":fuzz_support"],
        alwayslink = True,
    )

    native.cc_binary(
        name = name,
        testonly = True,
        tags = ["manual"],
        deps = [name + "_lib"],
    )

    # The corpus is data that a fuzzing run may grow (--merge_corpus), hence
    # the glob.
    native.cc_test(
        name = name + "_corpus_test",
        size = "small",
        # Relative to the runfiles root, the test's working directory.
        args = [native.package_name() + "/" + corpus],
        data = native.glob([corpus + "/*"]),
        deps = [
            name + "_lib",
            ":corpus_replay_main",
        ],
    )
