// What Exchange recorded in every CSS-Exchange fixture that holds
// certificates, one row per object, transcribed by hand from the decoded
// tables of the recorded data; shared by the decoder's test
// (recorded_certificate_test.cc) and show's (cmd_snapshot_test.cc).
#pragma once

#include <cstddef>
#include <ostream>
#include <vector>

namespace xcert::exchange::testing {

// One object as recorded. Numbers are -1 and strings "" where the
// attributes are unknown (RawData only).
struct ExpectedCert {
  const char* thumbprint;
  const char* subject;
  const char* sans;  // dNSNames joined by ';'
  const char* not_before;
  const char* not_after;
  const char* signature;  // "sha1" / "sha256"
  int services;
  int status;
  int root_ca_type;
  int exportable;
  const char* friendly_name;
  const char* iis_sites;  // "W3SVC/1,W3SVC/2"
  const char* serialization;
};

struct ExpectedFile {
  const char* path;
  size_t objects;
  std::vector<ExpectedCert> certs;
};

// gtest names a failing parameter by its file.
inline void PrintTo(const ExpectedFile& file, std::ostream* os) { *os << file.path; }

// Every file and every object.
inline const std::vector<ExpectedFile>& Table() {
  static const std::vector<ExpectedFile> kTable = {
      {"Admin/MonitorExchangeAuthCertificate/ConfigurationAction/Tests/Data/"
       "GetExchangeCertifiateWithNewAuthConfigCert.xml",
       6,
       {
           {"B22BD738BED13136D29B7F410CE2993C5313F8FA",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2023-01-05", "2028-01-05",
            "sha256", 16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate - 20230105015642",
            "", "signed"},
           {"BC6BF924D6EF046E64F8D1987DC1D7D2F4C0042A",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2023-01-04", "2028-01-04",
            "sha256", 16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate - 20230104021554",
            "", "signed"},
           {"E1BDF9AE58C93C75E76C9DD882138FB8FF0FA786",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2022-12-30", "2027-12-30",
            "sha256", 16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate - 20221230045512",
            "", "signed"},
           {"D003810EBE1624145889D031FBB77ED2BD280FD3", "CN=E2k16-1", "E2k16-1;E2k16-1.Contoso.lab",
            "2022-12-30", "2027-12-30", "sha256", 25, 1, 0, 1, "E2k16-1", "W3SVC/2", "signed"},
           {"2759456DC53C76E3DED093B567B6D8DAA42C0ADD", "CN=mail.contoso.lab",
            "mail.contoso.lab;autodiscover.contoso.lab;e2k16-1.contoso.lab;e2k16-2.contoso.lab",
            "2022-09-05", "2027-09-05", "sha256", 8, 1, 3, 1, "SelfSignedCert", "W3SVC/1",
            "signed"},
           {"FE0FAE9305F294F49DD2426AB214CC17853A7E87", "CN=WMSvc-SHA2-E2k16-1", "", "2021-07-29",
            "2031-07-27", "sha256", 0, 1, 3, 1, "WMSVC-SHA2", "", "signed"},
       }},
      {"Admin/MonitorExchangeAuthCertificate/ConfigurationAction/Tests/Data/"
       "GetInternalTransportCertificateFromServer.xml",
       1,
       {
           {"D003810EBE1624145889D031FBB77ED2BD280FD3", "CN=E2k16-1", "E2k16-1;E2k16-1.Contoso.lab",
            "2022-12-30", "2027-12-30", "sha256", -1, -1, -1, -1, "", "", "absent"},
       }},
      {"Admin/MonitorExchangeAuthCertificate/ConfigurationAction/Tests/Data/"
       "InvalidExchangeDefaultTransportCertificate.xml",
       1,
       {
           {"0CEB5AC90A9E4BB9E4F8F1F0D7FC8F4EEA4F2CA2", "CN=E2k16-1", "E2k16-1;E2k16-1.Contoso.lab",
            "2023-01-05", "2028-01-05", "sha256", 17, 1, 0, 1, "E2k16-1", "", "signed"},
       }},
      {"Admin/MonitorExchangeAuthCertificate/ConfigurationAction/Tests/Data/"
       "NewExchangeAuthCertificate.xml",
       1,
       {
           {"B22BD738BED13136D29B7F410CE2993C5313F8FA",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2023-01-05", "2028-01-05",
            "sha256", 16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate - 20230105015642",
            "", "signed"},
       }},
      {"Admin/MonitorExchangeAuthCertificate/ConfigurationAction/Tests/Data/"
       "NewExchangeCertificateDefaultTransport.xml",
       1,
       {
           {"A86B1B7414E51491D446905511A329A7FE120510", "CN=E2k16-1", "E2k16-1;E2k16-1.Contoso.lab",
            "2023-01-05", "2028-01-05", "sha256", 17, 1, 0, 1, "E2k16-1", "", "signed"},
       }},
      {"Admin/MonitorExchangeAuthCertificate/DataCollection/Tests/Data/GetExchangeCertificate.xml",
       8,
       {
           {"D0D6BAA255F51F106760CE3BB869A0FE8C9FC298",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2023-01-05", "2028-01-05",
            "sha256", 16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate", "", "plain"},
           {"8763DA1842AFE901BD0B4090EA2A945AD016CB55",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2023-01-04", "2028-01-04",
            "sha256", 16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate", "", "plain"},
           {"BC6BF924D6EF046E64F8D1987DC1D7D2F4C0042A",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2023-01-04", "2028-01-04",
            "sha256", 16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate - 20230104021554",
            "", "plain"},
           {"976D2AD94D34347C2F59399D5DDC62D4FBE6F68C",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2023-01-03", "2028-01-03",
            "sha256", 16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate", "", "plain"},
           {"E1BDF9AE58C93C75E76C9DD882138FB8FF0FA786",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2022-12-30", "2027-12-30",
            "sha256", 16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate - 20221230045512",
            "", "plain"},
           {"D003810EBE1624145889D031FBB77ED2BD280FD3", "CN=E2k16-1", "E2k16-1;E2k16-1.Contoso.lab",
            "2022-12-30", "2027-12-30", "sha256", 25, 1, 0, 1, "E2k16-1", "W3SVC/2", "plain"},
           {"2759456DC53C76E3DED093B567B6D8DAA42C0ADD", "CN=mail.contoso.lab",
            "mail.contoso.lab;autodiscover.contoso.lab;e2k16-1.contoso.lab;e2k16-2.contoso.lab",
            "2022-09-05", "2027-09-05", "sha256", 8, 1, 3, 1, "SelfSignedCert", "W3SVC/1", "plain"},
           {"FE0FAE9305F294F49DD2426AB214CC17853A7E87", "CN=WMSvc-SHA2-E2k16-1", "", "2021-07-29",
            "2031-07-27", "sha256", 0, 1, 3, 1, "WMSVC-SHA2", "", "plain"},
       }},
      {"Admin/MonitorExchangeAuthCertificate/DataCollection/Tests/Data/"
       "GetExchangeCertificateBroken.xml",
       5,
       {
           {"8BFE845E6DCA42BBDC8F872672CDA1A4E0C3EBF1",
            "DC=Windows Azure CRP Certificate Generator", "", "2023-01-05", "2024-01-05", "sha256",
            -1, -1, -1, -1, "", "", "absent"},
           {"D003810EBE1624145889D031FBB77ED2BD280FD3", "CN=E2k16-1", "E2k16-1;E2k16-1.Contoso.lab",
            "2022-12-30", "2027-12-30", "sha256", -1, -1, -1, -1, "", "", "absent"},
           {"2759456DC53C76E3DED093B567B6D8DAA42C0ADD", "CN=mail.contoso.lab",
            "mail.contoso.lab;autodiscover.contoso.lab;e2k16-1.contoso.lab;e2k16-2.contoso.lab",
            "2022-09-05", "2027-09-05", "sha256", -1, -1, -1, -1, "", "", "absent"},
           {"63F480EA98F26E6F8AE7BB5311B33BB2C692D3CA",
            "CN=domain.com,OU=IT,O=Contoso,L=Cologne,ST=NRW,C=Germany", "domain.com;sub.domain.com",
            "2022-05-31", "2027-05-31", "sha256", -1, -1, -1, -1, "", "", "absent"},
           {"FE0FAE9305F294F49DD2426AB214CC17853A7E87", "CN=WMSvc-SHA2-E2k16-1", "", "2021-07-29",
            "2031-07-27", "sha256", -1, -1, -1, -1, "", "", "absent"},
       }},
      {"Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/"
       "GetExchangeCertificate.xml",
       4,
       {
           {"2D10A746D6BB8D795F1679AEBD89D5D2AE583CB7",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2021-08-06", "2026-07-11", "sha1",
            0, 1, 0, 1, "Microsoft Exchange Server Auth Certificate", "", "plain"},
           {"611C687DFC4343A5A03E0005A1EC6E9B6AFF586D", "CN=WIN-CTD3L0RGEN4",
            "WIN-CTD3L0RGEN4;WIN-CTD3L0RGEN4.exlab.dom", "2021-08-06", "2026-08-06", "sha1", 11, 1,
            3, 0, "Microsoft Exchange", "W3SVC/1,W3SVC/2", "plain"},
           {"E267D459A0FB53D0EF225C11FAC062D522648C09", "CN=localhost", "localhost", "2021-08-06",
            "2026-08-06", "sha256", 0, 1, 0, 1, "IIS Express Development Certificate", "", "plain"},
           {"3341CEAF3DF4D3A9527EC98BDD53C54ECC3E0620", "CN=WMSvc-SHA2-WIN-CTD3L0RGEN4", "",
            "2021-08-06", "2031-08-04", "sha256", 0, 1, 3, 1, "WMSVC-SHA2", "", "plain"},
       }},
      {"Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/"
       "GetExchangeCertificateBroken.xml",
       5,
       {
           {"8BFE845E6DCA42BBDC8F872672CDA1A4E0C3EBF1",
            "DC=Windows Azure CRP Certificate Generator", "", "2023-01-05", "2024-01-05", "sha256",
            -1, -1, -1, -1, "", "", "absent"},
           {"D003810EBE1624145889D031FBB77ED2BD280FD3", "CN=E2k16-1", "E2k16-1;E2k16-1.Contoso.lab",
            "2022-12-30", "2027-12-30", "sha256", -1, -1, -1, -1, "", "", "absent"},
           {"2759456DC53C76E3DED093B567B6D8DAA42C0ADD", "CN=mail.contoso.lab",
            "mail.contoso.lab;autodiscover.contoso.lab;e2k16-1.contoso.lab;e2k16-2.contoso.lab",
            "2022-09-05", "2027-09-05", "sha256", -1, -1, -1, -1, "", "", "absent"},
           {"63F480EA98F26E6F8AE7BB5311B33BB2C692D3CA",
            "CN=domain.com,OU=IT,O=Contoso,L=Cologne,ST=NRW,C=Germany", "domain.com;sub.domain.com",
            "2022-05-31", "2027-05-31", "sha256", -1, -1, -1, -1, "", "", "absent"},
           {"FE0FAE9305F294F49DD2426AB214CC17853A7E87", "CN=WMSvc-SHA2-E2k16-1", "", "2021-07-29",
            "2031-07-27", "sha256", -1, -1, -1, -1, "", "", "absent"},
       }},
      {"Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/"
       "GetExchangeCertificateIncomplete.xml",
       2,
       {
           {"E267D459A0FB53D0EF225C11FAC062D522648C09", "CN=localhost", "localhost", "2021-08-06",
            "2026-08-06", "sha256", 16, 1, 0, 1, "IIS Express Development Certificate", "",
            "plain"},
           {"3341CEAF3DF4D3A9527EC98BDD53C54ECC3E0620", "CN=WMSvc-SHA2-WIN-CTD3L0RGEN4", "",
            "2021-08-06", "2031-08-04", "sha256", 0, 1, 3, 1, "WMSVC-SHA2", "", "plain"},
       }},
      {"Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/"
       "GetExchangeCertificateMultipleMatches.xml",
       5,
       {
           {"03221367D3A3E863698501592A9B9C420D8D3F4E", "CN=localhost", "localhost", "2022-03-27",
            "2027-03-27", "sha256", 16, 1, 0, 0, "IIS Express Development Certificate", "",
            "plain"},
           {"2D10A746D6BB8D795F1679AEBD89D5D2AE583CB7",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2021-08-06", "2026-07-11", "sha1",
            0, 1, 0, 0, "Microsoft Exchange Server Auth Certificate", "", "plain"},
           {"611C687DFC4343A5A03E0005A1EC6E9B6AFF586D", "CN=WIN-CTD3L0RGEN4",
            "WIN-CTD3L0RGEN4;WIN-CTD3L0RGEN4.exlab.dom", "2021-08-06", "2026-08-06", "sha1", 11, 1,
            3, 0, "Microsoft Exchange", "W3SVC/1,W3SVC/2", "plain"},
           {"E267D459A0FB53D0EF225C11FAC062D522648C09", "CN=localhost", "localhost", "2021-08-06",
            "2026-08-06", "sha256", 16, 1, 0, 1, "IIS Express Development Certificate", "",
            "plain"},
           {"3341CEAF3DF4D3A9527EC98BDD53C54ECC3E0620", "CN=WMSvc-SHA2-WIN-CTD3L0RGEN4", "",
            "2021-08-06", "2031-08-04", "sha256", 0, 1, 3, 1, "WMSVC-SHA2", "", "plain"},
       }},
      {"Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/"
       "GetExchangeCertificateOnAzure.xml",
       3,
       {
           {"EC1D075732E935F49E551936718A9254B117E523",
            "DC=Windows Azure CRP Certificate Generator", "", "2022-05-17", "2023-05-17", "sha256",
            0, 1, 0, 0, "TenantEncryptionCert", "", "plain"},
           {"F57DEA0EEA488E092EF787F8857845B8CC0139DF",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2021-07-29", "2026-07-03", "sha1",
            16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate", "", "plain"},
           {"EEA2F1BD51FC122348942C1D1CEA3D1B415C4FA1", "CN=E2k16-1", "E2k16-1;E2k16-1.Contoso.lab",
            "2021-07-29", "2026-07-29", "sha1", 24, 1, 3, 0, "Microsoft Exchange", "W3SVC/2",
            "plain"},
       }},
      {"Diagnostics/HealthChecker/DataCollection/ExchangeInformation/Tests/DataCollection/"
       "GetExchangeCertificateWithoutAuth.xml",
       3,
       {
           {"611C687DFC4343A5A03E0005A1EC6E9B6AFF586D", "CN=WIN-CTD3L0RGEN4",
            "WIN-CTD3L0RGEN4;WIN-CTD3L0RGEN4.exlab.dom", "2021-08-06", "2026-08-06", "sha1", 11, 1,
            3, 0, "Microsoft Exchange", "W3SVC/1,W3SVC/2", "plain"},
           {"E267D459A0FB53D0EF225C11FAC062D522648C09", "CN=localhost", "localhost", "2021-08-06",
            "2026-08-06", "sha256", 0, 1, 0, 1, "IIS Express Development Certificate", "", "plain"},
           {"3341CEAF3DF4D3A9527EC98BDD53C54ECC3E0620", "CN=WMSvc-SHA2-WIN-CTD3L0RGEN4", "",
            "2021-08-06", "2031-08-04", "sha256", 0, 1, 3, 1, "WMSVC-SHA2", "", "plain"},
       }},
      {"Diagnostics/HealthChecker/Tests/DataCollection/E16/Exchange/GetExchangeCertificate.xml",
       3,
       {
           {"92E196F3C8D3D753FCFC5B7690C3173AA1C0ABE3",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2018-11-24", "2023-10-29", "sha1",
            16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate", "", "plain"},
           {"823884A32609DCDC8C4B5462952586C30D814073", "CN=Solo-E16A",
            "Solo-E16A;Solo-E16A.Solo.local", "2018-11-24", "2023-11-24", "sha1", 27, 1, 3, 0,
            "Microsoft Exchange", "W3SVC/1,W3SVC/2", "plain"},
           {"A60C6E62FF85D208DF668D597A1B077E1534147F", "CN=WMSvc-WIN-9UC94ETVM30", "",
            "2018-11-23", "2028-11-20", "sha256", 0, 1, 3, 1, "CN=WMSvc-WIN-9UC94ETVM30", "",
            "plain"},
       }},
      {"Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/GetExchangeCertificate.xml",
       3,
       {
           {"C3EDCF181EF4F9B53D01768ECA99564014BCA6E7",
            "CN=Microsoft Exchange Server Auth Certificate", "", "2019-12-03", "2024-11-06", "sha1",
            16, 1, 0, 1, "Microsoft Exchange Server Auth Certificate", "", "plain"},
           {"6C7DE09FB39A40144F57EFEBC3DF0148E3A9AB28", "CN=Solo-E19A",
            "Solo-E19A;Solo-E19A.Solo.com", "2019-12-03", "2024-12-03", "sha1", 27, 1, 3, 0,
            "Microsoft Exchange", "W3SVC/1,W3SVC/2", "plain"},
           {"38247AD2B76244411748274C508D13446311830B", "CN=WMSvc-WIN-K300A9DA9VA", "",
            "2019-12-03", "2029-11-30", "sha256", 0, 1, 3, 1, "CN=WMSvc-WIN-K300A9DA9VA", "",
            "plain"},
       }},
      {"Diagnostics/HealthChecker/Tests/DataCollection/E19/Exchange/"
       "GetInternalTransportCertificateFromServer.xml",
       1,
       {
           {"D003810EBE1624145889D031FBB77ED2BD280FD3", "CN=E2k16-1", "E2k16-1;E2k16-1.Contoso.lab",
            "2022-12-30", "2027-12-30", "sha256", -1, -1, -1, -1, "", "", "absent"},
       }},
  };
  return kTable;
}

}  // namespace xcert::exchange::testing
