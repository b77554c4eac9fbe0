#include "cli/page_text_parser.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "archive/v1/article.pb.h"
#include "cli/date_in_text.h"
#include "common/proto_time.h"

namespace archive::cli {
namespace {

// The page chrome's text-size control.
constexpr std::string_view kChromeLine = "TT";

// A headline without a page header (no caption, no chrome) starts an article
// only after this many blank lines; paragraphs are one blank line apart.
constexpr int kBlankLinesBeforeBareHeadline = 2;

constexpr size_t kMaxHeadlineBytes = 300;

// How far into the body a dateline's date may start.
constexpr size_t kDatelineBytes = 100;

// Article.published_at may not be earlier; an older date in a caption is the
// date of an archive photo.
constexpr absl::CivilDay kEarliestPublication(1990, 1, 1);

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";

// White space other than ASCII's, in UTF-8: no-break spaces, the
// typographic spaces U+2000 to U+200A, zero-width space, byte order mark.
constexpr std::string_view kUnicodeSpaces[] = {
    "\xC2\xA0",     "\xE1\x9A\x80", "\xE2\x80\x80", "\xE2\x80\x81",
    "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85",
    "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89",
    "\xE2\x80\x8A", "\xE2\x80\x8B", "\xE2\x80\xAF", "\xE2\x81\x9F",
    "\xE3\x80\x80", "\xEF\xBB\xBF",
};

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
         c == '\f';
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

// Bytes of the white space character that `text` starts (or, if `at_end`,
// ends) with; 0 if none. `text` must be valid UTF-8.
size_t SpaceLength(std::string_view text, bool at_end) {
  if (text.empty()) return 0;
  if (IsAsciiSpace(at_end ? text.back() : text.front())) return 1;
  for (std::string_view space : kUnicodeSpaces) {
    if (at_end ? EndsWith(text, space) : StartsWith(text, space)) {
      return space.size();
    }
  }
  return 0;
}

std::string_view TrimTrailingSpace(std::string_view text) {
  while (size_t length = SpaceLength(text, /*at_end=*/true)) {
    text.remove_suffix(length);
  }
  return text;
}

std::string_view Trim(std::string_view text) {
  while (size_t length = SpaceLength(text, /*at_end=*/false)) {
    text.remove_prefix(length);
  }
  return TrimTrailingSpace(text);
}

// Bytes of the well-formed UTF-8 character at the start of `text`, or 0.
size_t Utf8CharLength(std::string_view text) {
  const auto lead = static_cast<unsigned char>(text[0]);
  if (lead < 0x80) return 1;
  size_t length;
  uint32_t code_point;
  uint32_t min_code_point;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
    min_code_point = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
    min_code_point = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
    min_code_point = 0x10000;
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  for (size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
  if (code_point < min_code_point || code_point > 0x10FFFF || surrogate) {
    return 0;
  }
  return length;
}

// `text` with each byte that is not part of well-formed UTF-8 replaced by
// U+FFFD, as protobuf strings must be UTF-8.
std::string ToValidUtf8(std::string_view text) {
  std::string valid;
  valid.reserve(text.size());
  while (!text.empty()) {
    const size_t length = Utf8CharLength(text);
    if (length == 0) {
      valid.append(kReplacementCharacter);
      text.remove_prefix(1);
    } else {
      valid.append(text.substr(0, length));
      text.remove_prefix(length);
    }
  }
  return valid;
}

// A share count as the page prints it: "20", "1,204", "1.2K".
bool IsShareCount(std::string_view text) {
  if (!text.empty() && (text.back() == 'K' || text.back() == 'k' ||
                        text.back() == 'M' || text.back() == 'm')) {
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 9) return false;
  int separators = 0;
  for (char c : text) {
    if (c == '.' || c == ',') {
      ++separators;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  return separators <= 1 && is_digit(text.front()) && is_digit(text.back());
}

// `text` is trimmed.
bool IsChrome(std::string_view text) {
  return text == kChromeLine || IsShareCount(text);
}

// The caption pair or the chrome that follows a page's headline.
bool IsPageHeader(const std::vector<std::string>& lines) {
  if (lines.size() >= 2 && Trim(lines[0]) == Trim(lines[1])) return true;
  for (size_t i = 0; i < lines.size() && i < 3; ++i) {
    if (Trim(lines[i]) == kChromeLine) return true;
  }
  return false;
}

// Short, and not ending like a sentence. `text` is trimmed.
bool LooksLikeHeadline(std::string_view text) {
  if (text.size() > kMaxHeadlineBytes || IsChrome(text)) return false;
  // Straight and typographic quotes, brackets, guillemet: ” ’ ».
  constexpr std::string_view kClosers[] = {
      "\"", "'", ")", "]", "\xE2\x80\x9D", "\xE2\x80\x99", "\xC2\xBB",
  };
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (std::string_view closer : kClosers) {
      if (EndsWith(text, closer)) {
        text.remove_suffix(closer.size());
        stripped = true;
      }
    }
  }
  if (text.empty()) return false;
  const char last = text.back();
  return last != '.' && last != ',' && last != ';' && last != ':';
}

std::optional<absl::CivilDay> FirstPublicationDay(std::string_view text) {
  for (const absl::CivilDay& day : FindDatesInText(text)) {
    if (day >= kEarliestPublication) return day;
  }
  return std::nullopt;
}

std::optional<absl::CivilDay> FindPublicationDay(
    const archive::v1::Article& article) {
  for (const std::string& caption : article.captions()) {
    if (auto day = FirstPublicationDay(caption)) return day;
  }
  if (auto day = FirstPublicationDay(article.title())) return day;
  std::string_view dateline = article.body();
  dateline = dateline.substr(0, dateline.find('\n'));
  return FirstPublicationDay(dateline.substr(0, kDatelineBytes));
}

}  // namespace

PageTextParser::PageTextParser(Options options)
    : options_(std::move(options)) {}

void PageTextParser::AddLine(std::string_view line) {
  for (size_t newline; (newline = line.find('\n')) != std::string_view::npos;) {
    AddOneLine(line.substr(0, newline), newline);
    line.remove_prefix(newline + 1);
  }
  AddOneLine(line, line.size());
}

void PageTextParser::AddOneLine(std::string_view raw_line, size_t bytes) {
  ++line_count_;
  // A line the reader could not hold whole broke the smaller bound.
  const size_t limit = bytes > raw_line.size()
                           ? std::min(options_.max_article_bytes, raw_line.size())
                           : options_.max_article_bytes;
  const bool over_limit = bytes > limit;
  // A line over the limit is not looked into: it counts as text, is not
  // kept, and makes its block too long.
  std::string line;
  size_t bad_byte = std::string_view::npos;
  if (!over_limit) {
    line = ToValidUtf8(raw_line);
    if (line != raw_line) {
      for (size_t at = 0; at < raw_line.size();) {
        const size_t length = Utf8CharLength(raw_line.substr(at));
        if (length == 0) {
          bad_byte = at;
          break;
        }
        at += length;
      }
    }
    line.resize(TrimTrailingSpace(line).size());
    if (Trim(line).empty()) {
      EndBlock();
      ++blank_run_;
      return;
    }
  }
  if (open_block_.line == 0) {
    open_block_.line = line_count_;
    open_block_.blank_lines_before = blank_run_;
    blank_run_ = 0;
  } else {
    ++open_block_.bytes;  // the '\n' before this line
  }
  if (open_block_.problem.empty()) {
    if (over_limit) {
      open_block_.problem = OverLimitProblem("line", bytes, limit);
    } else if (bad_byte != std::string_view::npos) {
      open_block_.problem = "invalid UTF-8 at byte " +
                            std::to_string(bad_byte + 1) + " of the line";
    }
    if (!open_block_.problem.empty()) open_block_.problem_line = line_count_;
  }
  open_block_.bytes += over_limit ? bytes : line.size();
  if (!IsOverLimit(open_block_)) open_block_.lines.push_back(std::move(line));
}

void PageTextParser::EndBlock() {
  if (open_block_.line == 0) return;
  if (IsOverLimit(open_block_) && open_block_.problem.empty()) {
    open_block_.problem = OverLimitProblem("paragraph", open_block_.bytes,
                                           options_.max_article_bytes);
    open_block_.problem_line = open_block_.line;
  }
  blocks_.push_back(std::move(open_block_));
  open_block_ = Block();
  while (blocks_.size() >= 2) {
    Block block = std::move(blocks_.front());
    blocks_.pop_front();
    ProcessBlock(std::move(block), &blocks_.front());
  }
}

void PageTextParser::Finish() {
  EndBlock();
  while (!blocks_.empty()) {
    Block block = std::move(blocks_.front());
    blocks_.pop_front();
    ProcessBlock(std::move(block),
                 blocks_.empty() ? nullptr : &blocks_.front());
  }
  CompleteArticle();
  blank_run_ = 0;
}

bool PageTextParser::Next(ParsedArticle* out) {
  if (complete_.empty()) return false;
  *out = std::move(complete_.front());
  complete_.pop_front();
  return true;
}

bool PageTextParser::ReadNext(LineReader* in, ParsedArticle* out) {
  InputLine line;
  while (!Next(out)) {
    if (!in->Next(&line)) {
      Finish();
      return Next(out);
    }
    AddOneLine(line.text, line.bytes);
  }
  return true;
}

void PageTextParser::ProcessBlock(Block block, const Block* next) {
  std::string problem = std::move(block.problem);
  const int problem_line = block.problem_line;
  if (phase_ == Phase::kNoArticle || StartsArticle(block, next)) {
    CompleteArticle();
    StartArticle(std::move(block));
  } else if (!(phase_ == Phase::kHeader && TakeHeaderBlock(block))) {
    AppendToBody(block);
  }
  // Whichever part of the article took the block, the article holds it.
  if (!problem.empty() && current_.problem.empty()) {
    current_.problem = std::move(problem);
    current_.problem_line = problem_line;
  }
}

bool PageTextParser::StartsArticle(const Block& block,
                                   const Block* next) const {
  if (block.lines.size() != 1 || next == nullptr || IsOverLimit(block)) {
    return false;
  }
  const std::string_view text = Trim(block.lines[0]);
  if (phase_ == Phase::kHeader &&
      (text == current_.article.title() || IsKnownCaption(text))) {
    return false;
  }
  if (IsPageHeader(next->lines)) return true;
  return block.blank_lines_before >= kBlankLinesBeforeBareHeadline &&
         LooksLikeHeadline(text);
}

void PageTextParser::StartArticle(Block block) {
  current_ = ParsedArticle();
  current_bytes_ = 0;
  current_.line = block.line;
  current_.article.set_source(options_.source);
  phase_ = Phase::kHeader;
  if (IsOverLimit(block)) {
    AppendToBody(block);
    return;
  }
  current_.article.set_title(std::string(Trim(block.lines[0])));
  current_bytes_ += current_.article.title().size();
  if (block.lines.size() == 1) return;

  Block rest;
  rest.line = block.line + 1;
  rest.bytes = block.bytes - block.lines[0].size() - 1;
  rest.lines.assign(std::make_move_iterator(block.lines.begin() + 1),
                    std::make_move_iterator(block.lines.end()));
  if (!TakeHeaderBlock(rest)) AppendToBody(rest);
}

bool PageTextParser::TakeHeaderBlock(const Block& block) {
  if (IsOverLimit(block)) return false;
  const auto is_repeat = [this](std::string_view text) {
    return text == current_.article.title() || IsChrome(text) ||
           IsKnownCaption(text);
  };
  bool is_header = IsPageHeader(block.lines);
  if (!is_header) {
    is_header = true;
    for (const std::string& line : block.lines) {
      if (!is_repeat(Trim(line))) {
        is_header = false;
        break;
      }
    }
  }
  if (!is_header) return false;

  for (const std::string& line : block.lines) {
    const std::string_view text = Trim(line);
    if (is_repeat(text)) continue;
    current_bytes_ += text.size();
    if (current_bytes_ <= options_.max_article_bytes) {
      current_.article.add_captions(std::string(text));
    }
  }
  return true;
}

void PageTextParser::AppendToBody(const Block& block) {
  const bool first = phase_ != Phase::kBody;
  phase_ = Phase::kBody;
  current_bytes_ += (first ? 0 : 2) + block.bytes;
  if (current_bytes_ > options_.max_article_bytes) {
    // The article is to be rejected: its text need not be held.
    current_.article.clear_body();
    return;
  }
  std::string* body = current_.article.mutable_body();
  if (!first) body->append("\n\n");
  body->append(absl::StrJoin(block.lines, "\n"));
}

bool PageTextParser::IsKnownCaption(std::string_view text) const {
  for (const std::string& caption : current_.article.captions()) {
    if (caption == text) return true;
  }
  return false;
}

bool PageTextParser::IsOverLimit(const Block& block) const {
  return block.bytes > options_.max_article_bytes;
}

void PageTextParser::CompleteArticle() {
  if (phase_ == Phase::kNoArticle) return;
  if (current_bytes_ > options_.max_article_bytes && current_.problem.empty()) {
    current_.problem = OverLimitProblem("article", current_bytes_,
                                        options_.max_article_bytes);
    current_.problem_line = current_.line;
  }
  if (std::optional<absl::CivilDay> day =
          FindPublicationDay(current_.article)) {
    *current_.article.mutable_published_at() =
        ToProtoTimestamp(absl::FromCivil(*day, absl::UTCTimeZone()));
    current_.article.set_date_source(archive::v1::DATE_SOURCE_TEXT);
  }
  complete_.push_back(std::move(current_));
  current_ = ParsedArticle();
  phase_ = Phase::kNoArticle;
}

}  // namespace archive::cli
