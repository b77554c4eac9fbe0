// How much one page of the store's reads may hold: the defaults and caps of
// page_size for Scan and Verify, and the byte budget a Scan or Search page
// stops at. The one place these are set.
#ifndef STORE_PAGE_LIMITS_H_
#define STORE_PAGE_LIMITS_H_

#include <cstddef>

namespace archive::store {

inline constexpr int kDefaultScanPageSize = 100;
inline constexpr int kMaxScanPageSize = 1000;
inline constexpr int kDefaultVerifyPageSize = 1000;
inline constexpr int kMaxVerifyPageSize = 10000;
// A Scan or Search page stops early once it holds this many bytes of
// articles.
inline constexpr size_t kMaxPageBytes = size_t{4} << 20;

}  // namespace archive::store

#endif  // STORE_PAGE_LIMITS_H_
