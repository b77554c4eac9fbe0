#include "store/query_matcher.h"

#include <algorithm>
#include <utility>

#include "store/full_text.h"

namespace archive::store {
namespace {

// The first failure among `matchers`.
template <typename Pointer>
absl::Status FirstFailure(const std::vector<Pointer>& matchers) {
  for (const Pointer& matcher : matchers) {
    if (absl::Status status = matcher->status(); !status.ok()) return status;
  }
  return absl::OkStatus();
}

// What every matcher of words does for Matches: move to `document`, and see.
class ListingMatcher : public Matcher {
 public:
  bool Lists() const final { return true; }
  bool Matches(uint64_t document) final {
    if (this->document() < document || !started_) SkipTo(document);
    return this->document() == document;
  }

 protected:
  bool started_ = false;
};

class Term final : public ListingMatcher {
 public:
  Term(std::unique_ptr<TermCursor> cursor, int scored)
      : cursor_(std::move(cursor)), scored_(scored) {}

  uint64_t document() const override {
    return cursor_->Valid() ? cursor_->document() : kNoDocument;
  }
  void SkipTo(uint64_t target) override {
    started_ = true;
    cursor_->SkipTo(target);
  }
  void Next() override { cursor_->Next(); }
  void Collect(uint64_t document, std::vector<uint32_t>* frequencies) const override {
    if (scored_ >= 0 && this->document() == document) {
      (*frequencies)[scored_] = cursor_->frequency();
    }
  }
  absl::Status status() const override { return cursor_->status(); }

 private:
  std::unique_ptr<TermCursor> cursor_;
  const int scored_;
};

class Phrase final : public ListingMatcher {
 public:
  Phrase(std::vector<std::unique_ptr<TermCursor>> cursors, std::vector<int> scored)
      : cursors_(std::move(cursors)),
        scored_(std::move(scored)),
        positions_(cursors_.size()) {}

  uint64_t document() const override { return document_; }
  void SkipTo(uint64_t target) override {
    if (started_ && document_ >= target) return;
    started_ = true;
    cursors_[0]->SkipTo(target);
    Settle();
  }
  void Next() override {
    cursors_[0]->Next();
    Settle();
  }
  void Collect(uint64_t document, std::vector<uint32_t>* frequencies) const override {
    if (document != document_) return;
    for (size_t i = 0; i < cursors_.size(); ++i) {
      if (scored_[i] >= 0) (*frequencies)[scored_[i]] = cursors_[i]->frequency();
    }
  }
  absl::Status status() const override {
    if (!status_.ok()) return status_;
    return FirstFailure(cursors_);
  }

 private:
  // From the first cursor's document on, the first where every term is and
  // the positions line up.
  void Settle() {
    for (;;) {
      if (!cursors_[0]->Valid()) break;
      const uint64_t candidate = cursors_[0]->document();
      uint64_t ahead = candidate;
      for (size_t k = 1; k < cursors_.size() && ahead == candidate; ++k) {
        cursors_[k]->SkipTo(candidate);
        if (!cursors_[k]->Valid()) {
          ahead = kNoDocument;
          break;
        }
        ahead = cursors_[k]->document();
      }
      if (ahead == kNoDocument) break;
      if (ahead != candidate) {
        cursors_[0]->SkipTo(ahead);
        continue;
      }
      if (InOrder()) {
        document_ = candidate;
        return;
      }
      if (!status_.ok()) break;
      cursors_[0]->Next();
    }
    document_ = kNoDocument;
  }

  bool InOrder() {
    std::vector<const std::vector<uint32_t>*> lists;
    for (size_t i = 0; i < cursors_.size(); ++i) {
      absl::Status read = cursors_[i]->Positions(&positions_[i]);
      if (!read.ok()) {
        status_ = read;
        return false;
      }
      lists.push_back(&positions_[i]);
    }
    return ContainsPhrase(lists);
  }

  std::vector<std::unique_ptr<TermCursor>> cursors_;
  const std::vector<int> scored_;
  std::vector<std::vector<uint32_t>> positions_;
  uint64_t document_ = kNoDocument;
  absl::Status status_;
};

class All final : public Matcher {
 public:
  All(std::vector<std::unique_ptr<Matcher>> must,
      std::vector<std::unique_ptr<Matcher>> must_not) {
    for (std::unique_ptr<Matcher>& matcher : must) {
      (matcher->Lists() ? lists_ : checks_).push_back(std::move(matcher));
    }
    for (std::unique_ptr<Matcher>& matcher : must_not) {
      excluded_.push_back(std::move(matcher));
    }
  }

  bool Lists() const override { return !lists_.empty(); }
  uint64_t document() const override { return document_; }
  void SkipTo(uint64_t target) override {
    if (started_ && document_ >= target) return;
    started_ = true;
    lists_[0]->SkipTo(target);
    Settle();
  }
  void Next() override {
    lists_[0]->Next();
    Settle();
  }
  bool Matches(uint64_t document) override {
    if (!lists_.empty()) {
      if (!started_ || document_ < document) SkipTo(document);
      return document_ == document;
    }
    return Checked(document);
  }
  void Collect(uint64_t document, std::vector<uint32_t>* frequencies) const override {
    for (const std::unique_ptr<Matcher>& matcher : lists_) {
      matcher->Collect(document, frequencies);
    }
  }
  absl::Status status() const override {
    for (const auto* group : {&lists_, &checks_, &excluded_}) {
      if (absl::Status status = FirstFailure(*group); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

 private:
  // Every filter holds `document`, and no exclusion does.
  bool Checked(uint64_t document) {
    for (const std::unique_ptr<Matcher>& matcher : checks_) {
      if (!matcher->Matches(document)) return false;
    }
    for (const std::unique_ptr<Matcher>& matcher : excluded_) {
      if (matcher->Matches(document)) return false;
    }
    return true;
  }

  // From the first lister's document on: the first where every lister is,
  // and that the checks pass.
  void Settle() {
    for (;;) {
      const uint64_t candidate = lists_[0]->document();
      if (candidate == kNoDocument) break;
      uint64_t ahead = candidate;
      for (size_t k = 1; k < lists_.size() && ahead == candidate; ++k) {
        lists_[k]->SkipTo(candidate);
        ahead = lists_[k]->document();
      }
      if (ahead == kNoDocument) break;
      if (ahead != candidate) {
        lists_[0]->SkipTo(ahead);
        continue;
      }
      if (Checked(candidate)) {
        document_ = candidate;
        return;
      }
      lists_[0]->Next();
    }
    document_ = kNoDocument;
  }

  std::vector<std::unique_ptr<Matcher>> lists_;     // musts that list
  std::vector<std::unique_ptr<Matcher>> checks_;    // musts that filter
  std::vector<std::unique_ptr<Matcher>> excluded_;  // must_nots
  bool started_ = false;
  uint64_t document_ = kNoDocument;
};

class Any final : public Matcher {
 public:
  explicit Any(std::vector<std::unique_ptr<Matcher>> should)
      : should_(std::move(should)), lists_(should_[0]->Lists()) {}

  bool Lists() const override { return lists_; }
  uint64_t document() const override { return document_; }
  void SkipTo(uint64_t target) override {
    if (started_ && document_ >= target) return;
    for (const std::unique_ptr<Matcher>& matcher : should_) {
      if (!started_ || matcher->document() < target) matcher->SkipTo(target);
    }
    started_ = true;
    Settle();
  }
  void Next() override {
    const uint64_t current = document_;
    for (const std::unique_ptr<Matcher>& matcher : should_) {
      if (matcher->document() == current) matcher->Next();
    }
    Settle();
  }
  bool Matches(uint64_t document) override {
    if (lists_) {
      if (!started_ || document_ < document) SkipTo(document);
      return document_ == document;
    }
    bool any = false;
    // Every filter is asked, so that each sees every document in order.
    for (const std::unique_ptr<Matcher>& matcher : should_) {
      any |= matcher->Matches(document);
    }
    return any;
  }
  void Collect(uint64_t document, std::vector<uint32_t>* frequencies) const override {
    for (const std::unique_ptr<Matcher>& matcher : should_) {
      if (matcher->document() == document) matcher->Collect(document, frequencies);
    }
  }
  absl::Status status() const override { return FirstFailure(should_); }

 private:
  void Settle() {
    document_ = kNoDocument;
    for (const std::unique_ptr<Matcher>& matcher : should_) {
      document_ = std::min(document_, matcher->document());
    }
  }

  std::vector<std::unique_ptr<Matcher>> should_;
  const bool lists_;
  bool started_ = false;
  uint64_t document_ = kNoDocument;
};

class Source final : public Matcher {
 public:
  Source(const DocumentTable* documents, std::optional<uint32_t> source)
      : documents_(documents), source_(source) {}

  bool Lists() const override { return false; }
  uint64_t document() const override { return kNoDocument; }
  void SkipTo(uint64_t) override {}
  void Next() override {}
  bool Matches(uint64_t document) override {
    if (!source_.has_value()) return false;
    const DocumentInfo* info = documents_->Find(document);
    return info != nullptr && info->source == *source_;
  }
  void Collect(uint64_t, std::vector<uint32_t>*) const override {}
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  const DocumentTable* const documents_;
  const std::optional<uint32_t> source_;
};

class Empty final : public ListingMatcher {
 public:
  uint64_t document() const override { return kNoDocument; }
  void SkipTo(uint64_t) override { started_ = true; }
  void Next() override {}
  void Collect(uint64_t, std::vector<uint32_t>*) const override {}
  absl::Status status() const override { return absl::OkStatus(); }
};

}  // namespace

std::unique_ptr<Matcher> TermMatcher(std::unique_ptr<TermCursor> cursor, int scored) {
  return std::make_unique<Term>(std::move(cursor), scored);
}

std::unique_ptr<Matcher> PhraseMatcher(std::vector<std::unique_ptr<TermCursor>> cursors,
                                       std::vector<int> scored) {
  return std::make_unique<Phrase>(std::move(cursors), std::move(scored));
}

std::unique_ptr<Matcher> AllMatcher(std::vector<std::unique_ptr<Matcher>> must,
                                    std::vector<std::unique_ptr<Matcher>> must_not) {
  return std::make_unique<All>(std::move(must), std::move(must_not));
}

std::unique_ptr<Matcher> AnyMatcher(std::vector<std::unique_ptr<Matcher>> should) {
  return std::make_unique<Any>(std::move(should));
}

std::unique_ptr<Matcher> SourceMatcher(const DocumentTable* documents,
                                       std::optional<uint32_t> source) {
  return std::make_unique<Source>(documents, source);
}

std::unique_ptr<Matcher> EmptyMatcher() { return std::make_unique<Empty>(); }

}  // namespace archive::store
