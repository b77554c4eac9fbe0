#include "store/verify.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/article_view.h"
#include "common/page_size.h"
#include "common/status_macros.h"
#include "store/article_key.h"
#include "store/page_limits.h"
#include "store/stored_article.h"

namespace archive::store {

absl::Status VerifyArticles(const StoreDatabase& database,
                            const v1::VerifyRequest& request,
                            v1::VerifyResponse* response) {
  ASSIGN_OR_RETURN(const int page_size,
                   ResolvePageSize(request.page_size(), kDefaultVerifyPageSize,
                                   kMaxVerifyPageSize));
  std::unique_ptr<rocksdb::Iterator> it(
      database.db()->NewIterator(rocksdb::ReadOptions(), database.family(kArticles)));
  if (request.page_token().empty()) {
    it->SeekToFirst();
  } else {
    // The token is the last article key checked: anything else did not
    // come from a response.
    if (!DecodeArticleKey(request.page_token()).has_value()) {
      return absl::InvalidArgumentError(
          "page_token: not a token from a previous VerifyResponse");
    }
    it->Seek(request.page_token());
    if (it->Valid() && it->key() == request.page_token()) it->Next();
  }
  std::string last_key;
  std::string last_id;
  for (; it->Valid() && response->checked() < static_cast<uint64_t>(page_size);
       it->Next()) {
    response->set_checked(response->checked() + 1);
    last_key = it->key().ToString();
    last_id.clear();
    v1::DamagedArticle damage;
    std::optional<DecodedArticleKey> key = DecodeArticleKey(last_key);
    if (key.has_value()) {
      last_id = key->position.id;
      damage.set_id(key->position.id);
      damage.set_source(key->source);
      *damage.mutable_published_at() = key->position.published_at;
    }
    v1::Article article;
    const absl::Status decoded = DecodeArticle(it->value(), &article);
    std::string stored_key;
    std::string head;
    if (!key.has_value()) {
      damage.set_problem("the key does not decode");
    } else if (!decoded.ok()) {
      damage.set_problem(std::string(decoded.message()));
    } else if (article.source() != key->source || article.id() != key->position.id ||
               EncodeTime(article.published_at()) !=
                   EncodeTime(key->position.published_at)) {
      damage.set_problem("the article does not match its key");
    } else if (!database.db()->Get(rocksdb::ReadOptions(), database.family(kById),
                         *EncodeId(article.id()), &stored_key)
                    .ok() ||
               stored_key != last_key) {
      damage.set_problem("the id index does not point at the article");
    } else if (!database.db()->Get(rocksdb::ReadOptions(), database.family(kArticleHeads), last_key,
                                   &head)
                    .ok() ||
               head != ArticleHead(article).SerializeAsString()) {
      damage.set_problem("the article's head does not match it");
    } else {
      continue;
    }
    *response->add_damaged() = std::move(damage);
  }
  if (!it->status().ok()) {
    return absl::DataLossError(absl::StrCat(
        "storage damaged after ",
        last_key.empty() ? std::string("the start of the articles")
                         : "article " + (last_id.empty() ? std::string("?") : last_id),
        ": ", it->status().ToString()));
  }
  if (it->Valid()) response->set_next_page_token(last_key);
  return absl::OkStatus();
}

}  // namespace archive::store
