/**
 * Owns: the age key source — wrapping a data key for an age recipient (`age1…`, hybrid post-quantum
 * `age1pq1…`) and unwrapping it with the identities the environment offers. `enc` is the armored age
 * file of the raw data key, as sops writes it. Spec: https://age-encryption.org/v1
 */
import { SealError } from "../errors.js";
import { describeSources, loadAgeIdentities } from "./age-identities.js";
import type { KeyContext, KeyEntry, MasterKey, UnwrapResult } from "./types.js";

type AgeModule = typeof import("age-encryption");
let agePromise: Promise<AgeModule> | undefined;
/** age-encryption is loaded on first use, so commands that never touch age keys do not pay for it. */
export function loadAge(): Promise<AgeModule> {
  return (agePromise ??= import("age-encryption"));
}

/** A one-chunk web stream. age-encryption turns byte arrays into streams anyway. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
}

/**
 * Reads a web stream to the end with its reader. age-encryption's own byte-array path goes through
 * `new Response(stream)`, which loads Node's fetch implementation: ~10 ms of start-up per command.
 */
async function readStream(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = s.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.length;
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
    c.fill(0);
  }
  return out;
}

const RECIPIENT_RE = /^age1[0-9a-z]+$/;

/** True for recipients this key source accepts. */
export function isAgeRecipient(s: string): boolean {
  return RECIPIENT_RE.test(s);
}

export class AgeKey implements MasterKey {
  readonly kind = "age" as const;
  readonly id: string;
  enc: string | undefined;

  constructor(recipient: string, enc?: string) {
    this.id = recipient;
    this.enc = enc;
  }

  /** @throws SealError BAD_METADATA when the entry lacks a recipient or enc. */
  static fromMetadata(entry: KeyEntry): AgeKey {
    if (typeof entry.recipient !== "string" || typeof entry.enc !== "string") {
      throw new SealError("BAD_METADATA", "an age entry in the metadata has no recipient or enc");
    }
    return new AgeKey(entry.recipient.trim(), entry.enc);
  }

  /** @throws SealError USAGE for something that is not an age recipient. */
  static fromRecipient(recipient: string): AgeKey {
    const r = recipient.trim();
    if (r.startsWith("ssh-")) {
      throw new SealError("USAGE", `SSH recipients are not supported yet: ${r.slice(0, 24)}…`, { hint: "use an age recipient (age1…)" });
    }
    if (!isAgeRecipient(r)) throw new SealError("USAGE", `"${r}" is not an age recipient`, { hint: "age recipients start with age1" });
    return new AgeKey(r);
  }

  async encrypt(dataKey: Uint8Array): Promise<void> {
    const age = await loadAge();
    const e = new age.Encrypter();
    try {
      e.addRecipient(this.id);
    } catch {
      throw new SealError("USAGE", `"${this.id}" is not a valid age recipient`);
    }
    this.enc = age.armor.encode(await readStream(await e.encrypt(streamOf(dataKey))));
  }

  async decrypt(ctx: KeyContext): Promise<UnwrapResult> {
    const { identities, sources } = loadAgeIdentities(ctx);
    const tried = describeSources(sources);
    if (!this.enc) return { ok: false, reason: "the entry has no enc", tried };
    if (identities.length === 0) return { ok: false, reason: "no age identity found", tried };
    const age = await loadAge();
    let file: Uint8Array;
    try {
      file = age.armor.decode(this.enc);
    } catch {
      return { ok: false, reason: "the armored enc is malformed", tried };
    }
    const d = new age.Decrypter();
    for (const id of identities) d.addIdentity(id);
    try {
      const dataKey = await readStream(await d.decrypt(streamOf(file)));
      return { ok: true, dataKey, via: "age identity" };
    } catch (e) {
      const msg = e instanceof Error && /no identity matched/i.test(e.message) ? "none of the identities matches this recipient" : "the stanza could not be opened";
      return { ok: false, reason: msg, tried };
    }
  }

  toMetadata(): KeyEntry {
    return { enc: this.enc ?? "", recipient: this.id };
  }
}
