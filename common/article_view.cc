#include "common/article_view.h"

#include "absl/strings/str_cat.h"

namespace archive {

absl::Status ValidateArticleView(int view) {
  if (v1::ArticleView_IsValid(view)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("view: ", view, " is not an ArticleView"));
}

v1::Article ArticleHead(const v1::Article& article) {
  v1::Article head = article;
  ApplyArticleView(v1::ARTICLE_VIEW_BASIC, &head);
  return head;
}

void ApplyArticleView(v1::ArticleView view, v1::Article* article) {
  if (view != v1::ARTICLE_VIEW_BASIC) return;
  article->clear_body();
  article->clear_captions();
  article->clear_sightings();
}

}  // namespace archive
