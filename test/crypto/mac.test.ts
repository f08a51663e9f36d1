import { afterEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  MAC_ONLY_ENCRYPTED_SEED,
  MacHasher,
  encodeScalar,
  formatLastModified,
  macAad,
  macsEqual,
  openEnvelope,
  openMac,
  sealMac,
  setCipherBackend,
  setRandomSource,
} from "../../src/crypto/index.js";
import { isSealError } from "../../src/errors.js";

afterEach(() => {
  setCipherBackend("node");
  setRandomSource(null);
});

const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const b = (s: string) => new Uint8Array(Buffer.from(s, "utf8"));

// sops-format.md §11.1 (functional-tests/res/format.enc.yaml, sops 3.13.1): the file holds one value, foo: bar.
const DATA_KEY = hex("af5e68dd342b72c6a0475f81a50da4fde898f4b7742c92cbcf1668211411f4e4");
const LASTMODIFIED = "2026-05-22T20:16:23Z";
const MAC_ENVELOPE =
  "ENC[AES256_GCM,data:t5sIFo7psXtfOiPdp9psT3nmgO/sH2GojpOIluWadfDJGPIsucbPrj906LwpVqva/4bq7q1aUKhm7X4RwfkvVsdgRbKr6azww5uvTUFTN58Vi0jxyhSaUh96+aVK02SkPbzx5oSEK0R9M/ZWSKnP8VY6AKTlP6I3I2P8HAEK6xs=,iv:mhrVlCOWU0MnIYxnccGGFDCPAXsNwl9sopIm7f74kT8=,tag:w+XIuL4lhKHlgGOlclR2PA==,type:str]";
const MAC_HEX =
  "D82C4EB5261CB9C8AA9855EDD67D1BD10482F41529858D925094D173FA662AA91FF39BC5B188615273484021DFB16FD8284CF684CCF0FC795BE3AA2FC1E6C181";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isSealError(e)) return e.code;
    throw e;
  }
  return "no error";
}

describe("MacHasher", () => {
  it("hashes the plaintext bytes of leaves, upper-case hex (§11.1)", () => {
    const h = new MacHasher(false);
    h.add(encodeScalar({ kind: "str", value: "bar" }).bytes);
    expect(h.digestHex()).toBe(MAC_HEX);
  });

  it("concatenates leaves without separators and uses sops's value forms", () => {
    const h = new MacHasher(false);
    for (const s of [{ kind: "str", value: "ab" }, { kind: "bool", value: true }, { kind: "float", value: 25 }] as const) {
      h.add(encodeScalar(s).bytes);
    }
    expect(h.digestHex()).toBe(createHash("sha512").update("abTrue25").digest("hex").toUpperCase());
  });

  it("seeds with sha256('sops') in mac_only_encrypted mode", () => {
    expect(Buffer.from(MAC_ONLY_ENCRYPTED_SEED).toString("hex")).toBe(createHash("sha256").update("sops").digest("hex"));
    const h = new MacHasher(true);
    h.add(b("bar"));
    const expected = createHash("sha512").update(createHash("sha256").update("sops").digest()).update("bar").digest("hex");
    const digest = h.digestHex();
    expect(digest).toBe(expected.toUpperCase());
    expect(digest).not.toBe(MAC_HEX);
  });
});

describe("macAad / formatLastModified", () => {
  it.each([
    ["2026-05-22T20:16:23Z", "2026-05-22T20:16:23Z"],
    ["2026-05-22T20:16:23.987654321Z", "2026-05-22T20:16:23Z"],
    ["2026-05-22T20:16:23+00:00", "2026-05-22T20:16:23Z"],
    ["2026-05-22T22:16:23.5+02:00", "2026-05-22T22:16:23+02:00"],
    ["2026-05-22T10:16:23-09:30", "2026-05-22T10:16:23-09:30"],
  ])("%s → %s", (input, aad) => {
    expect(macAad(input)).toBe(aad);
  });

  it.each(["", "2026-05-22", "2026-05-22 20:16:23Z", "2026-02-30T00:00:00Z", "yesterday"])("rejects %j", (input) => {
    expect(codeOf(() => macAad(input))).toBe("BAD_METADATA");
  });

  it("formats dates as sops writes lastmodified", () => {
    expect(formatLastModified(new Date(Date.UTC(2026, 4, 22, 20, 15, 29, 999)))).toBe("2026-05-22T20:15:29Z");
    expect(formatLastModified(new Date(Date.UTC(2001, 0, 2, 3, 4, 5)))).toBe("2001-01-02T03:04:05Z");
  });
});

describe.each(["node", "noble"] as const)("sealMac / openMac (%s)", (backend) => {
  it("opens the real sops MAC (§11.1)", () => {
    setCipherBackend(backend);
    expect(openMac(MAC_ENVELOPE, DATA_KEY, LASTMODIFIED)).toBe(MAC_HEX);
    // a lastmodified written with a fraction normalises to the same AAD
    expect(openMac(MAC_ENVELOPE, DATA_KEY, "2026-05-22T20:16:23.25Z")).toBe(MAC_HEX);
  });

  it("fails with MAC_MISMATCH for another lastmodified, key, or a tampered envelope", () => {
    setCipherBackend(backend);
    expect(codeOf(() => openMac(MAC_ENVELOPE, DATA_KEY, "2026-05-22T20:16:24Z"))).toBe("MAC_MISMATCH");
    expect(codeOf(() => openMac(MAC_ENVELOPE, new Uint8Array(32), LASTMODIFIED))).toBe("MAC_MISMATCH");
    expect(codeOf(() => openMac(MAC_ENVELOPE.replace("data:t5s", "data:t5t"), DATA_KEY, LASTMODIFIED))).toBe("MAC_MISMATCH");
    expect(codeOf(() => openMac("garbage", DATA_KEY, LASTMODIFIED))).toBe("MAC_MISMATCH");
    expect(codeOf(() => openMac(MAC_ENVELOPE, DATA_KEY, "not a time"))).toBe("BAD_METADATA");
    expect(() => openMac(MAC_ENVELOPE, DATA_KEY, "2026-05-22T20:16:24Z")).toThrow(/^could not decrypt the MAC$/);
  });

  it("returns '' for a missing MAC (which then never equals a computed one)", () => {
    expect(openMac("", DATA_KEY, LASTMODIFIED)).toBe("");
    expect(macsEqual("", MAC_HEX)).toBe(false);
  });

  it("seals with a fresh 32-byte random IV, type str, AAD = normalised lastmodified", () => {
    setCipherBackend(backend);
    let calls = 0;
    setRandomSource((n) => { calls++; return new Uint8Array(n).fill(calls); });
    const a = sealMac(MAC_HEX, DATA_KEY, "2026-05-22T20:16:23.9Z");
    const c = sealMac(MAC_HEX, DATA_KEY, LASTMODIFIED);
    expect(a).not.toBe(c);
    expect(a).toMatch(/,type:str\]$/);
    const opened = openEnvelope(a, DATA_KEY, LASTMODIFIED);
    expect(opened.iv).toEqual(new Uint8Array(32).fill(1));
    expect(Buffer.from(opened.plain).toString()).toBe(MAC_HEX);
    expect(openMac(c, DATA_KEY, LASTMODIFIED)).toBe(MAC_HEX);
  });

  it("refuses a MAC stored with a type other than str", () => {
    setCipherBackend(backend);
    const env = sealMac(MAC_HEX, DATA_KEY, LASTMODIFIED);
    // re-seal the same bytes as type comment to keep authentication valid
    const opened = openEnvelope(env, DATA_KEY, LASTMODIFIED);
    const asComment = env.replace(",type:str]", ",type:comment]");
    expect(openEnvelope(asComment, DATA_KEY, LASTMODIFIED).plain).toEqual(opened.plain);
    expect(codeOf(() => openMac(asComment, DATA_KEY, LASTMODIFIED))).toBe("MAC_MISMATCH");
  });
});

describe("macsEqual", () => {
  it("compares exactly, including different lengths and case", () => {
    expect(macsEqual(MAC_HEX, MAC_HEX)).toBe(true);
    expect(macsEqual(MAC_HEX, MAC_HEX.toLowerCase())).toBe(false);
    expect(macsEqual(MAC_HEX, MAC_HEX.slice(0, -1))).toBe(false);
    expect(macsEqual(MAC_HEX, `${MAC_HEX.slice(0, -1)}2`)).toBe(false);
    expect(macsEqual("", "")).toBe(true);
  });
});
