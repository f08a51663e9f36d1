import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findHits } from "../../src/guard/trigger-scan.js";

// Token-shaped values are assembled at run time so this source holds none.
const hex = (n: number, seed: number) => Array.from({ length: n }, (_, i) => "0123456789abcdef"[(i * 7 + seed * 13 + ((i * i) % 5)) % 16]).join("");
const TWILIO_KEY = ["S", "K", hex(32, 1)].join("");
const b64 = (s: string) => Buffer.from(s).toString("base64");
const rules = (text: string, code = false) => findHits(text, code, true).map((h) => h.rule);

describe("formats found by a probe outside the corpus", () => {
  it("a Mailchimp key (hex, then its data centre), not a bare 32-hex value", () => {
    const key = `${hex(32, 3)}-us21`;
    expect(rules(`MAILCHIMP_KEY=${key}\n`)).toEqual(["mailchimp-key"]);
    expect(rules(`checksum=${hex(32, 3)}\n`)).toEqual([]);
  });

  it("Rails' secret_key_base", () => {
    const base = hex(128, 5);
    expect(rules(`SECRET_KEY_BASE=${base}\n`)).toEqual(["generic-secret"]);
    expect(rules(`production:\n  secret_key_base: ${base}\n`)).toEqual(["generic-secret"]);
  });
});

describe("context detectors", () => {
  it("finds a key among dense mentions of the service, once", () => {
    const noise = "twilio.messages.create({ to, from, body }); // twilio\n".repeat(400);
    const text = `${noise}const k = "${TWILIO_KEY}";\n${noise}`;
    const hits = findHits(text, true, true).filter((h) => h.rule === "twilio-key");
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(new Set(hits.map((h) => h.start))).toEqual(new Set([text.indexOf(TWILIO_KEY)]));
  });

  it("needs the service's name nearby", () => {
    expect(rules(`const k = "${TWILIO_KEY}";\n`)).toEqual([]);
  });

  it("reads Docker auths far from the `auths` key, and only there", () => {
    const pw = ["Zr4", "kQ9", "vLm2", "Tx7"].join("");
    const entries = Array.from({ length: 300 }, (_, i) => `    "r${i}.example.net": {},`).join("\n");
    const config = `{\n  "auths": {\n${entries}\n    "registry.acme.io": { "auth": "${b64(`ci:${pw}`)}" }\n  }\n}\n`;
    expect(rules(config)).toContain("docker-auth");
    expect(rules(`{ "auth": "${b64(`ci:${pw}`)}" }\n`)).toEqual([]);
    expect(rules(`{ "auths": { "r": { "auth": "${b64("username:password")}" } } }\n`)).toEqual([]);
  });

  it("finds the one real value in a long list of Kubernetes Secrets", () => {
    const item = (v: string) => `  {\n    "apiVersion": "v1",\n    "data": {\n      "password": "${v}"\n    },\n    "kind": "Secret"\n  }`;
    const real = b64(["pR7", "xV2", "mK9", "qL4", "wZ8"].join(""));
    const items = Array.from({ length: 2000 }, (_, i) => item(i === 1500 ? real : b64("changeme")));
    const text = `{ "items": [\n${items.join(",\n")}\n] }\n`;
    const hits = findHits(text, false, true).filter((h) => h.rule === "k8s-secret");
    expect(hits.map((h) => h.start)).toEqual([text.indexOf(real)]);
  });

  it("passes the storage emulator's public account", () => {
    const key = createHash("sha512").update("storage").digest("base64"); // 88 characters, like a real key
    expect(rules(`AccountName=devstoreaccount1;AccountKey=${key};`)).toEqual([]);
    expect(rules(`AccountName=acmeprod;AccountKey=${key};`)).toEqual(["azure-storage-key"]);
  });
});
