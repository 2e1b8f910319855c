import { describe, expect, it } from "vitest";
import { createTokenSigner } from "../../simulator/tokens.js";

describe("createTokenSigner", () => {
  it("verifies its own tokens and refuses tampered, foreign and expired ones", () => {
    const signer = createTokenSigner();
    const now = new Date("2026-11-29T12:00:00Z");
    const exp = Math.floor(now.getTime() / 1000) + 600;
    const token = signer.sign({ sub: "system:serviceaccount:shop:orders", exp });
    expect(signer.verify(token, now)).toEqual({ sub: "system:serviceaccount:shop:orders", exp });

    const [header, , signature] = token.split(".");
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: "system:serviceaccount:kube-system:admin", exp })).toString("base64url")}.${signature}`;
    expect(signer.verify(forged, now)).toBeUndefined();
    expect(createTokenSigner().verify(token, now)).toBeUndefined();
    expect(signer.verify(token, new Date(now.getTime() + 11 * 60_000))).toBeUndefined();
  });
});
