// main of the reliability tests: gtest's flags, then the test's own (absl)
// flags such as crash_test's --cycles, and the runfiles tree as the working
// directory, so that a test binary also runs outside `bazel test`.
#include "absl/flags/parse.h"
#include "gtest/gtest.h"
#include "tests/crash/archive_cluster.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  absl::ParseCommandLine(argc, argv);
  archive::reliability::EnterRunfiles(argv[0]);
  return RUN_ALL_TESTS();
}
