#!/usr/bin/env node
// A small age plugin for tests (age plugin protocol, https://c2sp.org/age-plugin): recipients `age1test1…`,
// identities `AGE-PLUGIN-TEST-1…`. The identity is 32 secret bytes s; the recipient is sha256(s); a stanza
// `test <tag>` holds the file key sealed with AES-256-GCM under sha256("age-plugin-test" ‖ sha256(s)).
// Not secure (the recipient alone opens it): it exists to exercise the protocol. With AGE_PLUGIN_TEST_PIN set,
// the identity phase asks for that PIN with request-secret before giving the file key.
// `--generate` prints a new identity with its recipient in a comment, like age-keygen.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { bech32 } from "@scure/base";

const sha = (...parts) => createHash("sha256").update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest();
const wrapKey = (pub) => sha("age-plugin-test", pub);
const tagOf = (pub) => pub.subarray(0, 4).toString("hex");
const decode = (s) => Buffer.from(bech32.fromWords(bech32.decode(s.toLowerCase(), 200).words));

if (process.argv[2] === "--generate") {
  const s = randomBytes(32);
  const recipient = bech32.encode("age1test", bech32.toWords(sha(s)), 200);
  process.stdout.write(`# recipient: ${recipient}\n${bech32.encode("age-plugin-test-", bech32.toWords(s), 200).toUpperCase()}\n`);
  process.exit(0);
}

let buffered = "";
const waiting = [];
const lines = [];
process.stdin.setEncoding("utf8");
process.stdin.on("data", (c) => {
  buffered += c;
  const parts = buffered.split("\n");
  buffered = parts.pop();
  lines.push(...parts);
  while (waiting.length && lines.length) waiting.shift()(lines.shift());
});
process.stdin.on("end", () => {
  while (waiting.length) waiting.shift()(null);
});
const line = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((r) => waiting.push(r)));
async function read() {
  const head = await line();
  if (head === null) process.exit(3);
  const body = [];
  for (;;) {
    const l = await line();
    body.push(l);
    if (l === null || l.length < 64) break;
  }
  return { args: head.slice(3).split(" "), body: Buffer.from(body.join(""), "base64") };
}
function send(args, body = Buffer.alloc(0)) {
  const b64 = body.toString("base64").replace(/=+$/, "");
  const out = [];
  for (let i = 0; i < b64.length; i += 64) out.push(b64.slice(i, i + 64));
  if (out.length === 0 || out.at(-1).length === 64) out.push("");
  process.stdout.write(`-> ${args.join(" ")}\n${out.join("\n")}\n`);
}

const phase = process.argv.find((a) => a.startsWith("--age-plugin="))?.slice("--age-plugin=".length);
const got = [];
for (;;) {
  const s = await read();
  if (s.args[0] === "done") break;
  got.push(s);
}

if (phase === "recipient-v1") {
  const recipients = got.filter((s) => s.args[0] === "add-recipient").map((s) => s.args[1]);
  const fileKeys = got.filter((s) => s.args[0] === "wrap-file-key").map((s) => s.body);
  for (const [i, fileKey] of fileKeys.entries()) {
    for (const r of recipients) {
      const pub = decode(r);
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", wrapKey(pub), iv);
      const sealed = Buffer.concat([iv, c.update(fileKey), c.final(), c.getAuthTag()]);
      send(["recipient-stanza", String(i), "test", tagOf(pub)], sealed);
      await read(); // ok
    }
  }
  send(["done"]);
} else if (phase === "identity-v1") {
  const ids = got.filter((s) => s.args[0] === "add-identity").map((s) => decode(s.args[1]));
  const stanzas = got.filter((s) => s.args[0] === "recipient-stanza" && s.args[2] === "test");
  for (const st of stanzas) {
    for (const secret of ids) {
      const pub = sha(secret);
      if (st.args[3] !== tagOf(pub)) continue;
      if (process.env.AGE_PLUGIN_TEST_PIN) {
        send(["request-secret"], Buffer.from("Enter the test PIN"));
        const answer = await read();
        if (answer.args[0] !== "ok" || answer.body.toString() !== process.env.AGE_PLUGIN_TEST_PIN) {
          send(["error", "identity", "0"], Buffer.from("wrong PIN"));
          await read();
          continue;
        }
      }
      const b = st.body;
      const d = createDecipheriv("aes-256-gcm", wrapKey(pub), b.subarray(0, 12));
      d.setAuthTag(b.subarray(b.length - 16));
      const fileKey = Buffer.concat([d.update(b.subarray(12, b.length - 16)), d.final()]);
      send(["file-key", st.args[1]], fileKey);
      await read(); // ok
    }
  }
  send(["done"]);
} else {
  process.stderr.write(`unknown phase ${phase}\n`);
  process.exit(1);
}
