// The one text normalizer of the archive: what ingest fingerprints and indexes
// and what query turns into search terms all pass through here first, so that
// the same article crawled twice with only invisible differences (line endings,
// kinds of space, zero-width characters, blank lines, Unicode composition)
// becomes byte-identical text.
//
// The rules, applied to every code point in one pass and then NFC:
//   - CRLF and lone CR, U+0085 (NEL) and U+2028 (LINE SEPARATOR) end a line;
//     U+2029 (PARAGRAPH SEPARATOR) ends a paragraph.
//   - Tab, vertical tab, form feed and every Unicode space separator (Zs: the
//     no-break spaces U+00A0, U+2007, U+202F, the ideographic space U+3000,
//     ...) are an ASCII space; a run of them is one space, and none is kept at
//     the start or end of a line.
//   - Removed: the invisible U+200B (ZERO WIDTH SPACE), U+2060 (WORD JOINER),
//     U+FEFF (BOM / ZERO WIDTH NO-BREAK SPACE), U+00AD (SOFT HYPHEN), and every
//     other control character. U+200C and U+200D (ZWNJ, ZWJ) are kept: they
//     change how Arabic, Persian and Indic words are written, as are the other
//     format characters (bidi marks).
//   - Lines that are empty after this are blank; paragraphs are separated by
//     exactly one blank line, and the text neither starts nor ends with one
//     (nor with a line break).
//   - Unicode Normalization Form C (ICU's NFC).
//
// Both functions are idempotent and thread-safe.
#ifndef COMMON_TEXT_NORMALIZER_H_
#define COMMON_TEXT_NORMALIZER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace archive {

// Multi-line text such as an article's body. INVALID_ARGUMENT when `utf8` is
// not well-formed UTF-8, the message naming the byte offset of the first
// ill-formed sequence: "invalid UTF-8 at byte 17".
absl::StatusOr<std::string> NormalizeBody(std::string_view utf8);

// One-line text such as a title, a caption or an author: as NormalizeBody, but
// line and paragraph breaks are spaces too, so the result is one line with
// single spaces between words and none at either end.
absl::StatusOr<std::string> NormalizeLine(std::string_view utf8);

}  // namespace archive

#endif  // COMMON_TEXT_NORMALIZER_H_
