#include "core/env.h"

#include <gtest/gtest.h>

namespace cwp::core {
namespace {

TEST(Environment, MapLookupDistinguishesUnsetFromEmpty) {
  const auto env = map_environment({{"SET", "v"}, {"EMPTY", ""}});
  EXPECT_EQ(env.get("SET"), "v");
  EXPECT_EQ(env.get("EMPTY"), "");
  EXPECT_FALSE(env.get("UNSET"));
  EXPECT_FALSE(env.non_empty("EMPTY"));
  EXPECT_EQ(env.names().size(), 2U);
}

}  // namespace
}  // namespace cwp::core
