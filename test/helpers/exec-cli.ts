/** Owns: test set-up for `secrets exec`: an age key, sealing plaintext through the real CLI, and starting `secrets` as a live process. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, lstatSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, baseEnv, runSecrets, tempHome } from "./cli.js";
import { watchProcess, type Watched } from "./watch-process.js";

export interface KeyedDir {
  dir: string;
  env: Record<string, string>;
  recipient: string;
  /** Writes `text` as `name.plain`-style source and stores its encryption at `dir/name`. */
  seal: (name: string, text: string) => string;
  cleanup: () => void;
}

/** A temp folder with a fresh age identity; `env` points SOPS_AGE_KEY_FILE at it. */
export function keyedDir(): KeyedDir {
  const home = tempHome();
  const dir = mkdtempSync(join(tmpdir(), "sealfile-exec-"));
  const keys = join(home.dir, "keys.txt");
  const r = runSecrets(["keygen", "-o", keys], { env: baseEnv(home.dir) });
  if (r.code !== 0) throw new Error(`keygen failed: ${r.stderr}`);
  const recipient = r.stdout.trim();
  const env = baseEnv(home.dir, { SOPS_AGE_KEY_FILE: keys });
  const seal = (name: string, text: string): string => {
    // Plaintext goes in through stdin, so the test itself leaves no plaintext file behind.
    const ext = name.endsWith(".env") || name.endsWith(".env.enc") ? "dotenv" : name.endsWith(".json") ? "json" : "yaml";
    const out = runSecrets(["encrypt", "--age", recipient, "--input-type", ext, "--output-type", ext, "--filename-override", `x.${ext === "dotenv" ? "env" : ext}`, "-"], { env, input: text });
    if (out.code !== 0) throw new Error(`encrypt failed: ${out.stderr}`);
    const path = join(dir, name);
    writeFileSync(path, out.stdoutBytes);
    return path;
  };
  return { dir, env, recipient, seal, cleanup: home.cleanup };
}

export type Live = Watched;

/** Starts `secrets ARGS` (in its own session, so terminal signals of the test run do not reach it). */
export function startSecrets(args: string[], opts: { env: Record<string, string>; cwd: string }): Live {
  const proc = spawn(process.execPath, [BIN, ...args], { env: opts.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
  return watchProcess(proc, "secrets");
}

/** Every entry under `root` (path → "dir" | "fifo" | the file's bytes), for before/after comparisons. */
export function snapshot(root: string): Map<string, string | Buffer> {
  const out = new Map<string, string | Buffer>();
  const walk = (d: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return; // removed while we looked
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        out.set(p, "dir");
        walk(p);
      } else if (st.isFile()) {
        try {
          out.set(p, readFileSync(p));
        } catch {
          out.set(p, "unreadable");
        }
      } else out.set(p, st.isFIFO() ? "fifo" : "other");
    }
  };
  walk(root);
  return out;
}

/** Paths under the snapshot whose bytes contain any of `values` (UTF-8). */
export function filesHolding(snap: Map<string, string | Buffer>, values: readonly string[]): string[] {
  const needles = values.map((v) => Buffer.from(v, "utf8"));
  return [...snap].filter(([, c]) => Buffer.isBuffer(c) && needles.some((n) => c.includes(n))).map(([p]) => p);
}
