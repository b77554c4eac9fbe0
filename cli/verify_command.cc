#include "cli/verify_command.h"

#include "absl/strings/str_cat.h"
#include "cli/placement_walk.h"
#include "absl/time/clock.h"
#include "common/proto_time.h"
#include "google/protobuf/util/json_util.h"
#include "store/store_client.h"

namespace archive::cli {

int RunVerify(const std::vector<std::string>& stores, int replicas, bool json,
              const ClientSecurity& security,
              std::ostream& out, std::ostream& err) {
  uint64_t checked = 0;
  uint64_t damaged = 0;
  bool storage_damaged = false;
  for (const std::string& address : stores) {
    auto client = store::StoreClient::Connect(address, security);
    v1::VerifyRequest request;
    for (;;) {
      auto page = client->Verify(request, absl::Now() + absl::Minutes(2));
      if (!page.ok()) {
        if (page.status().code() == absl::StatusCode::kDataLoss) {
          out << address << ": " << page.status().message() << "\n";
          storage_damaged = true;
          break;
        }
        err << "archivectl verify: store " << address << ": "
            << page.status().message() << "\n";
        return 2;
      }
      checked += page->checked();
      for (v1::DamagedArticle& damage : *page->mutable_damaged()) {
        ++damaged;
        if (json) {
          std::string line;
          (void)google::protobuf::util::MessageToJsonString(damage, &line);
          out << "{\"store\":\"" << address << "\"," << line.substr(1) << "\n";
        } else {
          out << address << "  " << damage.id() << "  " << damage.source() << "  "
              << FormatTimestamp(damage.published_at()) << "  " << damage.problem()
              << "\n";
        }
      }
      if (page->next_page_token().empty()) break;
      request.set_page_token(page->next_page_token());
    }
  }
  err << "checked " << checked << " articles in " << stores.size()
      << (stores.size() == 1 ? " store: " : " stores: ") << damaged << " damaged"
      << (storage_damaged ? ", and damaged storage (see above)" : "") << "\n";
  bool placed = true;
  if (replicas > 0) {
    PlacementOptions options;
    options.security = security;
    options.stores = stores;
    options.replicas = replicas;
    options.problems = &out;
    absl::StatusOr<PlacementReport> report = RunPlacementWalk(options);
    if (!report.ok()) {
      err << "archivectl verify: " << report.status().message() << "\n";
      return 2;
    }
    err << "placement of " << report->checked << " articles, " << replicas
        << " replica(s) each: " << report->under_replicated << " under-replicated, "
        << report->misplaced << " misplaced\n";
    placed = report->complete(/*repaired=*/false);
  }
  return damaged > 0 || storage_damaged || !placed ? 1 : 0;
}

}  // namespace archive::cli
