// The broken-manifest table: one mistake per manifest (mostly), each with the
// exact diagnostics a user sees, in order. Every line of the table is a
// message someone will read at 2 a.m.; change them on purpose only.
#include <gtest/gtest.h>

#include "tests/engine/manifest/manifest_test_util.h"

namespace xcert::manifest::testing {
namespace {

struct BrokenCase {
  const char* name;
  std::string yaml;
  std::vector<std::string> expected;  // Lines(): "LINE:COL: error: MESSAGE; HINT"
};

std::vector<BrokenCase> Cases() {
  return {
      {"EmptyFile",
       R"()",
       {" error: the manifest is empty; start with 'version: 1' (see docs/manifest.md)"}},
      {"OnlyComments",
       R"(# nothing here

# yet
)",
       {" error: the manifest is empty; start with 'version: 1' (see docs/manifest.md)"}},
      {"TabIndentation",
       "version: 1\nstore:\n\ttype: local\n",
       {"3:1: error: tab character in indentation; YAML forbids tabs for indentation; indent with "
        "spaces"}},
      {"UnclosedFlowList",
       Replace(kBase, R"(roles: [Mailbox]})", R"(roles: [Mailbox})"),
       {"7:55: error: invalid YAML: illegal flow end; a '}' or ']' does not match the '{' or '[' "
        "it closes; in a value, put braces and brackets in quotes"}},
      {"TwoDocuments",
       R"(version: 1
store: {type: local, path: ./s}
---
version: 1
)",
       {"3:1: error: the file holds more than one YAML document; a manifest is one document; "
        "remove this '---' and everything after it, or merge the documents"}},
      {"DuplicateTopLevelKey",
       R"(version: 1
store: {type: local, path: ./s}
version: 1
)",
       {"3:1: error: duplicate key 'version' (first at line 1); YAML keeps only one of them; "
        "remove or rename one"}},
      {"DuplicateKeyInCertificate",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    issuer: self
)"),
       {"14:5: error: duplicate key 'issuer' (first at line 13); YAML keeps only one of them; "
        "remove or rename one"}},
      {"RootIsAList",
       R"(- version: 1
- store: local
)",
       {"1:1: error: the manifest must be a mapping, not a list; write a mapping (see "
        "docs/manifest.md)"}},
      {"MissingVersion",
       Replace(kBase, R"(version: 1
)",
               R"()"),
       {"1:1: error: the manifest is missing required field 'version'; add 'version: 1'"}},
      {"UnsupportedVersion",
       Replace(kBase, R"(version: 1)", R"(version: 2)"),
       {"1:10: error: field 'version' must be 1, not 2; write 1"}},
      {"QuotedVersion",
       Replace(kBase, R"(version: 1)", R"(version: "1")"),
       {"1:10: error: field 'version' must be an integer, not '1'; write it without quotes: 1"}},
      {"MisspelledSection",
       Replace(kBase, R"(certificates:)", R"(certficates:)"),
       {"9:1: error: unknown field 'certficates' in the manifest; did you mean 'certificates'?"}},
      {"MisspelledField",
       Replace(kBase, R"(    dnsNames:)", R"(    dnsname:)"),
       {"12:5: error: unknown field 'dnsname' in certificate 'mail'; did you mean 'dnsNames'?"}},
      {"InlinePassword",
       Replace(kBase, R"({name: self, type: self-signed})",
               R"({name: pfx, type: file, pkcs12: mail.pfx, password: Secret1})"),
       {"4:47: error: unknown field 'password' in issuer 'pfx'; passwords never go in the "
        "manifest; use passwordEnv (an environment variable) or passwordFile (a file)"}},
      {"StoreTypeWrongCase",
       Replace(kBase, R"(type: local)", R"(type: Local)"),
       {"2:15: error: field 'store.type' must be one of 'local', 'exchange', 'snapshot', not "
        "'Local'; did you mean 'local'? (values are case-sensitive)"}},
      {"LocalStoreWithoutPath",
       Replace(kBase, R"({type: local, path: ./store})", R"({type: local})"),
       {"2:8: error: a store of type 'local' needs 'path'; add 'path: ./store' (relative to this "
        "file)"}},
      {"TransportOnLocalStore",
       Replace(kBase, R"(path: ./store})", R"(path: ./store, transport: [ssh, ex1]})"),
       {"2:37: error: 'transport' is only used by a store of type 'exchange'; remove it, or set "
        "'type: exchange'"}},
      {"ExchangeStoreWithoutTransport",
       Replace(kBase, R"({type: local, path: ./store})", R"({type: exchange})"),
       {"2:15: error: a store of type 'exchange' needs 'transport' (the command that runs Exchange "
        "Management Shell); servers without one: 'EX1', 'EX2'; add e.g. 'transport: [ssh, "
        "admin@ex01, powershell, -NoProfile, -Command, -]' to store or to each server"}},
      {"BackupWithoutPassword",
       Replace(kBase, R"(store: {type: local, path: ./store}
)",
               R"(store: {type: local, path: ./store}
backup: {path: ./backups}
)"),
       {"3:9: error: 'backup' needs a password for its PKCS#12 files; add 'passwordEnv: "
        "XCERT_BACKUP_PASSWORD' (an environment variable) or 'passwordFile: <file>'; the password "
        "itself never goes in the manifest"}},
      {"BackupWithTwoPasswords",
       Replace(kBase, R"(store: {type: local, path: ./store}
)",
               R"(store: {type: local, path: ./store}
backup: {path: ./b, passwordEnv: PW, passwordFile: pw.txt}
)"),
       {"3:38: error: set only one of 'passwordEnv' and 'passwordFile'; remove one of them"}},
      {"PruneWithoutBackup",
       Replace(kBase, R"(store: {type: local, path: ./store}
)",
               R"(store: {type: local, path: ./store}
prune: true
)"),
       {"3:8: error: prune: true needs a 'backup' section; certificates are exported there before "
        "they are removed; add 'backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}'"}},
      {"BooleanWrittenYes",
       Replace(kBase, R"(store: {type: local, path: ./store}
)",
               R"(store: {type: local, path: ./store}
backup: {path: ./b, passwordEnv: PW}
prune: yes
)"),
       {"4:8: error: field 'prune' must be true or false, not 'yes'; write true (YAML 1.2 reads "
        "yes/no/on/off as text, not as true/false)"}},
      {"CaIssuerWithoutKey",
       Replace(kBase, R"(, key: ca.key})", R"(})"),
       {"5:5: error: issuer 'corp-ca' of type 'ca' needs 'key' (the private key, PEM); add 'key: "
        "pki/ca.key'"}},
      {"SelfSignedIssuerWithCertificate",
       Replace(kBase, R"({name: self, type: self-signed})",
               R"({name: self, type: self-signed, certificate: x.pem})"),
       {"4:37: error: field 'certificate' is not used by an issuer of type 'self-signed'; remove "
        "it, or change the issuer's type"}},
      {"FileIssuerWithBothForms",
       Replace(kBase, R"({name: self, type: self-signed})",
               R"({name: bought, type: file, pkcs12: a.pfx, certificate: a.pem})"),
       {"4:32: error: issuer 'bought' of type 'file' has both 'pkcs12' and PEM files "
        "('certificate'/'key'); use one form: pkcs12, or certificate and key"}},
      {"IssuerNamesDifferOnlyInCase",
       Replace(kBase, R"({name: self, type: self-signed})",
               R"({name: Corp-CA, type: self-signed})"),
       {"5:12: error: issuer name 'corp-ca' is used twice (first at line 4, as 'Corp-CA'); names "
        "must be unique, without regard to case; rename one"}},
      {"IssuerNameWithSlash",
       Replace(kBase, R"({name: self, type: self-signed})",
               R"({name: self/signed, type: self-signed})"),
       {"4:12: error: field 'name' in issuer #1 has an invalid value 'self/signed'; use 1 to 63 "
        "letters, digits, '.', '_' or '-', starting with a letter or digit"}},
      {"EnvNameInvalid",
       Replace(kBase, R"(store: {type: local, path: ./store}
)",
               R"(store: {type: local, path: ./store}
backup: {path: ./b, passwordEnv: 1PASSWORD}
)"),
       {"3:34: error: field 'backup.passwordEnv' is not a valid environment variable name (the "
        "value is not shown: it may be a password); write the NAME of the environment variable "
        "that holds the password (letters, digits and '_', not starting with a digit), never the "
        "password itself"}},
      {"ServerNameWithUnderscore",
       Replace(kBase, R"({name: EX2,)", R"({name: EX_2,)"),
       {"8:12: error: field 'name' in server #2 has an invalid value 'EX_2'; a server name is a "
        "host name: 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen"}},
      {"FqdnNotQualified",
       Replace(kBase, R"(fqdn: ex2.contoso.com)", R"(fqdn: ex2)"),
       {"8:23: error: fqdn 'ex2' of server 'EX2' is not a valid DNS name: it is not fully "
        "qualified; write the server's full DNS name, e.g. EX2.contoso.com"}},
      {"FqdnUsedTwice",
       Replace(kBase, R"(fqdn: ex2.contoso.com)", R"(fqdn: EX1.contoso.com)"),
       {"8:23: error: fqdn 'EX1.contoso.com' of server 'EX2' is also the fqdn of server 'EX1'; "
        "each server has its own fqdn"}},
      {"ServerNamesDifferOnlyInCase",
       Replace(kBase, R"({name: EX2,)", R"({name: ex1,)"),
       {"8:12: error: server name 'ex1' is used twice (first at line 7, as 'EX1'); names must be "
        "unique, without regard to case; rename one",
        "14:20: error: certificate 'mail' names unknown server 'EX2'; known servers: 'EX1', 'ex1'; "
        "did you mean 'EX1'?"}},
      {"ClientAccessOn2019",
       Replace(kBase, R"(roles: [Mailbox]})", R"(roles: [Mailbox, ClientAccess]})"),
       {"7:57: error: server 'EX1' has role ClientAccess, which exists only in Exchange 2013, not "
        "in 2019; remove it: since Exchange 2016 the Mailbox role includes client access"}},
      {"EdgeWithMailbox",
       Replace(kBase, R"(roles: [Mailbox]})", R"(roles: [Mailbox, EdgeTransport]})"),
       {"7:48: error: server 'EX1' has role Mailbox and EdgeTransport; an Edge Transport server "
        "has no other role; declare the Edge Transport server on its own"}},
      {"UnknownVersion",
       Replace(kBase, R"(version: "2016")", R"(version: 2022)"),
       {"8:67: error: field 'version' in server 'EX2' must be one of '2013', '2016', '2019', 'SE', "
        "not 2022; write one of these values"}},
      {"RolesEmpty",
       Replace(kBase, R"(roles: [Mailbox]})", R"(roles: []})"),
       {"7:47: error: field 'roles' in server 'EX1' is an empty list; list at least one entry, "
        "e.g. roles: [Mailbox]"}},
      {"ServersNotAList",
       Replace(kBase, R"(servers: [EX1, EX2])", R"(servers: EX1)"),
       {"14:14: error: field 'servers' in certificate 'mail' must be a list, not 'EX1'; write a "
        "list: [EX1]"}},
      {"UnknownIssuer",
       Replace(kBase, R"(issuer: corp-ca)", R"(issuer: corp)"),
       {"13:13: error: certificate 'mail' names unknown issuer 'corp'; known issuers: 'self', "
        "'corp-ca'; add an issuer named 'corp' to 'issuers'"}},
      {"UnknownServerCase",
       Replace(kBase, R"(servers: [EX1, EX2])", R"(servers: [EX1, ex2])"),
       {"14:20: error: certificate 'mail' names unknown server 'ex2'; known servers: 'EX1', 'EX2'; "
        "did you mean 'EX2'? (names are case-sensitive)"}},
      {"ServerListedTwice",
       Replace(kBase, R"(servers: [EX1, EX2])", R"(servers: [EX1, EX2, EX1])"),
       {"14:25: error: 'EX1' is listed twice in field 'servers' in certificate 'mail'; remove "
        "one"}},
      {"DnsNamesEmpty",
       Replace(kBase, R"(dnsNames: [mail.contoso.com, autodiscover.contoso.com])",
               R"(dnsNames: [])"),
       {"12:15: error: field 'dnsNames' in certificate 'mail' is an empty list; list at least one "
        "entry, e.g. dnsNames: [mail.pocket-consultant.com, autodiscover.pocket-consultant.com]"}},
      {"DnsNameUnderscore",
       Replace(kBase, R"(autodiscover.contoso.com])", R"(auto_discover.contoso.com])"),
       {"12:34: error: DNS name 'auto_discover.contoso.com' of certificate 'mail' is not valid: "
        "character '_' is not allowed (letters, digits and hyphens only); write a host name such "
        "as mail.contoso.com (or *.contoso.com)"}},
      {"DnsNameIpAddress",
       Replace(kBase, R"(autodiscover.contoso.com])", R"(192.168.1.10])"),
       {"12:34: error: DNS name '192.168.1.10' of certificate 'mail' is not valid: IP addresses "
        "are not DNS names (Exchange certificates name hosts); write a host name such as "
        "mail.contoso.com (or *.contoso.com)"}},
      {"WildcardNotLeftMost",
       Replace(kBase, R"(autodiscover.contoso.com])", R"(mail.*.contoso.com])"),
       {"12:34: error: DNS name 'mail.*.contoso.com' of certificate 'mail' is not valid: a "
        "wildcard '*' is only allowed as the whole left-most label (*.example.com); write a host "
        "name such as mail.contoso.com (or *.contoso.com)"}},
      {"DnsNameListedTwice",
       Replace(kBase, R"(autodiscover.contoso.com])", R"(MAIL.contoso.com])"),
       {"12:34: error: DNS name 'MAIL.contoso.com' is listed twice in certificate 'mail'; remove "
        "one (DNS names are compared without regard to case)"}},
      {"SubjectNotADn",
       Replace(kBase, R"(subject: CN=mail.contoso.com)", R"(subject: mail.contoso.com)"),
       {"11:14: error: subject 'mail.contoso.com' of certificate 'mail' is not a valid "
        "distinguished name: 'mail.contoso.com' is not TYPE=value; write it most specific first, "
        "e.g. 'CN=mail.contoso.com, O=Contoso, C=DE'"}},
      {"SubjectUnknownAttribute",
       Replace(kBase, R"(subject: CN=mail.contoso.com)", R"(subject: CN=mail.contoso.com, X=1)"),
       {"11:14: error: subject 'CN=mail.contoso.com, X=1' of certificate 'mail' is not a valid "
        "distinguished name: unknown attribute type 'X' (known: CN, O, OU, L, S, C, DC, E, "
        "SERIALNUMBER, STREET, POSTALCODE); write it most specific first, e.g. "
        "'CN=mail.contoso.com, O=Contoso, C=DE'"}},
      {"SubjectEmpty",
       Replace(kBase, R"(subject: CN=mail.contoso.com)", R"(subject:)"),
       {"11:5: error: field 'subject' in certificate 'mail' is empty; it must be a string; write "
        "e.g. 'subject: CN=mail.pocket-consultant.com'"}},
      {"RsaKeyTooSmall",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    key: {size: 1024}
)"),
       {"14:17: error: RSA key size 1024 of certificate 'mail' is refused: keys below 2048 bits "
        "are weak (NIST SP 800-131A disallows them) and current clients reject them; use 2048, "
        "3072 or 4096"}},
      {"RsaKeyOddSize",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    key: {algorithm: RSA, size: 2500}
)"),
       {"14:33: error: RSA key size 2500 of certificate 'mail' is not supported; use 2048, 3072 or "
        "4096"}},
      {"EcdsaWithSize",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    key: {algorithm: ECDSA, size: 256}
)"),
       {"14:22: warning: certificate 'mail' has an ECDSA key; Exchange supports ECDSA only for "
        "some services; federation, the internal transport certificate and older clients need RSA; "
        "prefer RSA unless every service and client is known to work with ECDSA",
        "14:29: error: 'size' is for RSA keys; the key of certificate 'mail' is ECDSA, sized by "
        "its curve; remove it; set 'curve: P-256' or 'curve: P-384'"}},
      {"RsaWithCurve",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    key: {algorithm: RSA, curve: P-256}
)"),
       {"14:27: error: 'curve' is for ECDSA keys; the key of certificate 'mail' is RSA; remove it, "
        "or set 'algorithm: ECDSA'"}},
      {"UnknownCurve",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    key: {algorithm: ECDSA, curve: P-521}
)"),
       {"14:22: warning: certificate 'mail' has an ECDSA key; Exchange supports ECDSA only for "
        "some services; federation, the internal transport certificate and older clients need RSA; "
        "prefer RSA unless every service and client is known to work with ECDSA",
        "14:36: error: field 'key.curve' in certificate 'mail' must be one of 'P-256', 'P-384', "
        "not 'P-521'; write one of these values"}},
      {"ExportableNo",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    key: {exportable: no}
)"),
       {"14:23: error: field 'key.exportable' in certificate 'mail' must be true or false, not "
        "'no'; write false (YAML 1.2 reads yes/no/on/off as text, not as true/false)"}},
      {"DurationWithoutUnit",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    validity: 90
)"),
       {"14:15: error: field 'validity' in certificate 'mail' must be a string, not 90; write a "
        "number and a unit: h (hours), d (days), w (weeks) or y (365 days), e.g. 90d"}},
      {"DurationInMonths",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    validity: 6m
)"),
       {"14:15: error: field 'validity' in certificate 'mail' has an invalid value '6m'; write a "
        "number and a unit: h (hours), d (days), w (weeks) or y (365 days), e.g. 90d"}},
      {"RenewBeforeNotShorter",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    validity: 30d
    renewBefore: 30d
)"),
       {"15:18: error: renewBefore (30d) of certificate 'mail' must be shorter than its validity "
        "(30d); renewal starts renewBefore ahead of expiry; e.g. validity: 365d, renewBefore: "
        "30d"}},
      {"PlaceholderWithoutPerServer",
       Replace(kBase, R"(subject: CN=mail.contoso.com)", R"(subject: CN={fqdn})"),
       {"11:14: error: placeholder '{fqdn}' in subject of certificate 'mail' needs 'perServer: "
        "true'; a shared certificate has one set of names for all its servers; set 'perServer: "
        "true' for one certificate per server, or write the name out"}},
      {"UnknownPlaceholder",
       Replace(kBase, R"(subject: CN=mail.contoso.com)", R"(subject: CN={host}.contoso.com)"),
       {"11:14: error: unknown placeholder '{host}' in subject of certificate 'mail'; known "
        "placeholders: {server}, {fqdn} and {domain}"}},
      {"DomainPlaceholderWithoutOrganization",
       Replace(kBase, R"(subject: CN=mail.contoso.com)", R"(subject: CN=mail.{domain})"),
       {"11:14: error: placeholder '{domain}' in subject of certificate 'mail' needs "
        "organization.domain; add 'organization: {domain: contoso.com}'"}},
      {"UnclosedBrace",
       Replace(kBase, R"(subject: CN=mail.contoso.com)", R"(subject: CN=mail.{domain)"),
       {"11:14: error: subject of certificate 'mail': '{' at character 9 is not closed; braces are "
        "reserved for the placeholders {server}, {fqdn} and {domain}"}},
      {"FederationService",
       Replace(kBase, R"(services: [IIS, SMTP])", R"(services: [IIS, SMTP, Federation])"),
       {"15:27: error: certificate 'mail' cannot serve Federation: Federation certificates are "
        "managed with New-FederationTrust/Set-FederationTrust, never enabled as a service; remove "
        "Federation from services"}},
      {"UmOn2019",
       Replace(kBase, R"(services: [IIS, SMTP])", R"(services: [IIS, SMTP, UM])"),
       {"15:27: error: certificate 'mail' cannot serve UM on server 'EX1' (Exchange 2019, "
        "Mailbox): Unified Messaging does not exist in Exchange 2019 (only 2013 and 2016); remove "
        "UM from services, or 'EX1' from servers"}},
      {"ServiceMisspelled",  // only what may be written is offered: not Federation
       Replace(kBase, R"(services: [IIS, SMTP])", R"(services: [IIS, SMPT])"),
       {"15:21: error: entry #2 of 'services' in certificate 'mail' must be one of 'IIS', 'SMTP', "
        "'IMAP', 'POP', 'UM', 'UMCallRouter', not 'SMPT'; did you mean 'SMTP'?"}},
      {"ServiceInAnyCaseListedTwice",
       Replace(kBase, R"(services: [IIS, SMTP])", R"(services: [IIS, SMTP, iis])"),
       {"15:27: error: 'IIS' is listed twice in field 'services' in certificate 'mail'; remove "
        "one"}},
      {"ServiceListedTwice",
       Replace(kBase, R"(services: [IIS, SMTP])", R"(services: [IIS, SMTP, IIS])"),
       {"15:27: error: 'IIS' is listed twice in field 'services' in certificate 'mail'; remove "
        "one"}},
      {"TwoIisCertificatesOnOneServer",
       std::string(kBase) + R"(  - name: web
    subject: CN=web.contoso.com
    dnsNames: [web.contoso.com]
    issuer: corp-ca
    servers: [EX2]
    services: [IIS]
)",
       {"21:16: error: server 'EX2' would get IIS from certificate 'mail' and from certificate "
        "'web'; a server has one IIS certificate (enabling one moves the service); remove IIS from "
        "one of them"}},
      {"ReplaceDefaultSmtpWithoutSmtp",
       Replace(kBase, R"(services: [IIS, SMTP])", R"(services: [IIS]
    replaceDefaultSmtp: true)"),
       {"16:25: error: certificate 'mail' sets replaceDefaultSmtp but does not serve SMTP; add "
        "SMTP to services, or remove replaceDefaultSmtp"}},
      {"SharedSelfSignedNotExportable",
       Replace(kBase, R"(issuer: corp-ca)", R"(issuer: self)"),
       {"10:5: error: certificate 'mail' is deployed to 2 servers but its key is not exportable; "
        "set 'key.exportable: true': a self-signed certificate is created on 'EX1' and copied to "
        "the others by export and import; or set 'perServer: true'",
        "13:13: warning: certificate 'mail' is self-signed and serves IIS: clients (Outlook, "
        "browsers, phones) will not trust it; use a ca or request issuer for client-facing "
        "services"}},
      {"FileIssuerUsedTwice",
       R"(version: 1
store: {type: local, path: ./store}
issuers:
  - {name: bought, type: file, pkcs12: mail.pfx, passwordEnv: PFX_PASSWORD}
servers:
  - {name: EX1, fqdn: ex1.contoso.com, roles: [Mailbox]}
certificates:
  - {name: mail, subject: CN=mail.contoso.com, dnsNames: [mail.contoso.com], issuer: bought, servers: [EX1]}
  - {name: mail2, subject: CN=mail.contoso.com, dnsNames: [mail.contoso.com], issuer: bought, servers: [EX1]}
)",
       {"9:87: error: file issuer 'bought' of certificate 'mail2' is already used by certificate "
        "'mail'; a file issuer supplies exactly one certificate; declare one file issuer per "
        "certificate file"}},
      {"FriendlyNameTooLong",
       Replace(kBase, R"(    issuer: corp-ca
)",
               R"(    issuer: corp-ca
    friendlyName: Exchange Exchange Exchange Exchange Exchange Exchange Exchange Exchange 
)"),
       {"14:19: error: the friendly name of certificate 'mail' is 71 characters long; Exchange "
        "needs fewer than 64; shorten it"}},
      {"BillionLaughs",
       R"(a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
)",
       {"6:36: error: alias '*e' expands the manifest beyond 1000000 values; anchors and aliases "
        "nested this deep (a \"billion laughs\" document) are refused; write the values out or use "
        "fewer levels of aliases"}},
      {"RecursiveAlias",
       R"(version: 1
x-loop: &loop [1, *loop]
)",
       {"2:19: error: alias '*loop' is used inside the node it names; recursive structures are not "
        "supported; refer to the anchor after it ends"}},
      {"UndefinedAlias",
       Replace(kBase, R"(issuer: corp-ca)", R"(issuer: *ca)"),
       {"13:13: error: invalid YAML: the referenced anchor is not defined; define the anchor "
        "('&name') before the alias ('*name')"}},
      {"MergeKeyWithScalar",
       Replace(kBase, R"(  - name: mail
)",
               R"(  - <<: mail
    name: mail
)"),
       {"10:9: error: the merge key '<<' needs a mapping or a list of mappings; write e.g. '<<: "
        "*defaults' where '&defaults' names a mapping"}},
      {"UnsupportedTag",
       Replace(kBase, R"(issuer: corp-ca)", R"(issuer: !vault corp-ca)"),
       {"13:13: error: field 'issuer' in certificate #1: the tag '!vault' is not supported; xcert "
        "reads plain YAML; remove the tag"}},
      {"ControlCharacterInValue",
       Replace(kBase, R"(issuer: corp-ca)", R"(issuer: "corp-ca\t")"),
       {"13:13: error: field 'issuer' in certificate #1 contains the control character U+0009; "
        "remove it"}},
      {"NotUtf8",
       Replace(kBase, R"(subject: CN=mail.contoso.com)",
               "subject: CN=m\xe4"
               "il.contoso.com"),
       {"11:18: error: the file is not valid UTF-8 (byte 0xE4); save it as UTF-8"}},
      {"Utf16File",
       "\xff"
       "\xfe"
       "v\x00"
       "e\x00"
       "r\x00"
       "",
       {"1:1: error: the file is UTF-16, not UTF-8; save it as UTF-8 (in PowerShell: Set-Content "
        "-Encoding utf8)"}},
      {"ValueTooLong",
       Replace(
           kBase, R"(issuer: corp-ca)",
           R"(issuer: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)"),
       {"13:13: error: this value is 5000 bytes long; the longest value xcert accepts is 4096 "
        "bytes; shorten it"}},
  };
}

void PrintTo(const BrokenCase& c, std::ostream* os) { *os << c.name; }

class BrokenManifestTest : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(BrokenManifestTest, ReportsExactlyThis) {
  const BrokenCase& c = GetParam();
  const LoadResult result = Load(c.yaml);
  EXPECT_FALSE(result.manifest.has_value());
  EXPECT_EQ(Lines(result.diagnostics), c.expected);
}

TEST_P(BrokenManifestTest, EveryErrorSaysWhatToDo) {
  const LoadResult result = Load(GetParam().yaml);
  for (const Diagnostic& d : result.diagnostics.items()) {
    EXPECT_FALSE(d.hint.empty()) << d.ToString();
    EXPECT_EQ(d.location.file, kFile);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, BrokenManifestTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<BrokenCase>& param) {
                           return std::string(param.param.name);
                         });

TEST(BrokenManifestTableTest, HasAtLeastFortyCasesOverAValidBase) {
  EXPECT_GE(Cases().size(), 40u);
  EXPECT_TRUE(Load(kBase).manifest.has_value()) << ::testing::PrintToString(Lines(kBase));
}

// Several independent mistakes are all reported in one run, sorted by position.
TEST(BrokenManifestTableTest, ReportsEveryMistakeInOneRunSortedByPosition) {
  std::string yaml = Replace(kBase, "issuer: corp-ca", "issuer: corp");
  yaml = Replace(yaml, "type: local", "type: lokal");
  yaml = Replace(yaml, "services: [IIS, SMTP]", "services: [IIS, SMTP, UM]");
  yaml = Replace(yaml, "fqdn: ex2.contoso.com", "fqdn: ex2");
  EXPECT_EQ(Lines(yaml),
            (std::vector<std::string>{
                "2:15: error: field 'store.type' must be one of 'local', 'exchange', 'snapshot', "
                "not 'lokal'; did you mean 'local'?",
                "8:23: error: fqdn 'ex2' of server 'EX2' is not a valid DNS name: it is not fully "
                "qualified; write the server's full DNS name, e.g. EX2.contoso.com",
                "13:13: error: certificate 'mail' names unknown issuer 'corp'; known issuers: "
                "'self', 'corp-ca'; add an issuer named 'corp' to 'issuers'",
                "15:27: error: certificate 'mail' cannot serve UM on server 'EX1' (Exchange 2019, "
                "Mailbox): Unified Messaging does not exist in Exchange 2019 (only 2013 and "
                "2016); remove UM from services, or 'EX1' from servers",
            }));
}

}  // namespace
}  // namespace xcert::manifest::testing
