#include "suanli/common/names.hpp"

#include <algorithm>
#include <vector>

namespace suanli {

namespace {

// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
// transpositions, so that the common typo "nodse" is one edit from "nodes".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string join_names(std::span<const std::string_view> names) {
  std::string out;
  for (const std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string_view closest_name(std::string_view name, std::span<const std::string_view> known) {
  std::string_view best;
  std::size_t best_distance = 3;  // more than two edits is not a typo
  for (const std::string_view k : known) {
    const std::size_t d = edit_distance(name, k);
    if (d < best_distance && d < k.size()) {
      best = k;
      best_distance = d;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view name, std::span<const std::string_view> known) {
  const std::string_view guess = closest_name(name, known);
  return guess.empty() ? "" : "; did you mean '" + std::string(guess) + "'?";
}

std::string unknown_name_message(std::string_view what, std::string_view name,
                                 std::span<const std::string_view> known) {
  return "unknown " + std::string(what) + " '" + std::string(name) +
         "' (known: " + join_names(known) + ")" + did_you_mean(name, known);
}

}  // namespace suanli
