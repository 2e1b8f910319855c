/**
 * The simulator's throwaway certificates as OpenSSL reads them: a random
 * serial must never make a certificate OpenSSL refuses.
 */
import { createSecureContext } from "node:tls";
import { describe, expect, it } from "vitest";
import { certificateSerial, generateLoopbackTls } from "../../simulator/tls.js";

describe("the simulator's certificate serials", () => {
  it.each([
    ["all zero bytes", new Uint8Array(16)],
    ["0x80 then zeros (the top bit cleared, then nothing left)", Uint8Array.from([0x80, ...new Uint8Array(15)])],
    ["00 00 12 ...", Uint8Array.from([0x00, 0x00, 0x12, ...new Uint8Array(13).fill(0x34)])],
    ["all 0xff", new Uint8Array(16).fill(0xff)],
  ])("are positive and start with a non-zero byte for %s", (_, random) => {
    const serial = certificateSerial(random);
    expect(serial).toHaveLength(32);
    const first = Number.parseInt(serial.slice(0, 2), 16);
    expect(first).toBeGreaterThanOrEqual(0x40);
    expect(first).toBeLessThanOrEqual(0x7f);
  });

  it("make a loopback certificate and client certificate that OpenSSL loads", () => {
    const tls = generateLoopbackTls();
    expect(() => createSecureContext({ key: tls.keyPem, cert: tls.certPem, ca: tls.caPem })).not.toThrow();
    expect(() => createSecureContext({ key: tls.clientKeyPem, cert: tls.clientCertPem })).not.toThrow();
  });
});
