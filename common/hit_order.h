// The order of search hits, the one definition both sides of a search use:
// each store ranks its own hits by it, and the query server merges the
// stores' pages by it, so the merge is correct only because the two agree.
//
// Hits rank by score descending, then newest published_at first, then id
// ascending: a total order, the same on every store, so hits of several
// stores merge and page by cursor.
//
// `Time` and `Id` may be any representations that compare (< and ==) as
// published_at and the id do: google::protobuf::Timestamp (with
// google/protobuf/util/time_util.h's operators, included here) and the
// hex id, or the store's key codec bytes of both. Pure: safe from any thread.
#ifndef COMMON_HIT_ORDER_H_
#define COMMON_HIT_ORDER_H_

#include "google/protobuf/util/time_util.h"

namespace archive {

// True when hit a (a_score, a_time, a_id) ranks strictly before hit b.
template <typename Time, typename Id>
bool HitRanksBefore(double a_score, const Time& a_time, const Id& a_id,
                    double b_score, const Time& b_time, const Id& b_id) {
  if (a_score != b_score) return a_score > b_score;
  if (!(a_time == b_time)) return b_time < a_time;
  return a_id < b_id;
}

}  // namespace archive

#endif  // COMMON_HIT_ORDER_H_
