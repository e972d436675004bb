#include "engine/util/status.h"

#include <gtest/gtest.h>

namespace xcert {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument(std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  XCERT_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, WithContextPrefixesMessage) {
  Status s = NotFound("no such file").WithContext("loading store /srv");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "loading store /srv: no such file");
}

TEST(ResultTest, PropagatesFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "3 is odd");
}

TEST(ResultTest, OkStatusCannotMakeAResult) {
  Result<int> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternal);
}

TEST(StatusTest, ErrnoStatusMapsCommonCodes) {
  EXPECT_EQ(ErrnoStatus("open x", ENOENT).code(), Code::kNotFound);
  EXPECT_EQ(ErrnoStatus("open x", EACCES).code(), Code::kPermissionDenied);
  EXPECT_EQ(ErrnoStatus("open x", ENOENT).message(), "open x: No such file or directory");
}

}  // namespace
}  // namespace xcert
