// What each ArticleView (AIP-157 partial responses) shows of an article: one
// definition for the store, which keeps every article's head for lists of
// headlines, and the query server, which trims search hits.
#ifndef COMMON_ARTICLE_VIEW_H_
#define COMMON_ARTICLE_VIEW_H_

#include "absl/status/status.h"
#include "archive/v1/article.pb.h"

namespace archive {

// INVALID_ARGUMENT naming the field "view" when `view` is not an
// ArticleView: "view: 7 is not an ArticleView".
absl::Status ValidateArticleView(int view);

// What ARTICLE_VIEW_BASIC shows of `article`: every field but body,
// captions and sightings. A field added to Article later is kept.
v1::Article ArticleHead(const v1::Article& article);

// Trims `article` to what `view` shows (UNSPECIFIED shows everything, as
// FULL). `view` must be valid.
void ApplyArticleView(v1::ArticleView view, v1::Article* article);

}  // namespace archive

#endif  // COMMON_ARTICLE_VIEW_H_
