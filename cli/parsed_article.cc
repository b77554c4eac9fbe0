#include "cli/parsed_article.h"

#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"

namespace archive::cli {

std::string OverLimitProblem(std::string_view what, size_t bytes, size_t limit) {
  return absl::StrCat(absl::string_view(what.data(), what.size()), " of ", bytes,
                      " bytes is over the limit of ", limit);
}

}  // namespace archive::cli
