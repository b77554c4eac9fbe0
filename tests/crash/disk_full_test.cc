// A store whose disk fills: a real store_server process with its database on
// a small tmpfs, Puts until the volume is nearly full, then space freed
// again. Promises (docs/RELIABILITY.md, "A full disk"): no abort, every
// acknowledged article still readable, Puts refused with RESOURCE_EXHAUSTED
// naming the space while reads go on, writes resumed by themselves once space
// is freed, and a store started on a nearly full disk opened read-only.
//
// Mounting needs root (tests run as root here); where it is not allowed the
// tests skip and say why.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/health_client.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "store/store_client.h"
#include "tests/crash/archive_cluster.h"

namespace archive::reliability {
namespace {

constexpr char kSource[] = "full.example";
// The health check's name for whether a store takes writes
// (store/store_server.h), as a probe outside the project asks for it.
constexpr char kWritesHealth[] = "archive.v1.Store.Put";
// The store's watermark in these tests, and the volume's size.
constexpr int kWatermarkMb = 8;
constexpr int kVolumeMb = 48;

// Writes `megabytes` of incompressible bytes to `path`, or until the volume
// is full when `megabytes` is 0. How much it wrote, in bytes.
int64_t WriteBallast(const std::string& path, int megabytes) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return -1;
  std::string block(1 << 20, '\0');
  uint64_t state = 88172645463325252ull;
  for (char& c : block) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>(state);
  }
  int64_t written = 0;
  for (int i = 0; megabytes == 0 || i < megabytes; ++i) {
    const ssize_t n = write(fd, block.data(), block.size());
    if (n <= 0) break;
    written += n;
  }
  close(fd);
  return written;
}

absl::StatusOr<ServingStatus> Health(const std::string& address,
                                     const std::string& service) {
  return CheckHealth(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
                     service, absl::Now() + absl::Seconds(2));
}

// Waits up to `timeout` for `service` of the server at `address` to report
// `wanted`.
bool HealthBecomes(const std::string& address, const std::string& service,
                   ServingStatus wanted, absl::Duration timeout) {
  const absl::Time give_up = absl::Now() + timeout;
  do {
    absl::StatusOr<ServingStatus> status = Health(address, service);
    if (status.ok() && *status == wanted) return true;
    absl::SleepFor(absl::Milliseconds(100));
  } while (absl::Now() < give_up);
  return false;
}

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    volume_ = test_dir_.path() + "/volume";
    ASSERT_EQ(mkdir(volume_.c_str(), 0755), 0) << std::strerror(errno);
    const std::string size = absl::StrCat("size=", kVolumeMb, "m");
    if (mount("tmpfs", volume_.c_str(), "tmpfs", 0, size.c_str()) != 0) {
      GTEST_SKIP() << "cannot mount a " << kVolumeMb << " MB tmpfs at " << volume_
                   << " (" << std::strerror(errno)
                   << "): the disk-full tests need root and CAP_SYS_ADMIN";
    }
    mounted_ = true;
    store_ = std::make_unique<RestartableServer>(
        kStoreServer,
        std::vector<std::string>{"--db=" + volume_ + "/db",
                                 absl::StrCat("--min_free_disk=", kWatermarkMb, "MB"),
                                 "--block_cache_mb=8", "--segment_documents=64",
                                 "--workers=4"},
        test_dir_.path() + "/store.log");
  }

  void TearDown() override {
    if (store_ != nullptr && store_->running()) (void)store_->Kill();
    if (mounted_) umount2(volume_.c_str(), MNT_DETACH);
  }

  std::unique_ptr<store::StoreClient> Client() {
    return store::StoreClient::Connect(store_->address());
  }

  // Puts batches of new articles until the store refuses one; the
  // acknowledged ones are added to acknowledged_. The refusal's status.
  absl::Status PutUntilRefused(int max_articles) {
    auto client = Client();
    while (next_ < max_articles) {
      v1::PutRequest request;
      std::vector<v1::Article> batch;
      for (int i = 0; i < 8; ++i) {
        batch.push_back(DistinctArticle(kSource, 19, next_++, 1200));
        *request.add_items()->mutable_article() = batch.back();
      }
      absl::StatusOr<v1::PutResponse> put =
          client->Put(request, absl::Now() + absl::Seconds(20));
      if (!put.ok()) return put.status();
      for (v1::Article& article : batch) acknowledged_.push_back(std::move(article));
    }
    return absl::OkStatus();
  }

  absl::Status PutOne() {
    v1::PutRequest request;
    *request.add_items()->mutable_article() = DistinctArticle(kSource, 23, next_++, 50);
    return Client()->Put(request, absl::Now() + absl::Seconds(10)).status();
  }

  // Every acknowledged article reads back as it was put.
  void ExpectEveryAcknowledgedArticleReadable() {
    auto client = Client();
    int checked = 0;
    for (const v1::Article& article : acknowledged_) {
      absl::StatusOr<v1::Article> got =
          client->Get(article.id(), absl::Now() + absl::Seconds(10));
      ASSERT_TRUE(got.ok()) << article.id() << ": " << got.status();
      ASSERT_EQ(got->body(), article.body());
      ++checked;
    }
    EXPECT_EQ(checked, static_cast<int>(acknowledged_.size()));
  }

  void ExpectStillRunning() {
    absl::StatusOr<int> code = store_->Wait(absl::ZeroDuration());
    EXPECT_FALSE(code.ok()) << "store_server ended with " << *code << ":\n"
                            << store_->Log();
  }

  const TestDir test_dir_{"disk_full"};
  std::string volume_;
  bool mounted_ = false;
  std::unique_ptr<RestartableServer> store_;
  std::vector<v1::Article> acknowledged_;
  int next_ = 0;
};

TEST_F(DiskFullTest, PutsStopBeforeTheDiskIsFullAndResumeWhenSpaceIsFreed) {
  const std::string ballast = volume_ + "/ballast";
  ASSERT_GT(WriteBallast(ballast, kVolumeMb / 2), 0);
  ASSERT_TRUE(store_->Start().ok()) << store_->Log();

  const absl::Status refused = PutUntilRefused(20000);
  ASSERT_FALSE(refused.ok()) << "the volume never filled";
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  EXPECT_NE(refused.message().find("disk nearly full"), std::string::npos) << refused;
  ASSERT_GT(acknowledged_.size(), 100u);
  ExpectStillRunning();

  // Reads go on; health says writes stopped, not the store.
  ExpectEveryAcknowledgedArticleReadable();
  EXPECT_TRUE(HealthBecomes(store_->address(), kWritesHealth,
                            ServingStatus::kNotServing, absl::Seconds(3)));
  EXPECT_TRUE(HealthBecomes(store_->address(), "archive.v1.Store",
                            ServingStatus::kServing, absl::Seconds(1)));
  EXPECT_EQ(PutOne().code(), absl::StatusCode::kResourceExhausted);

  // Space comes back: writes resume, with no restart.
  ASSERT_EQ(unlink(ballast.c_str()), 0);
  EXPECT_TRUE(PutOne().ok());
  EXPECT_TRUE(HealthBecomes(store_->address(), kWritesHealth,
                            ServingStatus::kServing, absl::Seconds(3)));
  const absl::Status more = PutUntilRefused(next_ + 200);
  EXPECT_TRUE(more.ok()) << more;
  ExpectEveryAcknowledgedArticleReadable();

  store_->Signal(SIGTERM);
  absl::StatusOr<int> code = store_->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0) << store_->Log();
}

TEST_F(DiskFullTest, ADiskFilledByAnotherProgramCostsNoAbortAndNoArticle) {
  ASSERT_TRUE(store_->Start().ok()) << store_->Log();
  ASSERT_TRUE(PutUntilRefused(400).ok());

  // Something else takes every byte left.
  const std::string ballast = volume_ + "/ballast";
  ASSERT_GT(WriteBallast(ballast, 0), 0);
  for (int i = 0; i < 5; ++i) {
    const absl::Status put = PutOne();
    EXPECT_EQ(put.code(), absl::StatusCode::kResourceExhausted) << put;
  }
  ExpectStillRunning();
  ExpectEveryAcknowledgedArticleReadable();

  ASSERT_EQ(unlink(ballast.c_str()), 0);
  const absl::Status more = PutUntilRefused(next_ + 200);
  EXPECT_TRUE(more.ok()) << more;
  ExpectEveryAcknowledgedArticleReadable();
  ExpectStillRunning();
}

TEST_F(DiskFullTest, AStoreStartedOnANearlyFullDiskOpensReadOnly) {
  ASSERT_TRUE(store_->Start().ok()) << store_->Log();
  ASSERT_TRUE(PutUntilRefused(400).ok());
  store_->Signal(SIGTERM);
  absl::StatusOr<int> code = store_->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok());
  ASSERT_EQ(*code, 0) << store_->Log();

  // Less than the watermark left when it starts again.
  const std::string ballast = volume_ + "/ballast";
  ASSERT_GT(WriteBallast(ballast, 0), 0);
  {
    // Give back a little, below the watermark.
    struct stat info;
    ASSERT_EQ(stat(ballast.c_str(), &info), 0);
    ASSERT_EQ(truncate(ballast.c_str(), info.st_size - (kWatermarkMb / 2 << 20)), 0);
  }
  ASSERT_TRUE(store_->Start().ok()) << store_->Log();
  EXPECT_NE(store_->Log().find("read-only"), std::string::npos) << store_->Log();
  ExpectEveryAcknowledgedArticleReadable();
  const absl::Status put = PutOne();
  EXPECT_EQ(put.code(), absl::StatusCode::kResourceExhausted) << put;
  EXPECT_NE(put.message().find("read-only"), std::string::npos) << put;
  EXPECT_TRUE(HealthBecomes(store_->address(), kWritesHealth,
                            ServingStatus::kNotServing, absl::Seconds(3)));
  store_->Signal(SIGTERM);
  code = store_->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok());
  EXPECT_EQ(*code, 0) << store_->Log();

  // With room again, a restart takes writes.
  ASSERT_EQ(unlink(ballast.c_str()), 0);
  ASSERT_TRUE(store_->Start().ok()) << store_->Log();
  EXPECT_TRUE(PutOne().ok());
  ExpectEveryAcknowledgedArticleReadable();
}

}  // namespace
}  // namespace archive::reliability
