#include "resources/exchange/recorded_web_binding.h"

#include <gtest/gtest.h>

#include "tests/resources/exchange/exchange_test_util.h"

namespace xcert::exchange {
namespace {

using xcert::testing::ReadFileOrDie;

// protocol|ip|port|host|sslFlags|hash|store|site name|site id
std::string Describe(const RecordedWebBinding& b) {
  return b.protocol + "|" + b.ip_address + "|" + std::to_string(b.port) + "|" + b.host_name + "|" +
         std::to_string(b.ssl_flags) + "|" + b.certificate_hash + "|" + b.certificate_store_name +
         "|" + b.site_name + "|" + std::to_string(b.site_id);
}

std::vector<std::string> ExchangeBindings(const std::string& hash) {
  return {
      "http|*|80||0|||Default Web Site|1",
      "https||443||0|" + hash + "|MY|Default Web Site|1",
      "http|127.0.0.1|80||0|||Default Web Site|1",
      "https|127.0.0.1|443||0|" + hash + "|MY|Default Web Site|1",
      "http|*|81||0|||Exchange Back End|2",
      "https|*|444||0|" + hash + "|MY|Exchange Back End|2",
  };
}

TEST(RecordedWebBindingTest, EveryFixture) {
  const auto dir = testing::CssExchangeDir();
  const std::vector<std::pair<std::string, std::string>> files = {
      {"Diagnostics/HealthChecker/Tests/DataCollection/E16/Exchange/IIS/GetWebBinding.xml",
       "B30B89B96AD0351B53D73EC2B5EA7A8B6A746B2B"},
      {"Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/IIS/GetWebBinding.xml",
       "12FD38FA8F58C8A74B3039962882DEFE4199D453"},
  };
  for (const auto& [file, hash] : files) {
    SCOPED_TRACE(file);
    Result<std::vector<RecordedWebBinding>> got =
        ReadRecordedWebBindings(ReadFileOrDie(dir / file), file);
    ASSERT_TRUE(got.ok()) << got.status().message();
    std::vector<std::string> lines;
    for (const RecordedWebBinding& b : *got) lines.push_back(Describe(b));
    EXPECT_EQ(lines, ExchangeBindings(hash));
    EXPECT_EQ((*got)[1].binding_information, ":443:");
  }
}

constexpr std::string_view kHead =
    "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">";

std::string BindingXml(std::string_view ms) {
  return std::string(kHead) + "<Obj RefId=\"0\"><TN RefId=\"0\"><T>" +
         std::string(kWebBindingType) + "#bindings#binding</T><T>" + std::string(kWebBindingType) +
         "</T></TN><MS>" + std::string(ms) + "</MS></Obj></Objs>";
}

RecordedWebBinding One(std::string_view ms) {
  Result<std::vector<RecordedWebBinding>> got = ReadRecordedWebBindings(BindingXml(ms), "b.xml");
  EXPECT_TRUE(got.ok()) << got.status().message();
  return got.ok() && got->size() == 1 ? got->front() : RecordedWebBinding{};
}

TEST(RecordedWebBindingTest, BindingInformationForms) {
  RecordedWebBinding sni = One(
      R"(<S N="protocol">https</S>)"
      R"(<S N="bindingInformation">[::1]:8443:mail.contoso.com</S>)"
      R"(<I64 N="sslFlags">1</I64><S N="certificateHash">ab12</S>)"
      R"(<S N="ItemXPath">/system.applicationHost/sites/site[@name='O''Brien' and @id='1234567']</S>)");
  EXPECT_EQ(Describe(sni), "https|[::1]|8443|mail.contoso.com|1|AB12||O'Brien|1234567");
  RecordedWebBinding tcp = One(R"(<S N="protocol">net.tcp</S><S N="bindingInformation">808:*</S>)");
  EXPECT_EQ(Describe(tcp), "net.tcp||0||0||||0") << "only http(s) bindings are split";
  RecordedWebBinding bad_port =
      One(R"(<S N="protocol">https</S><S N="bindingInformation">*:99999:</S>)");
  EXPECT_EQ(bad_port.port, 0);
}

TEST(RecordedWebBindingTest, Errors) {
  EXPECT_EQ(ReadRecordedWebBindings(BindingXml(R"(<S N="protocol">https</S>)"), "b.xml")
                .status()
                .message(),
            "b.xml: object 1: IIS configuration element without protocol and bindingInformation "
            "(expected the output of Get-WebBinding)");
}

}  // namespace
}  // namespace xcert::exchange
