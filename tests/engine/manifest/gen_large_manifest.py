#!/usr/bin/env python3
"""Writes a large valid manifest for timing `xcert validate`.

    tests/engine/manifest/gen_large_manifest.py [SERVERS] [CERTIFICATES] > big.yaml
    time build/xcert validate -f big.yaml

Defaults: 2,000 servers and 10,000 certificates. Servers are Exchange
2016/2019/SE Mailbox servers plus some Edge Transport servers; groups of four
Mailbox servers share one client-access certificate (IIS, IMAP, POP, SMTP);
every fifth remaining certificate is perServer (SMTP on Edge or Mailbox
servers); the rest are shared SMTP certificates on one to three servers.
"""
import sys


def main():
    n_servers = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    n_certs = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    out = sys.stdout.write
    out("# yaml-language-server: $schema=../../schemas/manifest.schema.json\n")
    out("version: 1\n")
    out("organization: {domain: contoso.com, autodiscover: true}\n")
    out("store: {type: local, path: ./store}\n")
    out("backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}\n")
    out("x-shared: &shared\n  issuer: corp-ca\n  key: {algorithm: RSA, size: 2048, exportable: true}\n"
        "  validity: 365d\n  renewBefore: 30d\n")
    out("issuers:\n")
    out("  - {name: corp-ca, type: ca, certificate: pki/ca.pem, key: pki/ca.key}\n")
    out("  - {name: public, type: request, outbox: ./requests/out, inbox: ./requests/in}\n")
    out("servers:\n")
    versions = ['"2016"', '"2019"', "SE"]
    mailbox, edge = [], []
    for i in range(n_servers):
        name = f"EX{i:04d}"
        if i % 10 == 9:
            edge.append(name)
            out(f"  - {{name: {name}, fqdn: {name.lower()}.edge.contoso.com, roles: [EdgeTransport]}}\n")
        else:
            mailbox.append(name)
            out(f"  - name: {name}\n    fqdn: {name.lower()}.contoso.com\n    roles: [Mailbox]\n"
                f"    version: {versions[i % 3]}\n")
    out("certificates:\n")
    made = 0
    for g in range(0, len(mailbox), 4):
        if made == n_certs:
            break
        group = mailbox[g:g + 4]
        out(f"  - <<: *shared\n    name: web{g // 4:04d}\n"
            f"    subject: CN=mail{g // 4}.contoso.com, O=Contoso, C=US\n"
            f"    dnsNames: [mail{g // 4}.contoso.com, autodiscover.contoso.com, owa{g // 4}.contoso.com]\n"
            f"    servers: [{', '.join(group)}]\n    services: [IIS, IMAP, POP, SMTP]\n")
        made += 1
    k = 0
    while made < n_certs:
        if k % 5 == 0:
            server = (edge + mailbox)[k % n_servers]
            out(f"  - name: smtp-host{k:05d}\n    perServer: true\n    friendlyName: SMTP {{server}}\n"
                f"    subject: CN={{fqdn}}\n    dnsNames: [\"{{fqdn}}\", \"{{server}}\"]\n"
                f"    issuer: corp-ca\n    servers: [{server}]\n    services: [SMTP]\n")
        else:
            servers = [mailbox[(k * 7 + j * 13) % len(mailbox)] for j in range(1 + k % 3)]
            servers = list(dict.fromkeys(servers))
            out(f"  - <<: *shared\n    name: smtp{k:05d}\n    subject: CN=smtp{k}.contoso.com\n"
                f"    dnsNames: [smtp{k}.contoso.com, relay{k}.contoso.com]\n"
                f"    servers: [{', '.join(servers)}]\n    services: [SMTP]\n")
        k += 1
        made += 1


if __name__ == "__main__":
    main()
