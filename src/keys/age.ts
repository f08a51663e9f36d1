/**
 * Owns: the age key source — wrapping a data key for an age recipient (`age1…`, hybrid post-quantum
 * `age1pq1…`, or an SSH public key `ssh-ed25519 …`/`ssh-rsa …`) and unwrapping it with the identities the
 * environment offers. `enc` is the armored age file of the raw data key, as sops writes it; `recipient` is
 * the recipient string as given (trimmed), as sops stores it. Spec: https://age-encryption.org/v1
 */
import { SealError, isSealError } from "../errors.js";
import { looksLikePrivateKey } from "../redact.js";
import { loadAge, readStream, streamOf } from "./_age-lib.js";
import { openX25519, sealX25519 } from "./_age-x25519.js";
import { describeSources, loadAgeIdentities, unlockAgeFiles } from "./age-identities.js";
import type { KeyContext, KeyEntry, MasterKey, UnwrapResult } from "./types.js";

export { loadAge };

export const RECIPIENT_RE = /^age1[0-9a-z._+-]+$/;
/** Native recipient types of age-encryption whose prefix looks like a plugin's (`age1pq1…`, `age1tag1…`). */
const NATIVE_HRPS = new Set(["pq", "tag", "tagpq"]);

/** The plugin name of an `age1NAME1…` recipient (age plugin protocol), or undefined for a native recipient. */
export function pluginRecipientName(recipient: string): string | undefined {
  const sep = recipient.lastIndexOf("1");
  if (!recipient.startsWith("age1") || sep <= 4) return undefined;
  const name = recipient.slice(4, sep);
  return /^[a-z0-9._+-]+$/.test(name) && !NATIVE_HRPS.has(name) ? name : undefined;
}
const SSH_RE = /^(ssh-ed25519|ssh-rsa)\s+[A-Za-z0-9+/]+={0,2}(\s.*)?$/s;

/** True for recipients this key source accepts: `age1…` and SSH public keys (ssh-ed25519, ssh-rsa). */
export function isAgeRecipient(s: string): boolean {
  return RECIPIENT_RE.test(s) || isSshKeyLine(s);
}

/** True for an SSH public key line (`ssh-ed25519 AAAA… [comment]`, `ssh-rsa AAAA…`). */
export function isSshKeyLine(s: string): boolean {
  return SSH_RE.test(s.trim());
}

/**
 * The form used to compare recipients: SSH keys without their comment (`type base64`), others unchanged.
 * Two metadata entries for the same SSH key with different comments are the same recipient.
 */
export function canonicalRecipient(s: string): string {
  const r = s.trim();
  if (!isSshKeyLine(r)) return r;
  const [type, key] = r.split(/\s+/);
  return `${type} ${key}`;
}

/** An identity that opens nothing and records the stanza types it saw (to know whether a locked file could help). */
function stanzaSniffer(seen: Set<string>): import("age-encryption").Identity {
  return {
    unwrapFileKey(stanzas) {
      for (const s of stanzas) seen.add(s.args[0] ?? "");
      return null;
    },
  };
}

/** The error for a private key given where a recipient belongs (any kind); it never quotes the text given. */
export function privateKeyGiven(): SealError {
  return new SealError("BAD_RECIPIENT", "this looks like a private key (AGE-SECRET-KEY-…), not a recipient; it is not shown here", {
    hint: "give the public recipient (age1…) instead — `age-keygen -y KEYFILE` prints it; keep the private key out of commands, SOPS_AGE_RECIPIENTS and .sops.yaml",
  });
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

  /** @throws SealError BAD_RECIPIENT for something that is not an age recipient. */
  static fromRecipient(recipient: string): AgeKey {
    const r = recipient.trim();
    if (r.startsWith("ssh-") && !isSshKeyLine(r)) {
      throw new SealError("BAD_RECIPIENT", `"${r.split(/\s+/)[0]}" keys cannot be age recipients`, { hint: "age accepts ssh-ed25519 and ssh-rsa public keys" });
    }
    // Anywhere in the text, not just at its start: `--age "$(cat keys.txt)"` puts comment lines first.
    if (looksLikePrivateKey(r)) throw privateKeyGiven();
    if (!isAgeRecipient(r)) throw new SealError("BAD_RECIPIENT", `"${r}" is not an age recipient`, { hint: "age recipients start with age1, or are ssh-ed25519/ssh-rsa public keys" });
    return new AgeKey(r);
  }

  /**
   * @throws SealError BAD_RECIPIENT for a malformed recipient (bad bech32, an SSH key that does not decode or is too small);
   * KEY_FAILED when an age plugin recipient's plugin is missing or fails.
   */
  async encrypt(dataKey: Uint8Array, ctx: KeyContext): Promise<void> {
    const plugin = isSshKeyLine(this.id) ? undefined : pluginRecipientName(this.id);
    // The plain X25519 case without age-encryption; plugins, SSH, post-quantum and errors go to the library.
    const quick = plugin === undefined && !isSshKeyLine(this.id) ? sealX25519(this.id, dataKey) : undefined;
    if (quick !== undefined) {
      this.enc = quick;
      return;
    }
    const age = await loadAge();
    const e = new age.Encrypter();
    if (plugin !== undefined) {
      const { PluginRecipient } = await import("./age-plugin.js");
      e.addRecipient(new PluginRecipient(this.id, ctx));
    } else if (isSshKeyLine(this.id)) {
      const { sshRecipient } = await import("./ssh-recipient.js");
      e.addRecipient(sshRecipient(this.id));
    } else {
      try {
        e.addRecipient(this.id);
      } catch {
        if (looksLikePrivateKey(this.id)) throw privateKeyGiven();
        throw new SealError("BAD_RECIPIENT", `"${this.id}" is not a valid age recipient`, { hint: "check the recipient's spelling; `age-keygen -y KEYFILE` prints the right one" });
      }
    }
    this.enc = age.armor.encode(await readStream(await e.encrypt(streamOf(dataKey))));
  }

  /**
   * Tries the plain age identities and the SSH keys (a protected SSH key asks for its passphrase only when
   * the stanza carries its tag), then, for age stanzas, passphrase-protected identity files.
   */
  async decrypt(ctx: KeyContext): Promise<UnwrapResult> {
    const loaded = await loadAgeIdentities(ctx, this.id);
    const tried = describeSources(loaded.sources);
    if (!this.enc) return { ok: false, reason: "the entry has no enc", tried };
    // The plain case without age-encryption; anything else (SSH, post-quantum, errors) goes to the library.
    const quick = openX25519(this.enc, loaded.identities);
    if (quick !== undefined) return { ok: true, dataKey: quick, via: "age identity" };
    const age = await loadAge();
    let file: Uint8Array;
    try {
      file = age.armor.decode(this.enc);
    } catch {
      return { ok: false, reason: "the armored enc is malformed", tried };
    }
    const stanzaTypes = new Set<string>();
    // Plugin code is loaded only when the user has a plugin identity.
    const plugins = loaded.plugins.length > 0 ? (await import("./age-plugin.js")).pluginIdentities(loaded.plugins, ctx) : [];
    const first = await this.#tryIdentities(age, file, [...loaded.identities, ...loaded.ssh.map((s) => s.identity), ...plugins, stanzaSniffer(stanzaTypes)]);
    if (first.ok) return first;
    const ageStanza = stanzaTypes.has("X25519") || stanzaTypes.has("mlkem768x25519");
    if (ageStanza && loaded.locked.length > 0) {
      const { identities, failures } = await unlockAgeFiles(ctx, loaded);
      if (identities.length > 0) {
        const second = await this.#tryIdentities(age, file, identities);
        if (second.ok) return second;
      }
      if (failures.length > 0) return { ok: false, reason: failures.join("; "), tried };
    }
    if (first.reason !== undefined) return { ok: false, reason: first.reason, tried };
    const usable = loaded.identities.length + loaded.plugins.length + loaded.ssh.length + loaded.locked.length;
    return { ok: false, reason: usable === 0 ? "no age or SSH identity found" : "none of the identities matches this recipient", tried };
  }

  /** One Decrypter pass; `reason` is set only for a failure other than "no identity matched". */
  async #tryIdentities(
    age: Awaited<ReturnType<typeof loadAge>>,
    file: Uint8Array,
    identities: Array<string | import("age-encryption").Identity>,
  ): Promise<{ ok: true; dataKey: Uint8Array; via: string } | { ok: false; reason?: string }> {
    if (identities.length === 0) return { ok: false };
    const d = new age.Decrypter();
    let malformed = 0;
    for (const id of identities) {
      // The library's parse errors quote the whole identity string, so they are counted, never passed on.
      try {
        d.addIdentity(id);
      } catch {
        malformed++;
      }
    }
    const bad = malformed === 0 ? undefined : `${malformed} age identit${malformed === 1 ? "y is" : "ies are"} malformed (bad encoding or checksum)`;
    try {
      return { ok: true, dataKey: await readStream(await d.decrypt(streamOf(file))), via: "age identity" };
    } catch (e) {
      if (isSealError(e)) return { ok: false, reason: e.message };
      if (e instanceof Error && /no identity matched/i.test(e.message)) return bad === undefined ? { ok: false } : { ok: false, reason: bad };
      return { ok: false, reason: "the stanza could not be opened" };
    }
  }

  toMetadata(): KeyEntry {
    return { enc: this.enc ?? "", recipient: this.id };
  }
}
