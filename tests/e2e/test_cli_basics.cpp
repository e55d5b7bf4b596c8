#include <doctest/doctest.h>

#include "run_binary.hpp"

TEST_CASE("--version prints the project version") {
  auto r = e2e::run_suanli({"--version"});
  CHECK(r.status == 0);
  CHECK(r.out.find("suanli " SUANLI_VERSION_STRING) != std::string::npos);
}
