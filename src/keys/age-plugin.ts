/**
 * Owns: the client side of the age plugin protocol — recipients `age1NAME1…` and identities `AGE-PLUGIN-NAME-1…`
 * handled by running `age-plugin-NAME` from PATH, speaking the recipient-v1 and identity-v1 state machines over its
 * stdin/stdout, as age and sops 3.10+ do. Spec: https://c2sp.org/age-plugin. Loaded only when a plugin key is used.
 */
import { spawn } from "node:child_process";
import { SealError } from "../errors.js";
import { loadAge } from "./_age-lib.js";
import { pluginRecipientName } from "./age.js";
import { cleanMessage } from "./_remote-call.js";
import type { KeyContext } from "./types.js";
import { noteLoaded } from "./_loaded.js";

noteLoaded("age-plugin");

type Stanza = import("age-encryption").Stanza;
type AgeIdentity = import("age-encryption").Identity;
type AgeRecipient = import("age-encryption").Recipient;

/** Plugin names age allows; no `/`, so only a program on PATH can ever be run. */
const PLUGIN_NAME = /^[a-z0-9._+-]+$/;
const BODY_COLUMNS = 64;

/** The plugin name of `age1NAME1…`, or undefined for a native recipient. */
export const pluginOfRecipient = pluginRecipientName;

/** The plugin name of `AGE-PLUGIN-NAME-1…` (lower-cased), or undefined. */
export function pluginOfIdentity(identity: string): string | undefined {
  const upper = identity.toUpperCase();
  if (!upper.startsWith("AGE-PLUGIN-")) return undefined;
  const sep = upper.lastIndexOf("-1");
  if (sep <= "AGE-PLUGIN-".length) return undefined;
  const name = upper.slice("AGE-PLUGIN-".length, sep).toLowerCase();
  return PLUGIN_NAME.test(name) ? name : undefined;
}

/** `-> args…` and the body's base64 (std, unpadded) wrapped at 64 columns, the last line shorter than 64. */
function encodeStanza(args: readonly string[], body: Uint8Array): string {
  const b64 = Buffer.from(body).toString("base64").replace(/=+$/, "");
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += BODY_COLUMNS) lines.push(b64.slice(i, i + BODY_COLUMNS));
  if (lines.length === 0 || (lines.at(-1)?.length ?? 0) === BODY_COLUMNS) lines.push("");
  return `-> ${args.join(" ")}\n${lines.join("\n")}\n`;
}

/** One plugin process: stanzas written to its stdin, stanzas read from its stdout. */
class PluginSession {
  readonly name: string;
  private readonly lines: string[] = [];
  private buffer = "";
  private waiting: (() => void) | undefined;
  private ended = false;
  private spawnError: string | undefined;
  private stderr = "";
  private readonly child;

  constructor(name: string, phase: "recipient-v1" | "identity-v1", ctx: KeyContext) {
    this.name = name;
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) env[k] = v;
    this.child = spawn(`age-plugin-${name}`, [`--age-plugin=${phase}`], { env, stdio: ["pipe", "pipe", "pipe"] });
    this.child.on("error", (e: NodeJS.ErrnoException) => {
      this.spawnError = e.code ?? e.message;
      this.finish();
    });
    this.child.stdout.setEncoding("utf8");
    this.child.stdout.on("data", (chunk: string) => {
      this.buffer += chunk;
      const parts = this.buffer.split("\n");
      this.buffer = parts.pop() ?? "";
      this.lines.push(...parts);
      this.wake();
    });
    this.child.stdout.on("end", () => this.finish());
    this.child.stderr.setEncoding("utf8");
    this.child.stderr.on("data", (s: string) => {
      if (this.stderr.length < 4096) this.stderr += s;
    });
    this.child.stdin.on("error", () => undefined);
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  send(args: readonly string[], body: Uint8Array = new Uint8Array(0)): void {
    this.child.stdin.write(encodeStanza(args, body));
  }

  private async line(): Promise<string> {
    while (this.lines.length === 0) {
      if (this.ended) throw this.failure();
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    return this.lines.shift() as string;
  }

  /** The next stanza from the plugin. @throws {SealError} when the plugin is missing, exits, or speaks out of turn. */
  async read(): Promise<{ args: string[]; body: Buffer }> {
    const head = await this.line();
    if (!head.startsWith("-> ")) throw this.protocolError("a line that is not a stanza");
    const body: string[] = [];
    for (;;) {
      const l = await this.line();
      body.push(l);
      if (l.length < BODY_COLUMNS) break;
    }
    return { args: head.slice(3).split(" "), body: Buffer.from(body.join(""), "base64") };
  }

  close(): void {
    this.child.stdin.end();
    if (this.child.exitCode === null) this.child.kill();
  }

  failure(): SealError {
    if (this.spawnError === "ENOENT") {
      return new SealError("KEY_FAILED", `age plugin program age-plugin-${this.name} was not found in PATH`, {
        hint: `install age-plugin-${this.name} (the plugin for ${this.name} keys) and make sure it is on PATH`,
      });
    }
    const why = this.spawnError ?? (cleanMessage(this.stderr) || "it exited early");
    return new SealError("KEY_FAILED", `age plugin age-plugin-${this.name} failed: ${why}`, { hint: `run age-plugin-${this.name} by hand to see what it needs` });
  }

  protocolError(what: string): SealError {
    return new SealError("KEY_FAILED", `age plugin age-plugin-${this.name} sent ${what}`, { hint: `check that age-plugin-${this.name} speaks the age plugin protocol` });
  }

  /** Answers the plugin's interactive requests; returns false for anything else (the caller handles it). */
  async answerCommon(cmd: string, body: Buffer, ctx: KeyContext): Promise<boolean> {
    switch (cmd) {
      case "msg":
        this.send(["ok"]);
        return true;
      case "request-public":
      case "request-secret": {
        if (!ctx.promptPassphrase) {
          this.send(["fail"]);
          return true;
        }
        const prompt = cleanMessage(body.toString("utf8")) || `age-plugin-${this.name} asks for a value`;
        const value = await ctx.promptPassphrase(`${prompt}: `);
        this.send(["ok"], Buffer.from(value, "utf8"));
        return true;
      }
      case "confirm":
        this.send(["fail"]);
        return true;
      default:
        return false;
    }
  }
}

/** A recipient `age1NAME1…` wrapped by its plugin. */
export class PluginRecipient implements AgeRecipient {
  readonly recipient: string;
  readonly name: string;
  private readonly ctx: KeyContext;

  constructor(recipient: string, ctx: KeyContext) {
    const name = pluginOfRecipient(recipient);
    if (name === undefined) throw new SealError("BAD_RECIPIENT", `"${recipient}" is not an age plugin recipient`, { hint: "plugin recipients look like age1NAME1…" });
    this.recipient = recipient;
    this.name = name;
    this.ctx = ctx;
  }

  /** @throws {SealError} KEY_FAILED when the plugin is missing, refuses the recipient or breaks the protocol. */
  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    const { Stanza } = await loadAge();
    const s = new PluginSession(this.name, "recipient-v1", this.ctx);
    try {
      s.send(["add-recipient", this.recipient]);
      s.send(["wrap-file-key"], fileKey);
      s.send(["extension-labels"]);
      s.send(["done"]);
      const out: Stanza[] = [];
      for (;;) {
        const { args, body } = await s.read();
        const [cmd = "", ...rest] = args;
        if (cmd === "done") break;
        if (cmd === "recipient-stanza") {
          out.push(new Stanza(rest.slice(1), body));
          s.send(["ok"]);
        } else if (cmd === "labels") {
          s.send(["ok"]);
        } else if (cmd === "error") {
          s.send(["ok"]);
          throw new SealError("KEY_FAILED", `age plugin age-plugin-${this.name} could not wrap for ${this.recipient}: ${cleanMessage(body.toString("utf8"))}`, { hint: `check the ${this.name} device or key` });
        } else if (!(await s.answerCommon(cmd, body, this.ctx))) {
          s.send(["unsupported"]);
        }
      }
      if (out.length === 0) throw s.protocolError("no stanza for the recipient");
      return out;
    } finally {
      s.close();
    }
  }
}

/** All of one plugin's identities, asked together for a file's stanzas. */
export class PluginIdentity implements AgeIdentity {
  readonly name: string;
  private readonly identities: readonly string[];
  private readonly ctx: KeyContext;

  constructor(name: string, identities: readonly string[], ctx: KeyContext) {
    this.name = name;
    this.identities = identities;
    this.ctx = ctx;
  }

  /** @throws {SealError} KEY_FAILED when the plugin is missing, reports an error or breaks the protocol. */
  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    const s = new PluginSession(this.name, "identity-v1", this.ctx);
    try {
      for (const id of this.identities) s.send(["add-identity", id]);
      for (const st of stanzas) s.send(["recipient-stanza", "0", ...st.args], st.body);
      s.send(["done"]);
      let fileKey: Uint8Array | null = null;
      const errors: string[] = [];
      for (;;) {
        const { args, body } = await s.read();
        const [cmd = ""] = args;
        if (cmd === "done") break;
        if (cmd === "file-key") {
          fileKey ??= Uint8Array.from(body);
          body.fill(0);
          s.send(["ok"]);
        } else if (cmd === "error") {
          errors.push(cleanMessage(body.toString("utf8")));
          s.send(["ok"]);
        } else if (!(await s.answerCommon(cmd, body, this.ctx))) {
          s.send(["unsupported"]);
        }
      }
      if (fileKey === null && errors.length > 0) {
        throw new SealError("KEY_FAILED", `age plugin age-plugin-${this.name}: ${errors.join("; ")}`, { hint: `check the ${this.name} device or key, and its PIN` });
      }
      return fileKey;
    } finally {
      s.close();
    }
  }
}

/** One {@link PluginIdentity} per plugin name among `identities` (`AGE-PLUGIN-…` strings). */
export function pluginIdentities(identities: readonly string[], ctx: KeyContext): PluginIdentity[] {
  const byName = new Map<string, string[]>();
  for (const id of identities) {
    const name = pluginOfIdentity(id);
    if (name === undefined) continue;
    byName.set(name, [...(byName.get(name) ?? []), id]);
  }
  return [...byName].map(([name, ids]) => new PluginIdentity(name, ids, ctx));
}
