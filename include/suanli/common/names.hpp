#pragma once
// Names in messages, the same way for every kind of name (policies, formats, YAML keys):
// listed as "a, b, c", and a misspelt one answered with "did you mean".
#include <span>
#include <string>
#include <string_view>

namespace suanli {

// "a, b, c".
std::string join_names(std::span<const std::string_view> names);

// The name of `known` closest to `name`, when it is close enough to be a typo: at most two
// edits (an adjacent transposition, "nodse" for "nodes", is one), and fewer edits than the
// known name has characters. "" when none is. Ties go to the first in `known`.
std::string_view closest_name(std::string_view name, std::span<const std::string_view> known);

// "; did you mean 'x'?" when closest_name finds x, else "".
std::string did_you_mean(std::string_view name, std::span<const std::string_view> known);

// "unknown <what> '<name>' (known: a, b, c)", and did_you_mean after it.
std::string unknown_name_message(std::string_view what, std::string_view name,
                                 std::span<const std::string_view> known);

}  // namespace suanli
