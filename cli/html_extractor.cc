#include "cli/html_extractor.h"

#include <gumbo.h>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cli/date_in_text.h"
#include "cli/json_ld.h"
#include "common/canonical_url.h"
#include "unicode/uchar.h"
#include "unicode/uscript.h"
#include "unicode/utf8.h"

namespace archive::cli {
namespace {

// ---------------------------------------------------------------------------
// Text: UTF-8 out whatever comes in, white space collapsed.

bool IsSpace(UChar32 c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         u_isUWhiteSpace(c) || c == 0x00A0 || c == 0x2007 || c == 0x202F ||
         c == 0x200B || c == 0xFEFF;
}

// Scripts written without spaces, or with a syllable a character, carry more
// per character than alphabets: a character of them counts twice.
bool IsDenseScript(UChar32 c) {
  UErrorCode error = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &error);
  return U_SUCCESS(error) &&
         (script == USCRIPT_HAN || script == USCRIPT_HIRAGANA ||
          script == USCRIPT_KATAKANA || script == USCRIPT_HANGUL);
}

void AppendCodePoint(UChar32 c, std::string& out) {
  char buffer[U8_MAX_LENGTH];
  int32_t length = 0;
  UBool error = false;
  U8_APPEND(buffer, length, U8_MAX_LENGTH, c, error);
  if (!error) out.append(buffer, length);
}

// Builds one paragraph's text: runs of white space become one space (a <br>
// a line break), none at either end of a line; ill-formed UTF-8 becomes
// U+FFFD. `weight` counts its characters (dense scripts twice), and
// `link_weight` those inside links.
class TextBuilder {
 public:
  void Append(absl::string_view text, bool in_link) {
    int32_t i = 0;
    const int32_t size = static_cast<int32_t>(text.size());
    while (i < size) {
      UChar32 c;
      U8_NEXT(text.data(), i, size, c);
      if (c < 0) c = 0xFFFD;
      if (IsSpace(c)) {
        pending_space_ = !text_.empty() && text_.back() != '\n';
        continue;
      }
      if (c < 0x20 || (c >= 0x7F && c < 0xA0)) continue;
      if (pending_space_) text_.push_back(' ');
      pending_space_ = false;
      AppendCodePoint(c, text_);
      const int weight = IsDenseScript(c) ? 2 : 1;
      weight_ += weight;
      if (in_link) link_weight_ += weight;
      if (c == ',' || c == 0x060C || c == 0x3001 || c == 0xFF0C) ++commas_;
    }
  }

  void LineBreak() {
    if (!text_.empty() && !absl::EndsWith(text_, "\n\n")) text_.push_back('\n');
    pending_space_ = false;
  }

  bool empty() const { return weight_ == 0; }
  int weight() const { return weight_; }
  int link_weight() const { return link_weight_; }
  int commas() const { return commas_; }

  // The text without line breaks at its ends; resets the builder.
  std::string Take() {
    std::string text = std::move(text_);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    size_t start = 0;
    while (start < text.size() && text[start] == '\n') ++start;
    text.erase(0, start);
    *this = TextBuilder();
    return text;
  }

 private:
  std::string text_;
  bool pending_space_ = false;
  int weight_ = 0;
  int link_weight_ = 0;
  int commas_ = 0;
};

std::string CollapsedText(absl::string_view text) {
  TextBuilder builder;
  builder.Append(text, false);
  return builder.Take();
}

// ---------------------------------------------------------------------------
// The page's elements, flattened in document order.

absl::string_view Attribute(const GumboNode* node, const char* name) {
  const GumboAttribute* attribute =
      gumbo_get_attribute(&node->v.element.attributes, name);
  return attribute == nullptr ? absl::string_view() : attribute->value;
}

bool AttributeIs(const GumboNode* node, const char* name,
                 absl::string_view value) {
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(Attribute(node, name)),
                                value);
}

// Elements whose content is never text of the page.
bool IsOpaque(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_MAP:
      return true;
    default:
      return false;
  }
}

// Elements that start and end a paragraph.
bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_LISTING:
    case GUMBO_TAG_PLAINTEXT:
      return true;
    default:
      return false;
  }
}

bool IsSubheading(GumboTag tag) {
  return tag == GUMBO_TAG_H2 || tag == GUMBO_TAG_H3 || tag == GUMBO_TAG_H4 ||
         tag == GUMBO_TAG_H5 || tag == GUMBO_TAG_H6;
}

// The words of class and id names (and of the data attributes that
// component frameworks name parts by): "most-read__list" is {"most", "read",
// "list"}, and each word glued to the next is one too ("mostread").
std::vector<std::string> ClassWords(const GumboNode* node) {
  std::vector<std::string> words;
  for (const char* name :
       {"class", "id", "data-component", "data-testid", "data-module"}) {
    std::string previous;
    for (absl::string_view word : absl::StrSplit(
             Attribute(node, name), absl::ByAnyChar(" \t\n\r\f-_:./"),
             absl::SkipEmpty())) {
      std::string lower = absl::AsciiStrToLower(word);
      if (!previous.empty()) words.push_back(previous + lower);
      words.push_back(lower);
      previous = std::move(lower);
    }
  }
  // Custom elements are named like classes: <amp-ad>, <bsp-share-tools>.
  if (node->v.element.tag == GUMBO_TAG_UNKNOWN) {
    std::string previous;
    const GumboStringPiece& tag = node->v.element.original_tag;
    absl::string_view name(tag.data, tag.length);
    if (absl::StartsWith(name, "<")) name.remove_prefix(1);
    name = name.substr(0, name.find_first_of(" \t\n\r\f/>"));
    for (absl::string_view word : absl::StrSplit(
             name, '-', absl::SkipEmpty())) {
      std::string lower = absl::AsciiStrToLower(word);
      if (!previous.empty()) words.push_back(previous + lower);
      words.push_back(lower);
      previous = std::move(lower);
    }
  }
  return words;
}

// Names of what is page chrome rather than the article, and of what holds
// the article.
const absl::flat_hash_set<std::string>& ChromeWords() {
  static const auto* const kWords = new absl::flat_hash_set<std::string>{
      "nav", "navbar", "navigation", "menu", "menubar", "footer", "masthead",
      "breadcrumb", "breadcrumbs", "share", "shares", "sharing", "sharebar",
      "social", "related", "popular", "mostread", "mostpopular", "mostviewed",
      "trending", "recommended", "recommendations", "recirc", "readmore",
      "moreon", "morefrom", "seealso", "alsoread", "links", "linklist",
      "comment", "comments", "header", "ad", "ads", "advert", "adverts",
      "advertisement", "adslot", "adunit", "dfp", "promo", "promotion",
      "newsletter", "subscribe", "subscription", "signup", "cookie",
      "cookies", "consent", "gdpr", "sidebar", "widget", "widgets", "sponsor",
      "sponsored", "outbrain", "taboola", "byline", "dateline", "timestamp",
      "caption", "credit", "credits", "toolbar", "tags", "tagcloud", "topics",
      "pagination", "pager", "modal", "popup", "overlay", "skiplink", "rss",
      "copyright", "banner", "rail", "login", "print",
      "author", "authors", "meta", "hidden", "sr", "visually", "date", "dates",
      "time", "published", "updated", "source", "sources", "reactions",
      "tweet", "twitter", "instagram", "embed"};
  return *kWords;
}

const absl::flat_hash_set<std::string>& ArticleWords() {
  static const auto* const kWords = new absl::flat_hash_set<std::string>{
      "article", "articlebody", "body", "content", "story", "storybody",
      "entry", "main", "post", "text", "prose", "column", "news"};
  return *kWords;
}

// A chrome name, or one that starts with a chrome name of five letters or
// more ("relatedposts", "socialmedia").
bool IsChromeWord(const std::string& word) {
  constexpr size_t kMinPrefix = 5;
  constexpr size_t kMaxPrefix = 16;  // longer than any chrome name
  if (ChromeWords().contains(word)) return true;
  for (size_t length = kMinPrefix;
       length < word.size() && length <= kMaxPrefix; ++length) {
    if (ChromeWords().contains(absl::string_view(word).substr(0, length))) {
      return true;
    }
  }
  return false;
}

// +25 for article names, -25 for chrome names (readability's class weight).
int ClassWeight(const std::vector<std::string>& words) {
  int weight = 0;
  bool chrome = false, article = false;
  for (const std::string& word : words) {
    chrome = chrome || IsChromeWord(word);
    article = article || ArticleWords().contains(word);
  }
  if (chrome) weight -= 25;
  if (article) weight += 25;
  return weight;
}

bool IsArticleBody(const GumboNode* node) {
  return AttributeIs(node, "itemprop", "articleBody");
}

bool IsHidden(const GumboNode* node) {
  if (gumbo_get_attribute(&node->v.element.attributes, "hidden") != nullptr ||
      AttributeIs(node, "aria-hidden", "true")) {
    return true;
  }
  std::string style = absl::AsciiStrToLower(Attribute(node, "style"));
  style.erase(std::remove(style.begin(), style.end(), ' '), style.end());
  return absl::StrContains(style, "display:none") ||
         absl::StrContains(style, "visibility:hidden");
}

bool HasChromeRole(const GumboNode* node) {
  const std::string role =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(Attribute(node, "role")));
  return role == "navigation" || role == "banner" || role == "contentinfo" ||
         role == "complementary" || role == "menu" || role == "menubar" ||
         role == "dialog" || role == "alertdialog" || role == "search" ||
         role == "toolbar";
}

// Page chrome: not the article's running text (its headline and byline are
// chrome too, and read from there).
bool IsChrome(const GumboNode* node, const std::vector<std::string>& words) {
  switch (node->v.element.tag) {
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_H1:
      return true;
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_ARTICLE:
      return IsHidden(node);
    default:
      break;
  }
  if (IsHidden(node) || HasChromeRole(node)) return true;
  if (IsArticleBody(node)) return false;
  return std::any_of(words.begin(), words.end(), IsChromeWord);
}

// Chrome elements that are still the article's: its headline and figures.
bool IsArticlePart(GumboTag tag) {
  return tag == GUMBO_TAG_H1 || tag == GUMBO_TAG_HEADER ||
         tag == GUMBO_TAG_FIGURE || tag == GUMBO_TAG_FIGCAPTION;
}

struct Element {
  const GumboNode* node;
  GumboTag tag;
  int parent;
  int end;  // one past the index of its last descendant
  int first_child = -1;
  int next_sibling = -1;
  bool chrome;
  // Chrome that is not part of the article: not its headline, figures or
  // byline, but navigation, related lists, promotions and the like.
  bool boilerplate;
  bool in_link;
  int caption;  // the enclosing <figcaption>'s index, or -1
  int class_weight;
  // Of the paragraphs that are not chrome, within it.
  int weight = 0;
  int link_weight = 0;
  double score = 0;
  bool scored = false;
};

struct Paragraph {
  std::string text;
  int owner;  // the innermost block element holding it
  int weight;
  int link_weight;
  int commas;
  bool chrome;
};

// The page's metadata: <meta> values by name, <link> and script data.
struct PageData {
  absl::flat_hash_map<std::string, std::string> meta;
  std::string canonical_href;
  std::string title;
  std::string html_lang;
  JsonLdArticle json_ld;
  std::vector<int> times;          // <time> elements
  std::vector<int> author_marks;   // rel=author, itemprop=author
  std::vector<int> byline_marks;   // class names with "byline" or "author"
};

// Text of a node's subtree (for the few elements whose own text is needed).
std::string SubtreeText(const GumboNode* root) {
  TextBuilder text;
  std::vector<const GumboNode*> stack = {root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA ||
        node->type == GUMBO_NODE_WHITESPACE) {
      text.Append(node->v.text.text, false);
    } else if (node->type == GUMBO_NODE_ELEMENT &&
               (node == root || !IsOpaque(node->v.element.tag))) {
      const GumboVector& children = node->v.element.children;
      for (unsigned i = children.length; i > 0; --i) {
        stack.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
      }
    }
  }
  return CollapsedText(text.Take());
}

// Walks the tree once, in document order, without recursion.
class PageWalker {
 public:
  PageWalker(std::vector<Element>& elements, std::vector<Paragraph>& paragraphs,
             PageData& data)
      : elements_(elements), paragraphs_(paragraphs), data_(data) {}

  void Walk(const GumboNode* root) {
    struct Step {
      const GumboNode* node;
      int parent;
      bool leaving;
    };
    std::vector<Step> stack = {{root, -1, false}};
    while (!stack.empty()) {
      const Step step = stack.back();
      stack.pop_back();
      if (step.leaving) {
        Leave(step.parent);
        continue;
      }
      const GumboNode* node = step.node;
      if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA ||
          node->type == GUMBO_NODE_WHITESPACE) {
        AddText(node->v.text.text, step.parent);
        continue;
      }
      if (node->type != GUMBO_NODE_ELEMENT &&
          node->type != GUMBO_NODE_TEMPLATE &&
          node->type != GUMBO_NODE_DOCUMENT) {
        continue;
      }
      if (node->type == GUMBO_NODE_DOCUMENT) {
        PushChildren(node->v.document.children, step.parent, stack);
        continue;
      }
      if (node->v.element.tag == GUMBO_TAG_BR) {
        if (!Chrome(step.parent)) text_.LineBreak();
        continue;
      }
      ReadMetadata(node);
      if (IsOpaque(node->v.element.tag)) continue;
      const int index = Enter(node, step.parent);
      stack.push_back({node, index, true});
      PushChildren(node->v.element.children, index, stack);
    }
    Flush();
  }

 private:
  template <typename Step>
  static void PushChildren(const GumboVector& children, int parent,
                           std::vector<Step>& stack) {
    for (unsigned i = children.length; i > 0; --i) {
      stack.push_back(
          {static_cast<const GumboNode*>(children.data[i - 1]), parent, false});
    }
  }

  bool Chrome(int index) const {
    return index >= 0 && elements_[index].chrome;
  }

  int Enter(const GumboNode* node, int parent) {
    const GumboTag tag = node->v.element.tag;
    if (IsBlock(tag)) Flush();
    const std::vector<std::string> words = ClassWords(node);
    Element element{};
    element.node = node;
    element.tag = tag;
    element.parent = parent;
    element.chrome = Chrome(parent) || IsChrome(node, words);
    element.in_link =
        tag == GUMBO_TAG_A || (parent >= 0 && elements_[parent].in_link);
    element.caption = tag == GUMBO_TAG_FIGCAPTION
                          ? static_cast<int>(elements_.size())
                          : (parent >= 0 ? elements_[parent].caption : -1);
    element.class_weight = ClassWeight(words);
    element.boilerplate =
        (parent >= 0 && elements_[parent].boilerplate) ||
        (element.chrome && !Chrome(parent) && !IsArticlePart(tag));
    const int index = static_cast<int>(elements_.size());
    elements_.push_back(element);
    last_child_.push_back(-1);
    if (parent >= 0) {
      if (last_child_[parent] < 0) {
        elements_[parent].first_child = index;
      } else {
        elements_[last_child_[parent]].next_sibling = index;
      }
      last_child_[parent] = index;
    }
    block_.push_back(IsBlock(tag) ? index : block_.empty() ? index
                                                           : block_.back());
    NoteMarks(node, words, index);
    return index;
  }

  void Leave(int index) {
    if (IsBlock(elements_[index].tag)) Flush();
    elements_[index].end = static_cast<int>(elements_.size());
    block_.pop_back();
  }

  void NoteMarks(const GumboNode* node, const std::vector<std::string>& words,
                 int index) {
    constexpr size_t kMaxMarks = 16;
    if (node->v.element.tag == GUMBO_TAG_TIME && data_.times.size() < kMaxMarks) {
      data_.times.push_back(index);
    }
    if ((AttributeIs(node, "rel", "author") ||
         AttributeIs(node, "itemprop", "author")) &&
        data_.author_marks.size() < kMaxMarks) {
      data_.author_marks.push_back(index);
    }
    if (data_.byline_marks.size() < kMaxMarks &&
        std::any_of(words.begin(), words.end(), [](const std::string& word) {
          return word == "byline" || word == "author" || word == "authors";
        })) {
      data_.byline_marks.push_back(index);
    }
  }

  // Text inside chrome (a "Share" span) and text outside it are never one
  // paragraph.
  void AddText(absl::string_view text, int parent) {
    if (parent < 0) return;
    const bool chrome = elements_[parent].chrome;
    if (!text_.empty() && chrome != chrome_) Flush();
    if (text_.empty()) {
      owner_ = block_.back();
      chrome_ = chrome;
    }
    text_.Append(text, elements_[parent].in_link);
  }

  void Flush() {
    if (text_.empty()) {
      text_.Take();
      return;
    }
    Paragraph paragraph;
    paragraph.owner = owner_;
    paragraph.weight = text_.weight();
    paragraph.link_weight = text_.link_weight();
    paragraph.commas = text_.commas();
    paragraph.chrome = chrome_;
    paragraph.text = text_.Take();
    paragraphs_.push_back(std::move(paragraph));
  }

  void ReadMetadata(const GumboNode* node) {
    switch (node->v.element.tag) {
      case GUMBO_TAG_HTML:
        data_.html_lang = CollapsedText(Attribute(node, "lang"));
        break;
      case GUMBO_TAG_META:
        ReadMeta(node);
        break;
      case GUMBO_TAG_LINK:
        if (AttributeIs(node, "rel", "canonical") &&
            data_.canonical_href.empty()) {
          data_.canonical_href = CollapsedText(Attribute(node, "href"));
        }
        break;
      case GUMBO_TAG_TITLE:
        if (data_.title.empty()) data_.title = SubtreeText(node);
        break;
      case GUMBO_TAG_SCRIPT:
        if (AttributeIs(node, "type", "application/ld+json")) {
          ReadJsonLd(ScriptText(node), data_.json_ld);
        }
        break;
      default:
        if (!Attribute(node, "itemprop").empty()) ReadMeta(node);
        break;
    }
  }

  void ReadMeta(const GumboNode* node) {
    absl::string_view content = Attribute(node, "content");
    if (content.empty()) content = Attribute(node, "datetime");
    if (content.empty()) return;
    const bool meta = node->v.element.tag == GUMBO_TAG_META;
    for (const char* key_attribute : {"itemprop", "property", "name"}) {
      if (!meta && key_attribute[0] != 'i') break;
      const std::string key = absl::AsciiStrToLower(
          absl::StripAsciiWhitespace(Attribute(node, key_attribute)));
      if (!key.empty()) data_.meta.try_emplace(key, CollapsedText(content));
    }
  }

  static std::string ScriptText(const GumboNode* node) {
    std::string text;
    const GumboVector& children = node->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_CDATA ||
          child->type == GUMBO_NODE_WHITESPACE) {
        text += child->v.text.text;
      }
    }
    return text;
  }

  std::vector<Element>& elements_;
  std::vector<Paragraph>& paragraphs_;
  PageData& data_;
  std::vector<int> block_;       // the innermost block of each open element
  std::vector<int> last_child_;  // by element index
  TextBuilder text_;
  int owner_ = 0;
  bool chrome_ = false;
};

// ---------------------------------------------------------------------------
// The main block of text, in the manner of readability.

constexpr int kMinParagraphWeight = 25;

bool IsScoredParagraphOwner(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_TH:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
      return false;
    default:
      return true;
  }
}

int TagWeight(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION:
      return 5;
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
      return 10;
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_TD:
    case GUMBO_TAG_BLOCKQUOTE:
      return 3;
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_FORM:
      return -3;
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_TH:
      return -5;
    default:
      return 0;
  }
}

double LinkDensity(const Element& element) {
  return element.weight == 0
             ? 0
             : static_cast<double>(element.link_weight) / element.weight;
}

class MainText {
 public:
  MainText(std::vector<Element>& elements,
           const std::vector<Paragraph>& paragraphs)
      : elements_(elements), paragraphs_(paragraphs) {}

  // The elements that hold the article's text, in document order; empty when
  // nothing looks like running text.
  std::vector<int> Find() {
    SumText();
    ScoreParagraphs();
    const int top = TopCandidate();
    if (top < 0) return {};
    return WithSiblings(top);
  }

 private:
  void SumText() {
    for (const Paragraph& paragraph : paragraphs_) {
      if (paragraph.chrome) continue;
      elements_[paragraph.owner].weight += paragraph.weight;
      elements_[paragraph.owner].link_weight += paragraph.link_weight;
    }
    // Children come after their parent in document order.
    for (size_t i = elements_.size(); i-- > 0;) {
      const int parent = elements_[i].parent;
      if (parent < 0) continue;
      elements_[parent].weight += elements_[i].weight;
      elements_[parent].link_weight += elements_[i].link_weight;
    }
  }

  void ScoreParagraphs() {
    constexpr int kLevels = 5;
    for (const Paragraph& paragraph : paragraphs_) {
      if (paragraph.chrome || paragraph.weight < kMinParagraphWeight ||
          !IsScoredParagraphOwner(elements_[paragraph.owner].tag)) {
        continue;
      }
      const double link_share =
          static_cast<double>(paragraph.link_weight) / paragraph.weight;
      const double score =
          (1 + paragraph.commas + std::min(paragraph.weight / 100, 3)) *
          (1 - link_share);
      int ancestor = elements_[paragraph.owner].parent;
      for (int level = 0; level < kLevels && ancestor >= 0; ++level) {
        Element& element = elements_[ancestor];
        if (!element.scored) {
          element.scored = true;
          element.score = TagWeight(element.tag) + element.class_weight +
                          (IsArticleBody(element.node) ? 25 : 0);
        }
        const double divisor = level == 0 ? 1 : level == 1 ? 2 : level * 3;
        element.score += score / divisor;
        ancestor = element.parent;
      }
    }
  }

  double FinalScore(const Element& element) const {
    return element.score * (1 - LinkDensity(element));
  }

  int TopCandidate() const {
    int top = -1;
    for (size_t i = 0; i < elements_.size(); ++i) {
      const Element& element = elements_[i];
      if (!element.scored || element.chrome) continue;
      if (top < 0 || FinalScore(element) > FinalScore(elements_[top])) {
        top = static_cast<int>(i);
      }
    }
    return top;
  }

  // The top candidate and those of its siblings that look like more of it.
  std::vector<int> WithSiblings(int top) const {
    const int parent = elements_[top].parent;
    if (parent < 0) return {top};
    const double top_score = FinalScore(elements_[top]);
    const double threshold = std::max(10.0, top_score * 0.2);
    const absl::string_view top_class = Attribute(elements_[top].node, "class");
    std::vector<int> selected;
    for (int child = elements_[parent].first_child; child >= 0;
         child = elements_[child].next_sibling) {
      const Element& sibling = elements_[child];
      if (sibling.chrome) continue;
      double bonus = 0;
      if (!top_class.empty() && Attribute(sibling.node, "class") == top_class) {
        bonus = top_score * 0.2;
      }
      const bool text_block =
          sibling.tag == GUMBO_TAG_P && LinkDensity(sibling) < 0.25 &&
          sibling.weight >= 80;
      if (child == top || (sibling.scored && FinalScore(sibling) + bonus >= threshold) ||
          text_block) {
        selected.push_back(child);
      }
    }
    return selected;
  }

  std::vector<Element>& elements_;
  const std::vector<Paragraph>& paragraphs_;
};

// ---------------------------------------------------------------------------
// Metadata.

// "2024-03-05T10:00:00Z", "2024-03-05T10:00:00.123+01:00", "2024-03-05",
// "Tue, 05 Mar 2024 10:00:00 GMT", ...; UTC when no offset is given.
std::optional<absl::Time> ParseMarkupTime(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return std::nullopt;
  static constexpr const char* kFormats[] = {
      "%Y-%m-%d%ET%H:%M:%E*S%Ez", "%Y-%m-%d%ET%H:%M:%E*S%z",
      "%Y-%m-%d%ET%H:%M:%E*S",    "%Y-%m-%d%ET%H:%M%Ez",
      "%Y-%m-%d%ET%H:%M%z",       "%Y-%m-%d%ET%H:%M",
      "%Y-%m-%d %H:%M:%E*S%Ez",   "%Y-%m-%d %H:%M:%E*S %z",
      "%Y-%m-%d %H:%M:%E*S",      "%Y-%m-%d %H:%M",
      "%Y-%m-%d",                 "%a, %d %b %Y %H:%M:%S %z",
      "%a, %d %b %Y %H:%M:%S GMT", "%d %b %Y %H:%M:%S %z",
      "%Y%m%d%ET%H%M%S%Ez",       "%Y%m%d",
  };
  const std::string input(text);
  for (const char* format : kFormats) {
    absl::Time time;
    if (absl::ParseTime(format, input, absl::UTCTimeZone(), &time, nullptr)) {
      return time;
    }
  }
  const std::vector<absl::CivilDay> days = FindDatesInText(input);
  if (!days.empty()) return absl::FromCivil(days.front(), absl::UTCTimeZone());
  return std::nullopt;
}

const std::string* MetaValue(const PageData& data,
                             std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    const auto found = data.meta.find(key);
    if (found != data.meta.end() && !found->second.empty()) {
      return &found->second;
    }
  }
  return nullptr;
}

// Lower case, letters and digits alone: "The Times" and "the-times" agree.
std::string Loose(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80 || absl::ascii_isalnum(c)) {
      out.push_back(absl::ascii_tolower(c));
    }
  }
  return out;
}

// "nytimes" of "https://www.nytimes.com/2024/..."
std::string HostLabel(absl::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return "";
  absl::string_view host = url.substr(scheme_end + 3);
  host = host.substr(0, host.find_first_of("/?#:"));
  std::vector<absl::string_view> labels = absl::StrSplit(host, '.');
  if (labels.size() < 2) return "";
  labels.pop_back();
  // "co.uk", "com.au": a second-level label that names no site.
  if (labels.size() >= 2 && labels.back().size() <= 3) labels.pop_back();
  return Loose(labels.back());
}

bool NamesSite(absl::string_view segment, const std::vector<std::string>& sites,
               absl::string_view host_label) {
  const std::string loose = Loose(segment);
  if (loose.empty()) return false;
  if (!host_label.empty() && loose == host_label) return true;
  for (const std::string& site : sites) {
    const std::string loose_site = Loose(site);
    if (loose_site.size() < 2) continue;
    if (loose == loose_site) return true;
    const bool short_segment =
        std::count(segment.begin(), segment.end(), ' ') < 5;
    if (short_segment && loose_site.size() >= 3 &&
        (absl::StartsWith(loose, loose_site) ||
         absl::EndsWith(loose, loose_site))) {
      return true;
    }
  }
  return false;
}

constexpr std::string_view kTitleSeparators[] = {
    " | ", " - ", " – ", " — ", " :: ", " · ", " • ", " ｜ ", " « ", " » "};

// The headline without the site's name at its end or start ("Headline | The
// Times", "The Times - Headline"). A dash alone is not cut: only a part that
// names the site (or is the page's <h1> without it) goes.
std::string WithoutSiteName(const std::string& headline,
                            const std::vector<std::string>& sites,
                            absl::string_view host_label, absl::string_view h1,
                            int depth = 0) {
  constexpr int kMaxParts = 3;
  if (depth >= kMaxParts) return headline;
  for (std::string_view separator : kTitleSeparators) {
    const size_t last = headline.rfind(separator);
    if (last != std::string::npos && last > 0) {
      const absl::string_view before(headline.data(), last);
      const absl::string_view after =
          absl::string_view(headline).substr(last + separator.size());
      if (NamesSite(after, sites, host_label) || (!h1.empty() && before == h1)) {
        return WithoutSiteName(std::string(before), sites, host_label, h1,
                               depth + 1);
      }
    }
    const size_t first = headline.find(separator);
    if (first != std::string::npos && first > 0) {
      const absl::string_view before(headline.data(), first);
      const absl::string_view after =
          absl::string_view(headline).substr(first + separator.size());
      if (!after.empty() && NamesSite(before, sites, host_label)) {
        return std::string(after);
      }
    }
  }
  return headline;
}

// A person's name rather than a sentence ("View all of Jane Doe's posts.",
// "the time the storm came"): a few words, not ending as a sentence does, none
// in lower case but the particles of names ("Ludwig van Beethoven").
bool LooksLikeName(absl::string_view text) {
  constexpr int kMaxWords = 5;
  static const auto* const kParticles = new absl::flat_hash_set<std::string>{
      "al", "bin", "da", "de", "del", "der", "di", "du", "el", "la", "le",
      "van", "von", "y"};
  if (text.empty() || std::count(text.begin(), text.end(), ' ') >= kMaxWords) {
    return false;
  }
  const char last = text.back();
  if (last == '.' || last == ':' || last == '!' || last == '?') return false;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (absl::ascii_islower(word[0]) && !kParticles->contains(std::string(word))) {
      return false;
    }
  }
  return true;
}

// "By Jane Doe and John Roe" → {"Jane Doe", "John Roe"}; empty when the text
// does not start with "By" followed by names.
std::vector<std::string> BylineNames(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.size() < 4 || !absl::StartsWithIgnoreCase(text, "by ")) return {};
  text.remove_prefix(3);
  // What follows a separator is not a name: "By Jane Doe · June 4, 2025".
  for (absl::string_view separator : {"·", "|", "•", " - ", " — ", " – "}) {
    text = text.substr(0, text.find(separator));
  }
  std::vector<std::string> names;
  for (absl::string_view part :
       absl::StrSplit(text, absl::ByAnyChar(",;&"), absl::SkipWhitespace())) {
    for (absl::string_view name :
         absl::StrSplit(part, " and ", absl::SkipWhitespace())) {
      name = absl::StripAsciiWhitespace(name);
      if (absl::StartsWithIgnoreCase(name, "and ")) name.remove_prefix(4);
      if (!LooksLikeName(name)) return {};
      names.push_back(std::string(name));
    }
  }
  return names;
}

// "Jane Doe and John Roe", "Jane Doe, John Roe" (a meta tag's authors).
std::vector<std::string> SplitNames(absl::string_view text) {
  return BylineNames(absl::StrCat("By ", text));
}


bool IsUrlLike(absl::string_view text) {
  return absl::StartsWith(text, "http:") || absl::StartsWith(text, "https:") ||
         absl::StartsWith(text, "//") || absl::StartsWith(text, "/");
}

// ---------------------------------------------------------------------------
// Putting it together.

// How deep the page's elements nest, estimated from its tags before
// parsing: start tags minus end tags, leaving out the elements that have no
// end tag or whose end tag HTML lets a page omit (<p>, <li>, <td>...), and
// what scripts and styles hold. Stops counting past kMaxMarkupDepth.
int EstimatedMarkupDepth(absl::string_view html) {
  static const auto* const kUnnested = new absl::flat_hash_set<absl::string_view>{
      "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
      "param", "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup",
      "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption", "rp", "rt",
      "html", "head", "body", "frame", "keygen", "basefont", "bgsound", "image"};
  int depth = 0;
  int deepest = 0;
  for (size_t at = html.find('<'); at != absl::string_view::npos && deepest <= kMaxMarkupDepth;
       at = html.find('<', at + 1)) {
    const bool closing = at + 1 < html.size() && html[at + 1] == '/';
    size_t start = at + (closing ? 2 : 1);
    size_t end = start;
    while (end < html.size() && absl::ascii_isalnum(static_cast<unsigned char>(html[end]))) ++end;
    if (end == start || !absl::ascii_isalpha(static_cast<unsigned char>(html[start]))) continue;
    const std::string name = absl::AsciiStrToLower(html.substr(start, end - start));
    if (kUnnested->contains(name)) continue;
    if (closing) {
      depth = std::max(0, depth - 1);
      continue;
    }
    const size_t tag_end = html.find('>', end);
    if (tag_end != absl::string_view::npos && html[tag_end - 1] == '/') continue;
    if (name == "script" || name == "style") {
      const size_t close = html.find(absl::StrCat("</", name), end);
      if (close == absl::string_view::npos) break;
      at = close;
      continue;
    }
    deepest = std::max(deepest, ++depth);
  }
  return deepest;
}

class Extraction {
 public:
  Extraction(absl::string_view html, absl::string_view page_url)
      : html_(html), page_url_(page_url) {}

  ExtractedArticle Run() {
    if (EstimatedMarkupDepth(html_) > kMaxMarkupDepth) {
      ExtractedArticle refused;
      refused.no_article = NoArticleReason::kTooDeeplyNested;
      return refused;
    }
    // The elements point into the tree: it lives as long as the extraction.
    GumboOptions options = kGumboDefaultOptions;
    options.max_errors = 0;
    const auto destroy = [&options](GumboOutput* output) {
      gumbo_destroy_output(&options, output);
    };
    const std::unique_ptr<GumboOutput, decltype(destroy)> output(
        gumbo_parse_with_options(&options, html_.data(), html_.size()),
        destroy);
    PageWalker(elements_, paragraphs_, data_).Walk(output->document);

    body_elements_ = MainText(elements_, paragraphs_).Find();
    MarkBody();
    ExtractedArticle article;
    article.title = Headline();
    article.authors = Authors();
    article.canonical_url = CanonicalUrlOfPage();
    article.language = Language();
    article.captions = Captions();
    article.body = Body(article.title, article.authors);
    PublishedAt(article);
    if (!LooksLikeArticle()) article.no_article = NoArticleReason::kNoArticleText;
    return article;
  }

 private:
  void MarkBody() {
    in_body_.assign(elements_.size(), false);
    for (int selected : body_elements_) {
      std::fill(in_body_.begin() + selected,
                in_body_.begin() + elements_[selected].end, true);
    }
    if (body_elements_.empty()) return;
    for (int ancestor = body_elements_.front(); ancestor >= 0;
         ancestor = elements_[ancestor].parent) {
      const GumboTag tag = elements_[ancestor].tag;
      if (tag == GUMBO_TAG_ARTICLE || tag == GUMBO_TAG_MAIN ||
          IsArticleBody(elements_[ancestor].node)) {
        article_root_ = ancestor;
        return;
      }
    }
  }

  bool InBody(int element) const { return in_body_[element]; }

  // Inside the <article> (or <main>) that holds the body.
  bool InArticle(int element) const {
    return article_root_ >= 0 && element >= article_root_ &&
           element < elements_[article_root_].end;
  }

  bool BodyParagraph(size_t i) const {
    const Paragraph& paragraph = paragraphs_[i];
    return !paragraph.chrome && InBody(paragraph.owner);
  }

  // The <h1> that is the headline: not one wholly a link (a site's logo),
  // unless there is no other.
  const Paragraph* HeadlineParagraph() const {
    const Paragraph* first = nullptr;
    for (const Paragraph& paragraph : paragraphs_) {
      if (elements_[paragraph.owner].tag != GUMBO_TAG_H1) continue;
      if (paragraph.link_weight < paragraph.weight) return &paragraph;
      if (first == nullptr) first = &paragraph;
    }
    return first;
  }

  std::vector<std::string> SiteNames() const {
    constexpr size_t kMaxSites = 8;
    std::vector<std::string> sites = data_.json_ld.site_names;
    if (sites.size() > kMaxSites) sites.resize(kMaxSites);
    for (const char* key : {"og:site_name", "application-name", "twitter:site",
                            "publisher", "dc.publisher"}) {
      const std::string* value = MetaValue(data_, {key});
      if (value == nullptr) continue;
      sites.push_back(absl::StartsWith(*value, "@") ? value->substr(1) : *value);
    }
    return sites;
  }

  std::string Headline() const {
    const Paragraph* h1 = HeadlineParagraph();
    const std::string h1_text = h1 == nullptr ? "" : h1->text;
    std::string headline = CollapsedText(data_.json_ld.headline);
    if (headline.empty()) {
      if (const std::string* og = MetaValue(data_, {"og:title", "twitter:title"})) {
        headline = *og;
      }
    }
    if (headline.empty()) headline = CollapsedText(h1_text);
    if (headline.empty()) headline = data_.title;
    return WithoutSiteName(headline, SiteNames(), HostLabel(page_url_),
                           CollapsedText(h1_text));
  }

  std::vector<std::string> Authors() const {
    std::vector<std::string> authors = data_.json_ld.authors;
    if (authors.empty()) {
      const std::string* meta = MetaValue(
          data_, {"author", "article:author", "dc.creator", "parsely-author",
                  "sailthru.author", "byl"});
      if (meta != nullptr && !IsUrlLike(*meta)) authors = SplitNames(*meta);
    }
    if (authors.empty()) {
      for (int mark : data_.author_marks) {
        const std::string name = SubtreeText(elements_[mark].node);
        const std::vector<std::string> names = BylineNames(name);
        if (!names.empty()) {
          authors.insert(authors.end(), names.begin(), names.end());
        } else if (LooksLikeName(name)) {
          authors.push_back(name);
        }
      }
    }
    if (authors.empty()) authors = BylineAuthors();
    constexpr size_t kMaxAuthors = 32;
    if (authors.size() > kMaxAuthors) authors.resize(kMaxAuthors);
    for (std::string& author : authors) author = CollapsedText(author);
    Dedupe(authors);
    return authors;
  }

  // Names in a "By ..." line: in an element named byline, or a short
  // paragraph near the headline.
  std::vector<std::string> BylineAuthors() const {
    const std::vector<int>& marks = data_.byline_marks;
    for (size_t i = 0; i < marks.size(); ++i) {
      // The innermost: "By Jane Doe" rather than all the byline's bar.
      if (i + 1 < marks.size() && marks[i + 1] < elements_[marks[i]].end) {
        continue;
      }
      const std::string text = SubtreeText(elements_[marks[i]].node);
      std::vector<std::string> names = BylineNames(text);
      if (!names.empty()) return names;
      if (LooksLikeName(text)) return {text};
    }
    for (size_t i : ParagraphsNearHeadline()) {
      if (paragraphs_[i].text.size() > 200) continue;
      std::vector<std::string> names = BylineNames(paragraphs_[i].text);
      if (!names.empty()) return names;
    }
    return {};
  }

  static void Dedupe(std::vector<std::string>& values) {
    std::vector<std::string> unique;
    absl::flat_hash_set<std::string> seen;
    for (std::string& value : values) {
      if (!value.empty() && seen.insert(value).second) {
        unique.push_back(std::move(value));
      }
    }
    values = std::move(unique);
  }

  // Paragraph indices from the headline's to a few after the body starts.
  std::vector<size_t> ParagraphsNearHeadline() const {
    constexpr size_t kAround = 8;
    size_t start = 0;
    const Paragraph* h1 = HeadlineParagraph();
    if (h1 != nullptr) {
      start = static_cast<size_t>(h1 - paragraphs_.data());
    } else {
      for (size_t i = 0; i < paragraphs_.size(); ++i) {
        if (BodyParagraph(i)) {
          start = i >= kAround ? i - kAround : 0;
          break;
        }
      }
    }
    std::vector<size_t> near;
    for (size_t i = start; i < paragraphs_.size() && i < start + 2 * kAround; ++i) {
      near.push_back(i);
    }
    return near;
  }

  void PublishedAt(ExtractedArticle& article) const {
    std::optional<absl::Time> time = ParseMarkupTime(data_.json_ld.date_published);
    if (!time) {
      if (const std::string* meta = MetaValue(
              data_, {"article:published_time", "og:published_time",
                      "datepublished", "pubdate", "publishdate", "publish-date",
                      "publish_date", "date", "dc.date", "dc.date.issued",
                      "dcterms.created", "dcterms.date", "sailthru.date",
                      "parsely-pub-date", "article.published", "og:pubdate"})) {
        time = ParseMarkupTime(*meta);
      }
    }
    if (!time) time = TimeElement();
    if (time) {
      article.published_at = time;
      return;
    }
    for (size_t i : ParagraphsNearHeadline()) {
      const std::vector<absl::CivilDay> days = FindDatesInText(paragraphs_[i].text);
      if (!days.empty()) {
        article.published_at = absl::FromCivil(days.front(), absl::UTCTimeZone());
        article.published_at_from_text = true;
        return;
      }
    }
  }

  // A <time datetime> saying it is the publication time, else the first in
  // the article (or near its text), else the first outside the chrome.
  std::optional<absl::Time> TimeElement() const {
    std::optional<absl::Time> in_article, anywhere;
    for (int index : data_.times) {
      const GumboNode* node = elements_[index].node;
      std::optional<absl::Time> time = ParseMarkupTime(Attribute(node, "datetime"));
      if (!time) continue;
      if (AttributeIs(node, "itemprop", "datePublished") ||
          gumbo_get_attribute(&node->v.element.attributes, "pubdate") != nullptr) {
        return time;
      }
      if (!in_article && InArticle(index)) in_article = time;
      if (!anywhere && !elements_[index].boilerplate) anywhere = time;
    }
    return in_article ? in_article : anywhere;
  }

  std::string CanonicalUrlOfPage() const {
    std::string href = data_.canonical_href;
    if (href.empty()) {
      if (const std::string* og = MetaValue(data_, {"og:url"})) href = *og;
    }
    if (href.empty()) return "";
    // The page's URL is the caller's, and need not be UTF-8.
    return CollapsedText(ResolveUrl(
        std::string_view(page_url_.data(), page_url_.size()), href));
  }

  std::string Language() const {
    if (!data_.html_lang.empty()) return data_.html_lang;
    if (const std::string* locale = MetaValue(data_, {"og:locale"})) {
      std::string tag = *locale;
      std::replace(tag.begin(), tag.end(), '_', '-');
      return tag;
    }
    return CollapsedText(data_.json_ld.language);
  }

  // The <figcaption>s in the article: within the <article> or <main> that
  // holds the body if there is one, else anywhere but in page chrome.
  std::vector<std::string> Captions() const {
    std::vector<std::string> captions;
    std::string current;
    int current_caption = -1;
    for (const Paragraph& paragraph : paragraphs_) {
      const int caption = elements_[paragraph.owner].caption;
      if (caption < 0 || !CaptionInArticle(caption)) continue;
      if (caption != current_caption && !current.empty()) {
        captions.push_back(std::move(current));
        current.clear();
      }
      current_caption = caption;
      if (!current.empty()) current += ' ';
      current += CollapsedText(paragraph.text);
    }
    if (!current.empty()) captions.push_back(std::move(current));
    Dedupe(captions);
    return captions;
  }

  bool CaptionInArticle(int caption) const {
    if (article_root_ >= 0) return InArticle(caption);
    return !elements_[caption].boilerplate;
  }

  // A line that says who wrote the article or when, rather than the article.
  bool IsBylineOrDateline(const Paragraph& paragraph,
                          const std::vector<std::string>& authors) const {
    constexpr size_t kShort = 120;
    if (paragraph.text.size() > kShort) return false;
    if (!BylineNames(paragraph.text).empty()) return true;
    for (const std::string& author : authors) {
      if (paragraph.text == author) return true;
    }
    const char last = paragraph.text.back();
    const bool sentence = last == '.' || last == '!' || last == '?' ||
                          last == '"' || absl::EndsWith(paragraph.text, "”");
    return !sentence && !FindDatesInText(paragraph.text).empty();
  }

  static bool HasLetter(absl::string_view text) {
    int32_t i = 0;
    const int32_t size = static_cast<int32_t>(text.size());
    while (i < size) {
      UChar32 c;
      U8_NEXT(text.data(), i, size, c);
      if (c >= 0 && u_isalpha(c)) return true;
    }
    return false;
  }

  std::string Body(const std::string& title,
                   const std::vector<std::string>& authors) {
    std::string body;
    for (size_t i = 0; i < paragraphs_.size(); ++i) {
      if (!BodyParagraph(i)) continue;
      const Paragraph& paragraph = paragraphs_[i];
      if (paragraph.link_weight * 2 > paragraph.weight ||
          !HasLetter(paragraph.text) || paragraph.text == title ||
          IsBylineOrDateline(paragraph, authors)) {
        continue;
      }
      body_weight_ += paragraph.weight;
      if (!body.empty()) body += "\n\n";
      body += paragraph.text;
    }
    return body;
  }

  // Enough running text, and not a list of links with teasers (an index).
  bool LooksLikeArticle() const {
    constexpr int kMinArticleWeight = 200;
    if (body_weight_ < kMinArticleWeight) return false;
    int link_blocks = 0, running = 0;
    for (size_t i = 0; i < paragraphs_.size(); ++i) {
      if (!BodyParagraph(i)) continue;
      const Paragraph& paragraph = paragraphs_[i];
      if (paragraph.weight >= 10 &&
          paragraph.link_weight * 10 >= paragraph.weight * 8) {
        ++link_blocks;
      } else if (paragraph.weight >= 80) {
        ++running;
      }
    }
    return link_blocks < 3 || link_blocks * 2 < running;
  }

  absl::string_view html_;
  absl::string_view page_url_;
  std::vector<Element> elements_;
  std::vector<Paragraph> paragraphs_;
  PageData data_;
  std::vector<int> body_elements_;
  std::vector<bool> in_body_;
  int article_root_ = -1;
  int body_weight_ = 0;
};

}  // namespace

ExtractedArticle ExtractArticle(std::string_view html, std::string_view page_url) {
  return Extraction(absl::string_view(html.data(), html.size()),
                    absl::string_view(page_url.data(), page_url.size()))
      .Run();
}

std::string_view NoArticleReasonName(NoArticleReason reason) {
  switch (reason) {
    case NoArticleReason::kNone:
      return "none";
    case NoArticleReason::kNoArticleText:
      return "no article text";
    case NoArticleReason::kTooDeeplyNested:
      return "markup nested too deeply";
  }
  return "unknown";
}

}  // namespace archive::cli
