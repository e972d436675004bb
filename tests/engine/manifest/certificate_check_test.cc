#include "engine/manifest/certificate_check.h"

#include <gtest/gtest.h>

#include "tests/engine/manifest/manifest_test_util.h"

namespace xcert::manifest::testing {
namespace {

using Strings = std::vector<std::string>;

constexpr std::string_view kPerServer = R"(version: 1
organization: {domain: contoso.com, autodiscover: true}
store: {type: local, path: ./store}
issuers: [{name: ca, type: ca, certificate: c.pem, key: c.key}]
servers:
  - {name: EX1, fqdn: ex1.contoso.com, roles: [Mailbox]}
  - {name: EX2, fqdn: ex2.contoso.com, roles: [Mailbox]}
certificates:
  - name: host
    perServer: true
    subject: CN={fqdn}
    dnsNames: ["{fqdn}", "{server}", "autodiscover.{domain}"]
    issuer: ca
    servers: [EX1]
    services: [IIS, SMTP]
)";

TEST(CertificateCheckTest, PerServerCertificatesExpandPlaceholders) {
  const LoadResult r = Load(Replace(kPerServer, "servers: [EX1]", "servers: [EX1, EX2]"));
  EXPECT_EQ(Lines(r.diagnostics), Strings{});
  ASSERT_TRUE(r.manifest.has_value());
  EXPECT_EQ(r.manifest->certificates[0].subject, "CN={fqdn}");  // the model keeps templates
}

TEST(CertificateCheckTest, ExpandedNamesAreCheckedPerServerNamingIt) {
  // Schema: a server name with '_' is refused; the DNS name made from it too.
  std::string yaml = Replace(kPerServer, "servers: [EX1]", "servers: [EX1, EX2]");
  yaml = Replace(yaml, "\"{server}\"", "\"{server}-\"");
  EXPECT_EQ(Lines(yaml),
            Strings{"12:26: error: DNS name 'EX1-' of certificate 'host' (for server 'EX1') is "
                    "not valid: label 'EX1-' starts or ends with a hyphen; write a host name such "
                    "as mail.contoso.com (or *.contoso.com)"});
}

TEST(CertificateCheckTest, PerServerWithoutPlaceholdersIsAWarning) {
  const std::string yaml = Replace(Replace(kPerServer, "CN={fqdn}", "CN=smtp.contoso.com"),
                                   R"(["{fqdn}", "{server}", "autodiscover.{domain}"])",
                                   "[smtp.contoso.com, autodiscover.contoso.com]");
  EXPECT_EQ(Lines(yaml),
            Strings{"10:16: warning: certificate 'host' is perServer but its names do not use "
                    "{server} or {fqdn}; every server gets a certificate with the same names; use "
                    "the placeholders, or remove perServer to share one certificate"});
}

TEST(CertificateCheckTest, WarnsWhenTheCnIsNotADnsNameOrMissing) {
  EXPECT_EQ(Lines(Replace(kBase, "subject: CN=mail.contoso.com", "subject: CN=owa.contoso.com")),
            Strings{"11:14: warning: CN 'owa.contoso.com' of certificate 'mail' is not among its "
                    "dnsNames; add 'owa.contoso.com' to dnsNames: clients check the DNS names, "
                    "not the CN"});
  EXPECT_EQ(Lines(Replace(kBase, "subject: CN=mail.contoso.com", "subject: O=Contoso")),
            Strings{"11:14: warning: the subject of certificate 'mail' has no CN; Exchange lists "
                    "certificates by CN; add 'CN=<the main DNS name>'"});
  // A wildcard DNS name covers the CN.
  EXPECT_EQ(
      Lines(Replace(kBase, "[mail.contoso.com, autodiscover.contoso.com]", "['*.contoso.com']")),
      Strings{});
}

TEST(CertificateCheckTest, NoCnWarningWhenTheDnsNamesAreBroken) {
  EXPECT_EQ(Lines(Replace(kBase, "[mail.contoso.com, autodiscover.contoso.com]",
                          "[mail.contoso.com:443]")),
            Strings{"12:16: error: DNS name 'mail.contoso.com:443' of certificate 'mail' is not "
                    "valid: a port (':443') is not part of a DNS name; write the host name only; "
                    "write a host name such as mail.contoso.com (or *.contoso.com)"});
}

TEST(CertificateCheckTest, AutodiscoverWarning) {
  const std::string yaml =
      Replace(Replace(kBase, "store:",
                      "organization: {domain: contoso.com, autodiscover: true}\n"
                      "store:"),
              ", autodiscover.contoso.com]", "]");
  EXPECT_EQ(Lines(yaml),
            Strings{"13:15: warning: certificate 'mail' serves IIS but does not cover "
                    "autodiscover.contoso.com; add autodiscover.contoso.com to dnsNames: Outlook "
                    "looks it up (organization.autodiscover is true)"});
  EXPECT_EQ(Lines(Replace(yaml, "[mail.contoso.com]", "['*.contoso.com']")), Strings{});
}

TEST(CertificateCheckTest, EcdsaIsAWarningUnlessItReplacesTheDefaultSmtpCertificate) {
  const std::string ecdsa =
      Replace(kBase, "    issuer: corp-ca\n", "    issuer: corp-ca\n    key: {algorithm: ECDSA}\n");
  const LoadResult r = Load(ecdsa);
  EXPECT_TRUE(r.manifest.has_value());
  EXPECT_EQ(r.diagnostics.warning_count(), 1u);
  EXPECT_EQ(Lines(Replace(ecdsa, "services: [IIS, SMTP]",
                          "services: [IIS, SMTP]\n    replaceDefaultSmtp: true")),
            (Strings{"14:22: warning: certificate 'mail' has an ECDSA key; Exchange supports ECDSA "
                     "only for some services; federation, the internal transport certificate and "
                     "older clients need RSA; prefer RSA unless every service and client is known "
                     "to work with ECDSA",
                     "17:25: error: certificate 'mail' has an ECDSA key and cannot replace the "
                     "default SMTP certificate; the internal transport certificate (used by "
                     "EdgeSync) must have an RSA key; use RSA or remove replaceDefaultSmtp"}));
}

TEST(CertificateCheckTest, RequestIssuerOnSeveralServersNeedsAnExportableKey) {
  const std::string yaml = Replace(Replace(kBase, "{name: self, type: self-signed}",
                                           "{name: req, type: request, outbox: o, inbox: i}"),
                                   "issuer: corp-ca", "issuer: req");
  EXPECT_EQ(Lines(yaml),
            Strings{"10:5: error: certificate 'mail' is deployed to 2 servers but its key is not "
                    "exportable; set 'key.exportable: true': a request certificate is created on "
                    "'EX1' and copied to the others by export and import; or set 'perServer: "
                    "true'"});
  EXPECT_EQ(
      Lines(Replace(yaml, "    issuer: req\n", "    issuer: req\n    key: {exportable: true}\n")),
      Strings{});
}

TEST(CertificateCheckTest, FileIssuerCannotBePerServer) {
  const std::string yaml = Replace(
      Replace(kBase, "{name: self, type: self-signed}", "{name: pfx, type: file, pkcs12: a.pfx}"),
      "issuer: corp-ca", "issuer: pfx\n    perServer: true");
  EXPECT_EQ(Lines(yaml),
            (Strings{"14:16: error: certificate 'mail' is perServer, but its issuer 'pfx' is a "
                     "file issuer, which supplies one certificate; remove perServer, or use a ca "
                     "or request issuer",
                     "14:16: warning: certificate 'mail' is perServer but its names do not use "
                     "{server} or {fqdn}; every server gets a certificate with the same names; "
                     "use the placeholders, or remove perServer to share one certificate"}));
}

TEST(CertificateCheckTest, UnknownServerListIsCapped) {
  std::string servers;
  for (int i = 0; i < 12; ++i) {
    servers += "  - {name: S" + std::to_string(i) + ", fqdn: s" + std::to_string(i) +
               ".contoso.com, roles: [Mailbox]}\n";
  }
  const std::string yaml = Replace(
      Replace(kBase,
              "  - {name: EX2, fqdn: ex2.contoso.com, roles: [Mailbox], version: \"2016\"}\n",
              servers),
      "servers: [EX1, EX2]", "servers: [S99]");
  EXPECT_EQ(Lines(yaml),
            Strings{"25:15: error: certificate 'mail' names unknown server 'S99'; known servers: "
                    "'EX1', 'S0', 'S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S7', 'S8' and 3 more; did "
                    "you mean 'S9'?"});
}

TEST(CertificateCheckTest, BrokenServerEntriesSilenceUnknownServerErrors) {
  // EX2's name is wrong: a reference to 'EX2' may be meant for it.
  EXPECT_EQ(Lines(Replace(kBase, "{name: EX2,", "{name: 'EX 2',")),
            Strings{"8:12: error: field 'name' in server #2 has an invalid value 'EX 2'; a server "
                    "name is a host name: 1 to 63 letters, digits and hyphens, not starting or "
                    "ending with a hyphen"});
}

TEST(CertificateCheckTest, ValidityIsCappedAtOneHundredYears) {
  const std::string at_cap =
      Replace(kBase, "    servers: [EX1, EX2]", "    validity: 100y\n    servers: [EX1, EX2]");
  EXPECT_EQ(Lines(at_cap), Strings{});
  EXPECT_EQ(Lines(Replace(at_cap, "validity: 100y", "validity: 36501d")),
            Strings{"14:15: error: validity (36501d) of certificate 'mail' is longer than 100 "
                    "years, the longest xcert issues; X.509 dates end in the year 9999 and no "
                    "client trusts a certificate for longer than a few years; use e.g. validity: "
                    "365d or 2y"});
  EXPECT_EQ(Lines(Replace(at_cap, "validity: 100y", "validity: 8000y")).size(), 1u);
}

constexpr std::string_view kAcme = R"(version: 1
store: {type: local, path: ./store}
issuers:
  - {name: le, type: acme, directory: 'https://acme.test/dir', accountKey: a.key, challenge: {type: http-01, standalone: ':80'}}
servers:
  - {name: EX1, fqdn: ex1.contoso.com, roles: [Mailbox]}
certificates:
  - name: mail
    subject: CN=mail.contoso.com
    dnsNames: [mail.contoso.com, autodiscover.contoso.com]
    issuer: le
    servers: [EX1]
    services: [IIS, SMTP]
)";

TEST(CertificateCheckTest, WhatAnAcmeServerDecidesOrRefusesIsSaidAtValidate) {
  EXPECT_EQ(Lines(kAcme), Strings{});
  EXPECT_EQ(Lines(Replace(kAcme, "    issuer: le\n", "    issuer: le\n    validity: 90d\n")),
            Strings{"12:5: error: certificate 'mail' comes from the ACME issuer 'le', whose server "
                    "sets the validity; remove 'validity'; 'renewBefore' says when xcert renews "
                    "it"});
  EXPECT_EQ(Lines(Replace(kAcme, "autodiscover.contoso.com]", "'*.contoso.com']")),
            Strings{"10:34: error: wildcard '*.contoso.com' of certificate 'mail' cannot be "
                    "validated by http-01 (issuer 'le'); ACME validates wildcards only through "
                    "dns-01: give the issuer 'challenge: {type: dns-01, ...}', or list the names"});
  EXPECT_EQ(Lines(Replace(kAcme, "CN=mail.contoso.com", "CN=owa.contoso.com")),
            Strings{"9:14: error: CN 'owa.contoso.com' of certificate 'mail' is not among its "
                    "dnsNames; add 'owa.contoso.com' to dnsNames: the ACME server refuses a "
                    "request whose CN is not one of its names"});
}

}  // namespace
}  // namespace xcert::manifest::testing
