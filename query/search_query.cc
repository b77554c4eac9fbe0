#include "query/search_query.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/article_rules.h"
#include "common/string_view.h"
#include "common/text_normalizer.h"
#include "common/tokenizer.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace archive::query {
namespace {

absl::Status QueryError(absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("query: ", problem));
}

absl::Status QueryErrorAt(absl::string_view problem, int position) {
  return QueryError(absl::StrCat(problem, " at ", position));
}

// One token of the query's text; `position` is its first character's, from 1.
struct Lexeme {
  enum Kind { kWord, kPhrase, kOpen, kClose, kAnd, kOr, kNot, kMinus, kSource, kEnd };
  Kind kind = kEnd;
  std::string text;  // a word's or a phrase's, as typed; a source's host
  bool prefix = false;  // a word that ended in '*'
  int position = 0;
};

// Splits the query into lexemes. `text` is well-formed UTF-8.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  absl::StatusOr<std::vector<Lexeme>> Run() {
    std::vector<Lexeme> out;
    for (;;) {
      SkipSpace();
      Lexeme lexeme;
      lexeme.position = position_;
      if (offset_ >= text_.size()) {
        out.push_back(lexeme);
        return out;
      }
      const UChar32 c = Peek();
      if (c == '(' || c == ')') {
        lexeme.kind = c == '(' ? Lexeme::kOpen : Lexeme::kClose;
        Take();
      } else if (c == '"') {
        Take();
        const size_t begin = offset_;
        while (offset_ < text_.size() && Peek() != '"') Take();
        if (offset_ >= text_.size()) {
          return QueryErrorAt("unclosed quote", lexeme.position);
        }
        lexeme.kind = Lexeme::kPhrase;
        lexeme.text = std::string(text_.substr(begin, offset_ - begin));
        Take();
      } else if (c == '-' && MinusApplies()) {
        lexeme.kind = Lexeme::kMinus;
        Take();
      } else {
        const size_t begin = offset_;
        while (offset_ < text_.size() && !EndsWord(Peek())) Take();
        std::string_view word = text_.substr(begin, offset_ - begin);
        if (word == "AND" || word == "OR" || word == "NOT") {
          lexeme.kind = word == "AND" ? Lexeme::kAnd
                        : word == "OR" ? Lexeme::kOr
                                       : Lexeme::kNot;
        } else if (absl::StartsWithIgnoreCase(AbslView(word), "source:")) {
          lexeme.kind = Lexeme::kSource;
          lexeme.text = std::string(word.substr(7));
        } else {
          lexeme.kind = Lexeme::kWord;
          while (!word.empty() && word.back() == '*') {
            word.remove_suffix(1);
            lexeme.prefix = true;
          }
          lexeme.text = std::string(word);
        }
      }
      out.push_back(std::move(lexeme));
    }
  }

 private:
  static bool IsSpace(UChar32 c) { return u_isUWhiteSpace(c); }
  static bool EndsWord(UChar32 c) {
    return IsSpace(c) || c == '(' || c == ')' || c == '"';
  }
  UChar32 Peek() const {
    size_t offset = offset_;
    UChar32 c;
    U8_NEXT(text_.data(), offset, text_.size(), c);
    return c;
  }
  void Take() {
    UChar32 c;
    U8_NEXT(text_.data(), offset_, text_.size(), c);
    (void)c;
    ++position_;
  }
  void SkipSpace() {
    while (offset_ < text_.size() && IsSpace(Peek())) Take();
  }
  // A '-' excludes what follows it when something follows it at once.
  bool MinusApplies() const {
    size_t offset = offset_ + 1;
    if (offset >= text_.size()) return false;
    UChar32 next;
    U8_NEXT(text_.data(), offset, text_.size(), next);
    return !IsSpace(next) && next != ')' && next != '-';
  }

  std::string_view text_;
  size_t offset_ = 0;
  int position_ = 1;
};

// A node of the query before it becomes a v1::QueryNode.
struct Node {
  enum Kind { kTerm, kPhrase, kPrefix, kSource, kAll, kAny, kNot };
  Kind kind = kTerm;
  std::vector<std::string> terms;  // one for kTerm and kPrefix; a phrase's
  std::string source;
  std::vector<Node> children;  // kAll, kAny; kNot's one
  int position = 0;
};

// The words of `text` as the stores index them.
absl::StatusOr<std::vector<std::string>> Terms(std::string_view text, int position) {
  absl::StatusOr<std::string> normalized = NormalizeLine(text);
  if (!normalized.ok()) {
    return QueryErrorAt(normalized.status().message(), position);
  }
  return Tokenize(*normalized);
}

class Parser {
 public:
  explicit Parser(std::vector<Lexeme> lexemes) : lexemes_(std::move(lexemes)) {}

  // The whole query; nullopt when it holds no word.
  absl::StatusOr<std::optional<Node>> Run() {
    absl::StatusOr<std::optional<Node>> node = ParseOr(0);
    if (!node.ok()) return node.status();
    if (Next().kind == Lexeme::kClose) {
      return QueryErrorAt("unbalanced parenthesis", Next().position);
    }
    return node;
  }

 private:
  const Lexeme& Next() const { return lexemes_[next_]; }
  const Lexeme& Take() { return lexemes_[next_++]; }
  // Where an operand must start: not the end, a ')' or an operator between
  // operands.
  bool AtOperand() const {
    const Lexeme::Kind kind = Next().kind;
    return kind != Lexeme::kEnd && kind != Lexeme::kClose && kind != Lexeme::kOr &&
           kind != Lexeme::kAnd;
  }

  absl::StatusOr<std::optional<Node>> ParseOr(int depth) {
    std::vector<Node> sides;
    for (;;) {
      absl::StatusOr<std::optional<Node>> side = ParseAnd(depth);
      if (!side.ok()) return side.status();
      if (side->has_value()) sides.push_back(**std::move(side));
      if (Next().kind != Lexeme::kOr) break;
      const Lexeme& op = Take();
      if (sides.empty() || !AtOperand()) {
        return QueryErrorAt("OR needs something to search for on each side",
                            op.position);
      }
    }
    return Combine(Node::kAny, std::move(sides));
  }

  absl::StatusOr<std::optional<Node>> ParseAnd(int depth) {
    std::vector<Node> operands;
    bool first = true;
    while (Next().kind != Lexeme::kEnd && Next().kind != Lexeme::kClose &&
           Next().kind != Lexeme::kOr) {
      if (Next().kind == Lexeme::kAnd) {
        const Lexeme& op = Take();
        if (first || !AtOperand()) {
          return QueryErrorAt("AND needs something to search for on each side",
                              op.position);
        }
        continue;
      }
      first = false;
      absl::StatusOr<std::optional<Node>> operand = ParseUnary(depth);
      if (!operand.ok()) return operand.status();
      if (operand->has_value()) operands.push_back(**std::move(operand));
    }
    return Combine(Node::kAll, std::move(operands));
  }

  absl::StatusOr<std::optional<Node>> ParseUnary(int depth) {
    if (depth >= kMaxQueryDepth) {
      return QueryErrorAt(
          absl::StrCat("parentheses and NOTs nested deeper than ", kMaxQueryDepth),
          Next().position);
    }
    if (Next().kind == Lexeme::kNot || Next().kind == Lexeme::kMinus) {
      const Lexeme& op = Take();
      if (!AtOperand()) {
        return QueryErrorAt(op.kind == Lexeme::kNot
                                ? "NOT needs something to exclude after it"
                                : "- needs something to exclude after it",
                            op.position);
      }
      absl::StatusOr<std::optional<Node>> operand = ParseUnary(depth + 1);
      if (!operand.ok() || !operand->has_value()) return operand;
      // NOT NOT a is a.
      if ((*operand)->kind == Node::kNot) {
        return std::optional<Node>(std::move((*operand)->children[0]));
      }
      Node negation;
      negation.kind = Node::kNot;
      negation.position = op.position;
      negation.children.push_back(**std::move(operand));
      return std::optional<Node>(std::move(negation));
    }
    return ParsePrimary(depth);
  }

  absl::StatusOr<std::optional<Node>> ParsePrimary(int depth) {
    const Lexeme& lexeme = Take();
    Node node;
    node.position = lexeme.position;
    switch (lexeme.kind) {
      case Lexeme::kOpen: {
        absl::StatusOr<std::optional<Node>> inner = ParseOr(depth + 1);
        if (!inner.ok()) return inner.status();
        if (Next().kind != Lexeme::kClose) {
          return QueryErrorAt("unbalanced parenthesis", lexeme.position);
        }
        Take();
        if (!inner->has_value()) {
          return QueryErrorAt("nothing to search for in the parentheses",
                              lexeme.position);
        }
        return inner;
      }
      case Lexeme::kSource: {
        if (lexeme.text.empty()) {
          return QueryErrorAt("source: needs a host name, as in source:apnews.com",
                              lexeme.position);
        }
        const std::string host = absl::AsciiStrToLower(lexeme.text);
        if (!ValidateSource(host, "source").ok()) {
          return QueryErrorAt(absl::StrCat("source: \"", lexeme.text,
                                           "\" is not a host name"),
                              lexeme.position);
        }
        node.kind = Node::kSource;
        node.source = host;
        return std::optional<Node>(std::move(node));
      }
      case Lexeme::kWord:
      case Lexeme::kPhrase: {
        absl::StatusOr<std::vector<std::string>> terms =
            Terms(lexeme.text, lexeme.position);
        if (!terms.ok()) return terms.status();
        if (terms->empty()) return std::optional<Node>();
        if (lexeme.prefix) {
          if (terms->size() > 1) {
            return QueryErrorAt("a prefix* must be one word", lexeme.position);
          }
          node.kind = Node::kPrefix;
        } else {
          node.kind = terms->size() == 1 ? Node::kTerm : Node::kPhrase;
        }
        node.terms = *std::move(terms);
        return std::optional<Node>(std::move(node));
      }
      default:
        // ParseAnd and ParseUnary start here only at an operand.
        return QueryErrorAt("unexpected operator", lexeme.position);
    }
  }

  // An AND or OR of `operands`, flattened; one operand is itself.
  static std::optional<Node> Combine(Node::Kind kind, std::vector<Node> operands) {
    if (operands.empty()) return std::nullopt;
    if (operands.size() == 1) return std::move(operands[0]);
    Node node;
    node.kind = kind;
    node.position = operands[0].position;
    for (Node& operand : operands) {
      if (operand.kind == kind) {
        for (Node& child : operand.children) node.children.push_back(std::move(child));
      } else {
        node.children.push_back(std::move(operand));
      }
    }
    return node;
  }

  std::vector<Lexeme> lexemes_;
  size_t next_ = 0;
};

// What a node is to the search: one that lists the articles it matches
// (words), a filter (it can only narrow), or an exclusion.
enum class Role { kWords, kFilter, kExcluded };

// `root` when `node` is the whole query (which ParseSearchQuery refuses
// itself when it lists nothing).
absl::StatusOr<Role> RoleOf(const Node& node, bool root = false) {
  switch (node.kind) {
    case Node::kTerm:
    case Node::kPhrase:
    case Node::kPrefix:
      return Role::kWords;
    case Node::kSource:
      return Role::kFilter;
    case Node::kNot: {
      // Never of a NOT: ParseUnary takes NOT NOT a for a.
      absl::StatusOr<Role> inner = RoleOf(node.children[0]);
      if (!inner.ok()) return inner.status();
      return Role::kExcluded;
    }
    case Node::kAll: {
      bool words = false;
      bool filters = false;
      for (const Node& child : node.children) {
        absl::StatusOr<Role> role = RoleOf(child);
        if (!role.ok()) return role.status();
        words |= *role == Role::kWords;
        filters |= *role == Role::kFilter;
      }
      if (words) return Role::kWords;
      if (filters) return Role::kFilter;
      // Only exclusions: matches almost everything, as a part as alone.
      if (root) return Role::kExcluded;
      return QueryErrorAt(
          "only excluded words in a group: add a word to search for",
          node.position);
    }
    case Node::kAny: {
      std::optional<Role> all;
      for (const Node& child : node.children) {
        absl::StatusOr<Role> role = RoleOf(child);
        if (!role.ok()) return role.status();
        if (*role == Role::kExcluded) {
          return QueryErrorAt(
              "an OR of an excluded word matches almost everything; exclude "
              "it outside the OR",
              child.position);
        }
        if (all.has_value() && *all != *role) {
          return QueryErrorAt("source: filters cannot be ORed with words",
                              node.position);
        }
        all = *role;
      }
      return *all;
    }
  }
  return Role::kWords;
}

// `node` as the stores take it.
void Emit(const Node& node, v1::QueryNode* out) {
  switch (node.kind) {
    case Node::kTerm:
      out->set_term(node.terms[0]);
      return;
    case Node::kPhrase:
      for (const std::string& term : node.terms) out->mutable_phrase()->add_terms(term);
      return;
    case Node::kPrefix:
      out->set_prefix(node.terms[0]);
      return;
    case Node::kSource:
      out->set_source(node.source);
      return;
    case Node::kAny:
      for (const Node& child : node.children) Emit(child, out->mutable_any()->add_should());
      return;
    case Node::kNot:
      // Only ever an AND's operand (RoleOf refuses it anywhere else), which
      // the AND emits as its must_not.
      return;
    case Node::kAll: {
      v1::QueryAll* all = out->mutable_all();
      for (const Node& child : node.children) {
        if (child.kind == Node::kNot) {
          Emit(child.children[0], all->add_must_not());
        } else {
          Emit(child, all->add_must());
        }
      }
      return;
    }
  }
}

// Appends the distinct terms of `node` outside any NOT (`scored`) and the
// number of distinct words of every kind (`all`).
void CollectTerms(const Node& node, bool negated, std::vector<std::string>* scored,
                  std::vector<std::string>* all) {
  auto add = [](const std::string& term, std::vector<std::string>* to) {
    if (std::find(to->begin(), to->end(), term) == to->end()) to->push_back(term);
  };
  switch (node.kind) {
    case Node::kTerm:
    case Node::kPhrase:
      for (const std::string& term : node.terms) {
        if (!negated) add(term, scored);
        add(term, all);
      }
      return;
    case Node::kPrefix:
      add(node.terms[0] + "*", all);
      return;
    case Node::kSource:
      return;
    case Node::kNot:
      CollectTerms(node.children[0], !negated, scored, all);
      return;
    case Node::kAll:
    case Node::kAny:
      for (const Node& child : node.children) CollectTerms(child, negated, scored, all);
      return;
  }
}

}  // namespace

absl::StatusOr<SearchQuery> ParseSearchQuery(const std::string& text) {
  // Ill-formed UTF-8 is refused before anything is read of it.
  absl::StatusOr<std::string> checked = NormalizeLine(text);
  if (!checked.ok()) return QueryError(checked.status().message());

  absl::StatusOr<std::vector<Lexeme>> lexemes = Lexer(text).Run();
  if (!lexemes.ok()) return lexemes.status();
  absl::StatusOr<std::optional<Node>> root = Parser(*std::move(lexemes)).Run();
  if (!root.ok()) return root.status();
  if (!root->has_value()) return QueryError("no words to search for");
  const Node& node = **root;

  absl::StatusOr<Role> role = RoleOf(node, /*root=*/true);
  if (!role.ok()) return role.status();
  if (*role != Role::kWords) {
    return QueryError(
        "only excluded words and filters: add a word to search for");
  }
  SearchQuery query;
  std::vector<std::string> all_terms;
  CollectTerms(node, /*negated=*/false, &query.terms, &all_terms);
  if (all_terms.size() > static_cast<size_t>(kMaxSearchTerms)) {
    return QueryError(absl::StrCat(all_terms.size(),
                                   " distinct words, over the limit of ",
                                   kMaxSearchTerms));
  }
  Emit(node, &query.root);

  // Words and phrases that must all occur: as before the language.
  auto plain = [](const Node& n) {
    return n.kind == Node::kTerm || n.kind == Node::kPhrase;
  };
  query.conjunctive =
      plain(node) || (node.kind == Node::kAll &&
                      std::all_of(node.children.begin(), node.children.end(), plain));
  auto add_phrase = [&query](const Node& n) {
    if (n.kind == Node::kPhrase &&
        std::find(query.phrases.begin(), query.phrases.end(), n.terms) ==
            query.phrases.end()) {
      query.phrases.push_back(n.terms);
    }
  };
  if (query.conjunctive) {
    if (node.kind == Node::kAll) {
      for (const Node& n : node.children) add_phrase(n);
    } else {
      add_phrase(node);
    }
  }
  return query;
}

}  // namespace archive::query
