import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

/** A throwaway certificate authority and the loopback server certificate it signed. */
export interface LoopbackTls {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** A client certificate (CN masterclient, O system:masters) as AKS puts in a cluster-user credential with local accounts. */
  clientCertPem: string;
  clientKeyPem: string;
}

/**
 * Generates a CA and a leaf for 127.0.0.1 / localhost. Keys come from
 * node:crypto because forge's pure-JS RSA generation takes seconds.
 */
export function generateLoopbackTls(): LoopbackTls {
  const caKeys = rsaKeyPair();
  const leafKeys = rsaKeyPair();
  const clientKeys = rsaKeyPair();
  const now = new Date();
  const notBefore = new Date(now.getTime() - 60 * 60 * 1000);
  const notAfter = new Date(now.getTime() + 7 * 24 * 60 * 60 * 1000);

  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serialNumber();
  ca.validity.notBefore = notBefore;
  ca.validity.notAfter = notAfter;
  const caSubject = [{ name: "commonName", value: "wiscan fleet simulator CA" }];
  ca.setSubject(caSubject);
  ca.setIssuer(caSubject);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafKeys.publicKey;
  leaf.serialNumber = serialNumber();
  leaf.validity.notBefore = notBefore;
  leaf.validity.notAfter = notAfter;
  leaf.setSubject([{ name: "commonName", value: "127.0.0.1" }]);
  leaf.setIssuer(caSubject);
  leaf.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    {
      name: "subjectAltName",
      altNames: [
        { type: 7, ip: "127.0.0.1" },
        { type: 2, value: "localhost" },
      ],
    },
  ]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());

  const client = forge.pki.createCertificate();
  client.publicKey = clientKeys.publicKey;
  client.serialNumber = serialNumber();
  client.validity.notBefore = notBefore;
  client.validity.notAfter = notAfter;
  client.setSubject([
    { name: "organizationName", value: "system:masters" },
    { name: "commonName", value: "masterclient" },
  ]);
  client.setIssuer(caSubject);
  client.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", clientAuth: true },
  ]);
  client.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(leaf),
    keyPem: leafKeys.privateKeyPem,
    clientCertPem: forge.pki.certificateToPem(client),
    clientKeyPem: clientKeys.privateKeyPem,
  };
}

function rsaKeyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    privateKeyPem: privateKey,
  };
}

function serialNumber(): string {
  return certificateSerial(randomBytes(16));
}

/**
 * A certificate serial from random bytes: positive, as RFC 5280 4.1.2.2 asks,
 * and with no leading zero byte. Clearing only the top bit left 00 00 ... about
 * once in 65,536 certificates; forge drops one leading zero, keeps the second,
 * and OpenSSL refuses the result as "illegal padding" (a simulator that failed
 * to start in the test suite).
 */
export function certificateSerial(random: Uint8Array): string {
  const bytes = Buffer.from(random);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes.toString("hex");
}
